# tests/exercises/step04-timerfd.bats - exercise of chapter 4: the 100 ms tick from a timerfd in the epoll set.
# The server must hold a timerfd that its epoll instance watches, and the
# tick must still do its three jobs: expire keys nobody reads, let an idle
# server sleep, and resume a listener paused for want of descriptors.
# Run it with: make exercise NAME=step04-timerfd
STEP="${STEP:-step04_epoll}"
load ../helpers

setup() {
    HELPERS_PIDS=""
    start_server_alone
}

teardown() {
    end_test
}

# start_server, without the descriptors bats leaves open above 2 (its own
# files, pipes, a /dev/null): the last test counts the server's own.
start_server_alone() {
    local fd closing=""
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] && closing+=" $fd>&-"
    done
    eval "start_server $closing"
}

# fd_linked_to TARGET: the server's descriptors whose link reads TARGET.
fd_linked_to() {
    local link
    for link in "/proc/$SERVER_PID/fd/"*; do
        [ "$(readlink "$link")" = "$1" ] && basename "$link"
    done
    return 0
}

@test "the server holds a timerfd, and its epoll instance watches it" {
    local timer epfd
    timer=$(fd_linked_to "anon_inode:[timerfd]" | head -n 1)
    if [ -z "$timer" ]; then
        echo "no anon_inode:[timerfd] among the server's descriptors:"
        ls -l "/proc/$SERVER_PID/fd/" | sed -n 's/.* \([0-9]* -> .*\)/  \1/p'
        echo "create one with timerfd_create (man timerfd_create)"
        return 1
    fi
    epfd=$(fd_linked_to "anon_inode:[eventpoll]" | head -n 1)
    [ -n "$epfd" ] || { echo "no anon_inode:[eventpoll] among the server's descriptors"; return 1; }
    # One line per watched descriptor: "tfd: FD events: HEX data: ...".
    if ! grep -Eq "^tfd: +$timer " "/proc/$SERVER_PID/fdinfo/$epfd"; then
        echo "the timerfd is fd $timer, but the epoll set does not watch it:"
        grep '^tfd:' "/proc/$SERVER_PID/fdinfo/$epfd"
        return 1
    fi
}

@test "the tick still runs: keys set with PX 100 that nobody reads disappear" {
    local request="" i
    for i in $(seq 1 100); do request+="$(resp SET "key:$i" v PX 100)"; done
    expect_reply "$request" "$(printf '+OK\\r\\n%.0s' $(seq 1 100))" -n 100
    expect_reply "$(resp SET keeper v)" '+OK\r\n'
    # Only DBSIZE and INFO from here on: neither touches a key, so only the
    # tick's active expiry can remove them.
    local size=""
    for i in $(seq 1 100); do
        size=$(send "$(resp DBSIZE)")
        [ "$size" = ':1\r\n' ] && break
        sleep 0.1
    done
    [ "$size" = ':1\r\n' ] || { echo "DBSIZE is still $size after 10 s: does the tick run, more than once?"; return 1; }
    send "$(resp INFO stats)" | grep -q 'expired_keys:100\\r\\n'
}

@test "an idle server with idle clients uses next to no CPU" {
    hold 100 -P
    [ "$(cat "$HOLD_OUT")" = "holding 100 connections" ] || { cat "$HOLD_OUT"; return 1; }
    local before after hz
    hz=$(getconf CLK_TCK)
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    echo "CPU used in 2 s idle: $((after - before)) ticks (of about $((2 * hz)))"
    # A server that never reads its timerfd is woken at once by every
    # epoll_wait: the whole 2 s. Ten ticks a second use almost nothing.
    if [ $((after - before)) -ge $((hz / 2)) ]; then
        echo "the loop spins: is the timerfd read on every tick?"
        return 1
    fi
}

@test "a listener paused for want of descriptors is resumed" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    # The spare descriptor kept for EMFILE is the server's one on /dev/null
    # (or the later of two, if its standard input is /dev/null too).
    local spare open limit=0
    spare=$(fd_linked_to /dev/null | sort -n | tail -n 1)
    [ -n "$spare" ] || { echo "no spare descriptor on /dev/null"; return 1; }
    open=" $(ls "/proc/$SERVER_PID/fd" | tr '\n' ' ')"
    # The lowest descriptor number that is free once the spare is closed:
    # as the open-files limit, it leaves no number at all, so accept() fails
    # with EMFILE, the spare cannot be had back, and the listener is paused.
    while [ "$limit" != "$spare" ] && [[ "$open" == *" $limit "* ]]; do limit=$((limit + 1)); done
    local soft
    soft=$(prlimit --pid "$SERVER_PID" --nofile --noheadings --output SOFT)
    prlimit --pid "$SERVER_PID" --nofile="$limit:"
    "$WIRE" -p "$PORT" -n 1 -t 20000 "$(resp PING)" >"$BATS_TEST_TMPDIR/ping" 2>&1 3>&- &
    local client=$!
    HELPERS_PIDS="$HELPERS_PIDS $client"
    # Out of descriptors for a second: the client waits in the listen queue.
    sleep 1
    if ! kill -0 "$client" 2>/dev/null; then
        wait "$client" || true
        echo "with the open-files limit at $limit, the client was answered: $(cat "$BATS_TEST_TMPDIR/ping")"
        echo "the test could not starve the server of descriptors"
        return 1
    fi
    # Descriptors to spare again: the next tick must watch the listener again.
    prlimit --pid "$SERVER_PID" --nofile="$soft:"
    wait "$client" || true
    if [ "$(cat "$BATS_TEST_TMPDIR/ping")" != '+PONG\r\n' ]; then
        echo "no PONG within 20 s once descriptors were free again (got: $(cat "$BATS_TEST_TMPDIR/ping"))."
        echo "The listener was paused when accept() failed with EMFILE: something must resume it."
        return 1
    fi
}
