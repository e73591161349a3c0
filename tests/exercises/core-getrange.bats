# tests/exercises/core-getrange.bats - exercise of chapter 8: GETRANGE, a new command in the table.
# Every reply below was taken from redis-server 7.0.15, and the file passes
# against it (STEP=redis): indexes from either end, clamped one by one (0 -100
# is the first byte), empty bulk strings rather than nil, binary-safe values.
# Run it with: make exercise NAME=core-getrange
STEP="${STEP:-step01_blocking}" # the core serves every step: set STEP to try another
load ../helpers

setup() {
    start_server
}

teardown() {
    stop_server
}

# expect_cmd ARG... EXPECTED: send ARG... as one multibulk command and expect
# the exact reply EXPECTED (the last argument), escaped as wire prints it.
expect_cmd() {
    local expected="${!#}"
    expect_reply "$(resp "${@:1:$#-1}")" "$expected"
}

@test "GETRANGE counts from either end and clamps to the string" {
    expect_cmd SET k "Hello World" '+OK\r\n'
    expect_cmd GETRANGE k 0 4 '$5\r\nHello\r\n'
    expect_cmd GETRANGE k -5 -1 '$5\r\nWorld\r\n'
    expect_cmd getrange k 0 -1 '$11\r\nHello World\r\n'
    expect_cmd GETRANGE k 0 0 '$1\r\nH\r\n'
    expect_cmd GETRANGE k 10 10 '$1\r\nd\r\n'
    expect_cmd GETRANGE k -1 -1 '$1\r\nd\r\n'
    # Past either end: clamped to the string.
    expect_cmd GETRANGE k 0 100 '$11\r\nHello World\r\n'
    expect_cmd GETRANGE k -100 4 '$5\r\nHello\r\n'
    expect_cmd GETRANGE k -100 -1 '$11\r\nHello World\r\n'
    # Each index is clamped on its own: an end before the string becomes 0,
    # so this is the first byte, not an empty string (Redis 7.0 does this).
    expect_cmd GETRANGE k 0 -100 '$1\r\nH\r\n'
    # The extremes of a 64-bit index must not overflow.
    expect_cmd GETRANGE k -9223372036854775808 9223372036854775807 '$11\r\nHello World\r\n'
    expect_cmd GETRANGE k 0 -9223372036854775808 '$1\r\nH\r\n'
    # A value that looks like a number is still a string of bytes.
    expect_cmd SET n 12345 '+OK\r\n'
    expect_cmd GETRANGE n 1 2 '$2\r\n23\r\n'
}

@test "GETRANGE: an empty range or a missing key is an empty bulk string, not nil" {
    expect_cmd SET k "Hello World" '+OK\r\n'
    expect_cmd GETRANGE k 5 3 '$0\r\n\r\n'
    expect_cmd GETRANGE k 11 11 '$0\r\n\r\n'
    expect_cmd GETRANGE k 20 30 '$0\r\n\r\n'
    expect_cmd GETRANGE k 3 -100 '$0\r\n\r\n'
    expect_cmd GETRANGE k -1 -5 '$0\r\n\r\n'
    # Two negative indexes the wrong way round are empty, even when both
    # would be clamped to 0.
    expect_cmd GETRANGE k -100 -200 '$0\r\n\r\n'
    expect_cmd GETRANGE k 9223372036854775807 9223372036854775807 '$0\r\n\r\n'
    expect_cmd GETRANGE missing 0 -1 '$0\r\n\r\n'
    expect_cmd SET e "" '+OK\r\n'
    expect_cmd GETRANGE e 0 -1 '$0\r\n\r\n'
    expect_cmd GETRANGE e -1 -1 '$0\r\n\r\n'
}

@test "GETRANGE is binary-safe: CR, LF and NUL in values and keys" {
    # b holds the six bytes a \r \n \0 b c.
    expect_reply '*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$6\r\na\r\n\x00bc\r\n' '+OK\r\n'
    expect_cmd GETRANGE b 0 -1 '$6\r\na\r\n\x00bc\r\n'
    expect_cmd GETRANGE b 1 3 '$3\r\n\r\n\x00\r\n'
    expect_cmd GETRANGE b 3 3 '$1\r\n\x00\r\n'
    expect_cmd GETRANGE b -3 -1 '$3\r\n\x00bc\r\n'
    expect_cmd GETRANGE b 2 -2 '$3\r\n\n\x00b\r\n'
    # "b\0x" is another key than "b", and it does not exist.
    expect_reply '*4\r\n$8\r\nGETRANGE\r\n$3\r\nb\x00x\r\n$1\r\n0\r\n$2\r\n-1\r\n' '$0\r\n\r\n'
}

@test "GETRANGE: Redis's errors for bad indexes and a wrong number of arguments" {
    local not_integer='-ERR value is not an integer or out of range\r\n'
    local arity="-ERR wrong number of arguments for 'getrange' command\\r\\n"
    expect_cmd SET k "Hello World" '+OK\r\n'
    expect_cmd GETRANGE k a 1 "$not_integer"
    expect_cmd GETRANGE k 0 b "$not_integer"
    expect_cmd GETRANGE k 1.5 2 "$not_integer"
    expect_cmd GETRANGE k " 1" 2 "$not_integer"
    expect_cmd GETRANGE k +1 2 "$not_integer"
    expect_cmd GETRANGE k "" 2 "$not_integer"
    expect_cmd GETRANGE k 99999999999999999999 2 "$not_integer"
    # The indexes are checked before the key is looked up.
    expect_cmd GETRANGE missing a 1 "$not_integer"
    expect_cmd GETRANGE "$arity"
    expect_cmd GETRANGE k "$arity"
    expect_cmd GetRange k 0 "$arity"
    expect_cmd GETRANGE k 0 1 2 "$arity"
}

@test "GETRANGE is in the command table, and every other command is still found" {
    # COMMAND INFO: the name, arity 4, the flags, then first key 1, last key
    # 1, step 1. COMMAND DOCS: the name, then its documentation.
    local info_re='^\*1\\r\\n\*10\\r\\n\$8\\r\\ngetrange\\r\\n:4\\r\\n\*[0-9]+\\r\\n(\+[a-z]+\\r\\n)+:1\\r\\n:1\\r\\n:1\\r\\n'
    local docs_re='^\*2\\r\\n\$8\\r\\ngetrange\\r\\n'
    local received
    received=$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND INFO getrange)") || true
    [[ "$received" =~ $info_re ]] || {
        echo "COMMAND INFO getrange: expected the name, arity 4 and keys 1 1 1"
        echo "received: ${received:0:300}"
        return 1
    }
    received=$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND DOCS getrange)") || true
    [[ "$received" =~ $docs_re ]] || {
        echo "COMMAND DOCS getrange: expected an entry for getrange"
        echo "received: ${received:0:300}"
        return 1
    }
    # The table is binary-searched: an entry out of order hides others.
    local names=(append auth client command config dbsize decr decrby del echo exists
        expire flushall flushdb get getdel getrange hello incr incrby info keys mget
        mset persist pexpire ping pttl quit scan select set strlen ttl type)
    local name
    for name in "${names[@]}"; do
        received=$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND INFO "$name")") || true
        [[ "$received" == "*1\\r\\n*10\\r\\n\$${#name}\\r\\n$name\\r\\n"* ]] || {
            echo "COMMAND INFO $name: the command is not found (is the table still sorted?)"
            echo "received: ${received:0:300}"
            return 1
        }
    done
}
