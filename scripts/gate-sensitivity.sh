#!/usr/bin/env bash
# Measures the regression gate on this machine (docs/ci.md, "Sensitivity"):
#  1. A/A false positives: PAIRS pairs of identical runs of SUITE, each
#     REPEAT repetitions, compared with the default metrics; prints the
#     regressions each compare reported (should be 0).
#  2. Detection: for each SLOWDOWN (threads running data operations use
#     SLOWDOWN more CPU time: the hidden --calibrate-slowdown knob), TRIALS
#     baseline/candidate pairs;
#     prints how many compares flagged an ops_per_sec regression.
# Usage: scripts/gate-sensitivity.sh [OUTDIR]
# Env: SUITE (configs/gate.yaml) REPEAT (5) PAIRS (10) TRIALS (3)
#      SLOWDOWNS ("2% 3% 5% 7% 10% 15%") THRESHOLD (5%) LSMLAB (target/release/lsmlab)
#      MODE: sequential (baseline's repetitions, then the candidate's) or
#            interleaved (one repetition of each in turn, ABBA order, via
#            --shard k/REPEAT, then merge: machine drift hits both sides alike)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d /tmp/lsmlab-gate.XXXXXX)}
SUITE=${SUITE:-configs/gate.yaml}
REPEAT=${REPEAT:-5}
PAIRS=${PAIRS:-10}
TRIALS=${TRIALS:-3}
SLOWDOWNS=${SLOWDOWNS:-"5% 10% 15% 20% 30%"}
THRESHOLD=${THRESHOLD:-5%}
LSMLAB=${LSMLAB:-target/release/lsmlab}
MODE=${MODE:-sequential}
[ -x "$LSMLAB" ] || cargo build --release -p lsmlab-runner
mkdir -p "$OUT"
run() { # DIR [extra flags]
  local dir=$1; shift
  "$LSMLAB" run "$SUITE" --repeat "$REPEAT" --out "$dir" --no-report "$@" >"$dir.log" 2>&1
}
pair() { # BASE CAND [candidate flags]: both runs, in MODE order
  local a=$1 b=$2; shift 2
  if [ "$MODE" = interleaved ]; then
    for k in $(seq 1 "$REPEAT"); do
      # ABBA: which side goes first alternates.
      if [ $((k % 2)) -eq 1 ]; then
        run "$a.s$k" --shard "$k/$REPEAT"
        run "$b.s$k" --shard "$k/$REPEAT" "$@"
      else
        run "$b.s$k" --shard "$k/$REPEAT" "$@"
        run "$a.s$k" --shard "$k/$REPEAT"
      fi
    done
    "$LSMLAB" merge "$a".s*/ --out "$a" >/dev/null
    "$LSMLAB" merge "$b".s*/ --out "$b" >/dev/null
  else
    run "$a"
    run "$b" "$@"
  fi
}
tally() { # CMP.JSON -> "regressions rows"
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["tally"]["regressions"], len(c["rows"]))' "$1"
}

echo "A/A ($MODE): $PAIRS pairs of $SUITE x $REPEAT repetitions, threshold $THRESHOLD, load $(cut -d' ' -f1-3 /proc/loadavg)"
fp=0; fprows=0; allrows=0
for i in $(seq 1 "$PAIRS"); do
  pair "$OUT/aa$i-a" "$OUT/aa$i-b"
  # compare exits 1 on a regression: that is the answer, not a failure.
  "$LSMLAB" compare "$OUT/aa$i-a" "$OUT/aa$i-b" --threshold "$THRESHOLD" --format json >"$OUT/aa$i.cmp.json" 2>/dev/null || true
  read -r n m <<<"$(tally "$OUT/aa$i.cmp.json")"
  echo "  pair $i: $n of $m rows flagged"
  [ "$n" -eq 0 ] || fp=$((fp + 1))
  fprows=$((fprows + n)); allrows=$((allrows + m))
done
echo "A/A compares with any regression: $fp of $PAIRS; false-positive rows $fprows of $allrows"

echo "Detection of a known slowdown (CPU time of the data-phase threads): ops_per_sec of the data phases (maintenance phases are not slowed), $TRIALS trials each"
for s in $SLOWDOWNS; do
  hit=0; rows=0; total=0
  for t in $(seq 1 "$TRIALS"); do
    d="$OUT/slow${s%\%}-$t"
    pair "$d-a" "$d-b" --calibrate-slowdown "$s"
    "$LSMLAB" compare "$d-a" "$d-b" --threshold "$THRESHOLD" --metric ops_per_sec --format json >"$d.cmp.json" 2>/dev/null || true
    read -r n m <<<"$(python3 -c '
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["rows"]
        if r["phase"] not in ("flush", "compact", "wait_for_compaction")]
print(sum(r["verdict"] == "regression" for r in rows), len(rows))' "$d.cmp.json")"
    echo "  slowdown $s trial $t: $n of $m data phases flagged"
    rows=$((rows + n)); total=$((total + m))
    [ "$n" -eq 0 ] || hit=$((hit + 1))
  done
  echo "slowdown $s: caught in $hit of $TRIALS compares; $rows of $total phase rows flagged"
done
echo "results under $OUT; load $(cut -d' ' -f1-3 /proc/loadavg)"
