#!/usr/bin/env bash
# make fuzz: builds the libFuzzer driver in Fuzz/ and runs every target of Sources/FuzzTargets for FUZZ_SECONDS each.
#
# Instrumentation: every Swift module linked into the driver (FuzzTargets, EngineCore, Stages, Model, SafeTensors, ... and
# their package dependencies) must be compiled with coverage. swift-driver hands only the LAST -sanitize= option to the
# compiler frontend, so `swift build --sanitize=fuzzer --sanitize=address` (two options) compiled every Swift module with
# AddressSanitizer alone and no coverage: libFuzzer saw the ~50 counters of the C target BF16Kernels and never grew a corpus.
# `--sanitize=fuzzer --sanitize=address` stays for linking (libFuzzer's main, the ASan runtime), and
# `-Xswiftc -sanitize=fuzzer,address`, which SwiftPM places after its own flags, gives every frontend both (edge counters,
# trace-cmp, ASan). The script checks the result: it fails when the driver has fewer than FUZZ_MIN_COUNTERS inline 8-bit
# counters, when a target's corpus did not grow during its run, or when replaying a target's corpus with -print_coverage=1
# covers no function of the module it fuzzes (pipeline: EngineCore and Stages; records: Stages; safetensors: SafeTensors;
# config: Model).
#
# Corpus: each run starts a fresh working corpus in .build/fuzz/corpus/<target> from the committed seeds
# (Tests/FuzzCorpus/<target>/seed-* and Fuzz/corpus/<target>/*), so "the corpus grew" means this run found new coverage.
# Fuzz/corpus/<target> is a corpus grown by one 60-s run and minimised with -merge=1 (pipeline: only inputs up to 2 KB), so a
# run starts where that one ended. Every crash, out-of-memory or timeout input is copied to Tests/FuzzCorpus/<target>/, which `make test` replays
# (FuzzCorpusReplayTests), and fails the run: fix the bug, add a test in the module's tests, commit the file.
# Token dictionaries (JSON syntax, field names, extreme numbers) are in Fuzz/dicts/<target>.dict.
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_TARGETS (default: all four), FUZZ_MIN_COUNTERS (default 20000).
# Exit status: 0 when every target ran, grew its corpus and found nothing; 1 otherwise (the reasons are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-pipeline records safetensors config}"
min_counters="${FUZZ_MIN_COUNTERS:-20000}"
work=.build/fuzz
driver="Fuzz/.build/debug/rlhf-fuzz"
mkdir -p "$work"

echo "building the fuzz driver (Fuzz/, every module with -sanitize=fuzzer,address)"
if ! (cd Fuzz && swift build --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address) >"$work/build.log" 2>&1; then
    grep -E "error:" "$work/build.log" | head -20 >&2 || tail -20 "$work/build.log" >&2
    echo "fuzz: the driver did not build (log: $work/build.log)" >&2
    exit 1
fi
[ -x "$driver" ] || { echo "fuzz: no driver at $driver after the build (log: $work/build.log)" >&2; exit 1; }

# The coverage counters libFuzzer finds in the driver: the sum over "Loaded N modules (M inline 8-bit counters)" lines.
counters=$(FUZZ_TARGET=safetensors SWIFT_BACKTRACE=enable=no "$driver" -runs=0 2>&1 \
    | sed -n 's/.*Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
echo "the driver has $counters coverage counters (floor $min_counters)"
if [ "$counters" -lt "$min_counters" ]; then
    echo "fuzz: only $counters coverage counters, below the floor of $min_counters: the code under test is not instrumented," >&2
    echo "      so libFuzzer cannot see which inputs reach new code. Rebuild from scratch (rm -rf Fuzz/.build) and check that" >&2
    echo "      every module is compiled with -sanitize=fuzzer (swift build -v in Fuzz/ shows the swiftc lines)." >&2
    exit 1
fi

# The modules whose code a target must reach, as directories of Sources/.
modules_of() {
    case "$1" in
        pipeline) echo "EngineCore Stages" ;;
        records) echo "Stages" ;;
        safetensors) echo "SafeTensors" ;;
        config) echo "Model" ;;
        *) echo "FuzzTargets" ;;
    esac
}

# The value of `key: N` on the last line of `file` that has it (empty when none).
last_field() { grep -o "$1: *[0-9]*" "$2" | tail -1 | grep -o '[0-9]*$' || true; }

failures=()
summary=$(printf "%-12s %6s %12s %8s %7s %7s %14s %9s %7s  %s" target seconds executions exec/s cov ft corpus new-units crashes \
    "functions covered")
for target in $targets; do
    corpus="$work/corpus/$target" artifacts="$work/artifacts/$target"
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts" "Tests/FuzzCorpus/$target"
    for seed in Tests/FuzzCorpus/"$target"/seed-* Fuzz/corpus/"$target"/*; do [ -f "$seed" ] && cp "$seed" "$corpus/"; done
    before=$(find "$artifacts" -type f | wc -l)
    executions=0 new_units=0 runs=0 cov="" ft="" corp="" initial=""
    dict=()
    [ -e "Fuzz/dicts/$target.dict" ] && dict=(-dict="Fuzz/dicts/$target.dict")
    start=$(date +%s)
    while :; do   # a finding ends libFuzzer's run; start again until the time is used (at most 25 runs)
        left=$(( seconds - ($(date +%s) - start) ))
        [ "$left" -gt 0 ] && [ "$runs" -lt 25 ] || break
        runs=$(( runs + 1 ))
        log="$work/$target.$runs.log"
        SWIFT_BACKTRACE=enable=no FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" "$driver" "$corpus" \
            -max_total_time="$left" -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=2048 -max_len=16384 \
            -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" >"$log" 2>&1 || true
        units=$(last_field stat::number_of_executed_units "$log")
        [ -n "$units" ] || units=$(grep -o '^#[0-9]*' "$log" | tr -d '#' | tail -1 || true)  # no final stats: last progress line
        executions=$(( executions + ${units:-0} ))
        added=$(last_field stat::new_units_added "$log")
        new_units=$(( new_units + ${added:-0} ))
        [ -n "$initial" ] || initial=$(grep -m1 'INITED' "$log" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*$' || true)
        status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
        if [ -n "$status" ]; then
            cov=$(echo "$status" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*$')
            ft=$(echo "$status" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*$')
            corp=$(echo "$status" | grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' | cut -d' ' -f2)
        fi
        if grep -q -E "ERROR: (libFuzzer|AddressSanitizer)|SUMMARY: (libFuzzer|AddressSanitizer)|==ERROR" "$log"; then
            echo "[$target] run $runs stopped on a finding (log: $log):"
            grep -E "ERROR|SUMMARY|Fatal error|Test unit written" "$log" | head -5 | sed 's/^/    /'
        fi
    done
    crashes=0
    for artifact in "$artifacts"/*; do
        [ -f "$artifact" ] || continue
        name=$(basename "$artifact")
        case "$name" in crash-*|oom-*|timeout-*|leak-*) ;; *) continue ;; esac
        [ -e "Tests/FuzzCorpus/$target/$name" ] || cp "$artifact" "Tests/FuzzCorpus/$target/$name"
    done
    crashes=$(( $(find "$artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l) - before ))
    if [ "$crashes" -gt 0 ]; then
        failures+=("$target: $crashes new crash/oom/timeout input(s); reproduce with FUZZ_TARGET=$target $driver <file>:")
        for artifact in $(find "$artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) -newer "$work/build.log"); do
            failures+=("    Tests/FuzzCorpus/$target/$(basename "$artifact")")
        done
    fi
    if [ "$executions" -eq 0 ]; then
        failures+=("$target: no executions (see $work/$target.*.log)")
    elif [ "$new_units" -eq 0 ]; then
        failures+=("$target: the corpus did not grow in $seconds s (${initial:-?} inputs at start, no new units): libFuzzer found no new coverage")
    fi
    # Replay the final corpus once with -print_coverage=1: the functions it covers, by module (file under Sources/).
    coverage="$work/$target.coverage.log"
    SWIFT_BACKTRACE=enable=no FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" "$driver" "$corpus" \
        -runs=0 -print_coverage=1 -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=2048 -detect_leaks=0 >"$coverage" 2>&1 || true
    reached=""
    for module in $(modules_of "$target"); do
        functions=$(grep '^COVERED_FUNC' "$coverage" | grep -c "/Sources/$module/" || true)
        reached="$reached $module:$functions"
        if [ "$functions" -eq 0 ]; then
            failures+=("$target: its corpus covers no function of Sources/$module (log: $coverage): that module is not instrumented or not reached")
        fi
    done
    rate=$(( executions / (seconds > 0 ? seconds : 1) ))
    line=$(printf "%-12s %6s %12s %8s %7s %7s %14s %9s %7s %s" "$target" "$seconds" "$executions" "$rate" "${cov:--}" "${ft:--}" \
        "${corp:--}" "$new_units" "$crashes" "$reached")
    echo "$line"
    summary="$summary"$'\n'"$line"
done
printf "\nfuzz summary (%s, %s counters, corpus = inputs/bytes at the end)\n%s\n" "$(date -u +%FT%TZ)" "$counters" "$summary" \
    | tee "$work/summary.txt"
if [ "${#failures[@]}" -gt 0 ]; then
    printf "\nfuzz FAILED:\n" >&2
    printf "  %s\n" "${failures[@]}" >&2
    exit 1
fi
echo "fuzz: every target ran, grew its corpus and found no crash"
