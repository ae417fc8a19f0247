#!/usr/bin/env bash
# Runs every AkkaSfu test. On a bare Debian machine it first installs what the tests need:
# Debian's chromium (browser interop tests, driven by Playwright), ffmpeg (PlainTransport peer) and
# iproute2 (ip netns + tc: the downlink-limit tests; they need root and say so when they cannot run).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v tc >/dev/null 2>&1 || need+=(iproute2)
if ((${#need[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing ${need[*]} (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Akka.sln -c Release 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies, from dotnet test's per-assembly summaries.
awk '/(Passed|Failed)! +- Failed: /{
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
