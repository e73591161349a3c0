# valgrind.bats - every step, run under valgrind for a short session of
# real work and stopped with SIGTERM, frees everything it allocated and
# makes no invalid memory access.
#
# valgrind runs the server about 20 to 50 times slower, so the session is
# small: a pipeline of every command, a few clients, a reply too large to
# write at once. What matters is that every path ran once under it. step02
# is also stopped with clients still connected, idle, busy and blocked, as
# its shutdown has threads to wake and wait for.

load helpers

setup() {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
}

teardown() {
    end_test || true
}

# start_under_valgrind STEP LOG: start STEP's server under valgrind, which
# writes its report to LOG and makes any error or leak an exit status of 99.
start_under_valgrind() {
    STEP=$1 SERVER_WRAPPER="valgrind --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
        --log-file=$2" start_server
}

# stopped_clean LOG: stop the server, show what valgrind found, and require
# exit status 0 and no error.
stopped_clean() {
    local status=0
    stop_server || status=$?
    echo "exit status $status; valgrind says:"
    grep -E 'ERROR SUMMARY|in use at exit|definitely|indirectly|possibly|Invalid' "$1" || cat "$1"
    [ "$status" -eq 0 ]
    grep -q 'ERROR SUMMARY: 0 errors' "$1"
}

# poke_until_stopped: send the server SIGTERM, then a PING every 0.2 s
# until it has exited (or SERVER_WAIT_SECONDS have passed). valgrind 3.19
# runs io_uring_enter with signals blocked, as it does every system call it
# does not know to wait, and delivers a pending signal at its next
# scheduling point, which an idle step05 does not reach for a minute or
# more; each request makes it run. The server's own shutdown is unchanged.
poke_until_stopped() {
    kill -TERM "$SERVER_PID" 2>/dev/null || return 0
    local deadline=$((SECONDS + SERVER_WAIT_SECONDS))
    while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do
        "$WIRE" -p "$PORT" -n 1 -t 200 "$(resp PING)" >/dev/null 2>&1 || true
        sleep 0.2
    done
}

# check_step STEP: run STEP's server under valgrind, exercise it, stop it.
check_step() {
    local step=$1 log="$BATS_TEST_TMPDIR/valgrind.$1"
    start_under_valgrind "$step" "$log"
    local big="$BATS_TEST_TMPDIR/big"
    head -c 300000 /dev/zero | tr '\0' x >"$big"
    { printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$300000\r\n'; cat "$big"; printf '\r\n'; } >"$big.req"
    "$WIRE" -p "$PORT" -n 1 -t 30000 -f "$big.req" >/dev/null
    # Every command, pipelined on one connection, then a large reply.
    "$WIRE" -p "$PORT" -n 25 -t 30000 "$(resp SET k v EX 100)$(resp GET k)$(resp SET n 1)$(resp INCR n)$(resp INCRBY n 5)$(resp DECR n)$(resp DECRBY n 2)$(resp APPEND k w)$(resp STRLEN k)$(resp MSET a 1 b 2)$(resp MGET a b c)$(resp EXISTS a b)$(resp TYPE a)$(resp KEYS '*')$(resp EXPIRE a 10)$(resp TTL a)$(resp PEXPIRE b 1)$(resp PTTL a)$(resp PERSIST a)$(resp GETDEL a)$(resp DEL b)$(resp DBSIZE)$(resp INFO)$(resp COMMAND COUNT)$(resp GET big)" >/dev/null
    # Protocol errors, an inline command, a client that leaves mid-command.
    "$WIRE" -p "$PORT" -n 1 -t 30000 'PING\r\n' >/dev/null
    "$WIRE" -p "$PORT" -w -t 30000 '*1\r\n$-5\r\n' >/dev/null || true
    "$WIRE" -p "$PORT" -t 500 '*2\r\n$3\r\nGET\r\n$5\r\nab' >/dev/null || true
    "$WIRE" -p "$PORT" -n 1 -t 30000 "$(resp FLUSHALL)" >/dev/null
    [ "$step" != step05_io_uring ] || poke_until_stopped
    stopped_clean "$log"
}

@test "step01 under valgrind: no leak, no invalid access" {
    check_step step01_blocking
}

@test "step02 under valgrind: no leak, no invalid access" {
    check_step step02_threads
}

@test "step03 under valgrind: no leak, no invalid access" {
    check_step step03_nonblocking
}

@test "step04 under valgrind: no leak, no invalid access" {
    check_step step04_epoll
}

@test "step05 under valgrind: no leak, no invalid access" {
    check_step step05_io_uring
}

@test "step02 under valgrind, stopped with clients idle, busy and blocked: every thread is done first" {
    # main() frees the store once every client thread has left the list
    # (shutdown_clients). A thread still running a command, or still
    # holding its session, when that happens is a read of freed memory or
    # a leak, which valgrind reports.
    local log="$BATS_TEST_TMPDIR/valgrind.clients"
    start_under_valgrind step02_threads "$log"
    local big="$BATS_TEST_TMPDIR/big"
    head -c 300000 /dev/zero | tr '\0' x >"$big"
    { printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$300000\r\n'; cat "$big"; printf '\r\n'; } >"$big.req"
    "$WIRE" -p "$PORT" -n 1 -t 30000 -f "$big.req" >/dev/null
    # Idle: three clients, each served once, then silent (blocked in read()).
    hold 3 -P
    # Blocked in write(): asks for the big value ten times and reads none.
    local blocked
    exec {blocked}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$OPEN_FDS $blocked"
    printf '*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n%.0s' $(seq 1 10) >&"$blocked"
    # Busy: two clients that pipeline commands, one connection after
    # another, until the server goes.
    local i
    for i in 1 2; do
        (while "$WIRE" -p "$PORT" -r 100 -n 200 -t 30000 -q "$(resp INCR n)$(resp KEYS '*')" >/dev/null 2>&1; do :; done) 3>&- &
        HELPERS_PIDS="$HELPERS_PIDS $!"
    done
    # Let them all get going (valgrind is slow), then stop the server.
    sleep 2
    stopped_clean "$log"
}
