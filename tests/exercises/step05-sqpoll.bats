# tests/exercises/step05-sqpoll.bats - exercise of chapter 4's io_uring step: --sqpoll, a kernel thread that submits for the server.
# With --sqpoll the ring must be set up with IORING_SETUP_SQPOLL: the
# kernel then runs a polling thread in the server's process, named
# iou-sqp-PID, and the ring's fdinfo names it (SqThread). The test looks
# for both, sends a pipeline through it, and lets the thread fall asleep
# (past its sq_thread_idle) before the next requests, which must still be
# answered. (Linux 6.18 wakes the thread for other reasons too, so this
# does not catch a missing IORING_ENTER_SQ_WAKEUP on every kernel.)
# Without the flag, no such thread.
# Run it with: make exercise NAME=step05-sqpoll
STEP="${STEP:-step05_io_uring}"
load ../helpers

setup() {
    HELPERS_PIDS=""
}

teardown() {
    end_test
}

# The SqThread line of the server's io_uring descriptor's fdinfo: the
# polling thread's id, or -1 without SQPOLL.
sq_thread() {
    local link
    for link in "/proc/$SERVER_PID/fd/"*; do
        if [ "$(readlink "$link")" = "anon_inode:[io_uring]" ]; then
            awk '$1 == "SqThread:" { print $2 }' "/proc/$SERVER_PID/fdinfo/${link##*/}"
            return 0
        fi
    done
    echo "no anon_inode:[io_uring] among the server's descriptors" >&2
    return 1
}

# The names of the server's threads, one a line.
thread_names() {
    cat "/proc/$SERVER_PID/task/"*/comm
}

@test "with --sqpoll, the kernel's polling thread runs in the server, and a pipeline goes through" {
    start_server --sqpoll
    local names thread
    names=$(thread_names)
    thread=$(sq_thread)
    if ! echo "$names" | grep -qx "iou-sqp-$SERVER_PID" || [ "$thread" = -1 ]; then
        echo "the server's threads: $(echo "$names" | tr '\n' ' ')(SqThread: $thread)"
        echo "no iou-sqp-$SERVER_PID: set the ring up with IORING_SETUP_SQPOLL"
        return 1
    fi
    [ "$(cat "/proc/$SERVER_PID/task/$thread/comm")" = "iou-sqp-$SERVER_PID" ]
    local request="" expected="" i
    for i in $(seq 1 100); do
        request+="$(resp SET "key:$i" "value:$i")$(resp GET "key:$i")"
        expected+="+OK\\r\\n\$$((6 + ${#i}))\\r\\nvalue:$i\\r\\n"
    done
    expect_reply "$request" "$expected" -n 200
}

@test "with --sqpoll, a request after the polling thread has gone to sleep is answered" {
    start_server --sqpoll
    expect_reply "$(resp PING)" '+PONG\r\n'
    # Half a second with no request: the thread sleeps after sq_thread_idle
    # (ms, as the server set it; 500 ms is well past any sensible choice)
    # and is woken by the timer's request, then sleeps again.
    local i
    for i in 1 2 3; do
        sleep 0.5
        if ! expect_reply "$(resp PING)" '+PONG\r\n' -t 3000; then
            echo "no answer after the polling thread fell asleep: when the ring's flags say"
            echo "IORING_SQ_NEED_WAKEUP, io_uring_enter with IORING_ENTER_SQ_WAKEUP wakes it"
            return 1
        fi
    done
}

@test "without --sqpoll, no polling thread" {
    start_server
    local names
    names=$(thread_names)
    if echo "$names" | grep -q '^iou-sqp-'; then
        echo "the server's threads: $(echo "$names" | tr '\n' ' ')"
        echo "SQPOLL only with --sqpoll"
        return 1
    fi
    [ "$(sq_thread)" = -1 ]
}
