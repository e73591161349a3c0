# tests/exercises/core-maxmemory.bats - exercise of chapter 7: --maxmemory, a bound on the store.
# With --maxmemory BYTES, once the keys take more than BYTES, commands Redis
# flags "denyoom" get Redis 7.0's exact OOM error (taken from redis-server
# 7.0.15) while reads, DEL and other writes run, and DEL makes room again.
# Counts are bounded loosely, as our accounting is not Redis's (which starts
# near 900 KB), so this file does not run against STEP=redis.
# Run it with: make exercise NAME=core-maxmemory
STEP="${STEP:-step01_blocking}" # the core serves every step: set STEP to try another
load ../helpers

setup() {
    VALUE=$(printf '%1024s' '' | tr ' ' x) # 1 KiB
    REPLIES="$BATS_TEST_TMPDIR/replies"
}

teardown() {
    stop_server
}

# Redis 7.0's reply to a denyoom command over the limit: as wire prints it,
# and as a line of $REPLIES (without its \r\n).
OOM="-OOM command not allowed when used memory > 'maxmemory'.\\r\\n"
OOM_LINE="-OOM command not allowed when used memory > 'maxmemory'."

# set_keys FIRST LAST [KEYS]: SET key:FIRST .. key:LAST to 1 KiB values,
# pipelined on one connection; with KEYS, the names wrap round after key:KEYS.
# Leaves the replies in $REPLIES, one per line, in order.
set_keys() {
    local requests="$BATS_TEST_TMPDIR/requests" raw="$BATS_TEST_TMPDIR/raw"
    local count=$(($2 - $1 + 1))
    awk -v first="$1" -v last="$2" -v keys="${3:-0}" -v value="$VALUE" 'BEGIN {
        for (i = first; i <= last; i++) {
            k = "key:" (keys > 0 ? (i - 1) % keys + 1 : i)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(value), value
        }
    }' >"$requests"
    "$WIRE" -p "$PORT" -n "$count" -t 30000 -o "$raw" -f "$requests" || true
    tr -d '\r' <"$raw" >"$REPLIES"
    if [ "$(wc -l <"$REPLIES")" -ne "$count" ]; then
        echo "sent $count SETs, got $(wc -l <"$REPLIES") replies within 30 s"
        return 1
    fi
}

# The number of the first reply in $REPLIES that is not +OK (empty if none).
first_refused() {
    awk '$0 != "+OK" { print NR; exit }' "$REPLIES"
}

# fill: with --maxmemory 1048576, SET 1 KiB values until they are refused.
# Sets FIRST to the number of the first refused SET; keys 1 .. FIRST-1 exist.
fill() {
    set_keys 1 2048 || return 1
    FIRST=$(first_refused)
    if [ -z "$FIRST" ]; then
        echo "2048 SETs of 1 KiB values (2 MiB) all succeeded under --maxmemory 1048576:"
        echo "none was refused. Does the store count its memory, and cmd_execute check it?"
        return 1
    fi
    if [ "$FIRST" -le 256 ]; then
        echo "SET number $FIRST was refused, with only $((FIRST - 1)) KiB of values stored"
        echo "under --maxmemory 1048576: the store counts far more memory than it holds"
        return 1
    fi
    local line
    line=$(sed -n "${FIRST}p" "$REPLIES")
    if [ "$line" != "$OOM_LINE" ]; then
        echo "SET number $FIRST got:  $line"
        echo "Redis 7.0 answers:      $OOM_LINE"
        return 1
    fi
}

@test "--maxmemory 1048576: SETs of 1 KiB values get Redis's OOM error after 256 to 2048 keys" {
    start_server --maxmemory 1048576
    fill
    # Nothing frees memory between SETs, so every later SET is refused too.
    local wrong
    wrong=$(awk -v first="$FIRST" -v oom="$OOM_LINE" \
        'NR > first && $0 != oom { print "SET number " NR " got: " $0; exit }' "$REPLIES")
    [ -z "$wrong" ] || { echo "$wrong (after SET number $FIRST was refused)"; return 1; }
    # The error's exact bytes, as redis-server 7.0 sends them.
    expect_reply "$(resp SET key:1 x)" "$OOM"
}

@test "over the limit: every denyoom command is refused, reads, DEL and other writes run" {
    start_server --maxmemory 1048576
    fill
    local keys=$((FIRST - 1))
    # The commands Redis 7.0 flags denyoom (COMMAND INFO), refused before they
    # run: SET that would shrink a value too, and so whatever NX or XX say.
    local cmd
    for cmd in "SET key:1 x" "SET newkey x" "SET key:1 x XX" "SET newkey x NX" "INCR counter" \
        "DECR counter" "INCRBY counter 5" "DECRBY counter 5" "APPEND key:1 x" "MSET a 1 b 2"; do
        # shellcheck disable=SC2086
        expect_reply "$(resp $cmd)" "$OOM"
    done
    # A refused command changed nothing, and never ran: INFO commandstats
    # counts it as a rejected call, as Redis does.
    expect_reply "$(resp GET key:1)" "\$1024\\r\\n$VALUE\\r\\n"
    local stats
    stats=$(send "$(resp INFO commandstats)")
    [[ "$stats" == *'\r\ncmdstat_incr:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n'* ]] || {
        echo "after one refused INCR, INFO commandstats has no line"
        echo "cmdstat_incr:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0: $stats"
        return 1
    }
    expect_reply "$(resp DBSIZE)" ":$keys\\r\\n"
    # Arguments are checked first, as in Redis.
    expect_reply "$(resp SET onlykey)" "-ERR wrong number of arguments for 'set' command\\r\\n"
    # Reads, and writes that cannot add memory, still run.
    expect_reply "$(resp STRLEN key:2)" ':1024\r\n'
    expect_reply "$(resp EXISTS key:1 key:2 nokey)" ':2\r\n'
    expect_reply "$(resp PING)" '+PONG\r\n'
    expect_reply "$(resp EXPIRE key:2 1000)" ':1\r\n'
    expect_reply "$(resp PERSIST key:2)" ':1\r\n'
    expect_reply "$(resp GETDEL key:3)" "\$1024\\r\\n$VALUE\\r\\n"
    expect_reply "$(resp DEL key:4 key:5)" ':2\r\n'
    expect_reply "$(resp DBSIZE)" ":$((keys - 3))\\r\\n"
}

@test "DEL makes room: SET succeeds again, and an overwritten key is not counted twice" {
    start_server --maxmemory 1048576
    fill
    # Delete 8 keys at a time; within 256 KiB of deletes a SET must fit again.
    local deleted=0 reply=""
    while [ "$deleted" -lt 256 ] && [ "$deleted" -lt $((FIRST - 1)) ]; do
        # shellcheck disable=SC2046
        send "$(resp DEL $(seq -f 'key:%g' $((deleted + 1)) $((deleted + 8))))" >/dev/null
        deleted=$((deleted + 8))
        reply=$(send "$(resp SET newkey "$VALUE")") || true
        [ "$reply" = '+OK\r\n' ] && break
    done
    if [ "$reply" != '+OK\r\n' ]; then
        echo "after DEL of $deleted keys (${deleted} KiB of values) SET still gets: ${reply:-no reply}"
        echo "Does deleting a key take its memory off the store's count?"
        return 1
    fi
    expect_reply "$(resp GET newkey)" "\$1024\\r\\n$VALUE\\r\\n"
    stop_server

    # 64 keys of 1 KiB, each written 40 times (2.5 MiB of SETs in all): only
    # 64 KiB is ever held, so no SET may be refused.
    start_server --maxmemory 1048576
    set_keys 1 2560 64
    if [ -n "$(first_refused)" ]; then
        echo "writing the same 64 keys over and over, SET number $(first_refused) got:"
        sed -n "$(first_refused)p" "$REPLIES"
        echo "Is a replaced value still counted?"
        return 1
    fi
}

@test "APPEND's growth counts: appending 1 KiB at a time reaches the limit too" {
    start_server --maxmemory 1048576
    local requests="$BATS_TEST_TMPDIR/requests" raw="$BATS_TEST_TMPDIR/raw"
    awk -v value="$VALUE" 'BEGIN {
        for (i = 1; i <= 2048; i++) printf "*3\r\n$6\r\nAPPEND\r\n$3\r\nbig\r\n$%d\r\n%s\r\n", length(value), value
    }' >"$requests"
    "$WIRE" -p "$PORT" -n 2048 -t 30000 -o "$raw" -f "$requests" || true
    tr -d '\r' <"$raw" >"$REPLIES"
    local first
    first=$(awk '$0 !~ /^:[0-9]+$/ { print NR; exit }' "$REPLIES")
    if [ -z "$first" ]; then
        echo "2048 APPENDs of 1 KiB to one key under --maxmemory 1048576 all succeeded:"
        echo "does growing a value add to the store's count?"
        return 1
    elif [ "$first" -le 256 ]; then
        echo "APPEND number $first of 1 KiB to one key was refused: too soon for 1 MiB"
        return 1
    fi
    [ "$(sed -n "${first}p" "$REPLIES")" = "$OOM_LINE" ] || {
        echo "APPEND number $first got: $(sed -n "${first}p" "$REPLIES")"
        return 1
    }
    expect_reply "$(resp STRLEN big)" ":$(((first - 1) * 1024))\\r\\n"
}

@test "no limit without --maxmemory or with --maxmemory 0; a bad value is refused at start-up" {
    local flags
    for flags in "" "--maxmemory 0"; do
        # shellcheck disable=SC2086
        start_server $flags
        set_keys 1 4096
        if [ -n "$(first_refused)" ]; then
            echo "with '${flags:-no --maxmemory}', SET number $(first_refused) of 4096 got:"
            sed -n "$(first_refused)p" "$REPLIES"
            return 1
        fi
        stop_server
    done
    local bad
    for bad in abc -5 12x; do
        # A bad flag makes the server exit with status 2, as for any other flag.
        run timeout 10 "$ROOT/$STEP/server" --port 0 --maxmemory "$bad" 3>&-
        if [ "$status" -ne 2 ]; then
            echo "--maxmemory '$bad': expected exit status 2 and a message, got $status: $output"
            return 1
        fi
    done
}
