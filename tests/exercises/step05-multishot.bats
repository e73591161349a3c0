# tests/exercises/step05-multishot.bats - exercise of chapter 4's io_uring step: one multishot receive per client, into provided buffers.
# The shipped loop submits two requests per request a client makes: the
# send of the reply, then a new receive. With a multishot receive, armed
# once and completing at every arrival, only the send is left. The kernel
# counts every submission entry it takes in the ring's SqHead, which
# /proc/PID/fdinfo shows for the io_uring descriptor: the test counts the
# entries 500 sequential PINGs on one connection cost, and requires fewer
# than 1.3 each (the shipped code takes 2). It then checks that a
# pipeline, a big value and a client that never reads still behave.
# Run it with: make exercise NAME=step05-multishot
STEP="${STEP:-step05_io_uring}"
load ../helpers

setup() {
    HELPERS_PIDS=""
    OPEN_FDS=""
    # Multishot receives and provided buffer rings came in Linux 6.0.
    local release major minor
    release=$(uname -r)
    major=${release%%.*}
    minor=${release#*.}
    minor=${minor%%[!0-9]*}
    if [ "$major" -lt 6 ]; then
        skip "this kernel is Linux $major.$minor: multishot receives need 6.0 or later"
    fi
    start_server
}

teardown() {
    end_test
}

# The number of submission entries the kernel has taken from the server's
# ring so far: SqHead in the fdinfo of its io_uring descriptor.
sq_head() {
    local link
    for link in "/proc/$SERVER_PID/fd/"*; do
        if [ "$(readlink "$link")" = "anon_inode:[io_uring]" ]; then
            awk '$1 == "SqHead:" { print $2 }' "/proc/$SERVER_PID/fdinfo/${link##*/}"
            return 0
        fi
    done
    echo "no anon_inode:[io_uring] among the server's descriptors" >&2
    return 1
}

@test "500 PINGs, one at a time on one connection, cost fewer than 1.3 submissions each" {
    local fd line i before after requests=500
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$fd"
    # A first PING: the connection is accepted and its receive armed.
    printf 'PING\r\n' >&"$fd"
    read -r -t 5 line <&"$fd" || true
    [ "$line" = $'+PONG\r' ] || { echo "no PONG (got '$line')"; return 1; }
    before=$(sq_head)
    for i in $(seq 1 "$requests"); do
        printf 'PING\r\n' >&"$fd"
        line=""
        read -r -t 5 line <&"$fd" || true
        [ "$line" = $'+PONG\r' ] || { echo "PING $i: no PONG (got '$line')"; return 1; }
    done
    after=$(sq_head)
    # The timer's request, ten a second, is counted too: a few at most.
    local taken=$((after - before))
    echo "$requests PINGs: $taken submission entries, $((taken * 100 / requests)) per 100 PINGs"
    if [ $((taken * 10)) -ge $((requests * 13)) ]; then
        echo "each PING still costs a send and a new receive: arm one multishot receive"
        echo "(IORING_RECV_MULTISHOT, IOSQE_BUFFER_SELECT) per client, and keep it"
        return 1
    fi
}

@test "a pipeline of 5,000 INCRs in one write, and a 1 MiB value, arrive whole" {
    # 115 KB of requests and a value of 64 provided buffers' worth: many
    # completions of one receive, copied in order into the client's input.
    local out
    out=$("$WIRE" -p "$PORT" -q -r 5000 -n 5000 -t 20000 "$(resp INCR counter)") || true
    [ "$out" = "replies=5000 errors=0" ] || { echo "5,000 pipelined INCRs: $out"; return 1; }
    "$WIRE" -p "$PORT" -n 1 -f <(head -c 1048576 /dev/zero | tr '\0' x | {
        printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n'
        cat
        printf '\r\n'
    }) >"$BATS_TEST_TMPDIR/set" || true
    [ "$(cat "$BATS_TEST_TMPDIR/set")" = '+OK\r\n' ] || { echo "SET of 1 MiB: $(cat "$BATS_TEST_TMPDIR/set")"; return 1; }
    expect_reply "$(resp STRLEN big)" ':1048576\r\n'
    expect_reply "$(resp GET counter)" '$4\r\n5000\r\n'
}

@test "a client that sends big SETs and never reads: its input stops growing" {
    # 200 GETs of a 1 MiB value, far more than the kernel's socket buffers
    # take, so a send stays in flight and the replies are held back at the
    # output limit; then 64 MiB of SETs, sent without reading a reply. The
    # receive must stop (be cancelled) while replies are held back, or the
    # server reads every byte of them into the client's input.
    "$WIRE" -p "$PORT" -n 1 -f <(head -c 1048576 /dev/zero | tr '\0' x | {
        printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n'
        cat
        printf '\r\n'
    }) >/dev/null || true
    local sets="$BATS_TEST_TMPDIR/sets" i
    for i in $(seq 1 16); do
        printf '*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$65536\r\n'
        head -c 65536 /dev/zero | tr '\0' w
        printf '\r\n'
    done >"$sets"
    local before after fd
    before=$(rss_kib)
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$fd"
    {
        for i in $(seq 1 200); do printf 'GET big\r\n'; done
        for i in $(seq 1 64); do cat "$sets"; done
    } >&"$fd" 2>/dev/null 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    sleep 2
    expect_reply "$(resp PING)" '+PONG\r\n' -t 2000
    after=$(rss_kib)
    echo "RSS before: $before KiB, after: $after KiB"
    # Held back: a 1 MiB reply, and a receive's worth of input past it.
    # Without the stop: up to 64 MiB more.
    if [ $((after - before)) -ge 16384 ]; then
        echo "the server went on receiving while the client's replies were held back:"
        echo "cancel the multishot receive when the output reaches LIMIT_PENDING_OUTPUT,"
        echo "and arm it again once the output has drained"
        return 1
    fi
}
