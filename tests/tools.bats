# tools.bats - the small tools the tutorial tells the reader to run.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
    BUSY_PID=""
    IDLE_PID=""
}

teardown() {
    [ -z "$BUSY_PID" ] || kill "$BUSY_PID" 2>/dev/null || true
    [ -z "$IDLE_PID" ] || kill "$IDLE_PID" 2>/dev/null || true
}

@test "ticks: a busy process's ticks grow, a sleeping one's do not" {
    # A shell spinning in a loop uses all the CPU it is given: on a loaded
    # machine that may be little, so the test asks only for some ticks.
    sh -c 'while :; do :; done' &
    BUSY_PID=$!
    sleep 30 &
    IDLE_PID=$!

    run "$ROOT/tests/tools/ticks" "$BUSY_PID"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^([0-9]+)\ ticks?\ \(.*\ s\ of\ CPU\)\ since\ process\ $BUSY_PID\ started$ ]]
    local first=${BASH_REMATCH[1]}
    sleep 1
    run "$ROOT/tests/tools/ticks" "$BUSY_PID"
    [ "$status" -eq 0 ]
    [ "${output%% *}" -gt "$first" ]

    # While a command runs: the last line says what the process used.
    run "$ROOT/tests/tools/ticks" "$BUSY_PID" -- sleep 1
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^([0-9]+)\ ticks?\ .*\ used\ by\ process\ $BUSY_PID\ in\ [0-9]+\.[0-9]+\ s:\ [0-9]+%\ of\ one\ CPU$ ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]

    # A process asleep uses (almost) nothing.
    run "$ROOT/tests/tools/ticks" "$IDLE_PID" -- sleep 1
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${output%% *}" -le 2 ]
}

@test "ticks: the command's output comes first and its status is passed on" {
    sleep 30 &
    IDLE_PID=$!
    run "$ROOT/tests/tools/ticks" "$IDLE_PID" -- sh -c 'echo hello; exit 3'
    echo "$output"
    [ "$status" -eq 3 ]
    [ "${lines[0]}" = hello ]
    [[ "${lines[1]}" =~ ^[0-9]+\ ticks?\ .*\ used\ by\ process\ $IDLE_PID\ in\  ]]
}

@test "ticks: a bad process id fails with a reason, not a number" {
    run "$ROOT/tests/tools/ticks" 999999999
    echo "$output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"no running process 999999999"* ]]

    run "$ROOT/tests/tools/ticks" not-a-pid
    [ "$status" -eq 2 ]
    [[ "$output" == *"is not a process id"* ]]

    run "$ROOT/tests/tools/ticks"
    [ "$status" -eq 2 ]
    [[ "$output" == usage:* ]]

    # A process that ends while the command runs has no CPU time to read.
    sleep 0.2 &
    IDLE_PID=$!
    run "$ROOT/tests/tools/ticks" "$IDLE_PID" -- sleep 1
    echo "$output"
    [ "$status" -eq 2 ]
    [[ "$output" == *"ended while the command ran"* ]]
}
