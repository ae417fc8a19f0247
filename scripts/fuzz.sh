#!/usr/bin/env bash
# Coverage-guided fuzzing of one target with AFL++ and SharpFuzz (fuzz/, docs/benchmarks.md "Fuzzing").
#   scripts/fuzz.sh <target> [seconds|Ninputs]     e.g. scripts/fuzz.sh protoo 600   or   scripts/fuzz.sh protoo 10000000inputs
#   scripts/fuzz.sh --list
# Installs afl++ (apt) and the SharpFuzz tool (dotnet tool restore) if missing, builds fuzz/ in Release, copies the
# build to $FUZZ_WORK/<target> (default /tmp/akkasfu-fuzz), instruments our assemblies there, and runs afl-fuzz in
# SharpFuzz's persistent fork server (one dotnet process runs every input) from fuzz/corpus/<target> with
# fuzz/dict/json.dict. Bounded by the time (default 60 s) or the number of inputs. At the end it prints the
# figures from fuzzer_stats and replays each saved crash and hang through the same target to show its exception.
# Runs under nice -n 19: the machine is shared. FUZZ_MAX_SECONDS caps an inputs-bounded run in time;
# FUZZ_PREBUILT=1 reuses the instrumented build left in $FUZZ_WORK/<target> by an earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ "${1:-}" = "" ] || [ "$1" = "--list" ]; then
  echo "targets: protoo rtp-parameters rtp-capabilities broadcaster packets"
  [ "${1:-}" = "--list" ]; exit
fi
target=$1
bound=${2:-60}
case "$target" in protoo|rtp-parameters|rtp-capabilities|broadcaster|packets) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac

if ! command -v afl-fuzz >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing afl++ (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
dotnet tool restore >/dev/null

work=${FUZZ_WORK:-/tmp/akkasfu-fuzz}/$target
if [ "${FUZZ_PREBUILT:-0}" = 1 ] && [ -f "$work/bin/AkkaSfu.Fuzz.dll" ]; then
  rm -rf "$work/out"   # FUZZ_PREBUILT=1: reuse the instrumented build of an earlier run
else
  rm -rf "$work"
  mkdir -p "$work"
  nice -n 19 dotnet build fuzz/AkkaSfu.Fuzz.csproj -c Release -o "$work/bin" -p:SkipClientApp=true -v q -nologo >/dev/null
  # Not AkkaSfu.Fuzz itself: its Main runs before the fork server maps the coverage memory.
  for dll in AkkaSfu.Media AkkaSfu.Actors AkkaSfu.Signalling; do
    dotnet sharpfuzz "$work/bin/$dll.dll" >/dev/null
  done
fi

case "$bound" in
  *inputs) limit=(-E "${bound%inputs}"); [ -z "${FUZZ_MAX_SECONDS:-}" ] || limit+=(-V "$FUZZ_MAX_SECONDS") ;;
  *) limit=(-V "$bound") ;;
esac
dict=(); [ "$target" = packets ] || dict=(-x fuzz/dict/json.dict)

# SharpFuzz's fork server is not an ELF AFL instrumented; .NET start-up takes longer than AFL's default wait.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=120000 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SHUFFLE_QUEUE=0 DOTNET_TieredPGO=0 DOTNET_gcServer=0
set +e
nice -n 19 afl-fuzz -i "fuzz/corpus/$target" -o "$work/out" -t 2000 -m none "${dict[@]}" "${limit[@]}" \
  -- dotnet "$work/bin/AkkaSfu.Fuzz.dll" "$target" >"$work/afl.log" 2>&1
rc=$?
set -e
stats=$work/out/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "afl-fuzz did not start (exit $rc); the end of $work/afl.log:" >&2
  tail -30 "$work/afl.log" >&2
  exit 1
fi
awk -F' *: *' '$1 ~ /^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|edges_found|total_edges|stability|saved_crashes|saved_hangs)$/ { printf "%-14s %s\n", $1, $2 }' "$stats"

findings=0
for dir in crashes hangs; do
  for f in "$work/out/default/$dir"/id:*; do
    [ -e "$f" ] || continue
    findings=$((findings + 1))
    echo "--- $dir/$(basename "$f")"
    timeout 60 dotnet "$work/bin/AkkaSfu.Fuzz.dll" "$target" "$f" | head -20 || true
  done
done
echo "fuzz $target: $findings finding(s); inputs kept in $work/out/default"
[ "$findings" = 0 ]
