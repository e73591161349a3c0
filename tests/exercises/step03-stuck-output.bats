# tests/exercises/step03-stuck-output.bats - exercise of chapter 3: drop a client whose replies do not move.
# Backpressure bounds the memory of a client that pipelines GETs and never
# reads, but it keeps its connection for ever. With --output-timeout N the
# timer closes it once its held-up replies have not moved for N seconds; a
# client that reads slowly but steadily is left alone; without the flag
# nothing changes. Bounds are generous: "closed within 20 s".
# Run it with: make exercise NAME=step03-stuck-output
STEP="${STEP:-step03_nonblocking}"
load ../helpers

setup() {
    OPEN_FDS=""
}

teardown() {
    end_test || true
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

# connected_clients: the server's count, from INFO (the asking client included).
connected_clients() {
    "$WIRE" -p "$PORT" -n 1 -t 5000 "$(resp INFO clients)" |
        sed -n 's/.*connected_clients:\([0-9]*\)\\r\\n.*/\1/p'
}

# open_non_reader COUNT KEY: connect, send COUNT GETs of KEY in one write,
# and read nothing (yet). Sets NON_READER to the descriptor.
open_non_reader() {
    exec {NON_READER}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$OPEN_FDS $NON_READER"
    local i
    for i in $(seq 1 "$1"); do printf 'GET %s\r\n' "$2"; done >&"$NON_READER"
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

@test "with --output-timeout 1, a client that pipelines big GETs and never reads is closed" {
    start_server --output-timeout 1
    # The value is bigger than the kernel's socket buffers can take (Linux
    # lets a send buffer grow to 4 MiB), so most of a reply stays in the
    # server.
    set_value huge 33554432
    # Almost 2 GiB of replies asked for, and the client takes none of them.
    open_non_reader 60 huge
    local n="" start=$SECONDS
    while [ $((SECONDS - start)) -lt 20 ]; do
        n=$(connected_clients)
        [ "$n" = 1 ] && break
        sleep 0.2
    done
    if [ "$n" != 1 ]; then
        echo "20 s on, the server still counts $n clients (1 is the one asking):"
        echo "the client that never reads was not closed"
        return 1
    fi
    # The client sees its connection end (EOF or reset) once it reads what
    # reached it: not even one whole reply.
    local status=0 got
    timeout 10 cat <&"$NON_READER" >"$BATS_TEST_TMPDIR/got" 2>/dev/null || status=$?
    got=$(wc -c <"$BATS_TEST_TMPDIR/got")
    echo "the client got $got bytes before the end of the connection"
    [ "$status" != 124 ] || { echo "but its connection was still open"; return 1; }
    [ "$got" -lt "$(reply_bytes 33554432)" ]
}

@test "with --output-timeout 2, a client that reads slowly but steadily is not closed" {
    # 2 s, not 1: even to a steady reader the server writes in bursts, as
    # the kernel reports a socket writable only once about a third of its
    # send buffer (up to 4 MiB) has drained: a few times a second here.
    start_server --output-timeout 2
    # One GET of a 32 MiB value, read in about 4 s: for most of that time
    # more than LIMIT_PENDING_OUTPUT of the reply waits in the server, but
    # it moves several times a second.
    set_value huge 33554432
    open_non_reader 1 huge
    local got want
    want=$(reply_bytes 33554432)
    got=$(read_steadily "$NON_READER" "$want")
    if [ "$got" != "$want" ]; then
        echo "the client got $got of $want bytes, then the server closed it:"
        echo "its reply was moving; only a client whose replies stand still is stuck"
        return 1
    fi
}

@test "without --output-timeout, a client that never reads stays connected" {
    start_server
    set_value huge 33554432
    open_non_reader 60 huge
    sleep 3
    local n
    n=$(connected_clients)
    [ "$n" = 2 ] || { echo "expected 2 clients (the non-reader and the one asking), got ${n:-none}"; return 1; }
}
