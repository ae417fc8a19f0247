// The video grid: one tile for this peer (camera preview) and one per remote peer, reconciled in place
// from the RoomClient model on every change, so media elements are kept and only their state updates.

import { formatBitrate } from './format.js';

const QUALITY_CHOICES = [['auto', 'Auto'], ['low', 'Low'], ['high', 'High']];

function initials(name) {
  const parts = String(name ?? '?').trim().split(/\s+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] ?? '?').slice(0, 2)).toUpperCase();
}

function createTile(key) {
  const tile = document.createElement('div');
  tile.className = 'tile';
  tile.dataset.key = key;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // audio plays through the <audio> elements
  const avatar = document.createElement('div');
  avatar.className = 'avatar';
  const label = document.createElement('div');
  label.className = 'label';
  const name = document.createElement('span');
  name.className = 'name';
  const badges = document.createElement('span');
  badges.className = 'badges';
  label.append(name, badges);
  tile.append(video, avatar, label);
  return tile;
}

/** Points a media element at a track, touching srcObject only when the track changes. */
function attach(el, track, { onBlocked, onTrackChange } = {}) {
  const id = track?.id ?? '';
  if (el.dataset.trackId === id) return;
  el.dataset.trackId = id;
  el.srcObject = track ? new MediaStream([track]) : null;
  if (!track) return;
  // A remote track stays muted until its first RTP arrives (and mutes again when RTP stops).
  if (onTrackChange) {
    track.addEventListener('mute', onTrackChange);
    track.addEventListener('unmute', onTrackChange);
  }
  el.play().catch((e) => { if (e?.name === 'NotAllowedError') onBlocked?.(); });
}

function badge(text, cls = '') {
  const b = document.createElement('span');
  b.className = `badge ${cls}`.trim();
  b.textContent = text;
  return b;
}

function scoreClass(score) {
  if (score == null) return '';
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
}

function updateTile(tile, { name, avatarName = name, videoTrack, videoOn, speaking, badges, audioTracks, mirror, onBlocked, onTrackChange }) {
  tile.querySelector('.name').textContent = name;
  tile.querySelector('.avatar').textContent = initials(avatarName);
  tile.classList.toggle('speaking', speaking);
  tile.classList.toggle('has-video', Boolean(videoTrack && videoOn && !videoTrack.muted));
  tile.classList.toggle('mirror', Boolean(mirror));
  attach(tile.querySelector('video'), videoTrack, { onTrackChange });
  tile.querySelector('.badges').replaceChildren(...badges);

  // One <audio> per audio consumer, keyed by consumer id.
  const wanted = new Map(audioTracks.map(({ id, track }) => [id, track]));
  for (const audio of tile.querySelectorAll('audio')) {
    if (!wanted.has(audio.dataset.consumerId)) audio.remove();
  }
  for (const [id, track] of wanted) {
    let audio = tile.querySelector(`audio[data-consumer-id="${CSS.escape(id)}"]`);
    if (!audio) {
      audio = document.createElement('audio');
      audio.autoplay = true;
      audio.dataset.consumerId = id;
      tile.append(audio);
    }
    attach(audio, track, { onBlocked });
  }
}

/**
 * The tile's auto/low/high select for its video consumer, shown only when that consumer has layers to choose
 * from. Created once per tile; its value is the model's choice (entry.quality), so it survives re-renders.
 */
function updateQuality(tile, name, consumerId, entry, onQuality) {
  let select = tile.querySelector('select.quality');
  if (!entry?.maxLayers) {
    if (select) select.hidden = true;
    return;
  }
  if (!select) {
    select = document.createElement('select');
    select.className = 'quality';
    select.title = 'Video quality: auto, low (smallest layer) or high (served first)';
    for (const [value, text] of QUALITY_CHOICES) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      select.append(option);
    }
    select.addEventListener('change', () => onQuality?.(select.dataset.consumerId, select.value));
    tile.append(select);
  }
  select.hidden = false;
  select.dataset.consumerId = consumerId;
  select.setAttribute('aria-label', `Video quality for ${name}`);
  if (select.value !== entry.quality) select.value = entry.quality;
}

/** Reconciles the grid with the client's model. */
export function renderTiles(grid, client, { onAudioBlocked, onTrackChange, onQuality }) {
  const seen = new Set();
  const tileFor = (key) => {
    seen.add(key);
    let tile = grid.querySelector(`.tile[data-key="${CSS.escape(key)}"]`);
    if (!tile) {
      tile = createTile(key);
      grid.append(tile);
    }
    return tile;
  };

  // Local tile.
  const mic = client.mic?.producer;
  const cam = client.webcam?.producer;
  const localBadges = [];
  if (client.state === 'joined' && (!mic || mic.paused)) localBadges.push(badge(mic ? 'muted' : 'no mic', 'muted'));
  if (cam && cam.rtpParameters.encodings.length > 1) localBadges.push(badge(`simulcast ×${cam.rtpParameters.encodings.length}`));
  const sendScores = [client.mic, client.webcam].flatMap((p) => p?.score ?? []).map((s) => s.score);
  if (sendScores.length) {
    const min = Math.min(...sendScores);
    localBadges.push(badge(`up ${min}/10`, scoreClass(min)));
  }
  const me = tileFor('me');
  me.classList.add('local');
  updateTile(me, {
    name: `${client.me.displayName} (you)`,
    avatarName: client.me.displayName,
    videoTrack: cam?.track ?? null,
    videoOn: cam && !cam.paused,
    speaking: client.activeSpeakerId === client.me.id,
    badges: localBadges,
    audioTracks: [],
    mirror: true,
  });

  // Remote tiles, in join order.
  for (const peer of client.peers.values()) {
    const consumers = [...client.consumers.entries()].filter(([, c]) => c.peerId === peer.id);
    const videos = consumers.filter(([, c]) => c.consumer.kind === 'video');
    const [videoId, video] = videos[videos.length - 1] ?? [];
    const audios = consumers.filter(([, c]) => c.consumer.kind === 'audio');
    const badges = [];
    if (!audios.length || audios.every(([, c]) => c.consumer.paused)) badges.push(badge(audios.length ? 'muted' : 'no mic', 'muted'));
    const score = video?.score?.score ?? audios[0]?.[1].score?.score;
    if (score != null) badges.push(badge(`${score}/10`, scoreClass(score)));
    if (video?.layers && video.layers.spatialLayer != null) {
      badges.push(badge(`S${video.layers.spatialLayer} T${video.layers.temporalLayer ?? '-'}`));
    }
    if (video?.bitrate != null) badges.push(badge(formatBitrate(video.bitrate), 'bitrate'));
    const name = peer.displayName || peer.id;
    const tile = tileFor(`peer:${peer.id}`);
    updateTile(tile, {
      name,
      videoTrack: video?.consumer.track ?? null,
      videoOn: video && !video.consumer.paused,
      speaking: client.activeSpeakerId === peer.id,
      badges,
      audioTracks: audios.map(([id, c]) => ({ id, track: c.consumer.track })),
      onBlocked: onAudioBlocked,
      onTrackChange,
    });
    updateQuality(tile, name, videoId, video, onQuality);
  }

  for (const tile of [...grid.children]) {
    if (!seen.has(tile.dataset.key)) tile.remove();
  }
  grid.dataset.count = String(seen.size);
}
