# tests/exercises/fuzz-store.bats - exercise of chapter 7: a fuzzer that knows the right answer.
# tests/fuzz/fuzz_store drives the store alone and checks each answer against
# a model. It must build and run with the other fuzzers, find nothing in the
# shipped store, and find the bug fuzz-store.bug.patch plants (a key added
# mid-rehash is lost), which crashes nothing and which fuzz_commands misses.
# Run it with: make exercise NAME=fuzz-store
# (No server here: the target links common/ alone, so STEP does not matter.)
load ../helpers

FUZZ_CC="${FUZZ_CC:-clang}"
export FUZZ_CC

setup() {
    cd "$ROOT" || return 1
    # As tests/fuzz.bats does: without clang and its fuzzer runtime there is
    # nothing to build. (CI installs clang, so there the test really runs.)
    command -v "$FUZZ_CC" >/dev/null 2>&1 ||
        skip "$FUZZ_CC is not installed: the fuzzers need it (apt install clang)"
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$BATS_TEST_TMPDIR/probe.c"
    "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$BATS_TEST_TMPDIR/probe" \
        "$BATS_TEST_TMPDIR/probe.c" >/dev/null 2>&1 ||
        skip "$FUZZ_CC cannot build a libFuzzer target (is its fuzzer runtime installed?)"
}

# build DIR [TARGET]: make TARGET (default: the fuzzers) in DIR; on failure
# show why.
build() {
    if [ ! -f "$1/tests/fuzz/fuzz_store.c" ]; then
        echo "no tests/fuzz/fuzz_store.c yet: write the target (TUTORIAL.md, chapter 7)"
        return 1
    fi
    run make -C "$1" -s -j2 "${2:-fuzzers}"
    if [ "$status" -ne 0 ]; then
        echo "make ${2:-fuzzers} failed:"
        echo "$output" | tail -n 30
        return 1
    fi
    if [ ! -x "$1/tests/fuzz/fuzz_store" ]; then
        echo "make fuzzers did not build tests/fuzz/fuzz_store: add it to FUZZERS in the Makefile"
        return 1
    fi
}

# fuzz DIR SECONDS: run DIR's fuzz_store for at most SECONDS from a scratch
# corpus and its seeds and past findings, if any. Sets status and LOG;
# findings go to $BATS_TEST_TMPDIR/found/. -timeout stops a stuck input
# and the outer timeout a stuck fuzzer.
fuzz() {
    local dir=$1 seconds=$2 corpus=("$BATS_TEST_TMPDIR/corpus")
    mkdir -p "$BATS_TEST_TMPDIR/corpus" "$BATS_TEST_TMPDIR/found"
    [ -d "$dir/tests/fuzz/seeds/store" ] && corpus+=("$dir/tests/fuzz/seeds/store")
    [ -d "$dir/tests/fuzz/regressions/store" ] && corpus+=("$dir/tests/fuzz/regressions/store")
    LOG="$BATS_TEST_TMPDIR/fuzz.log"
    status=0
    timeout $((seconds + 20)) "$dir/tests/fuzz/fuzz_store" -max_total_time="$seconds" \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$BATS_TEST_TMPDIR/found/" \
        "${corpus[@]}" >"$LOG" 2>&1 || status=$?
}

@test "tests/fuzz/fuzz_store builds with the other fuzzers (make fuzzers)" {
    build "$ROOT"
    if ! make -n -B fuzzers 2>/dev/null | grep -q 'fuzz_store\.c'; then
        echo "make fuzzers would not build it: add tests/fuzz/fuzz_store to FUZZERS in the Makefile"
        return 1
    fi
}

@test "tests/fuzz/run runs it too, and tests/fuzz.bats counts it" {
    build "$ROOT"
    run timeout 120 tests/fuzz/run 1
    if [ "$status" -ne 0 ] || [[ "$output" != *"== fuzz_store for 1s"* ]]; then
        echo "tests/fuzz/run 1 should run fuzz_store for a second, after the other two:"
        echo "$output" | tail -n 20
        return 1
    fi
    run env FUZZ_SECONDS=1 bats tests/fuzz.bats
    if [ "$status" -ne 0 ]; then
        echo "tests/fuzz.bats fails (with FUZZ_SECONDS=1); does it count three fuzzers?"
        echo "$output" | tail -n 20
        return 1
    fi
}

@test "15 seconds of fuzzing find nothing wrong in the shipped store" {
    build "$ROOT"
    fuzz "$ROOT" 15
    if [ "$status" -ne 0 ]; then
        echo "fuzz_store reports a problem with the shipped store (exit $status)."
        echo "The store passes its unit tests: is the model right? Replay the input with"
        echo "tests/fuzz/fuzz_store on the file it names. Its output:"
        tail -n 30 "$LOG"
        return 1
    fi
}

@test "it finds a key lost mid-rehash (tests/exercises/fuzz-store.bug.patch) within 100 seconds" {
    # A copy of the project (as tests/exercises/check makes it) with the bug.
    local copy="$BATS_TEST_TMPDIR/project"
    mkdir -p "$copy"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            (cd "$ROOT" && xargs -0 cp --parents -t "$copy" 2>/dev/null)
    else
        cp -a "$ROOT/." "$copy"
    fi
    rm -f "$copy/tests/fuzz/fuzz_store" "$copy"/tests/fuzz/crash-*
    if ! (cd "$copy" && git apply tests/exercises/fuzz-store.bug.patch) 2>&1; then
        echo "the planted bug does not apply to your common/store.c: the exercise needs"
        echo "the shipped store (see git diff common/store.c)"
        return 1
    fi
    build "$copy" tests/fuzz/fuzz_store
    fuzz "$copy" 100
    if [ "$status" -eq 0 ]; then
        echo "fuzz_store ran 100 seconds on a store that loses keys added during a rehash,"
        echo "and found nothing. Does it use few enough keys to meet them again, enough"
        echo "to grow the table (more than 4, 8, 16 keys), and compare every answer with"
        echo "the model?"
        grep -E '^(Done|stat::number_of_executed_units)' "$LOG"
        return 1
    fi
    if ! compgen -G "$BATS_TEST_TMPDIR/found/crash-*" >/dev/null; then
        echo "fuzz_store stopped (exit $status) but saved no crash- file: a disagreement"
        echo "with the model must abort(). Its output:"
        tail -n 20 "$LOG"
        return 1
    fi
    grep -m 1 -B 2 'deadly signal' "$LOG" || tail -n 5 "$LOG"
}
