# hostile.bats - clients that misbehave, against every step.
#
# Garbage, mutated requests, clients that vanish in the middle of a reply,
# requests that announce more than they send, thousands of connections,
# running out of descriptors (twice), a stop signal mid-command or just
# before the server blocks (under gdb, when installed). Whatever a client
# does, the server must stay up, keep its memory bounded, keep answering,
# and stop cleanly. What a step cannot promise by design (step01 serves one
# client at a time) is stated where it applies, not hidden.

load helpers

setup() {
    HELPERS_PIDS=""
    STEP_NUMBER=$((10#${STEP:4:2})) # step03_nonblocking -> 3
}

teardown() {
    end_test || true
}

# survived INPUT: the server is still running after INPUT (a file); if not,
# show the input, so that a crash found by chance can be reproduced and
# kept as a test.
survived() {
    kill -0 "$SERVER_PID" 2>/dev/null && return 0
    echo "the server died on this input ($(wc -c <"$1") bytes):"
    od -A d -c "$1" | head -n 40
    cat "$SERVER_LOG"
    return 1
}

# still_serving: the server is alive and answers a PING within 5 s.
still_serving() {
    kill -0 "$SERVER_PID" || { echo "the server died:"; cat "$SERVER_LOG"; return 1; }
    expect_reply "$(resp PING)" '+PONG\r\n' -t 5000
}

@test "random garbage on 60 connections: the server stays up and answers" {
    start_server
    local blob="$BATS_TEST_TMPDIR/blob" i
    for i in $(seq 1 60); do
        head -c $((1 + RANDOM % 3000)) /dev/urandom >"$blob"
        # Half the blobs start like a real request, to get past the first byte.
        if [ $((i % 2)) = 0 ]; then
            { printf '*3\r\n$3\r\nSET\r\n'; cat "$blob"; } >"$blob.req"
        else
            cp "$blob" "$blob.req"
        fi
        # Read until the server closes or 100 ms pass, then leave: garbage
        # that looks like the start of a long request gets no reply.
        "$WIRE" -p "$PORT" -t 100 -f "$blob.req" >/dev/null || true
        survived "$blob.req"
    done
    still_serving
    stop_server_cleanly
}

@test "valid requests with random bytes changed, 60 connections: still up, still right" {
    start_server
    local base="$BATS_TEST_TMPDIR/base" req="$BATS_TEST_TMPDIR/req" i j size
    printf '%b' "$(resp SET counter 10)$(resp INCRBY counter 5)$(resp MSET a 1 b 2)$(resp GET a)$(resp EXPIRE a 100)$(resp KEYS '*')$(resp APPEND b xyz)$(resp DEL a)" >"$base"
    size=$(wc -c <"$base")
    for i in $(seq 1 60); do
        cp "$base" "$req"
        for j in 1 2 3; do
            dd if=/dev/urandom of="$req" bs=1 count=1 seek=$((RANDOM % size)) conv=notrunc 2>/dev/null
        done
        "$WIRE" -p "$PORT" -t 100 -f "$req" >/dev/null || true
        survived "$req"
    done
    still_serving
    # The store still works after whatever the mutants did to it.
    expect_reply "$(resp SET after ok)$(resp GET after)" '+OK\r\n$2\r\nok\r\n' -n 2
    stop_server_cleanly
}

@test "clients that vanish in the middle of a large reply: no SIGPIPE death, no growth" {
    start_server
    # A 1 MiB value; each client asks for it 8 times, then either resets the
    # connection after 64 KiB of reply, or closes it (FIN) at once without
    # reading. The second kind is the one that raises SIGPIPE: the server's
    # next write after the peer's reset to its data fails with EPIPE.
    head -c 1048576 /dev/zero | tr '\0' v >"$BATS_TEST_TMPDIR/value"
    { printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n'; cat "$BATS_TEST_TMPDIR/value"; printf '\r\n'; } \
        >"$BATS_TEST_TMPDIR/set"
    "$WIRE" -p "$PORT" -n 1 -f "$BATS_TEST_TMPDIR/set" | grep -qx '+OK\\r\\n'
    local i rss_after_20
    for i in $(seq 1 40); do
        if [ $((i % 2)) = 0 ]; then
            run "$WIRE" -p "$PORT" -t 5000 -R 65536 -r 8 "$(resp GET big)"
        else
            run "$WIRE" -p "$PORT" -t 5000 -F -r 8 "$(resp GET big)"
        fi
        [ "$status" -eq 0 ] || { echo "$output"; say_if_server_died; return 1; }
        [ "$i" = 20 ] && rss_after_20=$(rss_kib)
    done
    still_serving
    # Whatever a reset client's connection held was given back: twenty more
    # of them did not make the server grow by even one reply's worth.
    echo "RSS after 20 resets: $rss_after_20 KiB; after 40: $(rss_kib) KiB"
    [ "$(rss_kib)" -lt $((rss_after_20 + 1024)) ]
    stop_server_cleanly
}

@test "a request announcing a 512 MiB value reserves nothing for it" {
    start_server
    local before
    before=$(rss_kib)
    # The largest bulk length allowed, and then only a few bytes of it.
    "$WIRE" -p "$PORT" -t 300000 '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\nabc' >/dev/null 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    sleep 1
    echo "RSS before: $before KiB; with the request waiting: $(rss_kib) KiB"
    [ "$(rss_kib)" -lt $((before + 8192)) ]
    if [ "$STEP_NUMBER" -ge 2 ]; then
        still_serving
    fi
    stop_server_cleanly
}

@test "a half-sent command, then silence" {
    start_server
    "$WIRE" -p "$PORT" -t 300000 '*2\r\n$3\r\nGET\r\n$5\r\nab' >/dev/null 3>&- &
    local holder=$!
    HELPERS_PIDS="$HELPERS_PIDS $holder"
    sleep 0.5
    if [ "$STEP_NUMBER" = 1 ]; then
        # By design, step01 waits for that client to finish or leave; every
        # other client waits with it (chapter 1). Once it leaves, all is well.
        run "$WIRE" -p "$PORT" -n 1 -t 500 "$(resp PING)"
        [ "$output" = "" ]
        kill "$holder"
        wait "$holder" 2>/dev/null || true
    fi
    still_serving
    stop_server_cleanly
}

@test "5,000 connections at once are all served" {
    [ "$STEP_NUMBER" -ge 2 ] || skip "step01 serves one client at a time"
    start_server
    hold 5000 -P
    cat "$HOLD_OUT"
    [ "$(cat "$HOLD_OUT")" = "holding 5000 connections" ]
    send "$(resp INFO clients)" | grep -q 'connected_clients:5001\\r\\n'
    stop_server_cleanly
}

@test "no descriptors left at all: no spinning, and service resumes when there are" {
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_server
    # Lower the open-files limit to the lowest descriptor number the server
    # has free: the kernel always hands out the lowest, so no accept() can
    # succeed. Then send it clients anyway. Only the soft limit changes:
    # raising a hard limit again needs a privilege the test may not have.
    local free=0 original
    while [ -e "/proc/$SERVER_PID/fd/$free" ]; do free=$((free + 1)); done
    original=$(prlimit --pid "$SERVER_PID" --nofile --output SOFT --noheadings | tr -d ' ')
    prlimit --pid "$SERVER_PID" --nofile="$free":
    # A blocking accept() that is already waiting took its descriptor
    # before the limit fell (Linux reserves it first, then waits), so one
    # client may still get in: let it come and go, then the limit bites.
    "$WIRE" -p "$PORT" -n 1 -t 1000 "$(resp PING)" >/dev/null || true
    "$ROOT/tests/tools/holdconns" -p "$PORT" -n 20 -t 300 >/dev/null 2>&1 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    sleep 1
    local before after
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    echo "CPU used in 2 s with no descriptor to accept into: $((after - before)) ticks"
    [ $((after - before)) -lt $(($(getconf CLK_TCK) / 2)) ]
    # Descriptors again, and the clients that waited leave (step01 would
    # otherwise serve the first of them, silent, for ever).
    prlimit --pid "$SERVER_PID" --nofile="$original":
    kill $HELPERS_PIDS
    answers_again "with descriptors again"
    stop_server_cleanly
}

# devnull_fds: the server's descriptors from 3 up that are open on
# /dev/null, lowest first. One is the spare that steps 03 and 04 keep for
# the moment they run out (shed_connection); others may have been inherited.
devnull_fds() {
    local link
    for link in /proc/"$SERVER_PID"/fd/*; do
        [ "${link##*/}" -ge 3 ] && [ "$(readlink "$link")" = /dev/null ] && echo "${link##*/}"
    done | sort -n
}

# accept_in_flight_goes_through: just after the open-files limit fell,
# step05's accept request, already on the ring, still works to the old
# limit: io_uring reads RLIMIT_NOFILE when a request is submitted, not when
# it runs. So one client gets in: let it come and go (as a blocking accept()
# already waiting lets one in, in the test above), then the limit bites.
accept_in_flight_goes_through() {
    [ "$STEP_NUMBER" -ge 5 ] || return 0
    "$WIRE" -p "$PORT" -n 1 -t 1000 "$(resp PING)" >/dev/null || true
}

@test "the spare descriptor, once lost, is taken back: the next shortage is refused again" {
    [ "$STEP_NUMBER" -ge 3 ] || skip "steps 01 and 02 keep no spare descriptor"
    command -v prlimit >/dev/null || skip "prlimit (util-linux) is not installed"
    start_server
    local original nulls lowest free
    original=$(prlimit --pid "$SERVER_PID" --nofile --output SOFT --noheadings | tr -d ' ')
    nulls=$(devnull_fds | wc -l)
    lowest=$(devnull_fds | head -n 1)
    [ -n "$lowest" ] || { echo "no spare descriptor open on /dev/null"; ls -l "/proc/$SERVER_PID/fd"; return 1; }
    # A first shortage, the limit at or below the spare's number (the spare
    # took the lowest number free when the server started, so every number
    # below it is taken): the server closes the spare to accept into it, and
    # can then neither accept nor open the spare again. The client gets
    # nothing, and the spare is gone.
    prlimit --pid "$SERVER_PID" --nofile="$lowest":
    accept_in_flight_goes_through
    run "$WIRE" -p "$PORT" -n 1 -t 1000 "$(resp PING)"
    [ "$output" = "" ]
    [ "$(devnull_fds | wc -l)" -eq $((nulls - 1)) ] ||
        { echo "the spare is still open: no shortage?"; ls -l "/proc/$SERVER_PID/fd"; return 1; }
    # Descriptors again: clients are served, and leave.
    prlimit --pid "$SERVER_PID" --nofile="$original":
    answers_again "with descriptors again"
    # A second shortage, the limit at the lowest free descriptor: with its
    # spare back, the server refuses the client as it did the first time it
    # ran out; without it, the client would wait in silence. First let every
    # client's socket be closed (the one that waited, and those of
    # answers_again), or one closed later would leave a number free below
    # the limit: until only the listener is left, within 5 s.
    local i
    for i in $(seq 1 50); do
        [ "$(find "/proc/$SERVER_PID/fd" -lname 'socket:*' | wc -l)" -eq 1 ] && break
        sleep 0.1
    done
    free=0
    while [ -e "/proc/$SERVER_PID/fd/$free" ]; do free=$((free + 1)); done
    prlimit --pid "$SERVER_PID" --nofile="$free":
    accept_in_flight_goes_through
    expect_reply_and_close "$(resp PING)" '-ERR max number of clients reached\r\n'
    prlimit --pid "$SERVER_PID" --nofile="$original":
    still_serving
    stop_server_cleanly
}

# signal_just_before CALL...: run the server under gdb, which stops it at
# each CALL in turn (a function name: accept, read, poll...) and, at the
# last, makes it take SIGTERM there, on entry, before the call has started.
# That is the signal landing between the server's check of its stop flag and
# the blocking call, a window of a few instructions that no timing can hit
# on purpose. The server must still exit, with status 0. (An idle client, if
# the test connected one, gives the call nothing to return.)
signal_just_before() {
    local cmds="$BATS_TEST_TMPDIR/gdb.cmds" call verb=run
    : >"$cmds"
    for call in "$@"; do
        printf 'break %s\n%s\ndelete\n' "$call" "$verb" >>"$cmds"
        verb=continue
    done
    echo 'signal SIGTERM' >>"$cmds"
    # LeakSanitizer cannot work under a debugger (both need ptrace); the
    # other tests check for leaks. DEBUGINFOD_URLS empty: gdb must not go
    # looking for debug symbols on the network.
    [[ "${SERVER_BINARY:-}" != *asan* ]] || export ASAN_OPTIONS=detect_leaks=0
    SERVER_WRAPPER="env DEBUGINFOD_URLS= gdb -q -batch -nx -x $cmds --args" start_server
}

# signal_taken: the server under gdb (signal_just_before) ends within
# SERVER_WAIT_SECONDS, with status 0.
signal_taken() {
    local deadline=$((SECONDS + SERVER_WAIT_SECONDS))
    while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -le "$deadline" ]; do sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "still running $SERVER_WAIT_SECONDS s after the signal; gdb's log:"
        cat "$SERVER_LOG"
        return 1
    fi
    grep -q '^\[Inferior 1 (process [0-9]*) exited normally\]' "$SERVER_LOG" ||
        { echo "the server did not exit with status 0; gdb's log:"; cat "$SERVER_LOG"; return 1; }
}

@test "SIGTERM just before the server waits for a connection: it still stops" {
    command -v gdb >/dev/null || skip "gdb is not installed"
    case "$STEP_NUMBER" in
    1 | 2) signal_just_before accept ;;
    3) signal_just_before poll ;;
    4) signal_just_before epoll_wait ;;
    *) signal_just_before uring_submit_and_wait ;; # step05: its io_uring_enter
    esac
    signal_taken
}

@test "SIGTERM just before the server waits, with an idle client: it still stops" {
    command -v gdb >/dev/null || skip "gdb is not installed"
    # Steps 03 and 04 wait in one place, idle clients or not (the test above).
    [ "$STEP_NUMBER" -le 2 ] || skip "steps 03 to 05 wait in one place only (poll, epoll_wait, io_uring_enter)"
    # step01: the second wait is in read(), on the client. step02: in
    # accept() again, once the client's thread is started (it blocks in
    # read(), and it is not the thread that gets the signal).
    if [ "$STEP_NUMBER" = 1 ]; then
        signal_just_before accept read
    else
        signal_just_before accept accept
    fi
    # Connected and silent: the server waits for its first request.
    "$ROOT/tests/tools/holdconns" -p "$PORT" -n 1 -t 300 >/dev/null 2>&1 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    signal_taken
}

@test "SIGTERM in the middle of a command: exits 0 at once" {
    start_server
    "$WIRE" -p "$PORT" -t 300000 '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc' >/dev/null 3>&- &
    HELPERS_PIDS="$HELPERS_PIDS $!"
    sleep 0.5
    kill -TERM "$SERVER_PID"
    local i
    for i in $(seq 1 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null && { echo "still running 5 s after SIGTERM"; return 1; }
    stop_server_cleanly
}
