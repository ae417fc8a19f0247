#!/usr/bin/env bash
# One room over routers on several workers and nodes (docs/benchmarks.md, "One room over workers and nodes").
# Starts node processes on 127.0.0.1, puts the room on the first node, and runs the load generator against it.
#
#   bench/Spread/run.sh NODES WORKERS MAX_CONSUMERS_PER_ROUTER PEERS VIDEO_KBPS SECONDS [PIPE_SRTP=0|1]
#
# e.g. one pipe hop between two nodes, 2 peers (limit 1: the second peer cannot share the first one's router):
#   bench/Spread/run.sh 2 1 1 2 1000 15
# Prints the load generator's JSON line, then the room's routers (GET /rooms/:id/routers) during the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=$1 workers=$2 limit=$3 peers=$4 kbps=$5 secs=$6 srtp=${7:-0}
dll=src/Signalling/bin/Release/net10.0/AkkaSfu.Signalling.dll
lg=bench/LoadGen/bin/Release/net10.0/AkkaSfu.LoadGen.dll
[[ -f $dll && -f $lg ]] || { dotnet build -c Release src/Signalling >/dev/null; dotnet build -c Release bench/LoadGen >/dev/null; }

pids=() urls=() seeds=""
trap 'kill ${pids[@]+"${pids[@]}"} 2>/dev/null; wait 2>/dev/null || true' EXIT
for i in $(seq 0 $((nodes - 1))); do
  http=$((5700 + i)) cport=$((4800 + i)) rtc=$((30000 + i * 1000))
  [[ $nodes -gt 1 ]] && seeds="127.0.0.1:4800,127.0.0.1:4801"
  env AKKASFU_WORKERS=$workers AKKASFU_MAX_CONSUMERS_PER_ROUTER=$limit AKKASFU_PIPE_SRTP=$srtp \
      AKKASFU_RTC_PORTS=$rtc-$((rtc + 999)) \
      ${seeds:+AKKASFU_CLUSTER_PORT=$cport AKKASFU_CLUSTER_SEEDS=$seeds} \
      dotnet $dll --urls http://127.0.0.1:$http >/tmp/spread-node$i.log 2>&1 &
  pids+=($!) urls+=("http://127.0.0.1:$http")
done
a=${urls[0]}
for _ in $(seq 1 120); do curl -sf $a/ >/dev/null && break; sleep 0.5; done
if [[ $nodes -gt 1 ]]; then
  for _ in $(seq 1 120); do
    n=$(curl -sf $a/cluster | jq '[.members[] | select(.status == "Up" and .url != null)] | length' 2>/dev/null || echo 0)
    [[ $n -eq $nodes ]] && break; sleep 0.5
  done
  self=$(curl -sf $a/cluster | jq -r .self.address)
  for _ in $(seq 1 200); do # a room id whose room lives on the first node
    room="spread-$RANDOM$RANDOM"; curl -sf $a/rooms/$room >/dev/null
    host=$(curl -sf $a/cluster | jq -r --arg r "$room" '.members[] | select(.rooms | index($r)) | .address')
    [[ $host == "$self" ]] && break
  done
else
  room="spread-$RANDOM$RANDOM"
fi
servers=$(IFS=,; echo "${urls[*]}") # all nodes measured (CPU summed); room-node placement ignores where peers signal
dotnet $lg --servers "$servers" --room-id "$room" --peers $peers --duration $secs --video-kbps $kbps --quiet &
lgpid=$!
sleep $((secs / 2 + 5))
curl -sf $a/rooms/$room/routers | jq -c '.[]' >/tmp/spread-routers.txt || true
wait $lgpid
cat /tmp/spread-routers.txt
