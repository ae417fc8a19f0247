#!/usr/bin/env bash
# Soak (issue 13; not CI): one server, 8 rooms x 4 WebRTC peers from the load generator for the whole run,
# plus churn: every CHURN_EVERY seconds 2 more peers join a fresh room, send for 3 s and leave. Every
# SAMPLE_EVERY seconds the server's RSS, thread count, open fds, rooms and transports are appended to a CSV.
# Flat means within +-5 % after warm-up (docs/benchmarks.md, "Soak").
#   bench/Soak/soak.sh [minutes=60] [out=soak.csv]
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-60}
OUT=${2:-soak.csv}
CHURN_EVERY=${CHURN_EVERY:-5}
SAMPLE_EVERY=${SAMPLE_EVERY:-60}
PORT=${PORT:-5077}
URL="http://127.0.0.1:$PORT"

dotnet build -c Release -v q src/Signalling >/dev/null
dotnet build -c Release -v q bench/LoadGen >/dev/null
LOADGEN=bench/LoadGen/bin/Release/net10.0/AkkaSfu.LoadGen.dll

(cd src/Signalling && AKKASFU_WORKERS=${WORKERS:-1} AKKASFU_RTC_PORTS=${RTC_PORTS:-41000-43999} \
  exec dotnet bin/Release/net10.0/AkkaSfu.Signalling.dll --urls "$URL" >/tmp/soak-server.log 2>&1) &
SERVER=$!
cleanup() { kill "${LOAD:-}" "${CHURN:-}" 2>/dev/null || true; kill -TERM "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.3; done
PID=$(pgrep -f "AkkaSfu.Signalling.dll --urls $URL" | head -1)

SECONDS_TOTAL=$((MINUTES * 60))
dotnet "$LOADGEN" --server "$URL" --server-pid "$PID" --rooms 8 --peers 4 --warmup 5 --duration "$SECONDS_TOTAL" \
  --video-kbps 500 --room-prefix soak --quiet >/tmp/soak-load.json 2>/tmp/soak-load.err &
LOAD=$!

( i=0; while true; do
    dotnet "$LOADGEN" --server "$URL" --rooms 1 --peers 2 --warmup 0 --duration 3 --video-kbps 300 \
      --room-prefix "churn$i-" --quiet >/dev/null 2>&1 || true
    i=$((i + 1)); sleep "$CHURN_EVERY"
  done ) &
CHURN=$!

metric() { curl -sf "$URL/metrics" | awk -v m="$1" '$1 ~ "^"m"(\\{|$)" { s += $2 } END { print s + 0 }'; }
echo "minute,rss_mb,threads,fds,rooms,transports,consumers" >"$OUT"
start=$(date +%s)
while kill -0 "$LOAD" 2>/dev/null; do
  now=$(( ($(date +%s) - start) ))
  rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status")
  threads=$(awk '/Threads/ { print $2 }' "/proc/$PID/status")
  fds=$(ls "/proc/$PID/fd" | wc -l)
  echo "$(awk -v s="$now" 'BEGIN { printf "%.1f", s / 60 }'),$rss,$threads,$fds,$(metric akkasfu_rooms),$(metric akkasfu_worker_transports),$(metric akkasfu_worker_consumers)" | tee -a "$OUT"
  sleep "$SAMPLE_EVERY"
done
wait "$LOAD" || true
echo "load generator: $(tail -c 600 /tmp/soak-load.json)"

# Flat? After WARMUP minutes (default 10), each series' spread around its mean, in %.
awk -F, -v w="${WARMUP:-10}" 'NR > 1 && $1 >= w { n++; for (i = 2; i <= 4; i++) { s[i] += $i; if (!(i in lo) || $i < lo[i]) lo[i] = $i; if ($i > hi[i]) hi[i] = $i } }
  END { split("rss_mb threads fds", name, " "); if (!n) { print "no samples after warm-up"; exit }
        for (i = 2; i <= 4; i++) { m = s[i] / n; printf "%s after minute %d: mean %.1f, min %.1f (%+.1f %%), max %.1f (%+.1f %%)\n",
          name[i - 1], w, m, lo[i], 100 * (lo[i] - m) / m, hi[i], 100 * (hi[i] - m) / m } }' "$OUT"
dotnet "$LOADGEN" --soak-plot "$OUT" "${OUT%.csv}.png" "soak: 8 rooms x 4 WebRTC peers + churn, $MINUTES min" || true
