# tests/exercises/step03-idle-timeout.bats - exercise of chapter 3: close idle clients on the timer.
# With --timeout N, as Redis's "timeout N", a client that sends nothing and
# takes nothing for over N seconds is closed, by the loop's own timer; one
# that keeps sending, or is still taking a long reply, is not; without the
# flag nobody is closed. Timing bounds are generous: only "closed within
# 10 s" and "not closed before 0.9 s" are asserted.
# Run it with: make exercise NAME=step03-idle-timeout
STEP="${STEP:-step03_nonblocking}"
load ../helpers

setup() {
    OPEN_FDS=""
}

teardown() {
    end_test || true
}

# The wall clock in milliseconds: good enough to time one short wait.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# set_value KEY BYTES: store a value of BYTES bytes under KEY. A GET of it
# is a reply of reply_bytes BYTES: "$BYTES\r\n", the value, "\r\n".
set_value() {
    { printf '*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n' "${#1}" "$1" "$2"
        head -c "$2" /dev/zero | tr '\0' v; printf '\r\n'; } >"$BATS_TEST_TMPDIR/set"
    "$WIRE" -p "$PORT" -n 1 -t 10000 -f "$BATS_TEST_TMPDIR/set" | grep -qx '+OK\\r\\n'
}

reply_bytes() {
    echo $((${#1} + 3 + $1 + 2))
}

# read_steadily FD BYTES: read BYTES from FD, 1 MiB at a time with a pause
# of 0.1 s after each (under 10 MiB/s): a client that keeps taking a long
# reply at its own pace. Prints how many bytes arrived: fewer than BYTES if
# the server closed the connection. Gives up after 60 s.
read_steadily() {
    local fd="$1" want="$2" got=0 n chunk start=$SECONDS
    while [ "$got" -lt "$want" ] && [ $((SECONDS - start)) -lt 60 ]; do
        chunk=$((want - got < 1048576 ? want - got : 1048576))
        n=$(timeout 10 dd bs="$chunk" count=1 iflag=fullblock <&"$fd" 2>/dev/null | wc -c)
        [ "$n" -gt 0 ] || break
        got=$((got + n))
        sleep 0.1
    done
    echo "$got"
}

@test "with --timeout 1, a client that goes quiet after a command is closed" {
    start_server --timeout 1
    local start elapsed
    start=$(now_ms)
    # -w: after the reply, wait (up to 10 s) for the server to close.
    run "$WIRE" -p "$PORT" -n 1 -w -t 10000 "$(resp PING)"
    elapsed=$(($(now_ms) - start))
    [ "$output" = '+PONG\r\n' ] || { echo "PING got: ${output:-no reply}"; return 1; }
    if [ "$status" != 0 ]; then
        echo "with --timeout 1, a client idle since its PING was still connected 10 s later"
        return 1
    fi
    echo "closed after $elapsed ms"
    [ "$elapsed" -ge 900 ] || { echo "too early: the client had not been idle for a second"; return 1; }
}

@test "with --timeout 1, a client that never sends a byte is closed too" {
    start_server --timeout 1
    local start elapsed
    start=$(now_ms)
    run "$WIRE" -p "$PORT" -w -t 10000 ''
    elapsed=$(($(now_ms) - start))
    if [ "$status" != 0 ]; then
        echo "with --timeout 1, a client that never sent anything was still connected 10 s later"
        return 1
    fi
    echo "closed after $elapsed ms"
    [ "$elapsed" -ge 900 ] || { echo "too early: the client had not been idle for a second"; return 1; }
}

@test "with --timeout 1, a client sending a PING every 0.3 s for 2.7 s stays connected" {
    start_server --timeout 1
    # Nine PINGs of 14 bytes each, written one at a time 0.3 s apart.
    run "$WIRE" -p "$PORT" -r 9 -c 14 -d 300000 -n 9 -t 20000 "$(resp PING)"
    local pongs
    pongs=$(echo "$output" | grep -o PONG | wc -l)
    if [ "$pongs" != 9 ]; then
        echo "got $pongs of 9 PONGs: a client that is never quiet for a second was closed"
        return 1
    fi
}

@test "with --timeout 2, a client still taking a long reply is not idle, though it sends nothing" {
    # 2 s, not 1: even to a steady reader the server writes in bursts, as
    # the kernel reports a socket writable only once about a third of its
    # send buffer (up to 4 MiB) has drained: a few times a second here.
    start_server --timeout 2
    # One GET of a 32 MiB value, then nothing more is sent. The reply takes
    # about 4 s to read, and the server is writing to this client all that
    # time: it is busy, not idle (Redis counts a write as an interaction).
    set_value huge 33554432
    local fd got want
    want=$(reply_bytes 33554432)
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$fd"
    printf 'GET huge\r\n' >&"$fd"
    got=$(read_steadily "$fd" "$want")
    if [ "$got" != "$want" ]; then
        echo "the client got $got of $want bytes, then the server closed it:"
        echo "a client taking its reply is not idle, even if it sent its command long ago"
        return 1
    fi
}

@test "without --timeout, an idle client is never closed" {
    start_server
    run "$WIRE" -p "$PORT" -n 1 -w -t 2500 "$(resp PING)"
    [ "$output" = '+PONG\r\n' ] || { echo "PING got: ${output:-no reply}"; return 1; }
    [ "$status" = 1 ] || { echo "the server closed an idle client though no --timeout was given"; return 1; }
}
