// Browser side of the AkkaSfu signalling protocol (docs/signalling.md, mediasoup-demo v3 over protoo).
// Same sequence as the demo's RoomClient: getRouterRtpCapabilities -> Device.load -> send/recv transports
// -> join -> produce mic + webcam; the server pushes newConsumer requests and state notifications.

import * as mediasoupClient from 'mediasoup-client';
import * as protooClient from 'protoo-client';
import {
  BITRATE_SAMPLE_MS, MIC_CODEC_OPTIONS, PLAIN_SIMULCAST_ENCODINGS, PROTOO_RETRY, QUALITY_PRESETS, WEBCAM_CODEC_OPTIONS,
  WEBCAM_AV1_SCALABILITY_MODE, WEBCAM_SIMULCAST_ENCODINGS, WEBCAM_SVC_MAX_BITRATE, WEBCAM_SVC_SCALABILITY_MODE, protooUrl,
} from './config.js';
import { deviceInfo } from './deviceInfo.js';

/**
 * One conference session. Events (all `CustomEvent`):
 * - `state`  detail = 'connecting' | 'joined' | 'reconnecting' | 'disconnected' (reconnecting: the signalling
 *   socket dropped after a join, e.g. the room moved to another node; protoo reopens it and we join again)
 * - `change` the peers/consumers/producers/speaker model changed; re-render from the getters
 * - `error`  detail = { message, sticky, key }
 */
export class RoomClient extends EventTarget {
  constructor(options) {
    super();
    this.options = options;
    this.url = protooUrl(options);
    this.me = { id: options.peerId, displayName: options.displayName, device: deviceInfo() };
    this.state = 'idle';
    this.serverVersion = null;
    this.activeSpeakerId = null;
    this.lastError = null;
    /** @type {Map<string, {id, displayName, device}>} */
    this.peers = new Map();
    /**
     * quality: 'auto' | 'low' | 'high' (setQuality); maxLayers: { spatialLayer, temporalLayer } or null when there
     * is nothing to choose; bitrate: received bps over the last sample, null until two samples exist.
     * @type {Map<string, {consumer, peerId, remotelyPaused, score, layers, quality, maxLayers, bitrate, sample}>}
     */
    this.consumers = new Map();
    /** Latest downlinkBwe notification for the receive transport: { desiredBitrate, effectiveDesiredBitrate, availableBitrate } (bps). */
    this.downlinkBwe = null;
    /** mic/webcam producers of this peer: { producer, score } */
    this.mic = null;
    this.webcam = null;
    this.transportStates = { send: 'new', recv: 'new' };
    /** @type {Map<string, object>} the rtpParameters each producer's produce request carried, by producer id */
    this.signalledRtpParameters = new Map();
    this._protoo = null;
    this._device = null;
    this._sendTransport = null;
    this._recvTransport = null;
    this._closed = false;
    this._bitrateTimer = null;
    this._sampling = false;
    /** How many times this session has joined the room (it joins again after each reconnect). */
    this.joins = 0;
  }

  /** Opens the protoo connection; joining runs on every (re)open. */
  start() {
    this._setState('connecting');
    const transport = new protooClient.WebSocketTransport(this.url, { retry: PROTOO_RETRY });
    this._protoo = new protooClient.Peer(transport);

    let everOpened = false;
    let attempts = 0;
    this._protoo.on('open', () => { everOpened = true; this._joinRoom(); });
    this._protoo.on('failed', (attempt) => {
      attempts = attempt;
      if (attempt <= PROTOO_RETRY.retries) {
        this._error(`Cannot reach the signalling server at ${this.url} (attempt ${attempt} of ${PROTOO_RETRY.retries + 1}); retrying…`, false, 'signalling');
      }
    });
    this._protoo.on('disconnected', () => {
      this._error('Lost the signalling connection; reconnecting…', false, 'signalling');
      this._closeMedia();
      this._setState('reconnecting');
    });
    this._protoo.on('close', () => {
      if (this._closed) return;
      this._closed = true;
      this._error(everOpened
        ? 'Disconnected: the server closed the session. Press Join to enter the room again.'
        : `Could not connect to the signalling server at ${this.url} (gave up after ${attempts} attempts). `
          + 'Check that the AkkaSfu server is running, then press Join to retry.', true, 'signalling');
      this._closeMedia();
      this._setState('disconnected');
    });
    this._protoo.on('request', (request, accept, reject) => this._onRequest(request, accept, reject));
    this._protoo.on('notification', (notification) => this._onNotification(notification));
  }

  /** Leaves the room: closes protoo (the server then closes our peer) and all transports. */
  leave() {
    if (this._closed) return;
    this._closed = true;
    this._protoo?.close();
    this._closeMedia();
    this._setState('disconnected');
  }

  /** Mutes or unmutes the microphone (pauseProducer / resumeProducer). Returns true when now sending. */
  async toggleMic() {
    return this._toggleProducer(this.mic);
  }

  /** Turns the camera off or on (pauseProducer / resumeProducer). Returns true when now sending. */
  async toggleCam() {
    return this._toggleProducer(this.webcam);
  }

  /**
   * Chooses what the server sends for a video consumer: 'auto' (its highest layers, priority 1), 'low' (spatial
   * layer 0, priority 1) or 'high' (highest layers, priority 2, so it gets the downlink first). Sends
   * setConsumerPreferredLayers then setConsumerPriority. Resolves true when both succeed; on a failed request
   * reports the error, keeps the previous choice and resolves false. Rejects for an unknown consumer or quality.
   */
  async setQuality(consumerId, quality) {
    const entry = this.consumers.get(consumerId);
    if (!entry) throw new Error(`no consumer "${consumerId}"`);
    const preset = Object.hasOwn(QUALITY_PRESETS, quality) ? QUALITY_PRESETS[quality] : null;
    if (!preset) throw new Error(`quality must be one of ${Object.keys(QUALITY_PRESETS).join(', ')}, not "${quality}"`);
    const max = entry.maxLayers;
    if (!max) throw new Error(`consumer "${consumerId}" has no layers to choose from`);

    const previous = entry.quality;
    entry.quality = quality;
    this._changed();
    try {
      await this._protoo.request('setConsumerPreferredLayers', {
        consumerId,
        spatialLayer: preset.spatialLayer === 'max' ? max.spatialLayer : preset.spatialLayer,
        temporalLayer: max.temporalLayer,
      });
      await this._protoo.request('setConsumerPriority', { consumerId, priority: preset.priority });
      return true;
    } catch (error) {
      if (entry.quality === quality) entry.quality = previous; // unless another choice came meanwhile
      this._error(`Could not set ${quality} quality for ${this._peerName(entry.peerId)}: ${error?.message ?? error}`);
      this._changed();
      return false;
    }
  }

  /** Asks the server for a consumer's preferred layers as given (setConsumerPreferredLayers), without the tile's
   * quality choice; for tests and tools. Resolves when the server accepted. */
  async setPreferredLayers(consumerId, spatialLayer, temporalLayer) {
    if (!this.consumers.has(consumerId)) throw new Error(`no consumer "${consumerId}"`);
    await this._protoo.request('setConsumerPreferredLayers', { consumerId, spatialLayer, temporalLayer });
  }

  /** Per consumer: kind, peerId and inbound-rtp counters from getStats(). The video-only fields (frame size,
   * frame rate, freezes) are null for audio. */
  async stats() {
    const out = [];
    for (const [id, entry] of this.consumers) {
      const { consumer } = entry;
      let inbound = null;
      let codec = null;
      try {
        const report = await consumer.getStats();
        report.forEach((s) => { if (s.type === 'inbound-rtp') inbound = s; });
        codec = inbound?.codecId ? report.get(inbound.codecId)?.mimeType ?? null : null;
      } catch { /* consumer closed meanwhile */ }
      const video = consumer.kind === 'video';
      const videoStat = (value) => (video ? value ?? 0 : null);
      out.push({
        consumerId: id,
        producerId: consumer.producerId,
        peerId: entry.peerId,
        kind: consumer.kind,
        paused: consumer.paused,
        remotelyPaused: entry.remotelyPaused,
        score: entry.score,
        layers: entry.layers,
        packetsReceived: inbound?.packetsReceived ?? 0,
        bytesReceived: inbound?.bytesReceived ?? 0,
        framesDecoded: inbound?.framesDecoded ?? 0,
        /** The codec the browser decodes with (getStats' codec entry), e.g. 'video/H264'. */
        codec,
        decoderImplementation: inbound?.decoderImplementation ?? null,
        frameWidth: videoStat(inbound?.frameWidth),
        frameHeight: videoStat(inbound?.frameHeight),
        framesPerSecond: videoStat(inbound?.framesPerSecond),
        freezeCount: videoStat(inbound?.freezeCount),
        totalFreezesDuration: videoStat(inbound?.totalFreezesDuration),
      });
    }
    return out;
  }

  /** Per outbound stream of this peer's producers (one per simulcast encoding): what the browser sends. */
  async producerStats() {
    const out = [];
    for (const entry of [this.mic, this.webcam]) {
      if (!entry || entry.producer.closed) continue;
      const { producer } = entry;
      let report = null;
      try { report = await producer.getStats(); } catch { continue; /* closed meanwhile */ }
      report.forEach((s) => {
        if (s.type !== 'outbound-rtp') return;
        out.push({
          codec: s.codecId ? report.get(s.codecId)?.mimeType ?? null : null,
          encoderImplementation: s.encoderImplementation ?? null,
          producerId: producer.id,
          kind: producer.kind,
          rid: s.rid ?? null,
          ssrc: s.ssrc,
          active: s.active ?? null,
          bytesSent: s.bytesSent ?? 0,
          /** Part of bytesSent that went out again as RTX: NACK answers, and the copies of recent packets
           * Chrome sends as bandwidth probes (payload padding). */
          retransmittedBytesSent: s.retransmittedBytesSent ?? 0,
          frameWidth: s.frameWidth ?? null,
          frameHeight: s.frameHeight ?? null,
          framesPerSecond: s.framesPerSecond ?? null,
          scalabilityMode: s.scalabilityMode ?? null,
          qualityLimitationReason: s.qualityLimitationReason ?? null,
        });
      });
    }
    return out;
  }

  // ---- join sequence ------------------------------------------------------------------------------

  async _joinRoom() {
    const { produce, consume, forceTcp } = this.options;
    try {
      this._device = await mediasoupClient.Device.factory();
      const routerRtpCapabilities = await this._protoo.request('getRouterRtpCapabilities');
      await this._device.load({ routerRtpCapabilities });

      if (produce) this._sendTransport = await this._createTransport('send', { forceTcp, producing: true, consuming: false });
      if (consume) this._recvTransport = await this._createTransport('recv', { forceTcp, producing: false, consuming: true });

      const { peers } = await this._protoo.request('join', {
        displayName: this.me.displayName,
        device: this.me.device,
        rtpCapabilities: consume ? this._device.rtpCapabilities : undefined,
      });
      for (const peer of peers ?? []) this.peers.set(peer.id, { id: peer.id, displayName: peer.displayName, device: peer.device });
      this._setState('joined');
      this._changed();
    } catch (error) {
      this._error(`Could not join room "${this.options.roomId}": ${error?.message ?? error}`, true);
      this.leave();
      return;
    }

    if (produce) {
      // Each producer fails on its own (no camera, permission denied) without ending the session.
      if (this.options.mic) await this._enableMic();
      if (this.options.webcam) await this._enableWebcam();
    }
  }

  async _createTransport(direction, { forceTcp, producing, consuming }) {
    const { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters } =
      await this._protoo.request('createWebRtcTransport', { forceTcp, producing, consuming });
    const params = { id, iceParameters, iceCandidates, dtlsParameters: { ...dtlsParameters, role: 'auto' }, sctpParameters, iceServers: [] };
    const transport = direction === 'send'
      ? this._device.createSendTransport(params)
      : this._device.createRecvTransport(params);

    transport.on('connect', ({ dtlsParameters: local }, callback, errback) => {
      this._protoo.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters: local })
        .then(callback, errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        if (this.options.encodings === 'plain' && appData?.source === 'webcam' && rtpParameters.encodings.length > 1) {
          // Signal the app's encodings, not mediasoup-client's L1T3 (see PLAIN_SIMULCAST_ENCODINGS).
          rtpParameters = {
            ...rtpParameters,
            encodings: rtpParameters.encodings.map(({ scalabilityMode, ...rest }) => rest),
          };
        }
        this._protoo.request('produce', { transportId: transport.id, kind, rtpParameters, appData })
          .then(({ id: producerId }) => { this.signalledRtpParameters.set(producerId, rtpParameters); callback({ id: producerId }); }, errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      this.transportStates[direction] = state;
      if (state === 'failed') this._error(`The ${direction} transport failed (ICE/DTLS); media cannot flow.`, true);
      this._changed();
    });
    return transport;
  }

  async _enableMic() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const track = stream.getAudioTracks()[0];
      const producer = await this._sendTransport.produce({ track, codecOptions: MIC_CODEC_OPTIONS, appData: { source: 'mic' } });
      this.mic = this._watchProducer(producer, 'microphone');
      this._changed();
    } catch (error) {
      if (!this._sendTransport) return; // session torn down meanwhile (leave/reconnect): nothing to report
      this._error(`Microphone unavailable: ${error?.message ?? error}`);
    }
  }

  async _enableWebcam() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      });
      const track = stream.getVideoTracks()[0];
      // As mediasoup-demo: forceVP9 / forceH264 / forceAV1 pick the router's codec of that type (its first, as
      // the device lists them). VP9 and AV1 send one SVC encoding; VP8 and H264 get the simulcast list.
      const forced = this.options.forceVP9 ? 'video/vp9' : this.options.forceH264 ? 'video/h264'
        : this.options.forceAV1 ? 'video/av1' : null;
      let codec;
      if (forced) {
        codec = this._device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === forced);
        if (!codec) throw new Error(`desired ${forced.slice(6).toUpperCase()} codec+configuration is not supported`);
      }
      let encodings;
      if (this.options.simulcast && (forced === 'video/vp9' || forced === 'video/av1')) {
        encodings = [{
          maxBitrate: this.options.maxBitrate ?? WEBCAM_SVC_MAX_BITRATE,
          scalabilityMode: this.options.svc
            ?? (forced === 'video/av1' ? WEBCAM_AV1_SCALABILITY_MODE : WEBCAM_SVC_SCALABILITY_MODE),
        }];
      } else if (this.options.simulcast) {
        const layers = this.options.encodings === 'plain' ? PLAIN_SIMULCAST_ENCODINGS : WEBCAM_SIMULCAST_ENCODINGS;
        encodings = layers.map((e) => ({ ...e }));
      }
      const restore = this.options.encodings === 'plain' && encodings?.length > 1 ? sendEncodingsVerbatim() : null;
      let producer;
      try {
        producer = await this._sendTransport.produce({
          track, encodings, codec, codecOptions: WEBCAM_CODEC_OPTIONS, appData: { source: 'webcam' },
        });
      } finally {
        restore?.();
      }
      this.webcam = this._watchProducer(producer, 'camera');
      this._changed();
    } catch (error) {
      if (!this._sendTransport) return; // session torn down meanwhile (leave/reconnect): nothing to report
      this._error(`Camera unavailable: ${error?.message ?? error}`);
    }
  }

  _watchProducer(producer, label) {
    const entry = { producer, score: null };
    producer.on('transportclose', () => this._dropProducer(entry));
    producer.on('trackended', () => {
      this._error(`The ${label} was disconnected.`);
      this._protoo.request('closeProducer', { producerId: producer.id }).catch(() => {});
      producer.close();
      this._dropProducer(entry);
    });
    return entry;
  }

  _dropProducer(entry) {
    entry.producer.track?.stop();
    if (this.mic === entry) this.mic = null;
    if (this.webcam === entry) this.webcam = null;
    this._changed();
  }

  async _toggleProducer(entry) {
    if (!entry || entry.producer.closed) return false;
    const { producer } = entry;
    try {
      if (producer.paused) {
        producer.resume();
        await this._protoo.request('resumeProducer', { producerId: producer.id });
      } else {
        producer.pause();
        await this._protoo.request('pauseProducer', { producerId: producer.id });
      }
    } catch (error) {
      this._error(`Could not ${producer.paused ? 'pause' : 'resume'} the ${producer.kind}: ${error?.message ?? error}`);
    }
    this._changed();
    return !producer.paused;
  }

  // ---- server -> client ---------------------------------------------------------------------------

  async _onRequest(request, accept, reject) {
    switch (request.method) {
      case 'newConsumer': {
        if (!this._recvTransport) {
          reject(403, 'I do not want to consume');
          return;
        }
        const { peerId, producerId, id, kind, rtpParameters, appData, producerPaused } = request.data;
        try {
          const consumer = await this._recvTransport.consume({
            id, producerId, kind, rtpParameters,
            // One MediaStream per remote peer's mic+webcam so the browser keeps them in lip sync.
            streamId: `${peerId}-${appData?.share ? 'share' : 'mic-webcam'}`,
            appData: { ...appData, peerId },
          });
          const entry = {
            consumer, peerId, remotelyPaused: Boolean(producerPaused), score: null, layers: null,
            quality: 'auto', maxLayers: maxLayers(consumer), bitrate: null, sample: null,
          };
          this.consumers.set(consumer.id, entry);
          consumer.on('transportclose', () => { this.consumers.delete(consumer.id); this._changed(); });
          accept();
          this._changed();
        } catch (error) {
          this._error(`Could not receive ${kind} from ${this._peerName(peerId)}: ${error?.message ?? error}`);
          reject(500, String(error?.message ?? error));
        }
        return;
      }
      default:
        reject(403, `unknown request.method "${request.method}"`);
    }
  }

  _onNotification({ method, data = {} }) {
    switch (method) {
      case 'mediasoup-version':
        this.serverVersion = data.version ?? null;
        break;
      case 'newPeer':
        this.peers.set(data.id, { id: data.id, displayName: data.displayName, device: data.device });
        break;
      case 'peerClosed': {
        this.peers.delete(data.peerId);
        // The server sends consumerClosed for each of them too; this only guards against leftovers.
        for (const [id, entry] of this.consumers) {
          if (entry.peerId === data.peerId) { entry.consumer.close(); this.consumers.delete(id); }
        }
        if (this.activeSpeakerId === data.peerId) this.activeSpeakerId = null;
        break;
      }
      case 'peerDisplayNameChanged': {
        const peer = this.peers.get(data.peerId);
        if (peer) peer.displayName = data.displayName;
        break;
      }
      case 'consumerClosed': {
        const entry = this.consumers.get(data.consumerId);
        if (!entry) return;
        entry.consumer.close();
        this.consumers.delete(data.consumerId);
        break;
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const entry = this.consumers.get(data.consumerId);
        if (!entry) return;
        entry.remotelyPaused = method === 'consumerPaused';
        if (entry.remotelyPaused) entry.consumer.pause(); else entry.consumer.resume();
        break;
      }
      case 'consumerScore': {
        const entry = this.consumers.get(data.consumerId);
        if (!entry) return;
        entry.score = data.score ?? null;
        break;
      }
      case 'consumerLayersChanged': {
        const entry = this.consumers.get(data.consumerId);
        if (!entry) return;
        entry.layers = { spatialLayer: data.spatialLayer ?? null, temporalLayer: data.temporalLayer ?? null };
        break;
      }
      case 'producerScore': {
        const entry = [this.mic, this.webcam].find((p) => p?.producer.id === data.producerId);
        if (!entry) return;
        entry.score = data.score ?? null;
        break;
      }
      case 'activeSpeaker':
        this.activeSpeakerId = data.peerId ?? null;
        break;
      case 'downlinkBwe':
        this.downlinkBwe = {
          desiredBitrate: data.desiredBitrate ?? null,
          effectiveDesiredBitrate: data.effectiveDesiredBitrate ?? null,
          availableBitrate: data.availableBitrate ?? null,
        };
        break;
      default:
        return; // data channel notifications: nothing to show
    }
    this._changed();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  _closeMedia() {
    this._stopBitrateSampling();
    for (const entry of [this.mic, this.webcam]) entry?.producer.track?.stop();
    this._sendTransport?.close();
    this._recvTransport?.close();
    this._sendTransport = null;
    this._recvTransport = null;
    this.mic = null;
    this.webcam = null;
    this.consumers.clear();
    this.peers.clear();
    this.activeSpeakerId = null;
    this.downlinkBwe = null;
    this.transportStates = { send: 'new', recv: 'new' };
    this._changed();
  }

  /** One timer for every consumer's bitrate, from joined until the media is closed (leave, disconnect). */
  _startBitrateSampling() {
    if (this._bitrateTimer) return;
    this._bitrateTimer = setInterval(() => this._sampleBitrates(), BITRATE_SAMPLE_MS);
  }

  _stopBitrateSampling() {
    clearInterval(this._bitrateTimer);
    this._bitrateTimer = null;
  }

  /** bitrate = bytesReceived delta over the inbound-rtp timestamp delta since the previous sample. */
  async _sampleBitrates() {
    if (this._sampling || !this.consumers.size) return; // the previous round's getStats are still running
    this._sampling = true;
    try {
      await Promise.all([...this.consumers.values()].map(async (entry) => {
        let inbound = null;
        try {
          const report = await entry.consumer.getStats();
          report.forEach((s) => { if (s.type === 'inbound-rtp') inbound = s; });
        } catch { return; } // consumer closed meanwhile
        if (!inbound) return;
        const prev = entry.sample;
        entry.sample = { bytes: inbound.bytesReceived ?? 0, at: inbound.timestamp };
        if (prev && entry.sample.at > prev.at) {
          entry.bitrate = Math.max(0, (entry.sample.bytes - prev.bytes) * 8000 / (entry.sample.at - prev.at));
        }
      }));
    } finally {
      this._sampling = false;
    }
    if (this.consumers.size) this._changed();
  }

  _peerName(peerId) {
    return this.peers.get(peerId)?.displayName ?? peerId;
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (state === 'joined') {
      this.joins += 1;
      this._startBitrateSampling();
    }
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  _changed() {
    this.dispatchEvent(new CustomEvent('change'));
  }

  /** Reports a problem to the page; errors with the same key replace each other on screen. */
  _error(message, sticky = false, key = null) {
    this.lastError = message;
    console.error(`[akkasfu] ${message}`);
    this.dispatchEvent(new CustomEvent('error', { detail: { message, sticky, key } }));
  }
}

/**
 * Highest layers a video consumer can be asked for, from its encoding's scalabilityMode (for a simulcast producer
 * the server sends e.g. 'L3T3': 3 streams of 3 temporal layers), or null when it has a single layer.
 */
function maxLayers(consumer) {
  if (consumer.kind !== 'video') return null;
  const { spatialLayers, temporalLayers } = mediasoupClient.parseScalabilityMode(consumer.rtpParameters.encodings?.[0]?.scalabilityMode);
  if (spatialLayers < 2 && temporalLayers < 2) return null;
  return { spatialLayer: spatialLayers - 1, temporalLayer: temporalLayers - 1 };
}

/**
 * mediasoup-client gives every simulcast encoding a scalabilityMode (L1T3 when the app gave none). For
 * &encodings=plain the browser is to get the app's encodings as they are: until the returned function is called,
 * addTransceiver drops a scalabilityMode from sendEncodings, and the browser picks its default.
 */
function sendEncodingsVerbatim() {
  const proto = RTCPeerConnection.prototype;
  const original = proto.addTransceiver;
  proto.addTransceiver = function addTransceiver(trackOrKind, init) {
    if (init?.sendEncodings?.length > 1) {
      init = { ...init, sendEncodings: init.sendEncodings.map(({ scalabilityMode, ...rest }) => rest) };
    }
    return original.call(this, trackOrKind, init);
  };
  return () => { proto.addTransceiver = original; };
}

export { mediasoupClient };
