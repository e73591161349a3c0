# event_loop.bats - what a one-thread readiness loop promises (step03 and
# later): no client, however slow, hostile or numerous, holds up the
# others; a client that never reads costs bounded memory; an idle server
# uses no CPU; running out of descriptors neither spins nor sticks.

load helpers

setup() {
    HELPERS_PIDS=""
}

teardown() {
    end_test || true
}

@test "500 clients holding half-sent commands: a PING is still answered at once" {
    start_server
    hold 500 -H
    cat "$HOLD_OUT"
    [ "$(cat "$HOLD_OUT")" = "holding 500 connections" ]
    expect_reply "$(resp PING)" '+PONG\r\n' -t 5000
}

@test "a client sending one byte at a time holds up no one" {
    start_server
    # 27 bytes, one every 100 ms: under 3 s to send the whole command.
    "$WIRE" -p "$PORT" -n 1 -c 1 -d 100000 -t 30000 "$(resp SET slow done)" \
        >"$BATS_TEST_TMPDIR/slow" 3>&- &
    local slow=$!
    HELPERS_PIDS="$HELPERS_PIDS $slow"
    sleep 0.3
    expect_reply "$(resp PING)" '+PONG\r\n' -t 2000
    wait "$slow"
    [ "$(cat "$BATS_TEST_TMPDIR/slow")" = '+OK\r\n' ]
}

@test "a client that pipelines big GETs and never reads: bounded memory, others unaffected" {
    start_server
    # A 1 MiB value.
    "$WIRE" -p "$PORT" -n 1 -f <(head -c 1048576 /dev/zero | tr '\0' x | {
        printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n'; cat; printf '\r\n'; }) >/dev/null
    local before
    before=$(rss_kib)
    # 200 GETs are 200 MiB of replies. The client never reads one.
    local fd i
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$fd"
    for i in $(seq 1 200); do printf 'GET big\r\n'; done >&"$fd"
    sleep 1
    # Everyone else is still served, at once.
    expect_reply "$(resp PING)" '+PONG\r\n' -t 2000
    local after
    after=$(rss_kib)
    echo "RSS before: $before KiB, after: $after KiB"
    # Without backpressure this would be about 200 MiB. Allow a few MiB.
    [ $((after - before)) -lt 8192 ]
    stop_server_cleanly
}

@test "an idle server with idle clients uses next to no CPU" {
    start_server
    hold 100 -P
    cat "$HOLD_OUT"
    [ "$(cat "$HOLD_OUT")" = "holding 100 connections" ]
    local before after
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    echo "CPU used in 2 s idle: $((after - before)) ticks (of about $((2 * $(getconf CLK_TCK))))"
    # A busy loop would use the whole 2 s. Ten timer wake-ups a second use
    # almost nothing; allow a quarter of the time for a slow, noisy machine.
    [ $((after - before)) -lt $(($(getconf CLK_TCK) / 2)) ]
    stop_server_cleanly
}

@test "out of file descriptors: no spinning, and the server recovers" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_server
    # Lower the running server's open-files limit to 40: about 35 clients fit.
    prlimit --pid "$SERVER_PID" --nofile=40:40
    local out="$BATS_TEST_TMPDIR/hold"
    "$ROOT/tests/tools/holdconns" -p "$PORT" -n 100 -t 300 >"$out" 2>&1 3>&- &
    local holder=$!
    HELPERS_PIDS="$HELPERS_PIDS $holder"
    sleep 1
    local before after
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    echo "CPU used in 2 s while out of descriptors: $((after - before)) ticks"
    [ $((after - before)) -lt $(($(getconf CLK_TCK) / 2)) ]
    # The clients leave; the server must serve new ones again.
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    answers_again "after the clients left"
    stop_server_cleanly
}
