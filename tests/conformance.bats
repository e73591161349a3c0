#!/usr/bin/env bats
# conformance.bats - the wire contract: for each request, the exact reply
# bytes Redis 7.0 sends, and whether the connection stays open.
#
# Every expectation here was taken from a real redis-server 7.0.15, and the
# file passes against it (STEP=redis). Requests and replies are written as
# wire escapes (\r \n \xHH); see tests/tools/wire.c. The few tests that must
# not run against Redis say so with an explicit skip.

load helpers

setup_file() {
    need_wire
    start_server
}

teardown_file() {
    stop_server
}

setup() {
    expect_cmd FLUSHALL '+OK\r\n'
}

teardown() {
    # A background client left over by a failed two-clients test.
    if [ -n "${CLIENT_B_PID:-}" ]; then
        kill "$CLIENT_B_PID" 2>/dev/null || true
        wait "$CLIENT_B_PID" 2>/dev/null || true
    fi
}

# command_request ARG...: set REQUEST to the multibulk encoding of ARG...,
# escaped for wire. It is resp without the subshell that "$(resp ...)"
# costs: forks are most of this file's running time.
command_request() {
    local arg
    REQUEST="*$#\\r\\n"
    for arg in "$@"; do
        REQUEST+="\$${#arg}\\r\\n${arg}\\r\\n"
    done
}

# expect_cmd ARG... EXPECTED: send ARG... as one command and expect the
# exact reply EXPECTED (the last argument), as expect_reply does.
expect_cmd() {
    local expected="${!#}"
    command_request "${@:1:$#-1}"
    expect_reply "$REQUEST" "$expected"
}

# expect_match ARG... REGEX: as expect_cmd, for replies that depend on the
# clock (TTLs). REGEX is matched against the reply as wire escapes it.
expect_match() {
    local regex="${!#}" received
    command_request "${@:1:$#-1}"
    received=$("$WIRE" -p "$PORT" -n 1 "$REQUEST") || true
    if ! [[ "$received" =~ $regex ]]; then
        echo "request:  $REQUEST"
        echo "expected: a reply matching $regex"
        if [ -z "$received" ]; then
            echo "received: no reply"
        else
            echo "received: $received"
        fi
        return 1
    fi
}

# sorted_keys PATTERN: KEYS PATTERN, whose order Redis leaves unspecified,
# as "N: key key ..." with the keys sorted (still escaped as wire prints them).
sorted_keys() {
    local reply count
    command_request KEYS "$1"
    reply=$("$WIRE" -p "$PORT" -n 1 "$REQUEST") || true
    count=${reply%%\\r\\n*}
    printf '%s: ' "${count#\*}"
    # One element per line; drop the "*N" header and the "$len" lines.
    printf '%s' "$reply" | sed 's/\\r\\n/\n/g' | sed 1d | awk 'NR % 2 == 0' | sort | paste -sd ' ' -
}

# expect_keys PATTERN EXPECTED: sorted_keys must print EXPECTED.
expect_keys() {
    local received
    received=$(sorted_keys "$1")
    if [ "$received" != "$2" ]; then
        echo "request:  KEYS $1"
        echo "expected: $2"
        echo "received: $received"
        return 1
    fi
}

# ---------------------------------------------------------------------------
# Connection commands

@test "PING replies +PONG" {
    expect_cmd PING '+PONG\r\n'
}

@test "PING with a message echoes it as a bulk string" {
    expect_cmd PING 'hello world' '$11\r\nhello world\r\n'
}

@test "PING with two arguments is an arity error" {
    expect_cmd PING a b "-ERR wrong number of arguments for 'ping' command\\r\\n"
}

@test "ECHO returns its argument, even an empty one" {
    expect_cmd ECHO hello '$5\r\nhello\r\n'
    expect_reply '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' '$0\r\n\r\n'
}

@test "ECHO with no argument or two arguments is an arity error" {
    expect_cmd ECHO "-ERR wrong number of arguments for 'echo' command\\r\\n"
    expect_cmd ECHO a b "-ERR wrong number of arguments for 'echo' command\\r\\n"
}

@test "QUIT replies +OK and then closes the connection" {
    expect_reply_and_close "$(resp QUIT)" '+OK\r\n'
    # QUIT's arity in Redis 7.0 is -1: it never fails on arguments.
    expect_reply_and_close "$(resp QUIT now please)" '+OK\r\n'
}

@test "commands pipelined after QUIT are not run" {
    expect_reply_and_close "$(resp QUIT)$(resp SET afterquit 1)" '+OK\r\n'
    expect_cmd EXISTS afterquit ':0\r\n'
}

@test "SELECT 0 succeeds" {
    expect_cmd SELECT 0 '+OK\r\n'
}

@test "SELECT 1 is out of range: there is one database" {
    [ "$STEP" = redis ] && skip "Redis has 16 databases"
    expect_cmd SELECT 1 '-ERR DB index is out of range\r\n'
}

@test "SELECT 16 and SELECT -1 are out of range, SELECT abc not an integer" {
    expect_cmd SELECT 16 '-ERR DB index is out of range\r\n'
    expect_cmd SELECT -1 '-ERR DB index is out of range\r\n'
    expect_cmd SELECT abc '-ERR value is not an integer or out of range\r\n'
}

@test "SELECT with no argument or two arguments is an arity error" {
    expect_cmd SELECT "-ERR wrong number of arguments for 'select' command\\r\\n"
    expect_cmd SELECT 0 1 "-ERR wrong number of arguments for 'select' command\\r\\n"
}

# ---------------------------------------------------------------------------
# Command names, unknown commands, arity

@test "command names are case-insensitive" {
    expect_cmd sEt k v '+OK\r\n'
    expect_cmd gEt k '$1\r\nv\r\n'
    expect_reply 'ping\r\n' '+PONG\r\n'
}

@test "option names are case-insensitive" {
    expect_cmd SET k v ex 100 nx '+OK\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "unknown command with args lists them quoted, each followed by a space" {
    expect_cmd foo a b "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \\r\\n"
}

@test "unknown command without args still says 'with args beginning with:'" {
    expect_cmd foo "-ERR unknown command 'foo', with args beginning with: \\r\\n"
}

@test "unknown command keeps the name as sent, not lowercased" {
    expect_cmd FoO x "-ERR unknown command 'FoO', with args beginning with: 'x' \\r\\n"
}

@test "unknown command on an inline request" {
    expect_reply 'foo "a b" c\r\n' "-ERR unknown command 'foo', with args beginning with: 'a b' 'c' \\r\\n"
}

@test "unknown command with an empty name" {
    expect_reply '*1\r\n$0\r\n\r\n' "-ERR unknown command '', with args beginning with: \\r\\n"
}

@test "unknown command: the name is cut at 128 bytes" {
    local name
    name=$(printf 'n%.0s' $(seq 1 200))
    expect_cmd "$name" "-ERR unknown command '${name:0:128}', with args beginning with: \\r\\n"
}

@test "unknown command: the args text is cut at 128 bytes" {
    # Redis appends "'arg' " while the text is under 128 bytes, and cuts the
    # argument that crosses the limit: 64 bytes of text, then 64 bytes of the
    # second argument, and the third is never shown.
    local a b
    a=$(printf 'a%.0s' $(seq 1 61))
    b=$(printf 'b%.0s' $(seq 1 100))
    expect_cmd foo "$a" "$b" ccc \
        "-ERR unknown command 'foo', with args beginning with: '$a' '${b:0:64}' \\r\\n"
}

@test "unknown command: no more arguments are listed once the text reaches 128 bytes" {
    # Each "'x' " is 4 bytes: exactly 32 of 40 arguments are shown.
    local args=() shown="" _
    for _ in $(seq 1 40); do args+=(x); done
    for _ in $(seq 1 32); do shown+="'x' "; done
    expect_cmd foo "${args[@]}" \
        "-ERR unknown command 'foo', with args beginning with: $shown\\r\\n"
}

@test "unknown command: CR and LF in the name or args become spaces" {
    # An error line must not contain CR or LF, so Redis maps them to spaces.
    expect_reply '*2\r\n$5\r\nfo\r\no\r\n$4\r\na\r\nb\r\n' \
        "-ERR unknown command 'fo  o', with args beginning with: 'a  b' \\r\\n"
}

@test "unknown command: an argument is shown only up to a NUL byte" {
    # Redis formats the arguments as C strings.
    expect_reply '*3\r\n$3\r\nfoo\r\n$3\r\na\x00b\r\n$3\r\nc\xffd\r\n' \
        "-ERR unknown command 'foo', with args beginning with: 'a' 'c\\xffd' \\r\\n"
}

@test "wrong number of arguments, for every command" {
    # The error names the command in lower case, whatever case was sent.
    local cases=(
        "get" "get a b" "GET" "set" "set k" "getdel" "getdel a b"
        "mget" "mset" "mset a" "mset a 1 b"
        "incr" "incr a b" "decr" "decr a b" "incrby a" "incrby a 1 2"
        "decrby a" "decrby a 1 2" "append a" "append a b c" "strlen" "strlen a b"
        "del" "exists" "type" "type a b" "keys" "keys a b" "dbsize x"
        "expire k" "pexpire k" "ttl" "ttl a b" "pttl" "pttl a b"
        "persist" "persist a b" "ping a b" "echo" "select"
    )
    local c name
    for c in "${cases[@]}"; do
        name=${c%% *}
        # shellcheck disable=SC2086 # split the case into its words
        expect_cmd $c "-ERR wrong number of arguments for '${name,,}' command\\r\\n"
    done
}

# ---------------------------------------------------------------------------
# GET and SET

@test "GET of a missing key is a null bulk string" {
    expect_cmd GET missing '$-1\r\n'
}

@test "SET then GET, and SET again overwrites" {
    expect_cmd SET k hello '+OK\r\n'
    expect_cmd GET k '$5\r\nhello\r\n'
    expect_cmd SET k one '+OK\r\n'
    expect_cmd SET k two '+OK\r\n'
    expect_cmd GET k '$3\r\ntwo\r\n'
}

@test "SET of an empty value" {
    expect_reply '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n' '+OK\r\n'
    expect_cmd GET k '$0\r\n\r\n'
    expect_cmd EXISTS k ':1\r\n'
}

@test "SET with EX then TTL" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    # TTL rounds to the nearest second; a slow machine may lose a few.
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "SET with PX then PTTL" {
    expect_cmd SET k v PX 100000 '+OK\r\n'
    expect_match PTTL k '^:(9[5-9][0-9][0-9][0-9]|100000)\\r\\n$'
}

@test "SET with EXAT then TTL" {
    local now
    now=$(date +%s)
    expect_cmd SET k v EXAT $((now + 100)) '+OK\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "SET with PXAT then PTTL" {
    local now
    now=$(date +%s)
    expect_cmd SET k v PXAT $((now * 1000 + 100000)) '+OK\r\n'
    # now was truncated to the second, so up to 1000 ms more may be gone.
    expect_match PTTL k '^:(9[4-9][0-9][0-9][0-9]|100000)\\r\\n$'
}

@test "SET with EXAT or PXAT in the past stores nothing" {
    expect_cmd SET k v EXAT 1 '+OK\r\n'
    expect_cmd EXISTS k ':0\r\n'
    expect_cmd SET k v PXAT 1 '+OK\r\n'
    expect_cmd GET k '$-1\r\n'
}

@test "SET with EX 0 or a negative EX is an invalid expire time" {
    expect_cmd SET k v EX 0 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v EX -1 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v PX 0 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v px -1 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v EXAT 0 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v PXAT -5 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd EXISTS k ':0\r\n'
}

@test "SET with an expire time that overflows in milliseconds is invalid" {
    expect_cmd SET k v EX 9223372036854775807 "-ERR invalid expire time in 'set' command\\r\\n"
    expect_cmd SET k v EXAT 9223372036854775807 "-ERR invalid expire time in 'set' command\\r\\n"
    # PX is added to the current time, which overflows too.
    expect_cmd SET k v PX 9223372036854775807 "-ERR invalid expire time in 'set' command\\r\\n"
}

@test "SET with a non-integer expire time is an integer error" {
    expect_cmd SET k v EX abc '-ERR value is not an integer or out of range\r\n'
    expect_cmd SET k v PX 1.5 '-ERR value is not an integer or out of range\r\n'
    expect_cmd SET k v EXAT abc '-ERR value is not an integer or out of range\r\n'
}

@test "SET with EX but no value is a syntax error" {
    expect_cmd SET k v EX '-ERR syntax error\r\n'
}

@test "SET with an unknown option is a syntax error" {
    expect_cmd SET k v FOO '-ERR syntax error\r\n'
    expect_cmd EXISTS k ':0\r\n'
}

@test "SET with NX and XX together is a syntax error" {
    expect_cmd SET k v NX XX '-ERR syntax error\r\n'
    expect_cmd SET k v xx nx GET '-ERR syntax error\r\n'
}

@test "SET with two different expire options is a syntax error" {
    expect_cmd SET k v EX 10 PX 10000 '-ERR syntax error\r\n'
    expect_cmd SET k v EX 10 KEEPTTL '-ERR syntax error\r\n'
    expect_cmd SET k v KEEPTTL PX 5000 '-ERR syntax error\r\n'
    expect_cmd SET k v EXAT 10 PXAT 10 '-ERR syntax error\r\n'
}

@test "SET may repeat the same option; the last value wins" {
    expect_cmd SET k v EX 10 EX 200 '+OK\r\n'
    expect_match TTL k '^:(19[5-9]|200)\\r\\n$'
    expect_cmd SET k v NX NX '$-1\r\n'
}

@test "SET NX sets a missing key; on an existing one replies nil and changes nothing" {
    expect_cmd SET k old NX '+OK\r\n'
    expect_cmd SET k new NX '$-1\r\n'
    expect_cmd GET k '$3\r\nold\r\n'
}

@test "SET XX on a missing key replies nil and stores nothing; on an existing one sets" {
    expect_cmd SET k v XX '$-1\r\n'
    expect_cmd EXISTS k ':0\r\n'
    expect_cmd SET k old '+OK\r\n'
    expect_cmd SET k new XX '+OK\r\n'
    expect_cmd GET k '$3\r\nnew\r\n'
}

@test "SET without KEEPTTL removes the TTL" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd SET k w '+OK\r\n'
    expect_cmd TTL k ':-1\r\n'
}

@test "SET with KEEPTTL keeps the TTL" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd SET k w KEEPTTL '+OK\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
    expect_cmd GET k '$1\r\nw\r\n'
}

@test "SET with GET returns the old value, or nil for a missing key" {
    expect_cmd SET k old GET '$-1\r\n'
    expect_cmd SET k new GET '$3\r\nold\r\n'
    expect_cmd GET k '$3\r\nnew\r\n'
}

@test "SET with NX and GET on an existing key returns the old value and does not set" {
    expect_cmd SET k old '+OK\r\n'
    expect_cmd SET k new NX GET '$3\r\nold\r\n'
    expect_cmd GET k '$3\r\nold\r\n'
}

@test "SET with XX and GET on a missing key returns nil and does not set" {
    expect_cmd SET k v XX GET '$-1\r\n'
    expect_cmd EXISTS k ':0\r\n'
}

@test "SET with GET and KEEPTTL" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd SET k w GET KEEPTTL '$1\r\nv\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "a key set with PX 100 is gone 300 ms later" {
    expect_cmd SET k v PX 100 '+OK\r\n'
    sleep 0.3
    expect_cmd GET k '$-1\r\n'
    expect_cmd EXISTS k ':0\r\n'
    expect_cmd TTL k ':-2\r\n'
}

@test "KEYS does not list an expired key" {
    expect_cmd SET gone v PX 100 '+OK\r\n'
    expect_cmd SET stays v '+OK\r\n'
    sleep 0.3
    expect_cmd KEYS '*' '*1\r\n$5\r\nstays\r\n'
}

# ---------------------------------------------------------------------------
# GETDEL, MGET, MSET

@test "GETDEL returns the value and deletes the key; nil for a missing key" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd GETDEL k '$1\r\nv\r\n'
    expect_cmd EXISTS k ':0\r\n'
    expect_cmd GETDEL k '$-1\r\n'
}

@test "MGET returns an array with nil for missing keys" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd SET c 333 '+OK\r\n'
    expect_cmd MGET a b c a '*4\r\n$1\r\n1\r\n$-1\r\n$3\r\n333\r\n$1\r\n1\r\n'
}

@test "MSET sets every pair" {
    expect_cmd MSET a 1 b 2 a 3 '+OK\r\n'
    expect_cmd MGET a b '*2\r\n$1\r\n3\r\n$1\r\n2\r\n'
}

@test "MSET with an odd number of arguments is an arity error and sets nothing" {
    expect_cmd MSET a 1 b "-ERR wrong number of arguments for 'mset' command\\r\\n"
    expect_cmd EXISTS a b ':0\r\n'
}

@test "MSET removes an existing TTL" {
    expect_cmd SET a v EX 100 '+OK\r\n'
    expect_cmd MSET a w '+OK\r\n'
    expect_cmd TTL a ':-1\r\n'
}

# ---------------------------------------------------------------------------
# INCR, DECR, INCRBY, DECRBY

@test "INCR and DECR of a missing key start from 0" {
    expect_cmd INCR n ':1\r\n'
    expect_cmd INCR n ':2\r\n'
    expect_cmd GET n '$1\r\n2\r\n'
    expect_cmd DECR m ':-1\r\n'
    expect_cmd DECR m ':-2\r\n'
}

@test "INCRBY and DECRBY" {
    expect_cmd SET n -5 '+OK\r\n'
    expect_cmd INCRBY n 10 ':5\r\n'
    expect_cmd INCRBY n -20 ':-15\r\n'
    expect_cmd DECRBY n 5 ':-20\r\n'
    expect_cmd DECRBY n -30 ':10\r\n'
    expect_cmd GET n '$2\r\n10\r\n'
}

@test "INCR of a value that is not an integer" {
    local value
    # Redis accepts only its canonical integer form: no spaces, no sign
    # other than '-', no leading zeros, no "-0", nothing after the digits.
    for value in abc ' 1' '1 ' 007 +1 -0 1.5 12345678901234567890 '1a'; do
        expect_cmd SET n "$value" '+OK\r\n'
        expect_cmd INCR n '-ERR value is not an integer or out of range\r\n'
    done
}

@test "INCR of an empty string is an integer error" {
    expect_reply '*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$0\r\n\r\n' '+OK\r\n'
    expect_cmd INCR n '-ERR value is not an integer or out of range\r\n'
}

@test "INCRBY with an increment that is not an integer" {
    local inc
    for inc in abc ' 1' 01 +1 1.0 9223372036854775808; do
        expect_cmd INCRBY n "$inc" '-ERR value is not an integer or out of range\r\n'
        expect_cmd DECRBY n "$inc" '-ERR value is not an integer or out of range\r\n'
    done
    expect_cmd EXISTS n ':0\r\n'
}

@test "INCR at the 64-bit maximum would overflow" {
    expect_cmd SET n 9223372036854775807 '+OK\r\n'
    expect_cmd INCR n '-ERR increment or decrement would overflow\r\n'
    expect_cmd INCRBY n 1 '-ERR increment or decrement would overflow\r\n'
    expect_cmd DECRBY n -1 '-ERR increment or decrement would overflow\r\n'
    expect_cmd INCRBY n 0 ':9223372036854775807\r\n'
}

@test "DECR at the 64-bit minimum would overflow" {
    expect_cmd SET n -9223372036854775808 '+OK\r\n'
    expect_cmd DECR n '-ERR increment or decrement would overflow\r\n'
    expect_cmd INCRBY n -1 '-ERR increment or decrement would overflow\r\n'
    expect_cmd DECRBY n 1 '-ERR increment or decrement would overflow\r\n'
    expect_cmd GET n '$20\r\n-9223372036854775808\r\n'
}

@test "INCRBY reaches the 64-bit limits exactly" {
    expect_cmd INCRBY a 9223372036854775807 ':9223372036854775807\r\n'
    expect_cmd SET b -1 '+OK\r\n'
    expect_cmd DECRBY b 9223372036854775807 ':-9223372036854775808\r\n'
}

@test "DECRBY of the 64-bit minimum cannot be negated" {
    # A distinct message: DECRBY negates its argument first.
    expect_cmd DECRBY n -9223372036854775808 '-ERR decrement would overflow\r\n'
}

@test "INCR keeps the TTL" {
    expect_cmd SET n 5 EX 100 '+OK\r\n'
    expect_cmd INCR n ':6\r\n'
    expect_match TTL n '^:(9[5-9]|100)\\r\\n$'
}

# ---------------------------------------------------------------------------
# APPEND, STRLEN, DEL, EXISTS, TYPE

@test "APPEND creates a missing key and returns the new length" {
    expect_cmd APPEND k hello ':5\r\n'
    expect_cmd APPEND k ' world' ':11\r\n'
    expect_cmd GET k '$11\r\nhello world\r\n'
}

@test "APPEND keeps the TTL" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd APPEND k w ':2\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "APPEND to a number makes a string that INCR still parses" {
    expect_cmd INCR k ':1\r\n'
    expect_cmd APPEND k 0 ':2\r\n'
    expect_cmd INCR k ':11\r\n'
}

@test "STRLEN of a value, of a missing key and of a number" {
    expect_cmd SET k hello '+OK\r\n'
    expect_cmd STRLEN k ':5\r\n'
    expect_cmd STRLEN missing ':0\r\n'
    # A number counts its digits and sign.
    expect_cmd INCRBY n -1234 ':-1234\r\n'
    expect_cmd STRLEN n ':5\r\n'
}

@test "DEL counts the keys it removed, each once" {
    expect_cmd MSET a 1 b 2 '+OK\r\n'
    expect_cmd DEL a missing a b ':2\r\n'
    expect_cmd DEL a ':0\r\n'
}

@test "EXISTS counts duplicates" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd EXISTS a a missing a ':3\r\n'
    expect_cmd EXISTS missing ':0\r\n'
}

@test "TYPE is string or none" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd TYPE a '+string\r\n'
    expect_cmd TYPE missing '+none\r\n'
}

# ---------------------------------------------------------------------------
# KEYS, DBSIZE, FLUSHDB, FLUSHALL

@test "KEYS * lists every key" {
    expect_cmd MSET one 1 two 2 three 3 '+OK\r\n'
    expect_keys '*' '3: one three two'
}

@test "KEYS on an empty database and with no match is an empty array" {
    expect_cmd KEYS '*' '*0\r\n'
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd KEYS 'zz*' '*0\r\n'
}

@test "KEYS with ? matches one character" {
    expect_cmd MSET hello 1 hallo 2 hllo 3 heello 4 '+OK\r\n'
    expect_keys 'h?llo' '2: hallo hello'
}

@test "KEYS with * in the middle" {
    expect_cmd MSET hello 1 hallo 2 hllo 3 heello 4 help 5 '+OK\r\n'
    expect_keys 'h*llo' '4: hallo heello hello hllo'
}

@test "KEYS with a set [ae]" {
    expect_cmd MSET hello 1 hallo 2 hxllo 3 '+OK\r\n'
    expect_keys 'h[ae]llo' '2: hallo hello'
}

@test "KEYS with a negated set [^e]" {
    expect_cmd MSET hello 1 hallo 2 hxllo 3 '+OK\r\n'
    expect_keys 'h[^e]llo' '2: hallo hxllo'
}

@test "KEYS with a range [a-c]" {
    expect_cmd MSET hallo 1 hbllo 2 hcllo 3 hdllo 4 '+OK\r\n'
    expect_keys 'h[a-c]llo' '3: hallo hbllo hcllo'
}

@test "KEYS with a reversed range [c-a] matches as [a-c]" {
    expect_cmd MSET hallo 1 hbllo 2 hdllo 4 '+OK\r\n'
    expect_keys 'h[c-a]llo' '2: hallo hbllo'
}

@test "KEYS: ! does not negate a set, only ^ does" {
    expect_cmd MSET hello 1 hallo 2 'h!llo' 3 '+OK\r\n'
    expect_keys 'h[!e]llo' '2: h!llo hello'
}

@test "KEYS is case-sensitive" {
    expect_cmd MSET hello 1 HELLO 2 '+OK\r\n'
    expect_cmd KEYS 'H*' '*1\r\n$5\r\nHELLO\r\n'
}

@test "KEYS with escaped glob characters matches them literally" {
    expect_cmd MSET hello 1 'h*llo' 2 'h?llo' 3 'a[b' 4 '+OK\r\n'
    # Patterns h\*llo, h\?llo, a\[b
    expect_reply '*2\r\n$4\r\nKEYS\r\n$6\r\nh\\*llo\r\n' '*1\r\n$5\r\nh*llo\r\n'
    expect_reply '*2\r\n$4\r\nKEYS\r\n$6\r\nh\\?llo\r\n' '*1\r\n$5\r\nh?llo\r\n'
    expect_reply '*2\r\n$4\r\nKEYS\r\n$4\r\na\\[b\r\n' '*1\r\n$3\r\na[b\r\n'
}

@test "KEYS with an escaped backslash" {
    # Key a\b (3 bytes), pattern a\\b (4 bytes).
    expect_reply '*3\r\n$3\r\nSET\r\n$3\r\na\\b\r\n$1\r\n1\r\n' '+OK\r\n'
    expect_cmd SET ab 2 '+OK\r\n'
    expect_reply '*2\r\n$4\r\nKEYS\r\n$4\r\na\\\\b\r\n' '*1\r\n$3\r\na\\b\r\n'
}

@test "DBSIZE counts keys" {
    expect_cmd DBSIZE ':0\r\n'
    expect_cmd MSET a 1 b 2 c 3 '+OK\r\n'
    expect_cmd DBSIZE ':3\r\n'
}

@test "FLUSHDB and FLUSHALL remove every key" {
    expect_cmd MSET a 1 b 2 '+OK\r\n'
    expect_cmd FLUSHDB '+OK\r\n'
    expect_cmd DBSIZE ':0\r\n'
    expect_cmd MSET a 1 b 2 '+OK\r\n'
    expect_cmd FLUSHALL '+OK\r\n'
    expect_cmd KEYS '*' '*0\r\n'
}

@test "FLUSHDB and FLUSHALL accept ASYNC and SYNC" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd FLUSHDB ASYNC '+OK\r\n'
    expect_cmd FLUSHDB sync '+OK\r\n'
    expect_cmd FLUSHALL SYNC '+OK\r\n'
    expect_cmd FLUSHALL async '+OK\r\n'
    expect_cmd DBSIZE ':0\r\n'
}

@test "FLUSHDB and FLUSHALL with another argument are syntax errors" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd FLUSHDB foo '-ERR syntax error\r\n'
    expect_cmd FLUSHALL foo '-ERR syntax error\r\n'
    expect_cmd FLUSHDB ASYNC extra '-ERR syntax error\r\n'
    expect_cmd DBSIZE ':1\r\n'
}

# ---------------------------------------------------------------------------
# SCAN
#
# Which keys one SCAN call returns, and in what order, depends on the hash
# function's random seed: only whole walks (cursor 0 back to 0) and tables
# small enough for one call (4 buckets: up to 4 keys) have fixed answers.

# scan_walk [OPTION...]: SCAN from cursor 0 until the cursor is 0 again,
# with the options given; prints every key returned, one a line, in the
# order returned (escaped as wire prints them), and sets SCAN_CALLS.
scan_walk() {
    local cursor=0 reply lines
    SCAN_CALLS=0
    while :; do
        command_request SCAN "$cursor" "$@"
        reply=$("$WIRE" -p "$PORT" -n 1 "$REQUEST") || { echo "no reply to SCAN $cursor"; return 1; }
        # *2 $len cursor *N $len key $len key ...: one element a line.
        lines=$(printf '%s' "$reply" | sed 's/\\r\\n/\n/g')
        [ "$(printf '%s\n' "$lines" | sed -n 1p)" = '*2' ] || { echo "not a SCAN reply: $reply"; return 1; }
        cursor=$(printf '%s\n' "$lines" | sed -n 3p)
        printf '%s\n' "$lines" | sed 1,4d | awk 'NR % 2 == 0'
        SCAN_CALLS=$((SCAN_CALLS + 1))
        [ "$cursor" != 0 ] || break
        [ "$SCAN_CALLS" -lt 100000 ] || { echo "the cursor never came back to 0"; return 1; }
    done
}

# mset_many PREFIX N: MSET PREFIX1 .. PREFIXN in one command.
mset_many() {
    local args=() i
    for ((i = 1; i <= $2; i++)); do args+=("$1$i" v); done
    expect_cmd MSET "${args[@]}" '+OK\r\n'
}

@test "SCAN on an empty database: cursor 0 and no keys, whatever the cursor" {
    expect_cmd SCAN 0 '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 12345 '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 MATCH 'x*' COUNT 5 TYPE string '*2\r\n$1\r\n0\r\n*0\r\n'
}

@test "SCAN walks every key exactly once when nothing changes meanwhile" {
    mset_many key: 500
    local want got
    want=$(for ((i = 1; i <= 500; i++)); do echo "key:$i"; done | sort)
    # A walk of many calls (COUNT 7), and one of the default COUNT 10.
    scan_walk COUNT 7 >"$BATS_TEST_TMPDIR/keys" || { cat "$BATS_TEST_TMPDIR/keys"; return 1; }
    got=$(sort "$BATS_TEST_TMPDIR/keys")
    [ "$SCAN_CALLS" -gt 10 ] || { echo "only $SCAN_CALLS calls"; return 1; }
    [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | head; return 1; }
    scan_walk >"$BATS_TEST_TMPDIR/keys" || { cat "$BATS_TEST_TMPDIR/keys"; return 1; }
    got=$(sort "$BATS_TEST_TMPDIR/keys")
    [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") | head; return 1; }
}

@test "SCAN with a small table returns every key in one call" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd SCAN 0 '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
    # The cursor is read as strtoul reads it: these are all 0.
    expect_cmd SCAN 00 '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
    expect_cmd SCAN +0 '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
    expect_cmd SCAN '' '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
    expect_cmd SCAN -0 '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
}

@test "SCAN MATCH filters the keys with a glob pattern" {
    expect_cmd MSET hello 1 hallo 2 hxllo 3 '+OK\r\n'
    expect_cmd SCAN 0 MATCH 'hx*' '*2\r\n$1\r\n0\r\n*1\r\n$5\r\nhxllo\r\n'
    expect_cmd SCAN 0 MATCH 'nothing' '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd FLUSHALL '+OK\r\n'
    mset_many key: 300
    local got
    got=$(scan_walk MATCH 'key:1?' COUNT 20 | sort | paste -sd ' ' -)
    [ "$got" = "key:10 key:11 key:12 key:13 key:14 key:15 key:16 key:17 key:18 key:19" ] ||
        { echo "received: $got"; return 1; }
}

@test "SCAN MATCH * returns the empty key, which ** does not match" {
    expect_cmd SET '' v '+OK\r\n'
    expect_cmd SCAN 0 MATCH '*' '*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n'
    expect_cmd SCAN 0 MATCH '**' '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 MATCH '' '*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n'
}

@test "SCAN COUNT is a hint: a big one walks all at once, a small one stops early" {
    mset_many key: 300
    local reply
    command_request SCAN 0 COUNT 1000
    reply=$("$WIRE" -p "$PORT" -n 1 "$REQUEST")
    [[ "$reply" == '*2\r\n$1\r\n0\r\n*300\r\n'* ]] || { echo "received: ${reply:0:100}"; return 1; }
    command_request SCAN 0 COUNT 5
    reply=$("$WIRE" -p "$PORT" -n 1 "$REQUEST")
    [[ "$reply" =~ ^\*2\\r\\n\$[0-9]+\\r\\n[1-9][0-9]*\\r\\n\*([0-9]+)\\r\\n ]] ||
        { echo "not a cursor other than 0: ${reply:0:100}"; return 1; }
    [ "${BASH_REMATCH[1]}" -lt 300 ] || { echo "all keys at once with COUNT 5"; return 1; }
    # Options may repeat: the last COUNT counts.
    expect_cmd FLUSHALL '+OK\r\n'
    expect_cmd SET k v '+OK\r\n'
    expect_cmd SCAN 0 COUNT 1 COUNT 100 '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n'
}

@test "SCAN TYPE: string is every key here; any other name, known or not, none" {
    expect_cmd SET s 1 '+OK\r\n'
    expect_cmd SCAN 0 TYPE string '*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n'
    expect_cmd scan 0 type STRING '*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n'
    expect_cmd SCAN 0 TYPE hash '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 TYPE list '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 TYPE none '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 TYPE nosuchtype '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN 0 TYPE str '*2\r\n$1\r\n0\r\n*0\r\n'
}

@test "SCAN does not return an expired key" {
    expect_cmd SET gone v PX 100 '+OK\r\n'
    expect_cmd SET stays v '+OK\r\n'
    sleep 0.3
    expect_cmd SCAN 0 '*2\r\n$1\r\n0\r\n*1\r\n$5\r\nstays\r\n'
}

@test "SCAN with a cursor that is not a number is an invalid cursor" {
    local cursor
    for cursor in abc ' 1' '1 ' $'\t1' - + +-1 0x10 1e3 1.5 18446744073709551616 -18446744073709551616; do
        expect_cmd SCAN "$cursor" '-ERR invalid cursor\r\n'
    done
    # The cursor is checked first.
    expect_cmd SCAN abc COUNT 0 '-ERR invalid cursor\r\n'
    # The largest cursors are accepted (strtoul takes a '-' and negates).
    expect_cmd SCAN 18446744073709551615 '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN -1 '*2\r\n$1\r\n0\r\n*0\r\n'
    expect_cmd SCAN -18446744073709551615 '*2\r\n$1\r\n0\r\n*0\r\n'
}

@test "SCAN's option errors: COUNT below 1, not an integer, a missing value, an unknown option" {
    expect_cmd SCAN 0 COUNT 0 '-ERR syntax error\r\n'
    expect_cmd SCAN 0 COUNT -1 '-ERR syntax error\r\n'
    expect_cmd SCAN 0 COUNT x '-ERR value is not an integer or out of range\r\n'
    expect_cmd SCAN 0 COUNT 1.5 '-ERR value is not an integer or out of range\r\n'
    expect_cmd SCAN 0 COUNT +5 '-ERR value is not an integer or out of range\r\n'
    expect_cmd SCAN 0 COUNT 9223372036854775808 '-ERR value is not an integer or out of range\r\n'
    expect_cmd SCAN 0 COUNT '-ERR syntax error\r\n'
    expect_cmd SCAN 0 MATCH '-ERR syntax error\r\n'
    expect_cmd SCAN 0 TYPE '-ERR syntax error\r\n'
    expect_cmd SCAN 0 MATCH '*' TYPE '-ERR syntax error\r\n'
    expect_cmd SCAN 0 FOO '-ERR syntax error\r\n'
    expect_cmd SCAN 0 FOO bar '-ERR syntax error\r\n'
    # Options are read in order: the first error found is the reply.
    expect_cmd SCAN 0 COUNT x FOO '-ERR value is not an integer or out of range\r\n'
    expect_cmd SCAN 0 FOO COUNT x '-ERR syntax error\r\n'
    expect_cmd SCAN '-ERR wrong number of arguments for '\''scan'\'' command\r\n'
}

# ---------------------------------------------------------------------------
# EXPIRE, PEXPIRE, TTL, PTTL, PERSIST

@test "TTL and PTTL are -2 for a missing key and -1 for a key without expiry" {
    expect_cmd TTL missing ':-2\r\n'
    expect_cmd PTTL missing ':-2\r\n'
    expect_cmd SET k v '+OK\r\n'
    expect_cmd TTL k ':-1\r\n'
    expect_cmd PTTL k ':-1\r\n'
}

@test "EXPIRE then TTL, PEXPIRE then PTTL; 0 for a missing key" {
    expect_cmd EXPIRE missing 100 ':0\r\n'
    expect_cmd PEXPIRE missing 100 ':0\r\n'
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 100 ':1\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
    expect_cmd PEXPIRE k 200000 ':1\r\n'
    expect_match PTTL k '^:(19[5-9][0-9][0-9][0-9]|200000)\\r\\n$'
}

@test "EXPIRE with 0 or a negative time deletes the key and replies 1" {
    expect_cmd MSET a 1 b 2 '+OK\r\n'
    expect_cmd EXPIRE a 0 ':1\r\n'
    expect_cmd PEXPIRE b -5 ':1\r\n'
    expect_cmd EXISTS a b ':0\r\n'
}

@test "a key given PEXPIRE 100 is gone 300 ms later" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd PEXPIRE k 100 ':1\r\n'
    sleep 0.3
    expect_cmd GET k '$-1\r\n'
}

@test "EXPIRE NX sets only when there is no TTL" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 100 NX ':1\r\n'
    expect_cmd EXPIRE k 200 NX ':0\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "EXPIRE XX sets only when there is a TTL" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 100 XX ':0\r\n'
    expect_cmd TTL k ':-1\r\n'
    expect_cmd EXPIRE k 100 ':1\r\n'
    expect_cmd EXPIRE k 200 xx ':1\r\n'
    expect_match TTL k '^:(19[5-9]|200)\\r\\n$'
}

@test "EXPIRE GT sets only a longer TTL; no TTL counts as infinite" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 100 GT ':0\r\n'
    expect_cmd TTL k ':-1\r\n'
    expect_cmd EXPIRE k 100 ':1\r\n'
    expect_cmd EXPIRE k 50 GT ':0\r\n'
    expect_cmd EXPIRE k 200 GT ':1\r\n'
    expect_match TTL k '^:(19[5-9]|200)\\r\\n$'
}

@test "EXPIRE LT sets only a shorter TTL; no TTL counts as infinite" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 200 LT ':1\r\n'
    expect_cmd EXPIRE k 300 LT ':0\r\n'
    expect_cmd EXPIRE k 100 LT ':1\r\n'
    expect_match TTL k '^:(9[5-9]|100)\\r\\n$'
}

@test "EXPIRE XX GT together is allowed" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd EXPIRE k 200 XX GT ':1\r\n'
    expect_cmd EXPIRE k 10 XX GT ':0\r\n'
}

@test "PEXPIRE with GT and LT" {
    expect_cmd SET k v PX 100000 '+OK\r\n'
    expect_cmd PEXPIRE k 500000 GT ':1\r\n'
    expect_cmd PEXPIRE k 600000 LT ':0\r\n'
    expect_match PTTL k '^:(49[5-9][0-9][0-9][0-9]|500000)\\r\\n$'
}

@test "EXPIRE with NX and XX, GT or LT together is an error" {
    expect_cmd SET k v '+OK\r\n'
    local opts
    for opts in "NX XX" "NX GT" "NX LT" "xx nx"; do
        # shellcheck disable=SC2086 # split the options
        expect_cmd EXPIRE k 10 $opts \
            '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'
    done
    expect_cmd PEXPIRE k 10 NX XX \
        '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'
    expect_cmd TTL k ':-1\r\n'
}

@test "EXPIRE with GT and LT together is an error" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 10 GT LT '-ERR GT and LT options at the same time are not compatible\r\n'
    expect_cmd PEXPIRE k 10 LT GT '-ERR GT and LT options at the same time are not compatible\r\n'
}

@test "EXPIRE with an unknown option names it as sent" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 10 FoO '-ERR Unsupported option FoO\r\n'
    # Options are checked before the key is looked up.
    expect_cmd EXPIRE missing 10 BAR '-ERR Unsupported option BAR\r\n'
}

@test "EXPIRE with a non-integer time is an integer error" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k abc '-ERR value is not an integer or out of range\r\n'
    expect_cmd EXPIRE k 1.5 '-ERR value is not an integer or out of range\r\n'
    expect_cmd PEXPIRE k ' 100' '-ERR value is not an integer or out of range\r\n'
}

@test "EXPIRE with a time that overflows is an invalid expire time" {
    expect_cmd SET k v '+OK\r\n'
    expect_cmd EXPIRE k 9223372036854775807 "-ERR invalid expire time in 'expire' command\\r\\n"
    expect_cmd EXPIRE k -9223372036854775808 "-ERR invalid expire time in 'expire' command\\r\\n"
    expect_cmd PEXPIRE k 9223372036854775807 "-ERR invalid expire time in 'pexpire' command\\r\\n"
    expect_cmd TTL k ':-1\r\n'
}

@test "PERSIST removes a TTL once; 0 for a missing key" {
    expect_cmd SET k v EX 100 '+OK\r\n'
    expect_cmd PERSIST k ':1\r\n'
    expect_cmd TTL k ':-1\r\n'
    expect_cmd PERSIST k ':0\r\n'
    expect_cmd PERSIST missing ':0\r\n'
}

# ---------------------------------------------------------------------------
# INFO, CONFIG, COMMAND: only what holds for both servers

@test "INFO is a bulk string that starts with # Server and has the client counters" {
    local out="$BATS_TEST_TMPDIR/info"
    "$WIRE" -p "$PORT" -n 1 -o "$out" "$(resp INFO)"
    local header
    header=$(head -n 1 "$out")
    [[ "$header" =~ ^\$([0-9]+)$'\r'$ ]] || { echo "not a bulk string: $header"; return 1; }
    local len=${BASH_REMATCH[1]} size
    size=$(wc -c <"$out")
    # The declared length must match the payload: header, payload, CRLF.
    [ "$size" -eq $((${#header} + 1 + len + 2)) ] || { echo "length $len but $size bytes in all"; return 1; }
    local body
    body=$(tail -c +$((${#header} + 2)) "$out")
    [[ "$body" == "# Server"$'\r\n'* ]] || { echo "does not start with # Server"; return 1; }
    local field
    for field in connected_clients total_connections_received total_commands_processed; do
        grep -q "^$field:[0-9]*"$'\r'"\$" "$out" || { echo "no $field:N line"; return 1; }
    done
}

@test "INFO has a db0:keys=N line only once keys exist" {
    local info
    info=$(send "$(resp INFO)")
    [[ "$info" == '$'* ]] || { echo "not a bulk string: $info"; return 1; }
    [[ "$info" != *'db0:'* ]] || { echo "db0 line in: $info"; return 1; }
    expect_cmd MSET a 1 b 2 c 3 '+OK\r\n'
    info=$(send "$(resp INFO)")
    [[ "$info" == *'\r\ndb0:keys=3,'* ]] || { echo "no db0:keys=3 in: $info"; return 1; }
}

# info_text FILE ARG...: INFO ARG... as raw text in FILE, without the bulk
# string's header and final CRLF (checked against the declared length).
info_text() {
    local file="$1" raw="$BATS_TEST_TMPDIR/info.raw"
    shift
    command_request INFO "$@"
    "$WIRE" -p "$PORT" -n 1 -o "$raw" "$REQUEST"
    local header len size
    header=$(head -n 1 "$raw")
    [[ "$header" =~ ^\$([0-9]+)$'\r'$ ]] || { echo "INFO $*: not a bulk string: $header"; return 1; }
    len=${BASH_REMATCH[1]}
    size=$(wc -c <"$raw")
    [ "$size" -eq $((${#header} + 1 + len + 2)) ] || { echo "INFO $*: length $len, $size bytes"; return 1; }
    tail -c +$((${#header} + 2)) "$raw" | head -c "$len" >"$file"
}

# info_titles ARG...: the section titles INFO ARG... shows, one a line.
info_titles() {
    local text="$BATS_TEST_TMPDIR/info.txt"
    info_text "$text" "$@" || return 1
    sed -n 's/^# \(.*\)\r$/\1/p' "$text"
}

# ours_of TITLES: of the section titles given one a line, those we show
# too, joined by commas.
ours_of() {
    grep -xE 'Server|Clients|Memory|Stats|CPU|Commandstats|Keyspace' <<<"$1" | paste -sd, -
}

@test "INFO with no argument shows the default sections, in Redis's order" {
    local titles
    titles=$(info_titles) || { echo "$titles"; return 1; }
    # Redis 7.0 shows more (Persistence, Replication, ...) between these.
    [ "$(ours_of "$titles")" = Server,Clients,Memory,Stats,CPU,Keyspace ] ||
        { echo "sections:" $titles; return 1; }
    [ "$(info_titles default)" = "$titles" ]
}

@test "INFO with section names shows those, in Redis's order, in any case" {
    [ "$(info_titles cpu)" = CPU ]
    [ "$(info_titles CPU memory)" = $'Memory\nCPU' ]
    [ "$(info_titles commandstats Commandstats)" = Commandstats ]
    [ "$(info_titles keyspace nosuch server)" = $'Server\nKeyspace' ]
    expect_cmd INFO nosuch '$0\r\n\r\n'
    expect_cmd INFO keyspace '$12\r\n# Keyspace\r\n\r\n'
}

@test "INFO all and everything: every section, framed as Redis frames them" {
    local text="$BATS_TEST_TMPDIR/all.txt" arg titles
    for arg in all everything; do
        info_text "$text" "$arg"
        titles=$(sed -n 's/^# \(.*\)\r$/\1/p' "$text")
        [ "$(ours_of "$titles")" = Server,Clients,Memory,Stats,CPU,Commandstats,Keyspace ] ||
            { echo "INFO $arg sections:" $titles; return 1; }
        # Every line ends in CRLF and is a title, a name:value or, between
        # two sections only, empty.
        [ "$(tail -c 2 "$text" | od -An -c | tr -d ' ')" = '\r\n' ] || { echo "no final CRLF"; return 1; }
        awk -v arg="$arg" '
            { sub(/\r$/, "") }
            NR == 1 && !/^# / { print "INFO " arg " starts with: " $0; bad = 1 }
            prev_empty && !/^# / { print "an empty line before: " $0; bad = 1 }
            !/^(# [A-Za-z]+|[A-Za-z0-9_|]+:.*|)$/ { print "line " NR ": " $0; bad = 1 }
            { prev_empty = ($0 == "") }
            END { if (prev_empty) { print "ends with an empty line"; bad = 1 }; exit bad }
        ' "$text"
    done
}

@test "INFO everything has the fields tools read (used_cpu_user, used_memory, ...)" {
    local text="$BATS_TEST_TMPDIR/all.txt" field missing=0
    expect_cmd GET k '$-1\r\n'
    info_text "$text" everything
    for field in redis_version redis_mode multiplexing_api process_id tcp_port uptime_in_seconds \
        connected_clients maxclients used_memory used_memory_human used_memory_rss \
        used_memory_rss_human total_connections_received total_commands_processed \
        rejected_connections expired_keys total_error_replies used_cpu_sys used_cpu_user \
        used_cpu_sys_children used_cpu_user_children cmdstat_get; do
        grep -q "^$field:" "$text" || { echo "no $field"; missing=1; }
    done
    [ "$missing" = 0 ]
    # CPU times as seconds and microseconds; byte counts with a human form.
    grep -Eq $'^used_cpu_user:[0-9]+\\.[0-9]{6}\r$' "$text" || { grep used_cpu_user "$text"; return 1; }
    grep -Eq $'^used_memory_human:[0-9]+(B|\\.[0-9]{2}[KMGTP])\r$' "$text" ||
        { grep used_memory_human "$text"; return 1; }
}

# cmdstat NAME: the counts after "cmdstat_NAME:" in INFO commandstats, as
# "calls rejected failed", or "none" when there is no such line.
cmdstat() {
    local text="$BATS_TEST_TMPDIR/stats.txt"
    info_text "$text" commandstats || return 1
    sed -n "s/^cmdstat_$1:calls=\([0-9]*\),usec=[0-9]*,usec_per_call=[0-9]*\.[0-9][0-9],rejected_calls=\([0-9]*\),failed_calls=\([0-9]*\)"$'\r'"\$/\1 \2 \3/p" "$text" |
        grep . || echo none
}

# cmdstat_grew NAME BEFORE CALLS REJECTED FAILED: NAME's counts are now
# BEFORE's plus these (the suite's server counts every test's commands).
cmdstat_grew() {
    local now want before_calls before_rejected before_failed
    now=$(cmdstat "$1")
    [ "$2" = none ] && set -- "$1" "0 0 0" "$3" "$4" "$5"
    read -r before_calls before_rejected before_failed <<<"$2"
    want="$((before_calls + $3)) $((before_rejected + $4)) $((before_failed + $5))"
    [ "$now" = "$want" ] || { echo "cmdstat_$1: was $2, now $now, expected $want"; return 1; }
}

@test "INFO commandstats counts calls, rejected calls and failed calls" {
    local get incr
    get=$(cmdstat get)
    incr=$(cmdstat incr)
    expect_cmd SET k abc '+OK\r\n'
    expect_cmd GET k '$3\r\nabc\r\n'
    expect_cmd GET k '$3\r\nabc\r\n'
    expect_cmd get missing '$-1\r\n'
    cmdstat_grew get "$get" 3 0 0
    # A wrong arity is refused before the command runs: a rejected call.
    expect_cmd GET "-ERR wrong number of arguments for 'get' command\\r\\n"
    cmdstat_grew get "$get" 3 1 0
    # A command that runs and replies with an error is a failed call.
    expect_cmd INCR k '-ERR value is not an integer or out of range\r\n'
    cmdstat_grew incr "$incr" 1 0 1
    # An unknown command has no line.
    expect_cmd NOSUCHCMD "-ERR unknown command 'NOSUCHCMD', with args beginning with: \\r\\n"
    [ "$(cmdstat nosuchcmd)" = none ]
}

@test "CONFIG GET with several arguments names each parameter once" {
    expect_cmd CONFIG GET save '*2\r\n$4\r\nsave\r\n$0\r\n\r\n'
    # A name is matched in any case and answered as it was written; one
    # already answered is not answered again, whether named or matched.
    expect_cmd CONFIG GET SAVE save 'sav?' '*2\r\n$4\r\nSAVE\r\n$0\r\n\r\n'
    # A pattern answers with the parameter's own name.
    expect_cmd CONFIG GET 'APPENDONL?' APPENDONLY '*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n'
    expect_cmd CONFIG GET nosuch appendonly '*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n'
    # Two parameters: Redis lists them in its hash table's order, so only
    # the pairs are checked, not their order.
    local reply
    reply=$(send "$(resp CONFIG GET appendonly save)")
    [[ "$reply" == '*4\r\n'* ]] || { echo "CONFIG GET appendonly save: $reply"; return 1; }
    [[ "$reply" == *'$10\r\nappendonly\r\n$2\r\nno\r\n'* ]] || { echo "no appendonly: $reply"; return 1; }
    [[ "$reply" == *'$4\r\nsave\r\n$0\r\n\r\n'* ]] || { echo "no save: $reply"; return 1; }
    expect_cmd CONFIG GET "-ERR wrong number of arguments for 'config|get' command\\r\\n"
}

@test "COMMAND INFO: ECHO, QUIT and CONFIG have Redis 7.0's arity, flags and key positions" {
    # The first six fields; Redis then lists ACL categories, tips, key
    # specifications and subcommands, which we leave empty.
    expect_match COMMAND INFO echo '^\*1\\r\\n\*10\\r\\n\$4\\r\\necho\\r\\n:2\\r\\n\*3\\r\\n\+loading\\r\\n\+stale\\r\\n\+fast\\r\\n:0\\r\\n:0\\r\\n:0\\r\\n'
    expect_match COMMAND INFO quit '^\*1\\r\\n\*10\\r\\n\$4\\r\\nquit\\r\\n:-1\\r\\n\*6\\r\\n\+noscript\\r\\n\+loading\\r\\n\+stale\\r\\n\+fast\\r\\n\+no_auth\\r\\n\+allow_busy\\r\\n:0\\r\\n:0\\r\\n:0\\r\\n'
    expect_match COMMAND INFO config '^\*1\\r\\n\*10\\r\\n\$6\\r\\nconfig\\r\\n:-2\\r\\n\*0\\r\\n:0\\r\\n:0\\r\\n:0\\r\\n'
}

@test "COMMAND INFO of an unknown command is a null bulk string" {
    expect_cmd COMMAND INFO nosuch '*1\r\n$-1\r\n'
}

@test "CONFIG GET save and appendonly return name and value" {
    local reply
    reply=$(send "$(resp CONFIG GET save)")
    [[ "$reply" == '*2\r\n$4\r\nsave\r\n$'* ]] || { echo "CONFIG GET save: $reply"; return 1; }
    reply=$(send "$(resp CONFIG GET appendonly)")
    [[ "$reply" == '*2\r\n$10\r\nappendonly\r\n$'* ]] || { echo "CONFIG GET appendonly: $reply"; return 1; }
}

@test "CONFIG GET of an unknown parameter is an empty array" {
    expect_cmd CONFIG GET no-such-parameter '*0\r\n'
}

@test "COMMAND COUNT is an integer, COMMAND DOCS GET an array" {
    expect_match COMMAND COUNT '^:[0-9]+\\r\\n$'
    expect_match COMMAND DOCS GET '^\*[0-9]+\\r\\n'
}

# ---------------------------------------------------------------------------
# Protocol errors: exact reply, then the server closes the connection

@test "protocol error: multibulk length not a number" {
    expect_reply_and_close '*abc\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
}

@test "protocol error: multibulk length over INT_MAX" {
    expect_reply_and_close '*3000000000\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
}

@test "protocol error: multibulk length empty, signed or with a leading zero" {
    # Redis parses counts strictly: no '+', no leading zeros, not empty.
    expect_reply_and_close '*\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
    expect_reply_and_close '*+1\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
    expect_reply_and_close '*01\r\n$4\r\nPING\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
}

@test "protocol error: more than 1048576 arguments" {
    [ "$STEP" = redis ] && skip "Redis 7.0 accepts up to INT_MAX arguments"
    expect_reply_and_close '*1048577\r\n' '-ERR Protocol error: invalid multibulk length\r\n'
}

@test "protocol error: bulk length not a number" {
    expect_reply_and_close '*1\r\n$abc\r\n' '-ERR Protocol error: invalid bulk length\r\n'
}

@test "protocol error: negative bulk length" {
    expect_reply_and_close '*1\r\n$-1\r\n' '-ERR Protocol error: invalid bulk length\r\n'
}

@test "protocol error: bulk length over 512 MiB" {
    expect_reply_and_close '*1\r\n$536870913\r\n' '-ERR Protocol error: invalid bulk length\r\n'
}

@test "protocol error: bulk length with a leading zero" {
    expect_reply_and_close '*1\r\n$04\r\nPING\r\n' '-ERR Protocol error: invalid bulk length\r\n'
}

@test "protocol error: an argument that does not start with \$" {
    expect_reply_and_close '*1\r\nfoo\r\n' "-ERR Protocol error: expected '\$', got 'f'\\r\\n"
}

@test "protocol error: unbalanced quotes in an inline request" {
    expect_reply_and_close 'SET a "b\r\n' '-ERR Protocol error: unbalanced quotes in request\r\n'
}

@test "protocol error: inline request over 64 KiB without a newline" {
    local file="$BATS_TEST_TMPDIR/inline"
    # Exactly 65537 bytes: the server has read all of them when it gives up,
    # so its close is a clean FIN and never a reset that could lose the reply.
    head -c 65537 /dev/zero | tr '\0' a >"$file"
    expect_reply_and_close '' '-ERR Protocol error: too big inline request\r\n' -f "$file"
}

@test "an inline request of exactly 64 KiB is accepted" {
    local file="$BATS_TEST_TMPDIR/inline"
    head -c 65536 /dev/zero | tr '\0' a >"$file"
    printf '\r\n' >>"$file"
    local name
    name=$(printf 'a%.0s' $(seq 1 128))
    expect_reply '' "-ERR unknown command '$name', with args beginning with: \\r\\n" -f "$file" -t 20000
}

@test "protocol error: multibulk count line over 64 KiB" {
    local file="$BATS_TEST_TMPDIR/mbulk"
    { printf '*'; head -c 65537 /dev/zero | tr '\0' 1; } >"$file"
    expect_reply_and_close '' '-ERR Protocol error: too big mbulk count string\r\n' -f "$file"
}

@test "protocol error: bulk count line over 64 KiB" {
    local file="$BATS_TEST_TMPDIR/bulk"
    { printf '*1\r\n$'; head -c 65537 /dev/zero | tr '\0' 1; } >"$file"
    expect_reply_and_close '' '-ERR Protocol error: too big bulk count string\r\n' -f "$file"
}

@test "commands before a protocol error in the same write are answered first" {
    expect_reply_and_close 'PING\r\n*abc\r\n' '+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n'
}

@test "multibulk commands before a protocol error run, and their effects stay" {
    expect_reply_and_close "$(resp SET k v)"'*1\r\nfoo\r\n' \
        "+OK\\r\\n-ERR Protocol error: expected '\$', got 'f'\\r\\n"
    expect_cmd GET k '$1\r\nv\r\n'
}

@test "an inline command before unbalanced quotes is answered first" {
    expect_reply_and_close 'PING\r\nECHO "x\r\n' '+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n'
}

# ---------------------------------------------------------------------------
# Framing: empty requests, split writes, pipelining

@test "empty inline lines are consumed with no reply" {
    expect_reply '\r\n\r\n   \r\n\n\nPING\r\n' '+PONG\r\n'
}

@test "*0, *-1 and other negative counts are consumed with no reply" {
    expect_reply '*0\r\n*1\r\n$4\r\nPING\r\n' '+PONG\r\n'
    expect_reply '*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n' '+PONG\r\n'
}

@test "a command split one byte per write parses the same" {
    expect_reply "$(resp SET split 'some value')" '+OK\r\n' -c 1 -d 2000 -t 30000
    expect_reply "$(resp GET split)" '$10\r\nsome value\r\n' -c 1 -d 2000 -t 30000
}

@test "an inline command split one byte per write parses the same" {
    expect_reply 'ECHO "a b"\r\n' '$3\r\na b\r\n' -c 1 -d 2000 -t 30000
}

@test "1000 pipelined PINGs in one write get 1000 replies" {
    run "$WIRE" -p "$PORT" -r 1000 -n 1000 -q -t 30000 "$(resp PING)"
    [ "$status" -eq 0 ] || { echo "wire: $output"; return 1; }
    [ "$output" = "replies=1000 errors=0" ] || { echo "received: $output"; return 1; }
}

@test "1000 pipelined INCRs all run, in order" {
    run "$WIRE" -p "$PORT" -r 1000 -n 1000 -q -t 30000 "$(resp INCR counter)"
    [ "$output" = "replies=1000 errors=0" ] || { echo "received: $output"; return 1; }
    expect_cmd GET counter '$4\r\n1000\r\n'
}

@test "200 pipelined GETs of a 64 KiB value all get their reply" {
    # 13 MiB of replies to 1.8 KB of requests, all read in one go: the
    # server must hold commands back while their replies wait to be written
    # (backpressure), then run them without any more input to wake it.
    local set="$BATS_TEST_TMPDIR/set"
    {
        printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$65536\r\n'
        head -c 65536 /dev/zero | tr '\0' v
        printf '\r\n'
    } >"$set"
    expect_reply "" '+OK\r\n' -f "$set"
    run "$WIRE" -p "$PORT" -r 200 -n 200 -q -t 60000 'GET big\r\n'
    [ "$output" = "replies=200 errors=0" ] || { echo "received: $output"; return 1; }
}

@test "pipelined replies come back in request order" {
    expect_reply "$(resp SET a 1)$(resp INCR a)$(resp GET a)$(resp GET missing)PING\r\n" \
        '+OK\r\n:2\r\n$1\r\n2\r\n$-1\r\n+PONG\r\n' -n 5
}

# ---------------------------------------------------------------------------
# Binary safety and large values

@test "a value with NUL, CR LF and 0xff round-trips" {
    expect_reply '*3\r\n$3\r\nSET\r\n$3\r\nbin\r\n$6\r\na\x00\r\n\xffz\r\n' '+OK\r\n'
    expect_cmd GET bin '$6\r\na\x00\r\n\xffz\r\n'
    expect_cmd STRLEN bin ':6\r\n'
}

@test "a key with NUL, CR LF and 0xff round-trips" {
    expect_reply '*3\r\n$3\r\nSET\r\n$5\r\n\x00\r\n\xff!\r\n$1\r\nv\r\n' '+OK\r\n'
    expect_reply '*2\r\n$3\r\nGET\r\n$5\r\n\x00\r\n\xff!\r\n' '$1\r\nv\r\n'
    expect_cmd KEYS '*' '*1\r\n$5\r\n\x00\r\n\xff!\r\n'
    # A prefix up to the NUL is a different key.
    expect_cmd EXISTS '' ':0\r\n'
}

@test "a 10 MiB value round-trips" {
    local n=10485760 dir="$BATS_TEST_TMPDIR"
    head -c "$n" /dev/urandom >"$dir/value"
    { printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n' "$n"; cat "$dir/value"; printf '\r\n'; } >"$dir/request"
    expect_reply '' '+OK\r\n' -f "$dir/request" -t 30000
    expect_cmd STRLEN big ':10485760\r\n'
    "$WIRE" -p "$PORT" -n 1 -t 30000 -o "$dir/reply" "$(resp GET big)"
    # The reply is the header "$10485760\r\n", the payload, then "\r\n".
    printf '$%d\r\n' "$n" >"$dir/header"
    local hlen
    hlen=$(wc -c <"$dir/header")
    head -c "$hlen" "$dir/reply" | cmp - "$dir/header" || { echo "header: $(head -c 40 "$dir/reply" | od -c | head -n 2)"; return 1; }
    [ "$(wc -c <"$dir/reply")" -eq $((hlen + n + 2)) ] || { echo "reply is $(wc -c <"$dir/reply") bytes"; return 1; }
    tail -c +$((hlen + 1)) "$dir/reply" | head -c "$n" | cmp - "$dir/value"
    tail -c 2 "$dir/reply" | cmp - <(printf '\r\n')
}

# ---------------------------------------------------------------------------
# Inline commands: how Redis splits a line into arguments

@test "inline: double quotes keep spaces" {
    expect_reply 'SET a "hello world"\r\n' '+OK\r\n'
    expect_cmd GET a '$11\r\nhello world\r\n'
}

@test "inline: escapes inside double quotes" {
    # Bytes sent: ECHO "a\nb\x41\"q\\" -- a newline, hex, a quote, a backslash.
    expect_reply 'ECHO "a\\nb\\x41\\"q\\\\"\r\n' '$7\r\na\nbA"q\\\r\n'
}

@test "inline: \\t \\r \\a \\b escapes, and an unknown escape is the letter" {
    expect_reply 'ECHO "\\t\\r\\a\\b\\z"\r\n' '$5\r\n\t\r\x07\x08z\r\n'
}

@test "inline: \\x without two hex digits is a plain x" {
    expect_reply 'ECHO "\\xZZ"\r\n' '$3\r\nxZZ\r\n'
}

@test "inline: single quotes with an escaped quote" {
    # Bytes sent: ECHO 'it\'s'
    expect_reply "ECHO 'it\\\\'s'\\r\\n" "\$4\\r\\nit's\\r\\n"
}

@test "inline: inside single quotes other backslashes are literal" {
    # Bytes sent: ECHO 'a\nb' with a real backslash: four bytes come back.
    expect_reply "ECHO 'a\\\\nb'\\r\\n" '$4\r\na\\nb\r\n'
}

@test "inline: empty quotes are an empty argument" {
    expect_reply 'ECHO ""\r\n' '$0\r\n\r\n'
    expect_reply "ECHO ''\\r\\n" '$0\r\n\r\n'
}

@test "inline: quotes may start in the middle of an argument" {
    expect_reply 'ECHO a"b c"\r\n' '$4\r\nab c\r\n'
}

@test "inline: a closing quote followed by a non-space is an error" {
    expect_reply_and_close 'ECHO "a"b\r\n' '-ERR Protocol error: unbalanced quotes in request\r\n'
}

@test "inline: a closing single quote followed by a non-space is an error" {
    expect_reply_and_close "ECHO 'a'b\\r\\n" '-ERR Protocol error: unbalanced quotes in request\r\n'
}

@test "inline: runs of spaces and tabs separate arguments" {
    expect_reply 'ECHO   \t x \t \r\n' '$1\r\nx\r\n'
}

@test "inline: lines may end in LF alone" {
    expect_reply 'SET a b\nGET a\n' '+OK\r\n$1\r\nb\r\n' -n 2
}

@test "inline: a CR inside a line separates arguments" {
    expect_reply 'ECHO a\rb\r\n' "-ERR wrong number of arguments for 'echo' command\\r\\n"
}

@test "inline and multibulk requests mix in one write" {
    expect_reply "PING\r\n$(resp ECHO x)ECHO y\r\n" '+PONG\r\n$1\r\nx\r\n$1\r\ny\r\n' -n 3
}

# ---------------------------------------------------------------------------
# Two clients at once

@test "a second client while the first stays connected" {
    # Client A: a connection held open by the shell, with one exchange done.
    local a line
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    printf '*1\r\n$4\r\nPING\r\n' >&"$a"
    read -r -t 10 line <&"$a" || { echo "client A got no reply"; return 1; }
    [ "$line" = $'+PONG\r' ] || { echo "client A got: $line"; return 1; }

    if [ "$STEP" = step01_blocking ]; then
        # step01 serves one client at a time: B waits until A leaves.
        local out="$BATS_TEST_TMPDIR/client_b"
        # B must not inherit A's socket (it would keep A open) nor bats's fd 3.
        "$WIRE" -p "$PORT" -n 1 -t 30000 "$(resp PING)" >"$out" 3>&- {a}>&- &
        CLIENT_B_PID=$!
        sleep 1
        # wire prints only when it is done, so an empty file means no reply yet.
        if [ -s "$out" ]; then
            echo "client B was answered while client A was connected: $(cat "$out")"
            return 1
        fi
        exec {a}>&-
        local status=0
        wait "$CLIENT_B_PID" || status=$?
        CLIENT_B_PID=""
        local received
        received=$(cat "$out")
        if [ "$status" != 0 ] || [ "$received" != '+PONG\r\n' ]; then
            printf '%s\n' 'client B, once A had closed: expected +PONG\r\n'
            echo "received: ${received:-no reply}"
            return 1
        fi
    else
        # Every other step, and Redis, serves both at once.
        expect_reply "$(resp PING)" '+PONG\r\n' -t 20000
        printf '*2\r\n$4\r\nECHO\r\n$1\r\nA\r\n' >&"$a"
        read -r -t 10 line <&"$a" && read -r -t 10 line <&"$a" || { echo "client A lost its connection"; return 1; }
        [ "$line" = $'A\r' ] || { echo "client A got: $line"; return 1; }
        exec {a}>&-
    fi
}

# ---- HELLO and CLIENT ----

@test "HELLO 3: the map of the server, then RESP3 replies on that connection" {
    local hello="$(resp HELLO 3)$(resp GET missing)$(resp CONFIG GET maxclients)$(resp HELLO 2)$(resp GET missing)"
    local map='%7\\r\\n\$6\\r\\nserver\\r\\n\$5\\r\\nredis\\r\\n\$7\\r\\nversion\\r\\n\$6\\r\\n7\.0\.15\\r\\n\$5\\r\\nproto\\r\\n:3\\r\\n\$2\\r\\nid\\r\\n:[0-9]+\\r\\n\$4\\r\\nmode\\r\\n\$10\\r\\nstandalone\\r\\n\$4\\r\\nrole\\r\\n\$6\\r\\nmaster\\r\\n\$7\\r\\nmodules\\r\\n\*0\\r\\n'
    local rest='_\\r\\n%1\\r\\n\$10\\r\\nmaxclients\\r\\n\$5\\r\\n10000\\r\\n\*14\\r\\n.*:2\\r\\n.*\*0\\r\\n\$-1\\r\\n'
    local received
    received=$("$WIRE" -p "$PORT" -n 5 "$hello") || true
    [[ "$received" =~ ^$map$rest$ ]] || { echo "received: $received"; return 1; }
}

@test "CLIENT SETNAME, GETNAME and INFO describe the connection" {
    local received line
    received=$("$WIRE" -p "$PORT" -n 4 "$(resp CLIENT SETNAME conn-1)$(resp CLIENT GETNAME)$(resp HELLO 3)$(resp CLIENT INFO)") || true
    # CLIENT INFO is RESP3's verbatim text after HELLO 3: "=N\r\ntxt:id=..."
    line='id=[0-9]+ addr=127\.0\.0\.1:[0-9]+ laddr=127\.0\.0\.1:'"$PORT"' fd=[0-9]+ name=conn-1 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=[0-9]+ qbuf-free=[0-9]+ argv-mem=[0-9]+ multi-mem=0 rbs=[0-9]+ rbp=[0-9]+ obl=[0-9]+ oll=0 omem=0 tot-mem=[0-9]+ events=r cmd=client\|info user=default redir=-1 resp=3\\n'
    [[ "$received" =~ ^'+OK\r\n$6\r\nconn-1\r\n%7'.*'='[0-9]+'\r\ntxt:'$line'\r\n'$ ]] ||
        { echo "received: $received"; return 1; }
}

@test "CLIENT ID counts connections; CLIENT LIST lists every client, oldest first" {
    [ "$STEP" = step01_blocking ] && skip "step01 serves one client at a time"
    local a line id_a list
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    printf '*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$5\r\nfirst\r\n*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n' >&"$a"
    read -r -t 10 line <&"$a" && [ "$line" = $'+OK\r' ] || { echo "client A: $line"; return 1; }
    read -r -t 10 line <&"$a" || { echo "client A: no reply to CLIENT ID"; return 1; }
    id_a=${line#:}
    id_a=${id_a%$'\r'}
    list=$("$WIRE" -p "$PORT" -n 1 "$(resp CLIENT LIST)") || true
    exec {a}>&-
    # A's line, then ours, whose id is higher.
    [[ "$list" =~ id=$id_a\ [^\\]*name=first\ .*cmd=client\|id.*\\nid=([0-9]+)\ .*cmd=client\|list ]] ||
        { echo "CLIENT LIST: $list"; return 1; }
    [ "${BASH_REMATCH[1]}" -gt "$id_a" ] || { echo "ids: $id_a then ${BASH_REMATCH[1]}"; return 1; }
}

@test "CLIENT KILL ID ends another client's connection" {
    [ "$STEP" = step01_blocking ] && skip "step01 serves one client at a time"
    local a line id_a status=0
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    printf '*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n' >&"$a"
    read -r -t 10 line <&"$a" || { echo "client A: no reply to CLIENT ID"; return 1; }
    id_a=${line#:}
    id_a=${id_a%$'\r'}
    expect_cmd CLIENT KILL ID "$id_a" ':1\r\n'
    # A, idle in its read (step02: in another thread; steps 03-04: in the
    # loop's list), sees end-of-file, not a timeout.
    read -r -t 10 line <&"$a" || status=$?
    exec {a}>&-
    [ "$status" = 1 ] || { echo "client A: read status $status (142: still open after 10 s), line '$line'"; return 1; }
    expect_cmd CLIENT LIST ID "$id_a" '$0\r\n\r\n'
    expect_cmd CLIENT KILL ID "$id_a" ':0\r\n'
}

@test "CLIENT KILL that matches the caller: the reply, then the connection closes" {
    expect_reply_and_close "$(resp CLIENT KILL TYPE normal SKIPME no)$(resp PING)" ':1\r\n'
    expect_reply_and_close "$(resp CLIENT KILL LADDR "127.0.0.1:$PORT" SKIPME no)" ':1\r\n'
    # SKIPME yes, the default, spares it.
    expect_cmd CLIENT KILL TYPE normal ':0\r\n'
}

@test "CLIENT LIST: what one client sends cannot forge a line in another's listing" {
    [ "$STEP" = step01_blocking ] && skip "step01 serves one client at a time"
    local a line list
    exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
    # An unknown subcommand with a newline in it: Redis records no command
    # for it (cmd=NULL), so its bytes never reach CLIENT LIST.
    printf '*2\r\n$6\r\nCLIENT\r\n$12\r\nx\nid=999 y=z\r\n' >&"$a"
    read -r -t 10 line <&"$a" || { echo "client A: no reply"; return 1; }
    list=$("$WIRE" -p "$PORT" -n 1 "$(resp CLIENT LIST)") || true
    exec {a}>&-
    [[ "$list" != *"id=999"* ]] || { echo "CLIENT LIST: $list"; return 1; }
    [[ "$list" == *"cmd=NULL "* ]] || { echo "CLIENT LIST: $list"; return 1; }
}

@test "CLIENT INFO shows a long name whole" {
    local name received
    name=$(printf 'n%.0s' $(seq 1 2000))
    received=$("$WIRE" -p "$PORT" -n 2 "$(resp CLIENT SETNAME "$name")$(resp CLIENT INFO)") || true
    [[ "$received" == *" name=$name age="*" cmd=client|info user=default redir=-1 resp=2\n\r\n" ]] ||
        { echo "received: ${received:0:300}..."; return 1; }
}
