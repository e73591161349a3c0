# unit.bats - the C unit tests of common/, each a program that exits 0 when
# every check passed and prints the failing checks otherwise.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
}

run_unit() {
    local program="$ROOT/tests/unit/$1"
    [ -x "$program" ] || { echo "$program is not built: run make unit"; return 1; }
    run "$program"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "RESP parser: every split of the input parses the same; Redis's errors" {
    run_unit test_resp
}

@test "store: growth and shrink while rehashing, binary keys, expiry with a set clock" {
    run_unit test_store
}

@test "store_scan: every key present throughout a walk is visited, while the table grows, shrinks, rehashes" {
    run_unit test_scan
}

@test "glob patterns: Redis's answers, no exponential time, bounded recursion" {
    run_unit test_glob
}

@test "commands: Redis's replies, expiry and TTLs with a set clock" {
    run_unit test_commands
}
