#!/usr/bin/env bash
# make fuzz: builds the libFuzzer driver in Fuzz/ (its own package, instrumented with --sanitize=fuzzer and
# --sanitize=address) and runs every target of Sources/FuzzTargets for FUZZ_SECONDS each.
# The working corpus lives in .build/fuzz/corpus/<target> (seeded from Tests/FuzzCorpus/<target>/seed-*) and grows
# between runs. Every crash, out-of-memory or timeout input is copied to Tests/FuzzCorpus/<target>/, which
# `make test` replays (FuzzCorpusReplayTests): fix the bug, then commit the file as a regression test.
# Token dictionaries (JSON syntax, field names, extreme numbers) are in Fuzz/dicts/<target>.dict.
# Environment: FUZZ_SECONDS (default 60), FUZZ_TARGETS (default: all four).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-pipeline records safetensors config}"
work=.build/fuzz

echo "building the fuzz driver (Fuzz/, --sanitize=fuzzer --sanitize=address)"
build() { (cd Fuzz && swift build --sanitize=fuzzer --sanitize=address) 2>&1 | grep -E "error|Build" | grep -v "^\[" || true; }
build
driver="Fuzz/.build/debug/rlhf-fuzz"
[ -x "$driver" ] || { echo "the fuzz driver did not build" >&2; exit 1; }
# An incremental rebuild after source changes has been seen to link a driver without coverage counters
# (libFuzzer then says "no interesting inputs"); rebuild from scratch when the counters are missing.
if ! FUZZ_TARGET=safetensors SWIFT_BACKTRACE=enable=no "$driver" -runs=0 2>&1 | grep -q "inline 8-bit counters"; then
    echo "the driver has no coverage counters; rebuilding Fuzz/ from scratch"
    rm -rf Fuzz/.build
    build
fi

summary=""
for target in $targets; do
    corpus="$work/corpus/$target" artifacts="$work/artifacts/$target"
    mkdir -p "$corpus" "$artifacts" "Tests/FuzzCorpus/$target"
    for seed in Tests/FuzzCorpus/"$target"/seed-*; do [ -e "$seed" ] && cp -n "$seed" "$corpus/" 2>/dev/null || true; done
    before=$(ls "$artifacts" | wc -l)
    executions=0 runs=0
    start=$(date +%s)
    while :; do
        left=$(( seconds - ($(date +%s) - start) ))
        [ "$left" -gt 0 ] && [ "$runs" -lt 25 ] || break
        runs=$(( runs + 1 ))
        log="$work/$target.log"
        dict=()
        [ -e "Fuzz/dicts/$target.dict" ] && dict=(-dict="Fuzz/dicts/$target.dict")
        SWIFT_BACKTRACE=enable=no FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" "$driver" "$corpus" \
            -max_total_time="$left" -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=2048 -max_len=16384 \
            -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" >"$log" 2>&1 || true
        done_units=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
        if [ -z "$done_units" ]; then  # a crash ends the run before the final stats; take the last progress line
            done_units=$(grep -o '^#[0-9]*' "$log" | tr -d '#' | tail -1 || true)
        fi
        executions=$(( executions + ${done_units:-0} ))
        if grep -q "no interesting inputs were found so far" "$log"; then
            echo "[$target] the driver has no coverage instrumentation; rebuild it: rm -rf Fuzz/.build && make fuzz" >&2
        fi
        if grep -q -E "ERROR: (libFuzzer|AddressSanitizer)|SUMMARY: libFuzzer|==ERROR" "$log"; then
            echo "[$target] run $runs stopped on a finding:"; grep -E "ERROR|SUMMARY|Fatal error|Test unit written" "$log" | head -5
        fi
    done
    found=0
    for artifact in "$artifacts"/*; do
        [ -e "$artifact" ] || continue
        name=$(basename "$artifact")
        if [ ! -e "Tests/FuzzCorpus/$target/$name" ]; then
            cp "$artifact" "Tests/FuzzCorpus/$target/$name"
            echo "[$target] NEW regression input Tests/FuzzCorpus/$target/$name (reproduce: FUZZ_TARGET=$target $driver Tests/FuzzCorpus/$target/$name)"
        fi
    done
    found=$(( $(ls "$artifacts" | wc -l) - before ))
    line=$(printf "%-12s %6ss %12s executions %4s crashes (%s runs)" "$target" "$seconds" "$executions" "$found" "$runs")
    echo "$line"
    summary="$summary$line"$'\n'
done
printf "\nfuzz summary (%s)\n%s" "$(date -u +%FT%TZ)" "$summary" | tee "$work/summary.txt"
