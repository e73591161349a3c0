# exercises.bats - every exercise in TUTORIAL.md is checked both ways, on a
# scratch copy of the project (tests/exercises/check): its test fails on
# the shipped code, and passes with its reference solution applied, as do
# the suites of the steps the solution changes. The write-it-yourself
# exercises are checked both ways too: the skeleton of a step's server.c
# fails its grading, and the shipped file passes it.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
    cd "$ROOT"
}

check() {
    run tests/exercises/check "$1"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "every exercise has a test, a solution, a check below and a place in TUTORIAL.md" {
    local name listed missing=0 step
    listed=$(sed -n 's/^@test "exercise \([a-z0-9-]*\):.*/\1/p' "$BATS_TEST_FILENAME")
    for test_file in tests/exercises/*.bats; do
        name=$(basename "$test_file" .bats)
        [ -f "tests/exercises/solutions/$name.patch" ] || { echo "$name: no solution"; missing=1; }
        echo "$listed" | grep -qx "$name" || { echo "$name: no check in exercises.bats"; missing=1; }
        grep -q "make exercise NAME=$name\b" TUTORIAL.md || { echo "$name: not in TUTORIAL.md"; missing=1; }
    done
    # Writing a step yourself (write-step01, ...): the step's suites are the
    # test and its shipped server.c the solution, so there is no file of
    # either; every step has one, checked and in TUTORIAL.md.
    for step in step[0-9][0-9]_*/; do
        name="write-${step:0:6}"
        echo "$listed" | grep -qx "$name" || { echo "$name: no check in exercises.bats"; missing=1; }
        grep -q "make exercise NAME=$name\b" TUTORIAL.md || { echo "$name: not in TUTORIAL.md"; missing=1; }
    done
    for name in $listed; do
        case "$name" in
        write-step*) compgen -G "${name#write-}_*/" >/dev/null || { echo "$name: checked, but no such step"; missing=1; } ;;
        *) [ -f "tests/exercises/$name.bats" ] || { echo "$name: checked, but no test file"; missing=1; } ;;
        esac
    done
    [ -n "$listed" ]
    [ "$missing" -eq 0 ]
}

@test "exercise core-getrange: GETRANGE, as Redis 7.0 replies" {
    check core-getrange
}

@test "exercise core-rename: RENAME, with its TTL" {
    check core-rename
}

@test "exercise step01-idle-timeout: step01 closes a silent client with --timeout" {
    check step01-idle-timeout
}

@test "exercise step01-client-address: step01 logs who connected" {
    check step01-client-address
}

@test "exercise step02-thread-names: step02's threads have names" {
    check step02-thread-names
}

@test "exercise step02-rwlock: step02 reads side by side under a read-write lock" {
    check step02-rwlock
}

@test "exercise step03-idle-timeout: step03 closes idle clients on its timer" {
    check step03-idle-timeout
}

@test "exercise step03-stuck-output: step03 closes a client that never reads" {
    check step03-stuck-output
}

@test "exercise step04-edge-triggered: step04 on edge-triggered epoll" {
    check step04-edge-triggered
}

@test "exercise step04-timerfd: step04's tick from a timerfd" {
    check step04-timerfd
}

@test "exercise step05-multishot: step05 receives with one multishot recv per client" {
    check step05-multishot
}

@test "exercise step05-sqpoll: step05 --sqpoll submits through a kernel polling thread" {
    check step05-sqpoll
}

@test "exercise bench-value-size: the bench measures 4 KiB values" {
    check bench-value-size
}

@test "exercise bench-throughput-range: the report shows throughput's spread over rounds" {
    check bench-throughput-range
}

@test "exercise core-maxmemory: --maxmemory refuses writes as Redis does" {
    check core-maxmemory
}

@test "exercise fuzz-store: a fuzzer that checks the store against a model" {
    check fuzz-store
}

@test "exercise write-step01: write step01's server.c from its skeleton" {
    check write-step01
}

@test "exercise write-step02: write step02's server.c from its skeleton" {
    check write-step02
}

@test "exercise write-step03: write step03's server.c from its skeleton" {
    check write-step03
}

@test "exercise write-step04: write step04's server.c from its skeleton" {
    check write-step04
}

@test "exercise write-step05: write step05's server.c from its skeleton" {
    check write-step05
}
