# tests/exercises/step02-rwlock.bats - exercise of chapter 2: reads share a read-write lock.
# Step02 must take a read lock for read-only commands, so that a GET is
# answered while a long KEYS runs, and must stay free of data races while
# readers meet expired keys and a rehash is under way, and while CLIENT
# LIST shows what each reader last ran: ThreadSanitizer watches readers and
# writers at work on step02_threads/server-tsan.
# Run it with: make exercise NAME=step02-rwlock
STEP="${STEP:-step02_threads}"
load ../helpers

setup() {
    # TSan stops the server at its first report, with exit status 66.
    export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
}

teardown() {
    end_test || true
}

# now_ms: the wall clock in milliseconds.
now_ms() {
    local t="$EPOCHREALTIME"
    echo $(((${t%.*} * 1000000 + 10#${t#*.}) / 1000))
}

# keys_request FILE BYTES: a KEYS whose pattern is one character class of
# BYTES characters. Matching it against a key scans the whole class, so one
# KEYS costs about BYTES steps per key: a slow read on demand.
keys_request() {
    local file="$1" bytes="$2"
    {
        printf '*2\r\n$4\r\nKEYS\r\n$%d\r\n[' $((bytes + 2))
        head -c "$bytes" /dev/zero | tr '\0' c
        printf ']\r\n'
    } >"$file"
}

@test "step02 takes a read lock and a write lock (pthread_rwlock_t)" {
    command -v nm >/dev/null || skip "nm (binutils) is not installed"
    local symbols
    symbols=$(nm "$ROOT/$STEP/server" 2>&1) || { echo "$symbols"; return 1; }
    grep -q 'pthread_rwlock_rdlock' <<<"$symbols" || {
        echo "$STEP/server never calls pthread_rwlock_rdlock: every command still"
        echo "waits for the one mutex. See pthread_rwlock_rdlock(3p)."
        return 1
    }
    grep -q 'pthread_rwlock_wrlock' <<<"$symbols" || {
        echo "$STEP/server never calls pthread_rwlock_wrlock: who keeps the writers apart?"
        return 1
    }
}

@test "a GET is answered while a long KEYS runs: reads do not wait for each other" {
    start_server
    # Keys for KEYS to scan, none of which its pattern matches. The KEYS is
    # timed alone first, with more keys until it takes a second or more.
    local count=0 duration=0 round start
    keys_request "$BATS_TEST_TMPDIR/keys" 1048576
    for round in 1 2 3 4 5 6; do
        printf 'SET key:%d v\r\n' $(seq $((count + 1)) $((count + 1000))) >"$BATS_TEST_TMPDIR/sets"
        "$WIRE" -p "$PORT" -n 1000 -q -t 60000 -f "$BATS_TEST_TMPDIR/sets" >/dev/null
        count=$((count + 1000))
        start=$(now_ms)
        "$WIRE" -p "$PORT" -n 1 -t 120000 -f "$BATS_TEST_TMPDIR/keys" >/dev/null
        duration=$(($(now_ms) - start))
        [ "$duration" -ge 1000 ] && break
    done
    [ "$duration" -ge 1000 ] || { echo "KEYS over $count keys took only $duration ms"; return 1; }

    # A client connected beforehand (connecting may have to wait for KEYS:
    # counting the connection is a write).
    local fd line
    exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
    OPEN_FDS="$fd"
    printf 'SET answer 42\r\n' >&"$fd"
    read -r -t 10 line <&"$fd"
    [ "$line" = $'+OK\r' ] || { echo "SET answer 42 got: ${line:-no reply}"; return 1; }

    "$WIRE" -p "$PORT" -n 1 -t 120000 -f "$BATS_TEST_TMPDIR/keys" >/dev/null 3>&- &
    local keys_pid=$!
    HELPERS_PIDS="$keys_pid"
    # Well into the KEYS, which takes about $duration ms, ask for a GET.
    sleep "$(awk -v ms="$duration" 'BEGIN { printf "%.3f", ms / 5000 }')"
    local waited still_running=no
    start=$(now_ms)
    printf 'GET answer\r\n' >&"$fd"
    read -r -t 60 line <&"$fd" && read -r -t 60 line <&"$fd"
    waited=$(($(now_ms) - start))
    kill -0 "$keys_pid" 2>/dev/null && still_running=yes
    [ "$line" = $'42\r' ] || { echo "GET answer got: ${line:-no reply}"; return 1; }
    wait "$keys_pid" || { echo "the KEYS got no reply"; return 1; }
    HELPERS_PIDS=""
    if [ "$waited" -ge $((duration / 2)) ] || [ "$still_running" != yes ]; then
        echo "the GET waited $waited ms for a KEYS that takes about $duration ms alone"
        echo "(KEYS still running when the GET was answered: $still_running)."
        echo "Both only read: under a read lock they should run at once. (A lock that"
        echo "prefers writers holds up every new reader once a writer, such as the"
        echo "expiry thread, waits behind the KEYS.)"
        return 1
    fi
    stop_server_cleanly
}

@test "readers meeting expired keys during a rehash, with writers: no race (ThreadSanitizer)" {
    make -C "$ROOT" -s "$STEP/server-tsan" >"$BATS_TEST_TMPDIR/make.log" 2>&1 || {
        echo "cannot build $STEP/server-tsan:"
        cat "$BATS_TEST_TMPDIR/make.log"
        return 1
    }
    SERVER_BINARY=server-tsan start_server
    local dir="$BATS_TEST_TMPDIR" i

    # 300 keys that stay, and 300 that expire one after another from 0.1 s
    # to 0.7 s after they are set, while four readers read them all over and
    # over: expired keys are met by readers before the expiry thread
    # reclaims them (SCAN meets them too, and deletes them).
    for i in $(seq 1 300); do
        printf 'SET stay:%d value%d\r\nSET go:%d value%d PX %d\r\n' "$i" "$i" "$i" "$i" $((100 + i * 2))
    done >"$dir/load"
    for i in $(seq 1 300); do
        printf 'GET go:%d\r\nEXISTS go:%d stay:%d\r\nTTL go:%d\r\n' "$i" "$i" "$i" "$i"
        if [ $((i % 30)) = 0 ]; then
            printf 'MGET stay:%d go:%d\r\nSTRLEN go:%d\r\nPTTL stay:%d\r\n' "$i" "$i" "$i" "$i"
            printf 'TYPE go:%d\r\nDBSIZE\r\nKEYS stay:1?\r\n' "$i"
            printf 'SCAN %d COUNT 20\r\nSCAN 0 MATCH go:* TYPE string COUNT 50\r\n' "$i"
        fi
    done >"$dir/reads"
    local per_read=$((300 * 3 + 10 * 8)) rounds=16
    for i in $(seq 1 $rounds); do cat "$dir/reads"; done >"$dir/reads.all"
    # Two writers meanwhile: one adds 3000 keys (the table doubles, and
    # every command during a rehash moves a bucket), one INCRs a counter and
    # deletes what it set (the table shrinks again). And a client that
    # changes no key but reads what every reader changes: CLIENT LIST shows
    # the command each client last ran, CLIENT KILL walks the clients,
    # CLIENT SETNAME renames itself, INFO reads the counters.
    printf 'SET add:%d x\r\n' $(seq 1 3000) >"$dir/add"
    for i in $(seq 1 500); do
        printf 'INCR counter\r\nSET tmp:%d y\r\nDEL tmp:%d\r\n' "$i" "$i"
    done >"$dir/churn"
    for i in $(seq 1 300); do
        printf 'CLIENT LIST\r\n'
        if [ $((i % 10)) = 0 ]; then
            printf 'CLIENT SETNAME lister%d\r\nCLIENT KILL ID 999999\r\nINFO\r\n' "$i"
        fi
    done >"$dir/list"

    "$WIRE" -p "$PORT" -n 600 -q -t 60000 -f "$dir/load" >/dev/null
    local pids=() names=()
    for i in 1 2 3 4; do
        "$WIRE" -p "$PORT" -n $((per_read * rounds)) -q -t 120000 -f "$dir/reads.all" \
            >"$dir/reader.$i" 3>&- &
        pids+=($!)
        names+=("reader.$i")
    done
    "$WIRE" -p "$PORT" -n 3000 -q -t 120000 -f "$dir/add" >"$dir/adder" 3>&- &
    pids+=($!)
    names+=(adder)
    "$WIRE" -p "$PORT" -n 1500 -q -t 120000 -f "$dir/churn" >"$dir/churner" 3>&- &
    pids+=($!)
    names+=(churner)
    "$WIRE" -p "$PORT" -n $((300 + 30 * 3)) -q -t 120000 -f "$dir/list" >"$dir/lister" 3>&- &
    pids+=($!)
    names+=(lister)
    local k failed=0
    for k in "${!pids[@]}"; do
        wait "${pids[$k]}" || { echo "${names[$k]}: $(cat "$dir/${names[$k]}")"; failed=1; }
    done
    if [ "$failed" != 0 ]; then
        echo "some clients did not get all their replies; the server's log:"
        cat "$SERVER_LOG"
        return 1
    fi
    for i in 1 2 3 4; do
        [ "$(cat "$dir/reader.$i")" = "replies=$((per_read * rounds)) errors=0" ] ||
            { echo "reader $i: $(cat "$dir/reader.$i")"; return 1; }
    done
    [ "$(cat "$dir/lister")" = "replies=$((300 + 30 * 3)) errors=0" ] ||
        { echo "lister: $(cat "$dir/lister")"; return 1; }

    # Nothing was lost, and every expired key was removed and counted once.
    expect_reply "$(resp GET counter)" '$3\r\n500\r\n'
    local size="" n
    for n in $(seq 1 100); do
        size=$(send "$(resp DBSIZE)")
        [ "$size" = ':3301\r\n' ] && break
        sleep 0.1
    done
    [ "$size" = ':3301\r\n' ] || { echo "DBSIZE is $size, not 3301 (300 + 3000 + counter)"; return 1; }
    send "$(resp INFO stats)" | grep -q 'expired_keys:300\\r\\n' || {
        echo "INFO stats should count 300 expired keys:"
        send "$(resp INFO stats)"
        return 1
    }
    stop_server_cleanly
}
