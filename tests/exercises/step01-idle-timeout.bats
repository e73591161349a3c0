# tests/exercises/step01-idle-timeout.bats - exercise of chapter 1: --timeout closes a silent client.
# step01 serves one client at a time, so a client that connects and says
# nothing locks everyone else out. With --timeout N (Redis's `timeout`), a
# client silent for N seconds is closed, without a reply, and the next one
# is served; a client that keeps talking stays; 0, the default, never closes.
# Run it with: make exercise NAME=step01-idle-timeout
STEP="${STEP:-step01_blocking}"
load ../helpers

teardown() {
    stop_server
}

# start_with FLAG...: start the server, or say why the exercise cannot go on.
start_with() {
    start_server "$@" && return 0
    echo "the server did not start with: $* (does it accept --timeout yet?)"
    return 1
}

@test "with --timeout 1, a silent client is closed and the one waiting behind it is served" {
    start_with --timeout 1
    # Client A: held open by the shell; one exchange, so it is surely being
    # served, then silence.
    local a line
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    printf '*1\r\n$4\r\nPING\r\n' >&"$a"
    read -r -t 10 line <&"$a" || { echo "client A got no reply to its PING"; return 1; }
    [ "$line" = $'+PONG\r' ] || { echo "client A got: $line"; return 1; }

    # Client B waits in the accept queue until A is closed. B must not
    # inherit A's socket (it would keep A open) nor bats's fd 3.
    local received
    received=$("$WIRE" -p "$PORT" -n 1 -t 15000 "$(resp PING)" 3>&- {a}>&-) || true
    if [ "$received" != '+PONG\r\n' ]; then
        printf '%s\n' "client B got ${received:-no reply} in 15 s, expected +PONG\r\n:"
        echo "the silent client A still holds the server after 1 s of silence"
        return 1
    fi

    # A was closed by the server (read sees end of file, status 1), with
    # nothing sent first: Redis just closes an idle client.
    local status=0
    line=""
    read -r -t 5 line <&"$a" || status=$?
    exec {a}>&-
    if [ "$status" -ne 1 ] || [ -n "$line" ]; then
        if [ "$status" -gt 128 ]; then
            echo "client A's connection is still open: the server should close an idle client"
        else
            echo "client A was sent '$line' before the close: Redis sends nothing to an idle client"
        fi
        return 1
    fi
}

@test "with --timeout 1, a client that never reads its replies is closed too" {
    start_with --timeout 1
    # A 1 MiB value, then client A asks for it 64 times and reads nothing:
    # once the socket buffers are full, the server's write() blocks.
    local set="$BATS_TEST_TMPDIR/set"
    {
        printf '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n'
        head -c 1048576 /dev/zero | tr '\0' x
        printf '\r\n'
    } >"$set"
    expect_reply "" '+OK\r\n' -f "$set"
    local a i
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    for i in $(seq 1 64); do printf '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'; done >&"$a"

    local received
    received=$("$WIRE" -p "$PORT" -n 1 -t 15000 "$(resp PING)" 3>&- {a}>&-) || true
    exec {a}>&-
    if [ "$received" != '+PONG\r\n' ]; then
        printf '%s\n' "client B got ${received:-no reply} in 15 s, expected +PONG\r\n:"
        echo "the server is still blocked writing replies that client A never reads;"
        echo "Redis counts such a client as idle too, and write() can have a time limit"
        return 1
    fi
}

@test "with --timeout 2, a client that keeps talking is not closed" {
    start_with --timeout 2
    # 12 PINGs, one every 0.3 s: 3.6 s in all, longer than the timeout, but
    # never silent for more than a fraction of it.
    local received
    received=$("$WIRE" -p "$PORT" -q -n 12 -t 20000 -r 12 -c 14 -d 300000 "$(resp PING)" 3>&-) || true
    if [ "$received" != "replies=12 errors=0" ]; then
        echo "a client sending a PING every 0.3 s for 3.6 s got: $received (expected replies=12 errors=0)"
        echo "--timeout counts silence since the client's last bytes, not time since it connected"
        return 1
    fi
}

@test "without --timeout, or with --timeout 0, a silent client is never closed" {
    local flags a line
    for flags in "" "--timeout 0"; do
        # shellcheck disable=SC2086
        start_with $flags
        exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
        printf '*1\r\n$4\r\nPING\r\n' >&"$a"
        read -r -t 10 line <&"$a" || { echo "server ${flags:-without flags}: no reply to the first PING"; return 1; }
        sleep 2.5
        printf '*1\r\n$4\r\nPING\r\n' >&"$a"
        line=""
        read -r -t 10 line <&"$a" || true
        exec {a}>&-
        if [ "$line" != $'+PONG\r' ]; then
            echo "server ${flags:-without flags}: after 2.5 s of silence the client got '${line}', expected +PONG"
            echo "without a timeout (or with 0) an idle client must stay connected"
            return 1
        fi
        stop_server
    done
}
