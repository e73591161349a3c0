# concurrent.bats - what every step from step02 on promises beyond the
# conformance suite: clients served at once, no lost updates, idle clients
# that hold up nobody, active expiry, maxclients, and a clean stop with
# clients still connected. (step01 serves one client at a time and keeps
# none of these promises; conformance.bats shows that.)
#
# tests/run_all runs this file for step02 and every later step, and once
# more against step02_threads/server-tsan (SERVER_BINARY=server-tsan), the
# same code as step02 under ThreadSanitizer. TSan stops the server at its first report
# (halt_on_error) with exit status 66, and every test checks that the server
# exits 0 when stopped, so any data race fails the test that provoked it.

load helpers

setup() {
    export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
}

teardown() {
    end_test || true
}

# open_client VAR: connect a raw client and keep it open until teardown.
open_client() {
    local fd
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="${OPEN_FDS:-} $fd"
    printf -v "$1" '%s' "$fd"
}

@test "50 clients doing 1000 INCRs each on one key lose no update" {
    start_server
    local i pids=()
    for i in $(seq 1 50); do
        "$WIRE" -p "$PORT" -n 1000 -q -t 60000 -r 1000 'INCR counter\r\n' \
            >"$BATS_TEST_TMPDIR/incr.$i" 3>&- &
        pids+=($!)
    done
    local failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
    [ "$failed" = 0 ] || { echo "$failed clients did not get their 1000 replies"; return 1; }
    for i in $(seq 1 50); do
        [ "$(cat "$BATS_TEST_TMPDIR/incr.$i")" = "replies=1000 errors=0" ] ||
            { echo "client $i: $(cat "$BATS_TEST_TMPDIR/incr.$i")"; return 1; }
    done
    expect_reply "$(resp GET counter)" '$5\r\n50000\r\n'
    stop_server_cleanly
}

@test "clients that send nothing, or half a command, hold up no one" {
    start_server
    local silent half
    open_client silent
    open_client half
    printf '*2\r\n$3\r\nGET\r\n$3\r\nab' >&"$half"
    # Generous timeout for a slow machine; with step01 this never answers.
    expect_reply "$(resp PING)" '+PONG\r\n' -t 10000
    expect_reply "$(resp SET k v)" '+OK\r\n' -t 10000
    # The half-sent command completes later and is answered.
    printf 'c\r\n' >&"$half"
    local line
    read -r -t 10 line <&"$half"
    [ "$line" = $'$-1\r' ] || { echo "half-sent GET got: $line"; return 1; }
    stop_server_cleanly
}

@test "keys with a TTL that nobody touches again disappear (active expiry)" {
    start_server
    local request="" i
    for i in $(seq 1 100); do request+="$(resp SET "key:$i" v PX 200)"; done
    expect_reply "$request" "$(printf '+OK\\r\\n%.0s' $(seq 1 100))" -n 100
    expect_reply "$(resp SET keeper v)" '+OK\r\n'
    # Only DBSIZE and INFO are sent from here on: neither touches a key, so
    # only the expiry thread can remove them.
    local size=""
    for i in $(seq 1 100); do
        size=$(send "$(resp DBSIZE)")
        [ "$size" = ':1\r\n' ] && break
        sleep 0.1
    done
    [ "$size" = ':1\r\n' ] || { echo "DBSIZE stayed at $size"; return 1; }
    send "$(resp INFO stats)" | grep -q 'expired_keys:100\\r\\n'
    stop_server_cleanly
}

@test "--maxclients: the client past the limit gets Redis's error and is closed" {
    start_server --maxclients 2
    local a b
    open_client a
    open_client b
    printf 'PING\r\n' >&"$a"
    printf 'PING\r\n' >&"$b"
    local line
    read -r -t 10 line <&"$a" && read -r -t 10 line <&"$b"
    [ "$line" = $'+PONG\r' ]
    expect_reply_and_close "$(resp PING)" '-ERR max number of clients reached\r\n'
    # Once a client leaves, there is room again. Its thread may take a
    # moment to notice the close, so retry for a while.
    eval "exec $a>&-"
    local reply="" i
    for i in $(seq 1 50); do
        reply=$("$WIRE" -p "$PORT" -n 1 -t 2000 "$(resp PING)") || true
        [ "$reply" = '+PONG\r\n' ] && break
        sleep 0.1
    done
    [ "$reply" = '+PONG\r\n' ] || { echo "after a client left: $reply"; return 1; }
    send "$(resp INFO stats)" | grep -q 'rejected_connections:[1-9]'
    stop_server_cleanly
}

@test "SIGTERM with clients idle, mid-command and blocked in write exits 0 at once" {
    start_server
    local idle half reader
    open_client idle
    open_client half
    printf '*2\r\n$3\r\nGET\r\n' >&"$half"
    # A client that asks for 64 MiB of replies and never reads: its thread
    # ends up blocked in write() once the socket buffers are full.
    "$WIRE" -p "$PORT" -n 1 -f <(head -c 1048576 /dev/zero | tr '\0' x | {
        printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n'; cat; printf '\r\n'; }) >/dev/null
    open_client reader
    local i
    for i in $(seq 1 64); do printf 'GET big\r\n'; done >&"$reader"
    sleep 0.5
    kill -TERM "$SERVER_PID"
    for i in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "server still running 10 s after SIGTERM"
        kill -KILL "$SERVER_PID"
        return 1
    fi
    stop_server_cleanly
}

@test "redis-benchmark with 50 clients completes with no error" {
    have_redis_benchmark || skip "redis-benchmark is not installed"
    start_server
    run timeout 120 redis-benchmark -p "$PORT" -t set,get,incr -n 5000 -c 50 -q
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -ciE 'error|warning' <<<"$output")" -eq 0 ]
    stop_server_cleanly
}

@test "CLIENT LIST and CLIENT KILL while other clients connect, run commands and leave" {
    # Under ThreadSanitizer this is the test of CLIENT's locking in step02:
    # CLIENT LIST reads every session in the core's list, and CLIENT KILL
    # ends another thread's connection, while those threads run commands
    # and others join and leave the list.
    start_server
    local i pids=() idle line status=0
    for i in $(seq 1 8); do
        "$WIRE" -p "$PORT" -n 500 -q -t 60000 -r 500 'SET k v\r\n' 3>&- &
        pids+=($!)
    done
    for i in $(seq 1 20); do
        "$WIRE" -p "$PORT" -n 1 -t 20000 "$(resp CLIENT LIST)" >/dev/null || true
        "$WIRE" -p "$PORT" -n 1 -t 20000 "$(resp CLIENT KILL ID 999999)" >/dev/null || true
    done
    local failed=0
    for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
    [ "$failed" = 0 ] || { echo "$failed loading clients did not get their replies"; return 1; }
    # An idle client, killed by another: it sees end-of-file.
    open_client idle
    printf '*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n' >&"$idle"
    read -r -t 10 line <&"$idle" || { echo "no reply to CLIENT ID"; return 1; }
    line=${line#:}
    expect_reply "$(resp CLIENT KILL ID "${line%$'\r'}")" ':1\r\n' -t 10000
    read -r -t 10 line <&"$idle" || status=$?
    [ "$status" = 1 ] || { echo "the killed client's read: status $status"; return 1; }
    stop_server_cleanly
}
