#!/usr/bin/env bats
# differential.bats - the same bytes to our server and to a real redis-server,
# and the replies must be byte for byte the same.
#
# conformance.bats states what each reply must be; this file needs no
# expectations at all, only requests, so it is cheap to add many. Each
# request goes on a fresh connection to each server, wrapped as
#
#   FLUSHALL, the request, QUIT
#
# so both start from an empty database and close the connection when done:
# reading until the close then collects every reply without a timeout. A
# request that ends in a protocol error is closed before the QUIT.
# Every request is sent twice: in RESP2, and in RESP3 after HELLO 3.
# Left out, because the replies legitimately differ: most of INFO and
# CONFIG GET (server details), COMMAND's lists (Redis has 240 commands;
# COMMAND INFO and DOCS are compared field by field below), CLIENT LIST and
# CLIENT INFO (addresses, ids, buffer sizes), SELECT 1 (we have one
# database, Redis 16), TTL and PTTL of a live expiry (the clock moves
# between the two servers) and more than 1048576 arguments (we refuse them,
# Redis waits for them).

load helpers

setup_file() {
    need_wire
    # bats 1.8 cannot skip from setup_file: setup skips each test instead.
    if ! have_redis_server; then
        export NO_REFERENCE=1
        return 0
    fi
    start_server
    start_reference_redis
    export REDIS_PID REDIS_PORT
}

teardown_file() {
    stop_reference_redis
    stop_server
}

setup() {
    [ -z "${NO_REFERENCE:-}" ] || skip "redis-server is not installed"
}

# same_replies REQUEST...: send each request (wire escapes) to both servers,
# once in RESP2 and once in RESP3 (after HELLO 3), and report every one
# whose replies differ. Checks all before failing, so one run shows every
# mismatch in the group. The client id in HELLO's reply counts connections,
# which differ between the servers: it is compared as "ID".
same_replies() {
    local request full ours theirs failed=0 proto hello
    local flushall='*1\r\n$8\r\nFLUSHALL\r\n' quit='*1\r\n$4\r\nQUIT\r\n'
    local hello3='*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n'
    local no_id='s/\$2\\r\\nid\\r\\n:[0-9]*\\r\\n/$2\\r\\nid\\r\\n:ID\\r\\n/g'
    for proto in 2 3; do
        hello=''
        [ "$proto" = 3 ] && hello=$hello3
        for request in "$@"; do
            full="$hello$flushall$request$quit"
            ours=$("$WIRE" -p "$PORT" -t 20000 "$full" | sed "$no_id") || true
            theirs=$("$WIRE" -p "$REDIS_PORT" -t 20000 "$full" | sed "$no_id") || true
            if [ "$ours" != "$theirs" ]; then
                echo "request (RESP$proto): $request"
                echo "  ours:  ${ours:-no reply}"
                echo "  redis: ${theirs:-no reply}"
                failed=1
            elif [ -z "$theirs" ]; then
                # Not even FLUSHALL answered: the reference itself is broken.
                echo "request (RESP$proto): $request"
                echo "  no reply from either server"
                failed=1
            fi
        done
    done
    [ "$failed" = 0 ]
}

@test "differential: connection commands" {
    same_replies \
        "$(resp PING)" \
        "$(resp PING 'hello world')" \
        "$(resp PING a b)" \
        "$(resp ECHO hi)" \
        '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' \
        "$(resp ECHO)" \
        "$(resp SELECT 0)" \
        "$(resp SELECT 16)" \
        "$(resp SELECT abc)" \
        "$(resp QUIT)$(resp PING)"
}

@test "differential: HELLO and AUTH" {
    same_replies \
        "$(resp HELLO)" \
        "$(resp HELLO 2)" \
        "$(resp HELLO 3)$(resp GET missing)$(resp MGET a b)$(resp HELLO 2)$(resp GET missing)" \
        "$(resp HELLO 3 SETNAME myname)$(resp CLIENT GETNAME)" \
        "$(resp HELLO 3 AUTH default anything)" \
        "$(resp HELLO 2 AUTH someone pw)" \
        "$(resp HELLO 3 AUTH default)" \
        "$(resp HELLO 3 SETNAME)" \
        "$(resp HELLO 3 SETNAME 'a b')$(resp GET missing)" \
        "$(resp HELLO 3 FOO)" \
        "$(resp HELLO 1)" \
        "$(resp HELLO 4)" \
        "$(resp HELLO -1)" \
        "$(resp HELLO abc)" \
        "$(resp HELLO 03)" \
        "$(resp AUTH)" \
        "$(resp AUTH pw)" \
        "$(resp AUTH default pw)" \
        "$(resp AUTH someone pw)" \
        "$(resp AUTH a b c)"
}

@test "differential: CLIENT" {
    same_replies \
        "$(resp CLIENT)" \
        "$(resp CLIENT GETNAME)" \
        "$(resp CLIENT SETNAME conn-1)$(resp CLIENT GETNAME)$(resp CLIENT SETNAME '')$(resp CLIENT GETNAME)" \
        "$(resp CLIENT SETNAME 'a b')" \
        "$(resp CLIENT SETNAME)" \
        "$(resp CLIENT SETNAME a b)" \
        "$(resp CLIENT GETNAME x)" \
        "$(resp CLIENT ID x)" \
        "$(resp CLIENT INFO x)" \
        "$(resp CLIENT KILL)" \
        "$(resp CLIENT KILL 1.2.3.4:5)" \
        "$(resp CLIENT KILL ID)" \
        "$(resp CLIENT KILL ID 999999)" \
        "$(resp CLIENT KILL ID abc)" \
        "$(resp CLIENT KILL ID 0)" \
        "$(resp CLIENT KILL ID -5)" \
        "$(resp CLIENT KILL ADDR 1.2.3.4:5)" \
        "$(resp CLIENT KILL LADDR 1.2.3.4:5)" \
        "$(resp CLIENT KILL SKIPME maybe)" \
        "$(resp CLIENT KILL SKIPME yes)" \
        "$(resp CLIENT KILL TYPE normal SKIPME yes ID 999999)" \
        "$(resp CLIENT KILL TYPE master)" \
        "$(resp CLIENT KILL TYPE nosuch)" \
        "$(resp CLIENT KILL USER nosuch)" \
        "$(resp CLIENT KILL USER default ID 999999)" \
        "$(resp CLIENT KILL FOO bar)" \
        "$(resp CLIENT KILL ID 1 ADDR)" \
        "$(resp CLIENT LIST ID abc)" \
        "$(resp CLIENT LIST ID 0)" \
        "$(resp CLIENT LIST ID 999999)" \
        "$(resp CLIENT LIST TYPE master)" \
        "$(resp CLIENT LIST TYPE nosuch)" \
        "$(resp CLIENT LIST FOO)" \
        "$(resp CLIENT LIST TYPE)" \
        "$(resp CLIENT SETINFO lib-name x)" \
        "$(resp CLIENT NOSUCH)"
}

@test "differential: GET, SET and its options" {
    same_replies \
        "$(resp SET k v)$(resp GET k)$(resp GET missing)" \
        "$(resp SET k v NX)$(resp SET k w NX)$(resp GET k)" \
        "$(resp SET k v XX)$(resp SET k v)$(resp SET k w XX)$(resp GET k)" \
        "$(resp SET k old)$(resp SET k new GET)$(resp SET k2 v GET)$(resp SET k x NX GET)" \
        "$(resp SET k v EX 100)$(resp SET k w KEEPTTL)$(resp PERSIST k)$(resp SET k v EX 100)$(resp SET k w)$(resp TTL k)" \
        "$(resp SET k v EX 0)$(resp SET k v EX -1)$(resp SET k v PX 0)$(resp SET k v EXAT 0)" \
        "$(resp SET k v EX abc)$(resp SET k v PX 1.5)" \
        "$(resp SET k v EX 9223372036854775807)$(resp SET k v PX 9223372036854775807)" \
        "$(resp SET k v NX XX)$(resp SET k v EX 10 KEEPTTL)$(resp SET k v EX 10 PX 10)$(resp SET k v EX)$(resp SET k v FOO)" \
        "$(resp SET k v EXAT 1)$(resp SET j v PXAT 1)$(resp EXISTS k j)" \
        "$(resp set k v ex 100 nx)$(resp gEt k)"
}

@test "differential: GETDEL, MGET, MSET" {
    same_replies \
        "$(resp SET k v)$(resp GETDEL k)$(resp GETDEL k)$(resp EXISTS k)" \
        "$(resp MSET a 1 b 2 a 3)$(resp MGET a b c)" \
        "$(resp MSET a 1 b)$(resp MSET)$(resp MGET)" \
        "$(resp SET a v EX 100)$(resp MSET a w)$(resp TTL a)"
}

@test "differential: INCR, DECR, INCRBY, DECRBY" {
    same_replies \
        "$(resp INCR n)$(resp INCR n)$(resp DECR n)$(resp INCRBY n 10)$(resp DECRBY n -5)$(resp GET n)" \
        "$(resp SET n abc)$(resp INCR n)$(resp SET n ' 1')$(resp INCR n)$(resp SET n 007)$(resp INCR n)$(resp SET n +1)$(resp DECR n)" \
        "$(resp INCRBY n abc)$(resp INCRBY n 01)$(resp DECRBY n 1.0)$(resp INCRBY n 9223372036854775808)" \
        "$(resp SET n 9223372036854775807)$(resp INCR n)$(resp INCRBY n 0)" \
        "$(resp SET n -9223372036854775808)$(resp DECR n)$(resp DECRBY n 1)$(resp INCRBY n -1)" \
        "$(resp DECRBY n -9223372036854775808)" \
        "$(resp SET n 5 EX 100)$(resp INCR n)$(resp PERSIST n)$(resp GET n)"
}

@test "differential: APPEND, STRLEN, DEL, EXISTS, TYPE" {
    same_replies \
        "$(resp APPEND k hello)$(resp APPEND k ' world')$(resp GET k)$(resp STRLEN k)$(resp STRLEN missing)" \
        "$(resp MSET a 1 b 2)$(resp DEL a missing a b)$(resp DEL a)" \
        "$(resp SET a 1)$(resp EXISTS a a missing a)" \
        "$(resp SET a 1)$(resp TYPE a)$(resp TYPE missing)" \
        '*3\r\n$3\r\nSET\r\n$5\r\n\x00\r\n\xff!\r\n$6\r\na\x00\r\n\xffz\r\n*2\r\n$3\r\nGET\r\n$5\r\n\x00\r\n\xff!\r\n'
}

@test "differential: KEYS, DBSIZE, FLUSHDB, FLUSHALL" {
    # KEYS with one match only: the order of several is unspecified.
    local keys
    keys=$(resp MSET hello 1 hallo 2 hxllo 3 'h*llo' 4 HELLO 5 'h!llo' 6 abc 7)
    same_replies \
        "$keys$(resp KEYS '?ELLO')$(resp KEYS 'x*')" \
        "$keys$(resp KEYS 'h[ab]llo')$(resp KEYS 'h[^aex!]llo')$(resp KEYS 'h[w-y]llo')" \
        "$keys$(resp KEYS 'h[y-w]llo')$(resp KEYS 'h[!]llo')$(resp KEYS 'H*')$(resp KEYS '*c')" \
        "$keys"'*2\r\n$4\r\nKEYS\r\n$6\r\nh\\*llo\r\n' \
        "$(resp DBSIZE)$(resp MSET a 1 b 2)$(resp DBSIZE)$(resp FLUSHDB)$(resp DBSIZE)" \
        "$(resp SET a 1)$(resp FLUSHDB ASYNC)$(resp FLUSHALL SYNC)$(resp FLUSHDB foo)$(resp FLUSHALL a b)"
}

@test "differential: SCAN's errors, cursors, and walks that fit in one call" {
    # Which keys a call returns depends on each server's random hash seed:
    # only an empty database, or one match among at most 4 keys (a table
    # of 4 buckets, all walked by one call), answers the same on both.
    local four
    four=$(resp MSET a 1 b 2 c 3 d 4)
    same_replies \
        "$(resp SCAN 0)$(resp SCAN 7)$(resp SCAN 18446744073709551615)$(resp SCAN -1)" \
        "$(resp SCAN abc)$(resp SCAN ' 1')$(resp SCAN '1 ')$(resp SCAN -)$(resp SCAN +)$(resp SCAN 0x1)$(resp SCAN 1.0)" \
        "$(resp SCAN 18446744073709551616)$(resp SCAN -18446744073709551616)$(resp SCAN -18446744073709551615)" \
        "$(resp SET k v)$(resp SCAN 0)$(resp SCAN 00)$(resp SCAN +0)$(resp SCAN -0)$(resp SCAN '')" \
        '*2\r\n$4\r\nSCAN\r\n$3\r\n0\x00x\r\n*2\r\n$4\r\nSCAN\r\n$2\r\n\x001\r\n*2\r\n$4\r\nSCAN\r\n$2\r\n\t0\r\n' \
        "$(resp SCAN 0 COUNT 0)$(resp SCAN 0 COUNT -1)$(resp SCAN 0 COUNT x)$(resp SCAN 0 COUNT 05)$(resp SCAN 0 COUNT 9223372036854775808)" \
        "$(resp SCAN 0 COUNT)$(resp SCAN 0 MATCH)$(resp SCAN 0 TYPE)$(resp SCAN 0 FOO)$(resp SCAN 0 FOO bar)$(resp SCAN)" \
        "$(resp SCAN abc COUNT 0)$(resp SCAN 0 COUNT x FOO)$(resp SCAN 0 FOO COUNT x)$(resp SCAN 0 COUNT 0 COUNT 5)" \
        "$four$(resp SCAN 0 MATCH c)$(resp SCAN 0 MATCH '[c-c]' COUNT 100)$(resp scan 0 match 'd*' count 1000 type string)" \
        "$four$(resp SCAN 0 MATCH zz)$(resp SCAN 0 COUNT 9223372036854775807 MATCH a)$(resp SCAN 0 COUNT 1844674407370955162 MATCH b)" \
        "$(resp SET s v)$(resp SCAN 0 TYPE string)$(resp SCAN 0 TYPE String)$(resp SCAN 0 TYPE hash)$(resp SCAN 0 TYPE none)$(resp SCAN 0 TYPE bogus)" \
        '*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\nv\r\n*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$7\r\ncount\x00x\r\n$2\r\n10\r\n*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$4\r\nTYPE\r\n$7\r\nstring\x00\r\n' \
        "$(resp SET '' v)$(resp SCAN 0 MATCH '*')$(resp SCAN 0 MATCH '**')$(resp SCAN 0 MATCH '')"
}

@test "differential: EXPIRE, PEXPIRE, TTL, PTTL, PERSIST" {
    same_replies \
        "$(resp TTL missing)$(resp PTTL missing)$(resp EXPIRE missing 100)$(resp PERSIST missing)" \
        "$(resp SET k v)$(resp TTL k)$(resp PTTL k)$(resp EXPIRE k 100 XX)$(resp EXPIRE k 100 GT)$(resp EXPIRE k 100 NX)$(resp EXPIRE k 50 NX)" \
        "$(resp SET k v)$(resp EXPIRE k 100 LT)$(resp EXPIRE k 200 LT)$(resp EXPIRE k 200 GT)$(resp EXPIRE k 50 GT)$(resp PERSIST k)$(resp PERSIST k)$(resp TTL k)" \
        "$(resp SET k v)$(resp EXPIRE k 10 NX XX)$(resp EXPIRE k 10 GT LT)$(resp EXPIRE k 10 NX LT)$(resp PEXPIRE k 10 XX NX)" \
        "$(resp SET k v)$(resp EXPIRE k 10 FOO)$(resp EXPIRE k abc)$(resp EXPIRE k 9223372036854775807)$(resp PEXPIRE k -9223372036854775808)" \
        "$(resp MSET a 1 b 2)$(resp EXPIRE a 0)$(resp PEXPIRE b -1)$(resp EXISTS a b)"
}

@test "differential: arity and unknown commands" {
    same_replies \
        "$(resp GET)$(resp SET k)$(resp GETDEL a b)$(resp INCR)$(resp DECRBY a)$(resp APPEND a)$(resp STRLEN)" \
        "$(resp DEL)$(resp EXISTS)$(resp TYPE)$(resp KEYS)$(resp DBSIZE x)$(resp EXPIRE k)$(resp TTL)$(resp PERSIST a b)" \
        "$(resp foo a b)$(resp FOO)$(resp 'foo bar' 'x y')" \
        "$(resp foo "$(printf 'x%.0s' $(seq 1 200))")" \
        "$(resp "$(printf 'y%.0s' $(seq 1 200))" a)" \
        '*3\r\n$3\r\nfoo\r\n$3\r\na\x00b\r\n$4\r\nc\r\nd\r\n' \
        '*1\r\n$0\r\n\r\n'
}

@test "differential: protocol errors" {
    same_replies \
        '*abc\r\n' \
        '*3000000000\r\n' \
        '*+1\r\n' \
        '*1\r\n$abc\r\n' \
        '*1\r\n$-1\r\n' \
        '*1\r\n$536870913\r\n' \
        '*1\r\n$04\r\nPING\r\n' \
        '*1\r\nfoo\r\n' \
        'PING\r\n*2\r\n$4\r\nECHO\r\nxyz\r\n' \
        'SET a "b\r\n' \
        'ECHO "a"b\r\n'
}

@test "differential: oversized count lines and inline requests" {
    local dir="$BATS_TEST_TMPDIR"
    head -c 65537 /dev/zero | tr '\0' a >"$dir/inline"
    { printf '*'; head -c 65537 /dev/zero | tr '\0' 1; } >"$dir/mbulk"
    { printf '*1\r\n$'; head -c 65537 /dev/zero | tr '\0' 1; } >"$dir/bulk"
    local file ours theirs failed=0
    # No QUIT after these: it would only be read as more of the long line.
    for file in inline mbulk bulk; do
        ours=$("$WIRE" -p "$PORT" -t 20000 -w -f "$dir/$file") || true
        theirs=$("$WIRE" -p "$REDIS_PORT" -t 20000 -w -f "$dir/$file") || true
        if [ "$ours" != "$theirs" ]; then
            echo "request: $file (65537+ bytes without CRLF)"
            echo "  ours:  ${ours:-no reply}"
            echo "  redis: ${theirs:-no reply}"
            failed=1
        fi
    done
    [ "$failed" = 0 ]
}

@test "differential: empty requests and inline syntax" {
    same_replies \
        '\r\n\r\n   \r\n\nPING\r\n' \
        '*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n' \
        'ping\r\nPiNg hi\r\n' \
        'SET a "hello world"\r\nGET a\r\n' \
        'ECHO "a\\nb\\x41\\"q\\\\"\r\n' \
        "SET 'it\\\\'s' 'a\\\\nb'\\r\\nGET \"it's\"\\r\\n" \
        'SET "" x\r\nGET ""\r\n' \
        'ECHO a"b c"\r\n' \
        'ECHO   \t x \t \r\n' \
        'SET a b\nGET a\n' \
        'ECHO a\rb\r\n' \
        "PING\r\n$(resp ECHO x)ECHO y\r\n"
}

@test "differential: INFO, CONFIG GET, COMMAND COUNT and COMMAND INFO where both agree" {
    # INFO of sections whose text both servers share, and of none; CONFIG
    # GET of parameters both set alike, several arguments naming one.
    same_replies \
        "$(resp INFO nosuch)" \
        "$(resp INFO keyspace)" \
        "$(resp INFO KEYSPACE nosuch)" \
        "$(resp SET k v)$(resp MSET a 1 b 2)$(resp INFO keyspace)" \
        "$(resp CONFIG GET save)" \
        "$(resp CONFIG GET SAVE save 'sav?')" \
        "$(resp CONFIG GET 'APPENDONL?' APPENDONLY)" \
        "$(resp CONFIG GET nosuch appendonly)" \
        "$(resp CONFIG GET proto-max-bulk-len 'PROTO-MAX-BULK-LE[N]' 'proto*len')" \
        "$(resp CONFIG GET 's\av[e]' 's\ave')" \
        "$(resp CONFIG GET nosuch)" \
        "$(resp CONFIG GET)" \
        "$(resp COMMAND INFO nosuch)" \
        "$(resp COMMAND COUNT x)"
}

# first_fields REPLY: of an escaped COMMAND INFO reply for one command, its
# name, arity, flags and key positions (Redis then lists ACL categories,
# tips, key specifications and subcommands, which we leave empty).
first_fields() {
    local re='^\*1\\r\\n\*10\\r\\n(\$[0-9]+\\r\\n[a-z]+\\r\\n:-?[0-9]+\\r\\n\*[0-9]+\\r\\n(\+[a-z_]+\\r\\n)*(:-?[0-9]+\\r\\n){3})'
    [[ "$1" =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# doc_fields REPLY: of an escaped COMMAND DOCS reply for one command, its
# summary, since and group (Redis then adds complexity, arguments, ...).
doc_fields() {
    local re='^\*2\\r\\n\$[0-9]+\\r\\n[a-z]+\\r\\n\*[0-9]+\\r\\n(\$7\\r\\nsummary\\r\\n\$[0-9]+\\r\\n[^\\]*\\r\\n\$5\\r\\nsince\\r\\n\$[0-9]+\\r\\n[0-9.]+\\r\\n\$5\\r\\ngroup\\r\\n\$[0-9]+\\r\\n[a-z_]+\\r\\n)'
    [[ "$1" =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}

@test "differential: every command's arity, flags, key positions, summary, version and group" {
    local names name ours theirs failed=0 count=0
    # Our commands, from COMMAND: each entry starts with *10 and its name.
    names=$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND)" | grep -oE '\*10\\r\\n\$[0-9]+\\r\\n[a-z]+' |
        sed 's/.*\\n//')
    for name in $names; do
        count=$((count + 1))
        ours=$(first_fields "$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND INFO "$name")")")
        theirs=$(first_fields "$("$WIRE" -p "$REDIS_PORT" -n 1 "$(resp COMMAND INFO "$name")")")
        if [ -z "$ours" ] || [ "$ours" != "$theirs" ]; then
            echo "COMMAND INFO $name"
            echo "  ours:  ${ours:-not understood}"
            echo "  redis: ${theirs:-not understood}"
            failed=1
        fi
        ours=$(doc_fields "$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND DOCS "$name")")")
        theirs=$(doc_fields "$("$WIRE" -p "$REDIS_PORT" -n 1 "$(resp COMMAND DOCS "$name")")")
        if [ -z "$ours" ] || [ "$ours" != "$theirs" ]; then
            echo "COMMAND DOCS $name"
            echo "  ours:  ${ours:-not understood}"
            echo "  redis: ${theirs:-not understood}"
            failed=1
        fi
    done
    # Every command was seen: as many as COMMAND COUNT says.
    [ ":$count\\r\\n" = "$("$WIRE" -p "$PORT" -n 1 "$(resp COMMAND COUNT)")" ] ||
        { echo "$count commands in COMMAND's list, COMMAND COUNT differs"; failed=1; }
    [ "$failed" = 0 ]
}
