// Page options from the URL query (?roomId=&displayName=&autojoin=1&simulcast=0&produce=0&consume=0&forceTcp=1
// &encodings=plain&forceVP9=1&forceH264=1&forceAV1=1&svc=L3T3_KEY&maxBitrate=900000&token=<room token>).
//
// Webcam codec, as mediasoup-demo (at most one of these; without any the browser sends the router's first video
// codec, VP8):
//   forceVP9=1   the router's VP9, one SVC encoding (scalabilityMode &svc=, default L3T3_KEY; &maxBitrate=).
//   forceH264=1  the router's H264 (its first, as the device lists them), simulcast: the 3 encodings VP8 gets
//                (WEBCAM_SIMULCAST_ENCODINGS, each L1T3; Chromium sends their temporal layers in the dependency
//                descriptor only, which the server reads).
//   forceAV1=1   the router's AV1, one encoding with scalabilityMode L1T3 (&svc= overrides it, but the server
//                only filters AV1's temporal layers: a spatial mode such as L3T3_KEY is forwarded whole and, without
//                the dependency descriptor, Chromium viewers decode none of it; docs/architecture.md "Codecs").
//   With simulcast=0 each is sent as one plain encoding.

/** Webcam simulcast layers as in mediasoup-demo v3 (mediasoup-client names them r0/r1/r2). */
export const WEBCAM_SIMULCAST_ENCODINGS = [
  { scaleResolutionDownBy: 4, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 1_000_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 5_000_000, scalabilityMode: 'L1T3' },
];

/** Three layers with no scalabilityMode and lower bitrates (&encodings=plain), as some apps give them.
 * mediasoup-client 3.x fills in scalabilityMode L1T3 (what Chrome does without one); with &encodings=plain the page
 * takes it out of the produce request again, so the server sees these encodings verbatim, as from a client that
 * does not fill it in. */
export const PLAIN_SIMULCAST_ENCODINGS = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

/** The webcam's one SVC encoding when it is sent with VP9 (mediasoup-demo v3: `{maxBitrate: 5000000,
 * scalabilityMode: webcamScalabilityMode || 'L3T3_KEY'}`; its older `&svc=` set the mode the same way). */
export const WEBCAM_SVC_SCALABILITY_MODE = 'L3T3_KEY';
export const WEBCAM_SVC_MAX_BITRATE = 5_000_000;

/** The webcam's one encoding when it is sent with AV1 (forceAV1): three temporal layers, described by the AV1
 * dependency descriptor. */
export const WEBCAM_AV1_SCALABILITY_MODE = 'L1T3';

/** Opus options matching the demo's mic producer (stereo, DTX, in-band FEC, NACK). */
export const MIC_CODEC_OPTIONS = { opusStereo: true, opusDtx: true, opusFec: true, opusNack: true };

/** VP8/H264 start bitrate hint, as the demo sets it. */
export const WEBCAM_CODEC_OPTIONS = { videoGoogleStartBitrate: 1000 };

/**
 * Per-tile video quality: which spatial layer to prefer ('max' = the consumer's highest, 0 = lowest; the
 * temporal layer is always the highest) and the consumer's priority (2 gets the downlink before 1).
 */
export const QUALITY_PRESETS = {
  auto: { spatialLayer: 'max', priority: 1 },
  low: { spatialLayer: 0, priority: 1 },
  high: { spatialLayer: 'max', priority: 2 },
};

/** How often the page samples each consumer's getStats to show its received bitrate. */
export const BITRATE_SAMPLE_MS = 1500;

/** Reconnect policy for the protoo WebSocket: a few quick tries, then give up and say so (~11 s). */
export const PROTOO_RETRY = { retries: 4, factor: 2, minTimeout: 1000, maxTimeout: 4000 };

function flag(params, name, fallback) {
  const v = params.get(name);
  if (v === null || v === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

/** Reads the options this page understands from a query string. */
export function readOptions(search = window.location.search) {
  const params = new URLSearchParams(search);
  /** A room token (servers with auth on need one); without one the page asks /dev/token when joining. */
  const token = params.get('token') || null;
  const claims = tokenClaims(token);
  return {
    roomId: params.get('roomId') || claims?.room || '',
    displayName: params.get('displayName') ?? '',
    /** A token is for one peer id: its sub, unless the URL names one. */
    peerId: params.get('peerId') || claims?.sub || randomId(8),
    token,
    autojoin: flag(params, 'autojoin', false),
    simulcast: flag(params, 'simulcast', true),
    produce: flag(params, 'produce', true),
    consume: flag(params, 'consume', true),
    mic: flag(params, 'mic', true),
    webcam: flag(params, 'webcam', true),
    forceTcp: flag(params, 'forceTcp', false),
    consumerReplicas: params.get('consumerReplicas'),
    /** Simulcast encodings: 'default' (WEBCAM_SIMULCAST_ENCODINGS) or 'plain' (PLAIN_SIMULCAST_ENCODINGS). */
    encodings: params.get('encodings') === 'plain' ? 'plain' : 'default',
    /** Produce the webcam with the router's VP9 (mediasoup-demo's forceVP9); with simulcast on, it is sent as
     * one SVC encoding instead of the simulcast list. */
    forceVP9: flag(params, 'forceVP9', false),
    /** Produce the webcam with the router's H264, as simulcast (the VP8 encodings). */
    forceH264: flag(params, 'forceH264', false),
    /** Produce the webcam with the router's AV1, one L1T3 encoding. */
    forceAV1: flag(params, 'forceAV1', false),
    /** scalabilityMode of the VP9/AV1 encoding (mediasoup-demo's webcamScalabilityMode, formerly svc). */
    svc: params.get('svc') || params.get('webcamScalabilityMode') || null,
    /** maxBitrate (bps) of that SVC encoding; Chromium splits it over the spatial layers. */
    maxBitrate: positiveInt(params.get('maxBitrate')),
  };
}

function positiveInt(v) {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n > 0 ? n : null;
}

/** Random lowercase [a-z0-9] string (peer ids, default names). */
export function randomId(length) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** A JWT's payload (room, sub, exp, grants), read without checking it (the server does), or null. */
export function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '=')));
  } catch {
    return null;
  }
}

/** A token from the server's GET /dev/token (only served when its dev flag is on), or null. */
export async function devToken({ roomId, peerId, produce, consume }, fetchImpl = fetch) {
  const grants = [produce && 'publish', consume && 'subscribe'].filter(Boolean).join(',') || 'subscribe';
  try {
    const res = await fetchImpl(`/dev/token?${new URLSearchParams({ roomId, peerId, grants })}`);
    return res.ok ? (await res.json()).token ?? null : null;
  } catch {
    return null;
  }
}

/** protoo URL on the same host and port as the page (ws:// or wss:// to match http/https). */
export function protooUrl({ roomId, peerId, consumerReplicas, token }, location = window.location) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = new URLSearchParams({ roomId, peerId });
  if (consumerReplicas) query.set('consumerReplicas', consumerReplicas);
  if (token) query.set('token', token);
  return `${scheme}://${location.host}/?${query}`;
}
