#!/usr/bin/env bash
# Measures the regression gate on this machine (docs/ci.md, "Sensitivity"):
#  1. A/A false positives: PAIRS pairs of identical runs of SUITE, each
#     REPEAT repetitions, compared with the default metrics; prints the
#     regressions each compare reported (should be 0).
#  2. Detection: for each SLOWDOWN (an exact per-operation slowdown from the
#     hidden --calibrate-slowdown knob), TRIALS baseline/candidate pairs;
#     prints how many compares flagged an ops_per_sec regression.
# Usage: scripts/gate-sensitivity.sh [OUTDIR]
# Env: SUITE (configs/gate.yaml) REPEAT (5) PAIRS (10) TRIALS (3)
#      SLOWDOWNS ("2% 3% 5% 7% 10% 15%") THRESHOLD (5%) LSMLAB (target/release/lsmlab)
#      MODE: sequential (baseline's repetitions, then the candidate's) or
#            interleaved (one repetition of each in turn, via --shard k/REPEAT,
#            then merge: machine drift hits both sides alike)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d /tmp/lsmlab-gate.XXXXXX)}
SUITE=${SUITE:-configs/gate.yaml}
REPEAT=${REPEAT:-5}
PAIRS=${PAIRS:-10}
TRIALS=${TRIALS:-3}
SLOWDOWNS=${SLOWDOWNS:-"2% 3% 5% 7% 10% 15%"}
THRESHOLD=${THRESHOLD:-5%}
LSMLAB=${LSMLAB:-target/release/lsmlab}
MODE=${MODE:-sequential}
[ -x "$LSMLAB" ] || cargo build --release -p lsmlab-runner
mkdir -p "$OUT"
run() { # DIR [extra flags]
  local dir=$1; shift
  "$LSMLAB" run "$SUITE" --repeat "$REPEAT" --out "$dir" "$@" >"$dir.log" 2>&1
}
pair() { # BASE CAND [candidate flags]: both runs, in MODE order
  local a=$1 b=$2; shift 2
  if [ "$MODE" = interleaved ]; then
    for k in $(seq 1 "$REPEAT"); do
      run "$a.s$k" --shard "$k/$REPEAT"
      run "$b.s$k" --shard "$k/$REPEAT" "$@"
    done
    "$LSMLAB" merge "$a".s*/ --out "$a" >/dev/null
    "$LSMLAB" merge "$b".s*/ --out "$b" >/dev/null
  else
    run "$a"
    run "$b" "$@"
  fi
}
regressions() { # BASE CAND [compare flags] -> count of REGRESSION rows
  # compare exits 1 on a regression: that is the answer, not a failure.
  "$LSMLAB" compare "$1" "$2" --threshold "$THRESHOLD" "${@:3}" --format json >"$2.cmp.json" 2>/dev/null || true
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tally"]["regressions"])' "$2.cmp.json"
}

echo "A/A ($MODE): $PAIRS pairs of $SUITE x $REPEAT repetitions, threshold $THRESHOLD, load $(cut -d' ' -f1-3 /proc/loadavg)"
fp=0
for i in $(seq 1 "$PAIRS"); do
  pair "$OUT/aa$i-a" "$OUT/aa$i-b"
  n=$(regressions "$OUT/aa$i-a" "$OUT/aa$i-b")
  echo "  pair $i: $n regression row(s)"
  [ "$n" -eq 0 ] || fp=$((fp + 1))
done
echo "A/A compares with any regression: $fp of $PAIRS"

echo "Detection of an exact slowdown, ops_per_sec only, $TRIALS trials each"
for s in $SLOWDOWNS; do
  hit=0
  for t in $(seq 1 "$TRIALS"); do
    d="$OUT/slow${s%\%}-$t"
    pair "$d-a" "$d-b" --calibrate-slowdown "$s"
    n=$(regressions "$d-a" "$d-b" --metric ops_per_sec)
    [ "$n" -eq 0 ] || hit=$((hit + 1))
    echo "  slowdown $s trial $t: $n phase(s) flagged"
  done
  echo "slowdown $s: caught in $hit of $TRIALS"
done
echo "results under $OUT; load $(cut -d' ' -f1-3 /proc/loadavg)"
