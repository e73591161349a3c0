#!/usr/bin/env bats
# clients.bats - real clients against the server: redis-cli one-shot
# commands, in RESP2 and in RESP3 (-3, which opens with HELLO 3), redis-cli
# --scan, --pipe mass insertion, a short redis-benchmark run, and the two
# Node.js clients most applications use, node-redis and ioredis, each
# driven by a short script in tests/clients/.
#
# Speaking RESP byte for byte is only worth something if real clients work.
# A test whose Redis tool is not installed is skipped. The Node.js clients
# are not skipped when missing: their tests fail, saying what to run
# (`npm ci --prefix tests/clients`, which .ci/run does), so that a machine
# without them cannot pass for one where they work. Every client runs under
# `timeout`, so a server that stops answering fails the test rather than
# hanging the suite. One client at a time throughout: step01 serves no more.
#
# STEP=redis runs this file against a real redis-server, as tests/run_all
# does once: every expectation here, and the Node.js scripts, must hold for
# Redis 7.0 too.

load helpers

setup_file() {
    need_wire
    start_server
}

teardown_file() {
    stop_server
}

setup() {
    expect_reply '*1\r\n$8\r\nFLUSHALL\r\n' '+OK\r\n'
}

# cli ARG...: one redis-cli command against the server. Its stdout is not a
# terminal here, so redis-cli prints raw replies: "OK", "v", "1", one array
# element per line, an empty line for nil.
cli() {
    timeout 60 redis-cli -h 127.0.0.1 -p "$PORT" "$@"
}

# expect_output EXPECTED: the last `run` must have succeeded and printed EXPECTED.
expect_output() {
    if [ "$status" -ne 0 ] || [ "$output" != "$1" ]; then
        echo "command:  ${BATS_RUN_COMMAND:-}"
        echo "expected: $1"
        echo "received: $output"
        echo "status:   $status"
        return 1
    fi
}

# expect_keys EXPECTED: as expect_output, for a long list of keys, one a
# line: a mismatch shows the first lines received (an error message, say)
# and the first lines that differ, not both lists whole.
expect_keys() {
    if [ "$status" -ne 0 ] || [ "$output" != "$1" ]; then
        echo "command: ${BATS_RUN_COMMAND:-}"
        echo "status:  $status"
        echo "lines expected: $(printf '%s\n' "$1" | wc -l), received: $(printf '%s\n' "$output" | wc -l), the first 3:"
        printf '%s\n' "$output" | head -n 3
        echo "the first differences (< expected, > received):"
        diff <(printf '%s\n' "$1") <(printf '%s\n' "$output") | grep '^[<>]' | head -n 10
        return 1
    fi
}

# need_node_client NAME: the npm package NAME (redis or ioredis) must be
# installed in tests/clients/node_modules, at the version that
# tests/clients/package.json pins, and Node.js must be 20 or later (what
# node-redis 6 needs). If not, says what to run and fails.
need_node_client() {
    local dir="$ROOT/tests/clients" install="npm ci --prefix tests/clients"
    if ! command -v node >/dev/null 2>&1; then
        echo "Node.js is not installed. The client tests need Node.js 20 or later and npm"
        echo "(apt-get install nodejs npm, where the distribution's is 20 or later), then: $install"
        return 1
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$major" -lt 20 ]; then
        echo "Node.js $(node --version) is too old: the client tests need Node.js 20 or later (node-redis 6 does)"
        return 1
    fi
    # Both files read by path, not by package name: a package's "exports"
    # may not list its package.json. The paths go through the environment,
    # so that no quote in them can break the JavaScript.
    local want got
    want=$(DIR="$dir" NAME="$1" node -p 'require(process.env.DIR + "/package.json").dependencies[process.env.NAME]')
    got=$(DIR="$dir" NAME="$1" node -p 'require(process.env.DIR + "/node_modules/" + process.env.NAME + "/package.json").version' \
        2>/dev/null) || got=""
    if [ "$got" != "$want" ]; then
        echo "tests/clients/package.json pins $1 $want, but tests/clients/node_modules has ${got:-none}."
        echo "Install the pinned clients with: $install"
        return 1
    fi
}

# node_client SCRIPT: run tests/clients/SCRIPT against the server; it must
# exit 0. The script bounds its own time (10 s to connect, 60 s for the
# commands, 10 s to close); `timeout` is the backstop.
node_client() {
    run timeout 120 node "$ROOT/tests/clients/$1" "$PORT"
    if [ "$status" -ne 0 ]; then
        echo "node tests/clients/$1 $PORT exited with status $status:"
        echo "$output"
        return 1
    fi
}

# mset_keys PREFIX N: MSET PREFIX1 .. PREFIXN in one command, each key's
# value its own name.
mset_keys() {
    local args=() i
    for i in $(seq 1 "$2"); do args+=("$1$i" "$1$i"); done
    run cli MSET "${args[@]}"
    expect_output OK
}

@test "redis-cli SET and GET" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli SET greeting 'hello world'
    expect_output OK
    run cli GET greeting
    expect_output 'hello world'
}

@test "redis-cli GET of a missing key prints an empty line" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli GET missing
    expect_output ''
}

@test "redis-cli INCR prints integers" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli INCR counter
    expect_output 1
    run cli INCRBY counter 41
    expect_output 42
}

@test "redis-cli DEL and EXISTS" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli MSET a 1 b 2
    expect_output OK
    run cli DEL a b c
    expect_output 2
    run cli EXISTS a
    expect_output 0
}

@test "redis-cli KEYS prints one key per line" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli MSET user:1 a user:2 b other c
    expect_output OK
    run bash -c "timeout 60 redis-cli -h 127.0.0.1 -p $PORT KEYS 'user:*' | sort"
    expect_output $'user:1\nuser:2'
}

# redis-cli --scan sends SCAN 0 (with MATCH for --pattern; redis-cli 7.0
# has no --count), then SCAN again with each cursor the server returns,
# until it returns 0, and prints each key on a line. SCAN may return a key
# more than once (Redis may, when its table is resized between two calls),
# but never misses one that existed throughout: hence `sort -u`; pipefail
# keeps redis-cli's exit status (1 after an error reply).
@test "redis-cli --scan lists every key" {
    have_redis_cli || skip "redis-cli is not installed"
    mset_keys user: 300
    mset_keys other: 200
    run bash -c "set -o pipefail; timeout 60 redis-cli -h 127.0.0.1 -p $PORT --scan | sort -u"
    expect_keys "$( (seq -f 'user:%g' 1 300; seq -f 'other:%g' 1 200) | sort)"
}

@test "redis-cli --scan --pattern lists only the keys that match" {
    have_redis_cli || skip "redis-cli is not installed"
    mset_keys user: 300
    mset_keys other: 200
    run bash -c "set -o pipefail; timeout 60 redis-cli -h 127.0.0.1 -p $PORT --scan --pattern 'user:*' | sort -u"
    expect_keys "$(seq -f 'user:%g' 1 300 | sort)"
    run bash -c "set -o pipefail; timeout 60 redis-cli -h 127.0.0.1 -p $PORT --scan --pattern 'other:1?' | sort -u"
    expect_keys "$(seq -f 'other:%g' 10 19)"
    run cli --scan --pattern 'nothing:*'
    expect_output ''
}

@test "redis-cli shows an error reply" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli GET
    [ "$output" = "ERR wrong number of arguments for 'get' command" ] || {
        echo "received: $output"
        return 1
    }
}

# redis-cli -3 opens with HELLO 3 and, if it fails, prints "HELLO 3
# failed: ..." on stderr and goes on in RESP2; `run` keeps stderr in
# $output, so these tests fail then. --no-raw prints each reply with its
# type, as at a terminal.
@test "redis-cli -3 (RESP3): SET, GET, INCR and a missing key" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli -3 SET greeting hello
    expect_output OK
    run cli -3 --no-raw GET greeting
    expect_output '"hello"'
    run cli -3 --no-raw INCR counter
    expect_output '(integer) 1'
    # RESP3's null (_), which redis-cli prints as (nil), as RESP2's $-1.
    run cli -3 --no-raw GET missing
    expect_output '(nil)'
    run cli -3 GET missing
    expect_output ''
    run cli -3 --no-raw MGET greeting missing
    expect_output $'1) "hello"\n2) (nil)'
}

@test "redis-cli -3 CONFIG GET prints a map, as Redis does" {
    have_redis_cli || skip "redis-cli is not installed"
    # In RESP2, CONFIG GET's reply is a flat array of names and values...
    run cli --no-raw CONFIG GET port
    expect_output $'1) "port"\n2) "'"$PORT"'"'
    # ...in RESP3, a map (%1), which redis-cli prints as one "name => value" line.
    run cli -3 --no-raw CONFIG GET port
    expect_output '1# "port" => "'"$PORT"'"'
    run cli -3 CONFIG GET port
    expect_output "port $PORT"
    run cli -3 --no-raw CONFIG GET no-such-parameter
    expect_output '(empty hash)'
}

@test "redis-cli -x stores a binary value from stdin unchanged" {
    have_redis_cli || skip "redis-cli is not installed"
    local value="$BATS_TEST_TMPDIR/value"
    printf 'a\000b\r\nc\377' >"$value"
    run bash -c "timeout 60 redis-cli -h 127.0.0.1 -p $PORT -x SET bin <'$value'"
    expect_output OK
    run cli STRLEN bin
    expect_output 7
    # redis-cli prints the raw bytes and a newline.
    cli GET bin >"$BATS_TEST_TMPDIR/got"
    { cat "$value"; printf '\n'; } | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "redis-cli --pipe inserts 100000 keys" {
    have_redis_cli || skip "redis-cli is not installed"
    local file="$BATS_TEST_TMPDIR/mass"
    awk 'BEGIN {
        for (i = 1; i <= 100000; i++) {
            k = "key:" i; v = "value:" i
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
        }
    }' >"$file"
    run bash -c "timeout 60 redis-cli -h 127.0.0.1 -p $PORT --pipe <'$file'"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [[ "$output" == *"errors: 0, replies: 100000"* ]] || { echo "received: $output"; return 1; }
    run cli DBSIZE
    expect_output 100000
    run cli GET key:99999
    expect_output value:99999
}

@test "redis-benchmark runs ping, set, get, incr and mset without errors" {
    have_redis_benchmark || skip "redis-benchmark is not installed"
    # It first asks CONFIG GET save and appendonly, on a connection of its
    # own; if those fail it prints a WARNING.
    run timeout 60 redis-benchmark -h 127.0.0.1 -p "$PORT" -t ping,set,get,incr,mset -n 2000 -c 1 -q
    # -q rewrites its progress line with \r; keep only the final lines.
    local lines
    lines=$(printf '%s\n' "$output" | tr '\r' '\n' | grep 'requests per second' || true)
    if [ "$status" -ne 0 ] || [[ "$output" == *ERR* ]] || [[ "$output" == *WARNING* ]] || [[ "$output" == *Error* ]]; then
        echo "status $status, last lines of output:"
        printf '%s\n' "$output" | tr '\r' '\n' | grep -v '^ *$' | tail -n 20
        return 1
    fi
    local name
    for name in PING_INLINE PING_MBULK SET GET INCR 'MSET (10 keys)'; do
        if ! grep -q "^$name: [0-9.]* requests per second" <<<"$lines"; then
            echo "no result line for $name in:"
            echo "$lines"
            return 1
        fi
    done
    [ "$(wc -l <<<"$lines")" -eq 6 ] || { echo "expected 6 result lines:"; echo "$lines"; return 1; }
}

# The Node.js clients, with their default options: node-redis 6 speaks
# RESP3 (HELLO 3), and so does ioredis 6, which falls back to RESP2 if
# HELLO is refused (node-redis does not: it reconnects for ever). Each script says on stderr what did not
# match, or that it could not connect and why.
@test "node-redis 6: SET EX, GET, TTL, 1,000 pipelined commands, SCAN, close" {
    need_node_client redis
    node_client node-redis.js
}

@test "ioredis 6: SET EX, GET, TTL, 1,000 pipelined commands, SCAN, QUIT" {
    need_node_client ioredis
    node_client ioredis.js
}
