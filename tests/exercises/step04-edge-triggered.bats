# tests/exercises/step04-edge-triggered.bats - exercise of chapter 4: edge-triggered epoll, without its traps.
# The client sockets must be registered with EPOLLET (the kernel's own list
# in /proc/PID/fdinfo of the epoll descriptor says so), and no client may
# then hang: not one whose pipeline takes more than one read, and not one
# that backpressure stopped with requests still waiting, and no event to come.
# Run it with: make exercise NAME=step04-edge-triggered
STEP="${STEP:-step04_epoll}"
load ../helpers

setup() {
    HELPERS_PIDS=""
    OPEN_FDS=""
    start_server
}

teardown() {
    end_test
}

# The server's epoll descriptor: the one whose link is anon_inode:[eventpoll].
epoll_fd() {
    local link
    for link in "/proc/$SERVER_PID/fd/"*; do
        if [ "$(readlink "$link")" = "anon_inode:[eventpoll]" ]; then
            basename "$link"
            return 0
        fi
    done
    return 1
}

@test "the client sockets are registered edge-triggered (EPOLLET)" {
    local fd i line
    for i in 1 2 3; do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        OPEN_FDS="$OPEN_FDS $fd"
        # Once a PING is answered, the server has surely registered the client.
        printf 'PING\r\n' >&"$fd"
        line=""
        read -r -t 5 line <&"$fd" || true
        [ "$line" = $'+PONG\r' ] || { echo "client $i: no PONG (got '$line')"; return 1; }
    done
    local epfd
    epfd=$(epoll_fd) || { echo "no anon_inode:[eventpoll] among the server's descriptors"; return 1; }
    # One line per watched descriptor: "tfd: FD events: HEX data: ...".
    # EPOLLET is bit 31 of the events.
    local tfd events edge=0 listing=""
    while read -r _ tfd _ events _; do
        listing+="  fd $tfd: events 0x$events"$'\n'
        if (((0x$events & 0x80000000) != 0)); then edge=$((edge + 1)); fi
    done < <(grep '^tfd:' "/proc/$SERVER_PID/fdinfo/$epfd")
    if [ "$edge" -lt 3 ]; then
        echo "3 clients are connected, but $edge watched descriptors have EPOLLET (0x80000000):"
        printf '%s' "$listing"
        echo "register the client sockets with EPOLLIN | ... | EPOLLET"
        return 1
    fi
}

@test "a pipeline of 5,000 commands in one write is answered in full, for 3 clients at once" {
    # 5,000 INCRs are 115 KB: several reads' worth. Under EPOLLET, bytes
    # left in the socket after the last read are never reported again.
    local i pids=""
    for i in 1 2 3; do
        "$WIRE" -p "$PORT" -q -r 5000 -n 5000 -t 20000 "$(resp INCR counter)" \
            >"$BATS_TEST_TMPDIR/pipeline.$i" 2>&1 3>&- &
        pids="$pids $!"
    done
    HELPERS_PIDS="$HELPERS_PIDS $pids"
    for i in $pids; do wait "$i" || true; done
    local failed=0
    for i in 1 2 3; do
        if [ "$(cat "$BATS_TEST_TMPDIR/pipeline.$i")" != "replies=5000 errors=0" ]; then
            echo "client $i of 3: $(cat "$BATS_TEST_TMPDIR/pipeline.$i") of 5000 within 20 s."
            failed=1
        fi
    done
    if [ "$failed" = 1 ]; then
        echo "The rest of the pipeline was left in the socket: read until recv() says EAGAIN."
        return 1
    fi
    expect_reply "$(resp GET counter)" '$5\r\n15000\r\n'
}

@test "clients that send many big GETs before reading a reply get every reply, 3 at once" {
    # A 64 KiB value under a 200-byte key. Each client sends 300 GETs (60 KB
    # of requests, several reads' worth) and a PING in one go, reading
    # nothing. Four replies reach the output limit: the server stops
    # executing and reading, with GETs held back in the client's input and
    # more in its socket. Then the client reads: 300 replies of 65,546
    # bytes (about 19 MiB), then +PONG.
    local key value_len=65536
    key=$(head -c 200 /dev/zero | tr '\0' k)
    "$WIRE" -p "$PORT" -n 1 -t 10000 -f <(
        printf '*3\r\n$3\r\nSET\r\n$200\r\n%s\r\n$%d\r\n' "$key" "$value_len"
        head -c "$value_len" /dev/zero | tr '\0' v
        printf '\r\n'
    ) >"$BATS_TEST_TMPDIR/set" || true
    if [ "$(cat "$BATS_TEST_TMPDIR/set")" != '+OK\r\n' ]; then
        echo "a SET of a 64 KiB value (several reads' worth) got: $(cat "$BATS_TEST_TMPDIR/set")"
        echo "read until recv() says EAGAIN"
        return 1
    fi
    local requests="$BATS_TEST_TMPDIR/requests" i
    for i in $(seq 1 300); do printf 'GET %s\r\n' "$key"; done >"$requests"
    printf 'PING\r\n' >>"$requests"
    local expected=$((300 * (${#value_len} + 3 + value_len + 2) + 7))

    local fds="" fd status
    for i in 1 2 3; do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        OPEN_FDS="$OPEN_FDS $fd"
        fds="$fds $fd"
        status=0
        timeout 10 cat "$requests" >&"$fd" || status=$?
        [ "$status" = 0 ] || { echo "client $i could not send its requests within 10 s"; return 1; }
    done
    # Let the server fill the sockets and stop at its output limit.
    sleep 1
    local pids=""
    i=0
    for fd in $fds; do
        i=$((i + 1))
        timeout 30 head -c "$expected" <&"$fd" >"$BATS_TEST_TMPDIR/replies.$i" 3>&- &
        pids="$pids $!"
    done
    HELPERS_PIDS="$HELPERS_PIDS $pids"
    for i in $pids; do wait "$i" || true; done

    local failed=0 got
    for i in 1 2 3; do
        got=$(stat -c %s "$BATS_TEST_TMPDIR/replies.$i")
        if [ "$got" != "$expected" ] || [ "$(tail -c 7 "$BATS_TEST_TMPDIR/replies.$i" | tr '\r\n' RN)" != "+PONGRN" ]; then
            echo "client $i of 3: $got of $expected reply bytes within 30 s."
            failed=1
        fi
    done
    if [ "$failed" = 1 ]; then
        echo "Backpressure stopped this client with commands unexecuted in its input, or"
        echo "requests still in its socket, and no event will come for them: remember"
        echo "them, and go on once its output drains."
        return 1
    fi
    expect_reply "$(resp PING)" '+PONG\r\n'
}
