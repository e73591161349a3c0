# tests/lib/suites.bash - which suites test a step's server, for
# tests/run_all and for the write-it-yourself exercises (tests/exercises/write),
# which grade a reader's server.c with exactly the suites the shipped one
# passes. Load it with `source`; it defines one function and runs nothing.

# step_suites STEP: print the suites for STEP (e.g. step03_nonblocking), one
# a line: the protocol and every command, real clients, the same bytes to a
# real redis-server, many clients at once (step02 and later), one thread
# that never waits (step03 and later), misbehaving clients, expiry, and the
# step's own suite if it has one.
step_suites() {
    local step="$1" number
    number=$((10#${step:4:2})) # step03_nonblocking -> 3
    echo tests/conformance.bats
    echo tests/clients.bats
    echo tests/differential.bats
    [ "$number" -ge 2 ] && echo tests/concurrent.bats
    [ "$number" -ge 3 ] && [ -f tests/event_loop.bats ] && echo tests/event_loop.bats
    echo tests/hostile.bats
    echo tests/expiry.bats
    [ -f "tests/$step.bats" ] && echo "tests/$step.bats"
    return 0
}
