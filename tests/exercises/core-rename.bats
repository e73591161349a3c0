# tests/exercises/core-rename.bats - exercise of chapter 9: RENAME, moving an entry with its expiry.
# Every reply below was taken from redis-server 7.0.15, and the file passes
# against it (STEP=redis): the source's TTL goes with it, the destination is
# replaced TTL and all, RENAME k k changes nothing, and renaming 256 keys
# while the table is resizing loses none of them and miscounts no TTL.
# Run it with: make exercise NAME=core-rename
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

# expect_pttl KEY MIN MAX: PTTL KEY must be an integer from MIN to MAX.
# (A TTL is read off the clock, so it is checked against a range.)
expect_pttl() {
    local received
    received=$("$WIRE" -p "$PORT" -n 1 "$(resp PTTL "$1")") || true
    if ! [[ "$received" =~ ^:(-?[0-9]+)\\r\\n$ ]] ||
        [ "${BASH_REMATCH[1]}" -lt "$2" ] || [ "${BASH_REMATCH[1]}" -gt "$3" ]; then
        echo "PTTL $1: expected :$2 to :$3"
        echo "received: ${received:-no reply}"
        return 1
    fi
}

# expect_keyspace KEYS EXPIRES: INFO keyspace must count KEYS keys, EXPIRES
# of them with a TTL.
expect_keyspace() {
    local received
    received=$("$WIRE" -p "$PORT" -n 1 "$(resp INFO keyspace)") || true
    if [[ "$received" != *"db0:keys=$1,expires=$2,"* ]]; then
        echo "INFO keyspace: expected db0:keys=$1,expires=$2"
        echo "received: ${received:-no reply}"
        return 1
    fi
}

# expect_replies N REQUEST EXPECTED: send REQUEST (many commands) and expect
# N replies, EXPECTED exactly. On a mismatch it shows where the replies first
# differ, not all of them.
expect_replies() {
    local received i=0
    received=$("$WIRE" -p "$PORT" -n "$1" -t 20000 "$2") || true
    [ "$received" = "$3" ] && return 0
    while [ "${received:i:1}" = "${3:i:1}" ]; do i=$((i + 1)); done
    echo "request:  ${2:0:100}... ($1 commands in one pipeline)"
    echo "the replies differ from byte $i on:"
    echo "expected: ...${3:i:150}"
    echo "received: ...${received:i:150}"
    return 1
}

# append_cmd ARG...: append the multibulk encoding of ARG... to REQUEST
# (as resp does, without a subshell per command).
append_cmd() {
    local arg
    REQUEST+="*$#\\r\\n"
    for arg in "$@"; do
        REQUEST+="\$${#arg}\\r\\n${arg}\\r\\n"
    done
}

@test "RENAME moves the value to the new name, and the old name is gone" {
    expect_cmd SET a 1 '+OK\r\n'
    expect_cmd RENAME a b '+OK\r\n'
    expect_cmd GET a '$-1\r\n'
    expect_cmd GET b '$1\r\n1\r\n'
    expect_cmd DBSIZE ':1\r\n'
    # Names are case-sensitive: x and X are two keys.
    expect_cmd SET x 2 '+OK\r\n'
    expect_cmd rename x X '+OK\r\n'
    expect_cmd EXISTS x ':0\r\n'
    expect_cmd GET X '$1\r\n2\r\n'
    # Binary-safe: "b\0a" holding a \r \n \0 b c becomes "b\0b".
    expect_reply '*3\r\n$3\r\nSET\r\n$3\r\nb\x00a\r\n$6\r\na\r\n\x00bc\r\n' '+OK\r\n'
    expect_reply '*3\r\n$6\r\nRENAME\r\n$3\r\nb\x00a\r\n$3\r\nb\x00b\r\n' '+OK\r\n'
    expect_reply '*2\r\n$3\r\nGET\r\n$3\r\nb\x00b\r\n' '$6\r\na\r\n\x00bc\r\n'
    expect_reply '*2\r\n$6\r\nEXISTS\r\n$3\r\nb\x00a\r\n' ':0\r\n'
}

@test "RENAME of a missing or expired key is an error; so is a wrong number of arguments" {
    local arity="-ERR wrong number of arguments for 'rename' command\\r\\n"
    expect_cmd RENAME missing x '-ERR no such key\r\n'
    expect_cmd RENAME missing missing '-ERR no such key\r\n'
    expect_cmd EXISTS x ':0\r\n'
    # A key past its expiry is gone, even if nothing has removed it yet.
    expect_cmd SET p v PX 1 '+OK\r\n'
    sleep 0.1
    expect_cmd RENAME p q '-ERR no such key\r\n'
    expect_cmd EXISTS q ':0\r\n'
    expect_cmd RENAME "$arity"
    expect_cmd RENAME a "$arity"
    expect_cmd RENAME a b c "$arity"
}

@test "RENAME carries the TTL to the new name; the destination's own TTL is gone" {
    # A source with a TTL onto a destination with another one.
    expect_cmd SET src v EX 100 '+OK\r\n'
    expect_cmd SET dst old EX 50 '+OK\r\n'
    expect_cmd RENAME src dst '+OK\r\n'
    expect_cmd GET dst '$1\r\nv\r\n'
    expect_pttl dst 90000 100000
    expect_cmd TTL src ':-2\r\n'
    # A source without a TTL onto a destination with one.
    expect_cmd SET src2 v2 '+OK\r\n'
    expect_cmd SET dst2 old EX 50 '+OK\r\n'
    expect_cmd RENAME src2 dst2 '+OK\r\n'
    expect_cmd GET dst2 '$2\r\nv2\r\n'
    expect_cmd TTL dst2 ':-1\r\n'
    # Two keys left, and only dst has a TTL: the count of keys with a TTL
    # (INFO's expires) must follow every move.
    expect_keyspace 2 1
}

@test "RENAME of a key to itself keeps the key and its TTL" {
    expect_cmd SET k kv PX 100000 '+OK\r\n'
    expect_cmd RENAME k k '+OK\r\n'
    expect_cmd GET k '$2\r\nkv\r\n'
    expect_pttl k 90000 100000
    expect_keyspace 1 1
}

@test "RENAME of 256 keys while the table grows: none lost, every TTL counted" {
    # 256 keys fill our table's 256 buckets, so the first rename's insert
    # starts a resize to 512 buckets, which moves keys a bucket per operation:
    # the next fifty or so renames run while keys are in both tables.
    local i n=256
    REQUEST=""
    local mset=(MSET)
    for i in $(seq 1 $n); do mset+=("k$i" "v$i"); done
    append_cmd "${mset[@]}"
    expect_replies 1 "$REQUEST" '+OK\r\n'
    # A TTL on every even key, then every key renamed, in one pipeline each.
    REQUEST=""
    local expected=""
    for i in $(seq 2 2 $n); do
        append_cmd EXPIRE "k$i" 1000
        expected+=':1\r\n'
    done
    expect_replies $((n / 2)) "$REQUEST" "$expected"
    REQUEST=""
    expected=""
    for i in $(seq 1 $n); do
        append_cmd RENAME "k$i" "r$i"
        expected+='+OK\r\n'
    done
    expect_replies $n "$REQUEST" "$expected"
    # Every value under its new name, no old name left, and the TTLs moved.
    REQUEST=""
    local mget=(MGET) exists=(EXISTS) value
    expected="*$n\\r\\n"
    for i in $(seq 1 $n); do
        mget+=("r$i")
        exists+=("k$i")
        value="v$i"
        expected+="\$${#value}\\r\\n$value\\r\\n"
    done
    append_cmd "${mget[@]}"
    expect_replies 1 "$REQUEST" "$expected"
    REQUEST=""
    append_cmd "${exists[@]}"
    expect_replies 1 "$REQUEST" ':0\r\n'
    expect_cmd DBSIZE ":$n\\r\\n"
    expect_keyspace $n $((n / 2))
    expect_pttl r2 900000 1000000
    expect_cmd TTL r1 ':-1\r\n'
}
