# fuzz.bats - the libFuzzer targets (tests/fuzz/): every seed input and
# every past finding replays cleanly, and a run of FUZZ_SECONDS (default 60)
# per target finds nothing new. Built by make when clang is installed.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
    cd "$ROOT"
    [ -x tests/fuzz/fuzz_resp ] && [ -x tests/fuzz/fuzz_commands ] ||
        skip "the fuzzers are not built: install clang, then make fuzzers"
}

# replay NAME: run fuzz_NAME once on each seed and each saved finding.
replay() {
    local name=$1 inputs=()
    shopt -s nullglob # no regressions yet: an empty list, not a literal '*'
    inputs+=(tests/fuzz/seeds/"$name"/* tests/fuzz/regressions/"$name"/*)
    shopt -u nullglob
    run "tests/fuzz/fuzz_$name" "${inputs[@]}"
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    [[ "$output" == *"Executed tests/fuzz/seeds/$name/"* ]]
}

@test "fuzz_resp: the seeds and past findings replay cleanly" {
    replay resp
}

@test "fuzz_commands: the seeds and past findings replay cleanly" {
    replay commands
}

@test "both fuzzers run for FUZZ_SECONDS each without a finding" {
    run tests/fuzz/run "${FUZZ_SECONDS:-60}"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^stat::number_of_executed_units' <<<"$output")" -eq 2 ]
}
