#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each (default 60)
# on the stable toolchain: cargo-fuzz with libFuzzer and `--sanitizer none`
# (safe Rust needs no AddressSanitizer; panics, overflows and debug
# assertions are the crashes). Prints the executions per target.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: block table wal manifest batch suite
#   FUZZ_JOBS=2 scripts/fuzz.sh 600           run two targets at a time
#   scripts/fuzz.sh --minimize                merge new finds into the committed corpora, minimized
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ compiler (libFuzzer
# is built from source by libfuzzer-sys). Crashes land in fuzz/artifacts/<target>/;
# reproduce one with `cargo fuzz run --sanitizer none -O <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
ALL=(block table wal manifest batch suite)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi
if [[ "${1:-}" == "--minimize" ]]; then
    mkdir -p logs
    # Merge the inputs found since (fuzz/work/<target>) into the committed
    # corpus, keeping only those that add coverage, then minimize it.
    for t in "${ALL[@]}"; do
        if [[ -d "work/$t" ]]; then
            cargo fuzz run --sanitizer none -O "$t" "corpus/$t" "work/$t" -- \
                -merge=1 -max_len=65536 -rss_limit_mb=2048 >"logs/merge-$t.log" 2>&1
        fi
        cargo fuzz cmin --sanitizer none -O "$t" "corpus/$t" -- -rss_limit_mb=2048 >/dev/null 2>&1
        echo "$t: $(ls "corpus/$t" | wc -l) inputs, $(du -sh "corpus/$t" | cut -f1)"
    done
    exit 0
fi

SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL[@]}")
JOBS="${FUZZ_JOBS:-1}"

cargo fuzz build --sanitizer none -O >/dev/null
if [[ ! -d corpus/table ]]; then
    cargo run --release --quiet --example make-seeds -- corpus
fi
mkdir -p logs

run_one() {
    local t="$1" work="work/$1"
    # Fuzz into a scratch copy: the committed corpus stays small (minimize
    # new finds into it with --minimize).
    mkdir -p "$work"
    cp -n "corpus/$t"/* "$work"/ 2>/dev/null || true
    local rc=0
    cargo fuzz run --sanitizer none -O "$t" "$work" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 || rc=$?
    local runs
    runs=$(grep -E '^stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}' | tail -1)
    echo "$t: rc=$rc executions=${runs:-?} seconds=$SECONDS_EACH (log fuzz/logs/$t.log)"
    return $rc
}

failed=0
active=0
for t in "${TARGETS[@]}"; do
    run_one "$t" &
    active=$((active + 1))
    if [[ $active -ge $JOBS ]]; then
        wait -n || failed=1
        active=$((active - 1))
    fi
done
while [[ $active -gt 0 ]]; do
    wait -n || failed=1
    active=$((active - 1))
done
if [[ $failed -ne 0 ]]; then
    echo "fuzz.sh: a target found a crash: see fuzz/artifacts/ and fuzz/logs/" >&2
    exit 1
fi
