// Conference page entry point: join form, tile grid, controls, error toasts and the window.akkasfu test hook.

import { devToken, readOptions } from './config.js';
import { formatBitrate } from './format.js';
import { RoomClient, mediasoupClient } from './roomClient.js';
import { renderTiles } from './tiles.js';

const $ = (id) => document.getElementById(id);
const STATE_LABELS = { idle: 'not connected', connecting: 'connecting…', joined: 'joined', reconnecting: 'reconnecting…', disconnected: 'disconnected' };

const options = readOptions();
/** @type {RoomClient | null} */
let client = null;

// ---- toasts ---------------------------------------------------------------------------------------

/** Shows an error/info toast. Sticky ones stay until closed; a key replaces the previous toast with it. */
function toast(message, { kind = 'error', sticky = false, key = null } = {}) {
  const box = $('toasts');
  if (key) box.querySelector(`[data-key="${CSS.escape(key)}"]`)?.remove();
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  if (key) el.dataset.key = key;
  const text = document.createElement('span');
  text.textContent = message;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.onclick = () => el.remove();
  el.append(text, close);
  box.append(el);
  if (!sticky) setTimeout(() => el.remove(), 8000);
}

function clearToasts() {
  $('toasts').replaceChildren();
}

// ---- views ----------------------------------------------------------------------------------------

function showState(state) {
  const pill = $('state');
  pill.dataset.state = state;
  pill.textContent = STATE_LABELS[state] ?? state;
  const inRoom = state === 'connecting' || state === 'joined' || state === 'reconnecting';
  $('join-view').hidden = inRoom;
  $('conference-view').hidden = !inRoom;
  $('controls').hidden = !inRoom;
  $('room-label').hidden = !inRoom;
  $('join-button').disabled = inRoom;
}

function render() {
  if (!client) return;
  renderTiles($('grid'), client, { onAudioBlocked: audioBlocked, onTrackChange: render, onQuality: setQuality });
  $('empty-note').hidden = client.peers.size > 0 || client.state !== 'joined';
  showDownlink(client.downlinkBwe);

  const mic = client.mic?.producer;
  const micBtn = $('mic-button');
  micBtn.disabled = !mic;
  micBtn.textContent = mic?.paused ? 'Unmute' : 'Mute';
  micBtn.setAttribute('aria-pressed', String(Boolean(mic && !mic.paused)));
  micBtn.classList.toggle('off', Boolean(mic?.paused));

  const cam = client.webcam?.producer;
  const camBtn = $('cam-button');
  camBtn.disabled = !cam;
  camBtn.textContent = cam?.paused ? 'Camera on' : 'Camera off';
  camBtn.setAttribute('aria-pressed', String(Boolean(cam && !cam.paused)));
  camBtn.classList.toggle('off', Boolean(cam?.paused));
}

/** The receive transport's bandwidth estimate in the top bar: "down 1.2 Mbps (wants 2.5 Mbps)". */
function showDownlink(bwe) {
  const el = $('downlink');
  el.hidden = !bwe;
  if (!bwe) return;
  const { availableBitrate, desiredBitrate, effectiveDesiredBitrate } = bwe;
  el.textContent = `down ${formatBitrate(availableBitrate)}`
    + (desiredBitrate ? ` (wants ${formatBitrate(desiredBitrate)})` : '');
  el.title = `Downlink estimate: ${formatBitrate(availableBitrate)} available, ${formatBitrate(desiredBitrate)} desired, `
    + `${formatBitrate(effectiveDesiredBitrate)} effectively desired`;
}

/** The tiles' quality select; the client reports failed requests as error toasts. */
function setQuality(consumerId, quality) {
  client?.setQuality(consumerId, quality).catch((e) => toast(e?.message ?? String(e)));
}

let audioUnlockPending = false;
function audioBlocked() {
  if (audioUnlockPending) return;
  audioUnlockPending = true;
  toast('The browser blocked sound. Click anywhere on the page to hear the others.', { kind: 'info', sticky: true, key: 'audio' });
  document.addEventListener('click', () => {
    audioUnlockPending = false;
    document.querySelector('[data-key="audio"]')?.remove();
    for (const audio of document.querySelectorAll('audio')) audio.play().catch(() => {});
  }, { once: true });
}

// ---- join / leave ---------------------------------------------------------------------------------

let joining = false;

/** Joins with the page's token, else one from /dev/token when the server hands them out, else none (auth off). */
async function join(roomId, displayName) {
  if (joining || (client && client.state !== 'disconnected')) return;
  joining = true;
  let token;
  try {
    token = options.token ?? await devToken({ ...options, roomId });
  } finally {
    joining = false;
  }
  if (client && client.state !== 'disconnected') return;
  clearToasts();
  client = new RoomClient({ ...options, roomId, displayName, token });
  client.addEventListener('state', (e) => { showState(e.detail); render(); });
  client.addEventListener('change', render);
  client.addEventListener('error', (e) => {
    const { message, sticky, key } = e.detail;
    toast(message, { sticky, key });
  });

  $('room-label').textContent = `Room ${roomId}`;
  const url = new URL(window.location.href);
  url.searchParams.set('roomId', roomId);
  url.searchParams.set('displayName', displayName);
  url.searchParams.delete('autojoin');
  history.replaceState(null, '', url);

  client.start();
  render();
}

function bindUi() {
  $('room-input').value = options.roomId;
  $('name-input').value = options.displayName;

  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('room-input').value.trim(), $('name-input').value.trim());
  });
  $('mic-button').onclick = () => client?.toggleMic();
  $('cam-button').onclick = () => client?.toggleCam();
  $('leave-button').onclick = () => {
    client?.leave();
    toast('You left the room.', { kind: 'info' });
  };
  window.addEventListener('pagehide', () => client?.leave());
}

// ---- test hook ------------------------------------------------------------------------------------

window.mediasoupClient = mediasoupClient;
window.akkasfu = {
  /** 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'disconnected' */
  get state() { return client?.state ?? 'idle'; },
  /** Times this page has joined its room (each reconnect joins again). */
  get joins() { return client?.joins ?? 0; },
  get peerId() { return client?.me.id ?? options.peerId; },
  get lastError() { return client?.lastError ?? null; },
  get activeSpeakerId() { return client?.activeSpeakerId ?? null; },
  get transportStates() { return { ...(client?.transportStates ?? {}) }; },
  /** Latest downlinkBwe notification { desiredBitrate, effectiveDesiredBitrate, availableBitrate } (bps), or null. */
  get downlinkBwe() { return client?.downlinkBwe ? { ...client.downlinkBwe } : null; },
  get producers() {
    return [client?.mic, client?.webcam].filter(Boolean).map(({ producer, score }) => ({
      id: producer.id, kind: producer.kind, paused: producer.paused, score,
      encodings: producer.rtpParameters.encodings.length,
      /** mediasoup-client's parameters (codecs, encodings with rid/scalabilityMode, extensions) ... */
      rtpParameters: producer.rtpParameters,
      /** ... and what the produce request told the server. */
      signalledRtpParameters: client.signalledRtpParameters.get(producer.id) ?? null,
    }));
  },
  /** Remote peers with their consumers (plain objects, safe to JSON-serialise). */
  get peers() {
    if (!client) return [];
    return [...client.peers.values()].map((p) => ({
      id: p.id, displayName: p.displayName, device: p.device,
      consumers: [...client.consumers.entries()].filter(([, c]) => c.peerId === p.id).map(([id, c]) => ({
        id, kind: c.consumer.kind, paused: c.consumer.paused, score: c.score, layers: c.layers,
        quality: c.quality, bitrate: c.bitrate,
        rtpParameters: c.consumer.rtpParameters,
      })),
    }));
  },
  stats: async () => (client ? client.stats() : []),
  /** This peer's outbound streams (per simulcast encoding: rid, frame size and rate, bytes sent). */
  producerStats: async () => (client ? client.producerStats() : []),
  join: (roomId, displayName) => join(roomId, displayName),
  leave: () => client?.leave(),
  toggleMic: () => client?.toggleMic(),
  toggleCam: () => client?.toggleCam(),
  /** setConsumerPreferredLayers with explicit layers (the tile's select only chooses the spatial one). */
  setPreferredLayers: async (consumerId, spatialLayer, temporalLayer) => {
    if (!client) throw new Error('not in a room');
    return client.setPreferredLayers(consumerId, spatialLayer, temporalLayer);
  },
  /** What a tile's quality select does: 'auto' | 'low' | 'high'. Resolves true when the server accepted both requests. */
  setQuality: async (consumerId, quality) => {
    if (!client) throw new Error('not in a room');
    return client.setQuality(consumerId, quality);
  },
};

bindUi();
showState('idle');
if (options.autojoin && options.roomId) {
  join(options.roomId, options.displayName || `guest-${options.peerId.slice(0, 4)}`);
}
