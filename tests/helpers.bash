# helpers.bash - what every suite shares: start and stop servers, clean up
# after a test, send raw bytes, compare replies byte for byte.
#
# A suite runs against one step, named by the STEP variable (for example
# STEP=step01_blocking); tests/run_all sets it for each step in turn.
# Servers listen on 127.0.0.1 only. Ours is started with --port 0 so the
# kernel picks a free port, which the server reports on its start-up line.

# Byte counts (${#var}) must count bytes, not characters.
export LC_ALL=C

# The project's root: the nearest directory above the suite holding this file
# (suites live in tests/, and exercises one level deeper, in tests/exercises/).
ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME:-$0}")" &&
    while [ ! -f tests/helpers.bash ] && [ "$PWD" != / ]; do cd ..; done && pwd)"
WIRE="$ROOT/tests/tools/wire"

# need_wire: build tests/tools/wire if `make` has not, so that a suite run
# by hand with bats works on a fresh checkout too.
need_wire() {
    [ -x "$WIRE" ] || cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$WIRE" "$ROOT/tests/tools/wire.c"
}
STEP="${STEP:-step01_blocking}"

# Starting and stopping a server is shared with tests/bench/run and
# tests/tools/transcripts: start_on_free_port, start_redis_on_free_port and
# stop_with.
source "$ROOT/tests/lib/servers.bash"

# Start this suite's step. Sets SERVER_PID and PORT. Extra flags are passed on.
# STEP=redis runs the suite against a real redis-server instead: that is how
# the suite itself is checked, since every expectation in it must hold for
# Redis 7.0 too.
start_server() {
    SERVER_LOG="${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/server.log"
    # fd 3 is bats's own: a server left holding it would make bats wait forever.
    if [ "$STEP" = redis ]; then
        start_redis_on_free_port "$SERVER_LOG" 3>&- || return 1
        export SERVER_PID PORT
        return 0
    fi
    # An AddressSanitizer build holds freed memory back (its quarantine, 256
    # MiB by default) to catch use after free; a small one keeps the RSS
    # checks meaningful, and detect_leaks makes a leak at exit a failure.
    if [[ "${SERVER_BINARY:-}" == *asan* ]]; then
        export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1:abort_on_error=0}"
        export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    fi
    # SERVER_BINARY picks another build of the step, e.g. server-tsan, or a
    # reader's own (../write/step01_blocking/server: tests/exercises/write);
    # SERVER_WRAPPER runs it under a tool, e.g. valgrind (split into words).
    # shellcheck disable=SC2086
    if ! start_on_free_port "$SERVER_LOG" ${SERVER_WRAPPER:-} "$ROOT/$STEP/${SERVER_BINARY:-server}" --port 0 "$@" 3>&-; then
        # step05 where io_uring cannot be used (an old kernel, the sysctl
        # kernel.io_uring_disabled, a container's seccomp filter) says why
        # in one line and exits 2: the test is skipped, with that reason,
        # and counted as skipped in make test's summary, not failed.
        local why
        why=$(grep -o 'io_uring unavailable: .*' "$SERVER_LOG" | head -n 1)
        [ -z "$why" ] || skip "$STEP: $why"
        return 1
    fi
    export SERVER_PID PORT
}

# Stop our server with SIGTERM and wait for it, so no test leaves one behind.
# Returns the server's exit status.
stop_server() {
    stop_with TERM
}

# Stop the server and require a clean exit (0): no crash, no leak found by
# AddressSanitizer, no race found by ThreadSanitizer (TSAN_OPTIONS with
# exitcode=66 makes its report an exit status of 66).
stop_server_cleanly() {
    local status=0
    stop_server || status=$?
    if [ "$status" != 0 ]; then
        echo "server exited with status $status; its log:"
        cat "$SERVER_LOG"
        return 1
    fi
}

# end_test: what a suite's teardown does after each test, passed or failed
# half-way: kill the helpers the test left running (HELPERS_PIDS: see
# hold), close the connections it held open in this shell (their
# descriptors in OPEN_FDS), and stop the server. Returns the server's exit
# status, as stop_server does; a suite whose tests check that status
# themselves (stop_server_cleanly) writes `end_test || true`.
end_test() {
    local pid fd
    for pid in ${HELPERS_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
    for pid in ${HELPERS_PIDS:-}; do wait "$pid" 2>/dev/null || true; done
    HELPERS_PIDS=""
    for fd in ${OPEN_FDS:-}; do eval "exec $fd>&-"; done
    OPEN_FDS=""
    stop_server
}

# say_if_server_died: after a client of the test failed, say whether that
# is because the server is gone, and of what: a crash otherwise shows only
# as the next client's "connect: Connection refused". bash reaps its
# background jobs as they end and keeps their status for `wait`: a server
# killed by a signal has status 128 + the signal's number (141: SIGPIPE).
say_if_server_died() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -0 "$SERVER_PID" 2>/dev/null && return 0
    local status=0
    wait "$SERVER_PID" 2>/dev/null || status=$?
    SERVER_PID=""
    if [ "$status" -gt 128 ]; then
        echo "the server has died: killed by SIG$(kill -l "$status"); the end of its log:"
    else
        echo "the server has died: it exited with status $status; the end of its log:"
    fi
    tail -n 5 "$SERVER_LOG"
}

have_redis_server() { command -v redis-server >/dev/null 2>&1; }
have_redis_cli() { command -v redis-cli >/dev/null 2>&1; }
have_redis_benchmark() { command -v redis-benchmark >/dev/null 2>&1; }

# Start a real redis-server as the reference, beside our server. Sets
# REDIS_PID and REDIS_PORT. The library names what it starts SERVER_PID and
# PORT: ours keeps those names, so they are put back after.
start_reference_redis() {
    local our_pid="${SERVER_PID:-}" our_port="${PORT:-}" status=0
    start_redis_on_free_port "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/redis.log" 3>&- || status=1
    REDIS_PID=$SERVER_PID
    REDIS_PORT=$PORT
    SERVER_PID=$our_pid
    PORT=$our_port
    return "$status"
}

stop_reference_redis() {
    [ -n "${REDIS_PID:-}" ] || return 0
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
}

# send REQUEST [wire options...]: send escaped bytes to our server and read
# one reply (or as many as -n says). Prints the reply, escaped.
send() {
    local request="$1"
    shift
    "$WIRE" -p "$PORT" -n 1 "$@" "$request"
}

# expect_reply REQUEST EXPECTED [wire options...]: send REQUEST and fail,
# showing both sides escaped, unless the reply is exactly EXPECTED.
# Without -n in the options, the number of replies awaited is 1.
expect_reply() {
    local request="$1" expected="$2"
    shift 2
    local opts=("$@")
    local has_n=0 o
    for o in "${opts[@]}"; do [ "$o" = "-n" ] && has_n=1; done
    [ "$has_n" = 1 ] || opts=(-n 1 "${opts[@]}")
    local received
    received=$("$WIRE" -p "$PORT" "${opts[@]}" "$request") || true
    if [ "$received" != "$expected" ]; then
        echo "request:  $request"
        echo "expected: $expected"
        if [ -z "$received" ]; then
            echo "received: no reply"
        else
            echo "received: $received"
        fi
        return 1
    fi
}

# expect_reply_and_close REQUEST EXPECTED: as expect_reply, and the server
# must then close the connection.
expect_reply_and_close() {
    local request="$1" expected="$2"
    shift 2
    local received status=0
    received=$("$WIRE" -p "$PORT" -w -t 5000 "$@" "$request") || status=$?
    if [ "$received" != "$expected" ] || [ "$status" != 0 ]; then
        echo "request:  $request"
        echo "expected: $expected, then the connection closed"
        if [ -z "$received" ]; then
            echo "received: no reply"
        else
            echo "received: $received"
        fi
        [ "$status" = 0 ] || echo "the server did not close the connection"
        return 1
    fi
}

# resp ARG...: the multibulk encoding of a command, escaped for wire.
resp() {
    local out="*$#\\r\\n" arg
    for arg in "$@"; do
        out+="\$${#arg}\\r\\n${arg}\\r\\n"
    done
    printf '%s' "$out"
}

# hold N [options]: hold N connections to our server in the background
# until the test ends. end_test, in the suite's teardown, kills the pids in
# HELPERS_PIDS, so call this directly, not through `run`, whose subshell
# would lose them.
# Waits until they are all open and leaves holdconns's report in $HOLD_OUT.
hold() {
    local count="$1"
    shift
    HOLD_OUT="$BATS_TEST_TMPDIR/hold.$RANDOM"
    "$ROOT/tests/tools/holdconns" -p "$PORT" -n "$count" -t 300 "$@" >"$HOLD_OUT" 2>&1 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    local i
    for i in $(seq 1 600); do
        grep -q '^holding' "$HOLD_OUT" && return 0
        sleep 0.1
    done
    echo "holdconns did not finish opening: $(cat "$HOLD_OUT")"
    return 1
}

# CPU time (user + system, in clock ticks) the server has used so far.
# The command name in field 2 may hold spaces: cut up to its ')'.
cpu_ticks() {
    sed 's/.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13}'
}

rss_kib() {
    awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"
}

# answers_again WHEN: after trouble, the server must answer a PING again
# within about 5 s (a server that backs off retries every 100 ms or so).
answers_again() {
    local reply="" i
    for i in $(seq 1 50); do
        reply=$("$WIRE" -p "$PORT" -n 1 -t 2000 "$(resp PING)" 2>/dev/null) || true
        [ "$reply" = '+PONG\r\n' ] && return 0
        sleep 0.1
    done
    echo "$1: ${reply:-no reply}"
    return 1
}
