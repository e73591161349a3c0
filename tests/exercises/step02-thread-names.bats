# tests/exercises/step02-thread-names.bats - exercise of chapter 2: name every thread.
# top -H, ps -L and gdb show each thread by the name the kernel keeps in
# /proc/PID/task/TID/comm. Step02's threads must say what they are: "timer"
# for the timer thread, "client fd N" (N the client's socket) for a client's
# thread while it is connected, and the main thread keeps the program's name.
# Run it with: make exercise NAME=step02-thread-names
STEP="${STEP:-step02_threads}"
load ../helpers

setup() {
    start_server
}

teardown() {
    end_test || true
}

# The names of the server's threads, one a line. A thread may exit while
# they are read; its name is then simply missing.
thread_names() {
    cat /proc/"$SERVER_PID"/task/*/comm 2>/dev/null
}

# How many threads are named like "client fd N".
client_thread_count() {
    thread_names | grep -c '^client fd [0-9][0-9]*$'
}

# wait_for_client_threads N: wait up to 10 s until exactly N threads are
# named "client fd N"; fail, listing the names, if they never are.
wait_for_client_threads() {
    local want="$1" i
    for i in $(seq 1 100); do
        [ "$(client_thread_count)" = "$want" ] && return 0
        sleep 0.1
    done
    echo "expected $want threads named 'client fd N'; the server's threads are named:"
    thread_names | sed 's/^/  /'
    return 1
}

# connect_client VAR: connect a raw client, and return once it has been
# answered, so its thread surely runs. It stays open until closed or teardown.
connect_client() {
    local fd line
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="${OPEN_FDS:-} $fd"
    printf 'PING\r\n' >&"$fd"
    read -r -t 10 line <&"$fd"
    [ "$line" = $'+PONG\r' ] || { echo "PING got: ${line:-no reply}"; return 1; }
    printf -v "$1" '%s' "$fd"
}

disconnect_client() {
    eval "exec $1>&-"
    OPEN_FDS=$(echo " $OPEN_FDS " | sed "s/ $1 / /")
}

@test "the timer thread is named timer; the main thread keeps its name" {
    # The timer thread may not have run yet when the server reports its
    # port: give it up to 10 s to name itself.
    local names="" i
    for i in $(seq 1 100); do
        names=$(thread_names)
        [ "$(grep -cx timer <<<"$names")" = 1 ] && break
        sleep 0.1
    done
    [ "$(grep -cx timer <<<"$names")" = 1 ] || {
        echo "expected one thread named 'timer' (see PR_SET_NAME in prctl(2)); the threads are:"
        sed 's/^/  /' <<<"$names"
        return 1
    }
    local main
    main=$(cat "/proc/$SERVER_PID/task/$SERVER_PID/comm")
    [ "$main" = "${SERVER_BINARY:-server}" ] || { echo "the main thread is named '$main'"; return 1; }
}

@test "each client's thread is named 'client fd N', N being the client's socket" {
    local a b c
    connect_client a
    connect_client b
    connect_client c
    wait_for_client_threads 3
    # N must be the number of the descriptor the server holds for that
    # client: a socket, and a different one for each thread.
    local fds fd
    fds=$(thread_names | sed -n 's/^client fd \([0-9]*\)$/\1/p' | sort -u)
    [ "$(wc -l <<<"$fds")" = 3 ] ||
        { echo "three client threads, but not three fds: $(tr '\n' ' ' <<<"$fds")"; return 1; }
    for fd in $fds; do
        local target
        target=$(readlink "/proc/$SERVER_PID/fd/$fd" 2>/dev/null) || true
        [[ "$target" == socket:* ]] || {
            echo "a thread is named 'client fd $fd', but the server's fd $fd is ${target:-not open}"
            return 1
        }
    done
}

@test "a client's thread name goes when the client leaves" {
    local a b c
    connect_client a
    connect_client b
    connect_client c
    wait_for_client_threads 3
    disconnect_client "$a"
    disconnect_client "$b"
    wait_for_client_threads 1
    disconnect_client "$c"
    wait_for_client_threads 0
    # The timer thread is still there, under its name.
    [ "$(thread_names | grep -cx timer)" = 1 ]
}
