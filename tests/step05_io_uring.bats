# step05_io_uring.bats - what step05 alone promises: without io_uring it
# says why and exits 2, and the suites skip it with that reason rather than
# fail. (Everything else it promises, the other steps' suites check.)

load helpers

teardown() {
    end_test || true
}

@test "without io_uring (a seccomp filter, as in Docker), step05 says why in one line and exits 2" {
    run "$ROOT/tests/tools/no_io_uring" "$ROOT/step05_io_uring/server" --port 0
    echo "status $status; output: $output"
    [ "$status" -eq 2 ]
    [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
    [[ "$output" == "step05_io_uring: io_uring unavailable: io_uring is not permitted here"* ]]
}

@test "without io_uring, a suite's test is skipped with the server's reason, not failed" {
    # A one-test suite in a scratch project whose tests/ and step05 are
    # this one's (helpers.bash finds the project above the suite's file).
    local project="$BATS_TEST_TMPDIR/project" suite
    mkdir -p "$project"
    ln -s "$ROOT/tests" "$ROOT/step05_io_uring" "$project/"
    suite="$project/fixture.bats"
    printf '%s\n' 'load tests/helpers' '' '@test "a test that starts the server" {' \
        '    start_server' '    stop_server' '}' >"$suite"
    STEP=step05_io_uring SERVER_WRAPPER="$ROOT/tests/tools/no_io_uring" run bats --formatter tap "$suite"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"ok 1 a test that starts the server # skip step05_io_uring: io_uring unavailable: io_uring is not permitted here"* ]]
}
