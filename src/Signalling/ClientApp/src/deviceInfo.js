// The `device` object sent in `join` ({flag, name, version}), like the demo's bowser-based deviceInfo().

export function deviceInfo(ua = navigator.userAgent) {
  const tests = [
    ['edge', 'Edge', /Edg(?:e|A|iOS)?\/([\d.]+)/],
    ['opera', 'Opera', /OPR\/([\d.]+)/],
    ['firefox', 'Firefox', /Firefox\/([\d.]+)/],
    ['chrome', 'Chrome', /(?:HeadlessChrome|Chrome|Chromium|CriOS)\/([\d.]+)/],
    ['safari', 'Safari', /Version\/([\d.]+).*Safari/],
  ];
  for (const [flag, name, re] of tests) {
    const m = re.exec(ua);
    if (m) return { flag, name, version: m[1] };
  }
  return { flag: 'unknown', name: 'Unknown', version: '' };
}
