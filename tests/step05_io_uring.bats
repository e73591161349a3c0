# step05_io_uring.bats - what step05 alone promises: without io_uring it
# says why and exits 2, and the suites skip it with that reason rather than
# fail; and when the ring fails it mid-run, it still shuts down cleanly.
# (Everything else it promises, the other steps' suites check.)

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

@test "when io_uring_enter fails in the loop, the server cancels what is in flight and exits, starting nothing new" {
    command -v gdb >/dev/null || skip "gdb is not installed"
    # The loop's first io_uring_enter is made to fail (EBADF) without
    # running: the accept and the timer it would have submitted are still
    # queued. The loop gives up, and the shutdown cancels both; the accept's
    # cancelled completion must not start another accept, which nothing
    # would cancel, and which would hold the drain until a client came.
    local cmds="$BATS_TEST_TMPDIR/gdb.cmds"
    printf '%s\n' 'break uring_submit_and_wait' run delete 'return (int)-1' \
        'print *((int *(*)(void))__errno_location)() = 9' continue >"$cmds"
    # LeakSanitizer cannot work under a debugger (both need ptrace).
    [[ "${SERVER_BINARY:-}" != *asan* ]] || export ASAN_OPTIONS=detect_leaks=0
    SERVER_WRAPPER="env DEBUGINFOD_URLS= gdb -q -batch -nx -x $cmds --args" start_server
    local deadline=$((SECONDS + SERVER_WAIT_SECONDS))
    while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
    cat "$SERVER_LOG"
    ! kill -0 "$SERVER_PID" 2>/dev/null
    grep -q '^io_uring_enter: Bad file descriptor' "$SERVER_LOG"
    grep -q '^\[Inferior 1 (process [0-9]*) exited normally\]' "$SERVER_LOG"
}
