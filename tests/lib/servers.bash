# tests/lib/servers.bash - start a server on a free port, learn its port,
# and stop it.
#
# The suites (through tests/helpers.bash), the benchmark (tests/bench/run)
# and the tutorial's transcripts (tests/tools/transcripts) all start and
# stop servers this way, so that a fix to how it is done is made once. Load
# it with `source`; it defines three functions and one setting, and runs
# nothing.
#
# The functions keep the server's pid in SERVER_PID and its port in PORT,
# the names the callers use for the server they talk to. A caller that
# needs its own descriptors closed, or stdin from /dev/null, puts those
# redirections on the call: the server inherits them. A kill or wait that
# may fail ends in "|| true": under bats, which stops a test at its first
# failing command, it would otherwise stop the test half-way.

# How long a server may take to start, or to stop. Generous: under valgrind
# a server runs 20 to 50 times slower (and checks for leaks as it exits),
# and a busy 2-core machine adds to that.
SERVER_WAIT_SECONDS=30

# start_on_free_port LOG COMMAND [ARG...]: run COMMAND ARG... in the
# background, its output in LOG, and wait until it logs "listening on
# 127.0.0.1:PORT". COMMAND is one of our servers started with --port 0 (so
# the kernel picks a free port, which the server then reports), perhaps
# behind a wrapper such as valgrind. Sets SERVER_PID and PORT and returns 0.
# If the server exits first, or has not reported its port within
# SERVER_WAIT_SECONDS, shows its output on stderr, makes sure it is gone,
# and returns 1 with SERVER_PID and PORT empty.
start_on_free_port() {
    local log="$1"
    shift
    # Empty the log first, in this shell. The ">" below runs in the child,
    # after the fork, maybe only after the loop has read the log: a server
    # started earlier with the same log would still have its own "listening
    # on" line there, and we would talk to its closed port.
    : >"$log"
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    PORT=""
    local deadline=$((SECONDS + SERVER_WAIT_SECONDS))
    while [ "$SECONDS" -le "$deadline" ]; do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$PORT" ] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "$* exited at start-up; its output:" >&2
            cat "$log" >&2
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            return 1
        fi
        sleep 0.05
    done
    echo "$* did not report its port within $SERVER_WAIT_SECONDS s; its output:" >&2
    cat "$log" >&2
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    return 1
}

# start_redis_on_free_port LOG [ARG...]: start a real redis-server, with
# ARG... as more options (e.g. --maxclients 11000), listening on 127.0.0.1
# only and saving nothing to disk; its output in LOG. redis-server cannot
# be asked for port 0, so it is started on random ports from 20000 to 49999
# until one is free (a redis-server whose port is taken exits at once); it
# is ready when redis-cli's PING gets PONG. Sets SERVER_PID and PORT and
# returns 0; after 20 ports, or a server that never answers within
# SERVER_WAIT_SECONDS, shows the last output on stderr and returns 1.
start_redis_on_free_port() {
    local log="$1" try deadline
    shift
    for try in $(seq 1 20); do
        PORT=$((20000 + RANDOM % 30000))
        redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize no --loglevel warning "$@" >"$log" 2>&1 &
        SERVER_PID=$!
        deadline=$((SECONDS + SERVER_WAIT_SECONDS))
        while [ "$SECONDS" -le "$deadline" ] && kill -0 "$SERVER_PID" 2>/dev/null; do
            [ "$(timeout 2 redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && return 0
            sleep 0.05
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    done
    echo "could not start redis-server on a free port; its output:" >&2
    cat "$log" >&2
    SERVER_PID=""
    PORT=""
    return 1
}

# stop_with SIGNAL: send SIGNAL (TERM, or INT as Ctrl-C does) to the server
# SERVER_PID and wait for it to exit; one still running after
# SERVER_WAIT_SECONDS is killed (SIGKILL). Empties SERVER_PID and returns
# the server's exit status (0 if no server was running).
stop_with() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -"$1" "$SERVER_PID" 2>/dev/null || true
    local deadline=$((SECONDS + SERVER_WAIT_SECONDS)) status=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do
        sleep 0.05
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || status=$?
    SERVER_PID=""
    return "$status"
}
