#!/usr/bin/env bats
# clients.bats - the real Redis tools against the server: redis-cli one-shot
# commands, redis-cli --pipe mass insertion and a short redis-benchmark run.
#
# Speaking RESP byte for byte is only worth something if real clients work.
# A test whose tool is not installed is skipped. Every tool runs under
# `timeout 60`, so a server that stops answering fails the test rather than
# hanging the suite. One client at a time throughout: step01 serves no more.

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

@test "redis-cli shows an error reply" {
    have_redis_cli || skip "redis-cli is not installed"
    run cli GET
    [ "$output" = "ERR wrong number of arguments for 'get' command" ] || {
        echo "received: $output"
        return 1
    }
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
