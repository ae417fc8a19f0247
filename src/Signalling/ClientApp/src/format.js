// Number formatting shared by the tiles and the header.

/** A bitrate in bits per second as people read it: "850 bps", "640 kbps", "1.2 Mbps", "12 Mbps". */
export function formatBitrate(bps) {
  if (bps == null || !Number.isFinite(bps) || bps < 0) return '–';
  if (bps < 1000) return `${Math.round(bps)} bps`;
  if (bps < 999_500) return `${Math.round(bps / 1000)} kbps`;
  const mbps = bps / 1_000_000;
  return `${mbps < 9.95 ? mbps.toFixed(1) : Math.round(mbps)} Mbps`;
}
