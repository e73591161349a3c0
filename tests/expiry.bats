#!/usr/bin/env bats
# expiry.bats - active expiry: keys that expire, and that nobody touches
# again, leave the server by themselves, soon, and the server answers
# meanwhile. tests/run_all runs it against every step; it passes against a
# real redis-server too (STEP=redis).
#
# Step01 has no timer: it runs the expiry cycle between commands, before
# each read() (step01_blocking/server.c says why). Here the clients that
# poll DBSIZE are what drive it, one connection each, as a busy server's
# clients would. An idle step01 reclaims nothing until a client speaks,
# which no test can see without being a client.

load helpers

setup() {
    need_wire
    start_server
}

teardown() {
    end_test
}

# load_expiring N: SET key:1 ... key:N, each with PX 200, in one pipelined
# write, and read the N replies.
load_expiring() {
    local file="$BATS_TEST_TMPDIR/load" status=0 got
    awk -v n="$1" 'BEGIN {
        for (i = 1; i <= n; i++) {
            k = "key:" i
            printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n$2\r\nPX\r\n$3\r\n200\r\n", length(k), k
        }
    }' >"$file"
    got=$("$WIRE" -p "$PORT" -n "$1" -q -t 60000 -f "$file" '') || status=$?
    if [ "$status" != 0 ] || [ "$got" != "replies=$1 errors=0" ]; then
        echo "loading $1 keys: $got (status $status)"
        return 1
    fi
}

# info_field NAME: the value of NAME in INFO's output.
info_field() {
    "$WIRE" -p "$PORT" -n 1 -o "$BATS_TEST_TMPDIR/info" "$(resp INFO)" >/dev/null
    tr -d '\r' <"$BATS_TEST_TMPDIR/info" | sed -n "s/^$1://p"
}

# Why 200,000 keys and not the 20,000 of the report that asked for this:
# the sweep this replaced looked at 1,000 buckets a tick whatever it found,
# so its time grows with the table. It was rid of 20,000 keys (32,768
# buckets) after about 5 s, which a generous bound would let pass; of
# 200,000 (262,144 buckets) it still held 199,157 after 10 s, and finished
# after 40. The adaptive cycle's time grows with the work instead: the 200,000
# were gone 0.5 s after their load (0.8 s in step01), and 0.7 s in Redis
# 7.0.15 (tests/bench/focused/expiry-200000.tsv). A 10 s bound tells the
# two apart with room for a slow, busy machine or a sanitizer build.
@test "200,000 keys with PX 200, never touched again, are all reclaimed within 10 s" {
    load_expiring 200000
    local dbsize="" deadline=$((SECONDS + 10))
    while [ "$SECONDS" -le "$deadline" ]; do
        dbsize=$("$WIRE" -p "$PORT" -n 1 "$(resp DBSIZE)")
        [ "$dbsize" = ':0\r\n' ] && break
        sleep 0.1
    done
    [ "$dbsize" = ':0\r\n' ] || { echo "DBSIZE after 10 s: $dbsize"; return 1; }
    # Counted once each, by the cycle: nothing else met them.
    local expired
    expired=$(info_field expired_keys)
    [ "$expired" = 200000 ] || { echo "expired_keys: $expired"; return 1; }
}

# The cycle stops at 25 ms a tick however many keys have expired, and the
# unit tests check that bound exactly (tests/unit/test_commands.c gives
# core_expire_cycle no time at all). This checks what a client sees: while
# 200,000 keys expire, a PING is answered, within 3 s (step02's cycle holds
# the lock that every client needs). It guards against a cycle that would
# not stop; the fixed sweep this replaced passed it too.
@test "PING is answered while 200,000 expired keys are reclaimed" {
    load_expiring 200000
    local reply i
    for i in $(seq 1 10); do
        reply=$("$WIRE" -p "$PORT" -n 1 -t 3000 "$(resp PING)") || true
        [ "$reply" = '+PONG\r\n' ] || { echo "PING $i: ${reply:-no reply within 3 s}"; return 1; }
        sleep 0.05
    done
}

# An idle server where nothing has expired does almost nothing per tick,
# even where keys with a TTL are rare: here one among 300,000 without. A
# sample of 1,000 buckets that meets no key with a TTL ends the tick's
# cycle (common/core.c says why); a cycle that looked on until it found one
# would walk the whole table ten times a second.
@test "an idle server whose one key with a TTL has not expired costs almost nothing" {
    [ "$STEP" != redis ] || skip "the bound is ours: Redis's timer does other work"
    [ "$STEP" != step01_blocking ] || skip "step01 runs no cycle while idle"
    local file="$BATS_TEST_TMPDIR/load" got
    awk 'BEGIN {
        for (i = 1; i <= 300000; i++) {
            k = "plain:" i
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", length(k), k
        }
        printf "*5\r\n$3\r\nSET\r\n$5\r\nlater\r\n$1\r\nv\r\n$2\r\nEX\r\n$4\r\n3600\r\n"
    }' >"$file"
    got=$("$WIRE" -p "$PORT" -n 300001 -q -t 60000 -f "$file" '')
    [ "$got" = "replies=300001 errors=0" ] || { echo "loading: $got"; return 1; }
    local before after
    before=$(cpu_ticks)
    sleep 2
    after=$(cpu_ticks)
    # 20 ticks of our timer in 2 s. The kernel counts CPU time in ticks of
    # its own clock, 10 ms each: 10 of them would be a twentieth of the time.
    [ $((after - before)) -le 10 ] || { echo "CPU ticks in 2 s idle: $((after - before))"; return 1; }
}
