# bench.bats - `make bench` keeps working: its report computes what it says
# it does, and a short run against two steps finishes, reports step01's
# many-client cases as stalls within its time bound, and measures the rest;
# and the floor server it can measure beside them does what it is said to.
#
# These tests check the benchmark, never a server's speed: timings on a
# shared machine prove nothing, so no figure is compared with a threshold.

load helpers

setup() {
    cd "$ROOT"
}

# The test that starts the floor server stops it, even if it failed half-way.
teardown() {
    end_test || true
}

# A raw.tsv of three rounds, written by hand so the medians are known.
write_fixture() {
    local dir=$1 round
    mkdir -p "$dir"
    : >"$dir/raw.tsv"
    for round in 1 2 3; do
        printf '%s\tstep01_blocking\tc50-P1\tstalls\t1\n' "$round" >>"$dir/raw.tsv"
    done
    # step04: GET rps 40000, 50000, 45000 -> median 45000; SET 30000 x3.
    printf '1\tstep04_epoll\tc50-P1\tset_rps\t30000\n1\tstep04_epoll\tc50-P1\tget_rps\t40000\n' >>"$dir/raw.tsv"
    printf '2\tstep04_epoll\tc50-P1\tset_rps\t30000\n2\tstep04_epoll\tc50-P1\tget_rps\t50000\n' >>"$dir/raw.tsv"
    printf '3\tstep04_epoll\tc50-P1\tset_rps\t30000\n3\tstep04_epoll\tc50-P1\tget_rps\t45000\n' >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P1\tget_p50_ms\t0.5\n' 1 2 3 >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P1\tget_p99_ms\t0.9\n' 1 2 3 >>"$dir/raw.tsv"
    # CPU per request 8, 12, 10 -> median 10, of which sys 6.
    printf '1\tstep04_epoll\tc50-P1\tcpu_us\t8\n2\tstep04_epoll\tc50-P1\tcpu_us\t12\n3\tstep04_epoll\tc50-P1\tcpu_us\t10\n' >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P1\tsys_us\t6\n' 1 2 3 >>"$dir/raw.tsv"
    # Redis: GET 30000 in every round (step04 / Redis = 1.50x). CPU 16, 24,
    # 25 -> median 24; step04's, round by round, is 0.50x, 0.50x and 0.40x
    # of it: a median of 0.50x, where the ratio of the medians is 0.42x.
    printf '%s\tredis\tc50-P1\tget_rps\t30000\n' 1 2 3 >>"$dir/raw.tsv"
    printf '%s\tredis\tc50-P1\tset_rps\t30000\n' 1 2 3 >>"$dir/raw.tsv"
    printf '1\tredis\tc50-P1\tcpu_us\t16\n2\tredis\tc50-P1\tcpu_us\t24\n3\tredis\tc50-P1\tcpu_us\t25\n' >>"$dir/raw.tsv"
    printf '%s\tredis\tc50-P1\tsys_us\t10\n' 1 2 3 >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tmem\tbytes_per_key\t80\n' 1 2 3 >>"$dir/raw.tsv"
    printf '%s\tredis\tmem\tbytes_per_key\t120\n' 1 2 3 >>"$dir/raw.tsv"
    printf 'date: 2026-01-01 00:00 UTC\ncpu: test cpu, 2 cores\nkernel: Linux test\nrounds: 3\n' >"$dir/machine.txt"
}

@test "bench report: medians over rounds, stalls, ratios to Redis, and a chart" {
    local dir="$BATS_TEST_TMPDIR/report"
    write_fixture "$dir"
    run tests/bench/report "$dir"
    echo "$output"
    [ "$status" -eq 0 ]
    # The median of an odd count is the middle value, with min and max kept.
    grep -qx "$(printf 'step04_epoll\tc50-P1\tget_rps\t45000\t40000\t50000\t3')" "$dir/medians.tsv"
    grep -qx "$(printf 'step04_epoll\tc50-P1\tcpu_us\t10\t8\t12\t3')" "$dir/medians.tsv"
    cat "$dir/results.md"
    grep -qF '| GET, 50 clients, -P 1 | stalls | 45,000 (0.5 / 0.9) | 30,000 | 1.50x |' "$dir/results.md"
    grep -qx "$(printf 'step04/Redis\tc50-P1\tcpu_ratio\t0.5\t0.4\t0.5\t3')" "$dir/medians.tsv"
    grep -qF '| 50 clients, -P 1 | stalls | 10.00 (8.00-12.00), 60% sys | 24.00 (16.00-25.00), 42% sys | 0.50x (0.40-0.50) |' "$dir/results.md"
    grep -qF '| RSS per key | - | 80 B | 120 B | 0.67x |' "$dir/results.md"
    # Cases measured for no server are left out, not shown as rows of "-".
    # (A command negated with ! cannot fail a bats test except on its last
    # line, so absences are checked as counts.)
    [ "$(grep -c '1,000 clients' "$dir/results.md")" -eq 0 ]
    # The chart: a complete SVG with the step04 bar and step01's stall.
    head -n 1 "$dir/chart.svg" | grep -q '^<svg '
    [ "$(tail -n 1 "$dir/chart.svg")" = "</svg>" ]
    grep -q '<title>step04: 45,000</title>' "$dir/chart.svg"
    grep -q '>stalls</text>' "$dir/chart.svg"
}

@test "bench report: an even number of rounds takes the mean of the middle two" {
    local dir="$BATS_TEST_TMPDIR/even"
    mkdir -p "$dir"
    printf '1\tredis\tc1-P1\tget_rps\t10\n2\tredis\tc1-P1\tget_rps\t40\n' >"$dir/raw.tsv"
    printf '3\tredis\tc1-P1\tget_rps\t20\n4\tredis\tc1-P1\tget_rps\t30\n' >>"$dir/raw.tsv"
    : >"$dir/machine.txt"
    run tests/bench/report "$dir"
    [ "$status" -eq 0 ]
    grep -qx "$(printf 'redis\tc1-P1\tget_rps\t25\t10\t40\t4')" "$dir/medians.tsv"
}

# A raw.tsv of one round with the busy fraction and the system calls: 50
# clients unpipelined, where step04 was 60% busy (client-bound) and Redis
# 95%; pipelined, where both were busy. No perf when perf=missing.
write_pace_fixture() {
    local dir=$1 perf=${2:-}
    mkdir -p "$dir"
    printf '1\t%s\t%s\t%s\t%s\n' \
        step04_epoll c50-P1 get_rps 45000  step04_epoll c50-P1 set_rps 44000 \
        step04_epoll c50-P1 cpu_us 14      step04_epoll c50-P1 sys_us 10 \
        step04_epoll c50-P1 busy 0.6 \
        redis c50-P1 get_rps 50000         redis c50-P1 set_rps 48000 \
        redis c50-P1 cpu_us 16             redis c50-P1 sys_us 11 \
        redis c50-P1 busy 0.95 \
        step04_epoll c50-P32 get_rps 1200000  step04_epoll c50-P32 set_rps 1000000 \
        step04_epoll c50-P32 cpu_us 0.7       step04_epoll c50-P32 sys_us 0.35 \
        step04_epoll c50-P32 busy 0.97 \
        redis c50-P32 get_rps 800000          redis c50-P32 set_rps 700000 \
        redis c50-P32 cpu_us 1.4              redis c50-P32 sys_us 0.3 \
        redis c50-P32 busy 1.01 >"$dir/raw.tsv"
    printf 'date: 2026-01-01 00:00 UTC\ncpu: test cpu, 2 cores\nrounds: 1\n' >"$dir/machine.txt"
    printf 'pinning: server on CPU 0, redis-benchmark on CPU 1\nredis-benchmark threads: 1\n' >>"$dir/machine.txt"
    if [ "$perf" = missing ]; then
        echo 'syscalls: n/a: perf not found (Debian: apt-get install linux-perf)' >>"$dir/machine.txt"
    else
        printf '1\t%s\t%s\tsyscalls\t%s\n' step04_epoll c50-P1 2.9  redis c50-P1 2.95 \
            step04_epoll c50-P32 0.09  redis c50-P32 0.06 >>"$dir/raw.tsv"
    fi
}

@test "bench report: a throughput below 90% busy is client-bound, in the table and the chart, and not compared" {
    local dir="$BATS_TEST_TMPDIR/pace"
    write_pace_fixture "$dir"
    run tests/bench/report "$dir"
    echo "$output"
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    # step04 at 60% is marked and its ratio to Redis withheld; Redis at 95%
    # is not marked. Pipelined, both were busy: marked neither, compared.
    grep -qF '| GET, 50 clients, -P 1 | 45,000, *client-bound* | 50,000 | client-bound |' "$dir/results.md"
    grep -qF '| GET, 50 clients, -P 32 | 1,200,000 | 800,000 | 1.50x |' "$dir/results.md"
    # CPU per request is compared whoever set the pace.
    grep -qF '| 50 clients, -P 1 | 14.00 (14.00-14.00), 71% sys | 16.00 (16.00-16.00), 69% sys | 0.88x (0.88-0.88) |' "$dir/results.md"
    # The pace table: busy, system calls per request, and their ratio.
    grep -qF '| 50 clients, -P 1 | 60%, 2.90 | 95%, 2.95 | 0.98x calls |' "$dir/results.md"
    grep -qF '| 50 clients, -P 32 | 97%, 0.09 | 101%, 0.06 | 1.50x calls |' "$dir/results.md"
    [ "$(grep -c 'System calls n/a' "$dir/results.md")" -eq 0 ]
    # The chart: step04's unpipelined bar pale and hatched, Redis's not;
    # the legend says what hatching means, and where the two ran.
    grep -q 'class="bound"><title>step04: 45,000 (client-bound: server 60% busy)</title>' "$dir/chart.svg"
    grep -q '<title>Redis: 50,000</title>' "$dir/chart.svg"
    grep -q 'pale, hatched: client-bound' "$dir/chart.svg"
    grep -q 'server on CPU 0, redis-benchmark on CPU 1' "$dir/chart.svg"
    # pace.svg: the busy fractions against the 90% line, and the calls.
    head -n 1 "$dir/pace.svg" | grep -q '^<svg '
    [ "$(tail -n 1 "$dir/pace.svg")" = "</svg>" ]
    grep -q '<title>step04: 60%</title>' "$dir/pace.svg"
    grep -q '<title>Redis: 101%</title>' "$dir/pace.svg"
    grep -q '<title>step04: 2.90</title>' "$dir/pace.svg"
    grep -q 'class="mark"' "$dir/pace.svg"
}

@test "bench report: without perf, system calls are n/a, and the reason is given once" {
    local dir="$BATS_TEST_TMPDIR/noperf"
    write_pace_fixture "$dir" missing
    run tests/bench/report "$dir"
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    grep -qF '| 50 clients, -P 1 | 60%, n/a | 95%, n/a | - |' "$dir/results.md"
    [ "$(grep -c 'perf not found' "$dir/results.md")" -eq 2 ]   # machine's list, and the table's note
    grep -qx 'System calls n/a: perf not found (Debian: apt-get install linux-perf).' "$dir/results.md"
    # The client-bound marks do not depend on perf.
    grep -qF '| GET, 50 clients, -P 1 | 45,000, *client-bound* | 50,000 | client-bound |' "$dir/results.md"
}

@test "bench QUICK=1 on step01 and step04: step01's stalls are bounded, step04 is measured" {
    local dir="$BATS_TEST_TMPDIR/quick"
    # The bound is generous for a slow machine; here it takes about 20 s.
    QUICK=1 ONLY="step01_blocking step04_epoll" OUT="$dir" run timeout 300 tests/bench/run
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    # step01 serves one client at a time: 50 clients stall, one is measured.
    grep -q '^| GET, 50 clients, -P 1 | stalls | [0-9,]* (' "$dir/results.md"
    # (A cell may end in ", *client-bound*": the client set the pace.)
    grep -qE '^\| GET, 1 client, -P 1 \| [0-9,]+ \([^)]*\)(, \*client-bound\*)? \| [0-9,]+ \(' "$dir/results.md"
    grep -q '^| 1,000 | stalls | [0-9,]*, ' "$dir/results.md"
    # step04 served every case and its CPU and memory were read, with its
    # busy fraction, and its system calls where perf may count them (it
    # can on this project's machines; elsewhere the bench says why not).
    [ -z "$(awk -F'\t' '$2 == "step04_epoll" && ($4 == "stalls" || $4 == "timeout")' "$dir/raw.tsv")" ]
    awk -F'\t' '$2 == "step04_epoll" && $4 == "cpu_us"' "$dir/raw.tsv" | grep -q .
    awk -F'\t' '$2 == "step04_epoll" && $3 == "c50-P1" && $4 == "busy" && $5 > 0' "$dir/raw.tsv" | grep -q .
    if perf stat -e raw_syscalls:sys_enter -o /dev/null -- true 2>/dev/null; then
        awk -F'\t' '$2 == "step04_epoll" && $3 == "c50-P1" && $4 == "syscalls" && $5 > 0.5 && $5 < 10' "$dir/raw.tsv" | grep -q .
    else
        grep -q '^syscalls: n/a: ' "$dir/machine.txt"
    fi
    # On two CPUs or more, the server and the client were kept apart.
    if [ "$(nproc)" -ge 2 ]; then
        grep -qx 'pinning: server on CPU [0-9]*, redis-benchmark on CPU [0-9,-]*' "$dir/machine.txt"
    fi
    awk -F'\t' '$2 == "step04_epoll" && $4 == "bytes_per_key" && $5 > 0' "$dir/raw.tsv" | grep -q .
    grep -q '<title>step04: ' "$dir/chart.svg"
    # Every server it started was stopped. (Only this copy's servers: the
    # tests of an exercise may run another bench in a copy of the project.)
    [ -z "$(pgrep -f "^$ROOT/step0[14]_[a-z]*/server --port 0 --maxclients 11000")" ]
}

@test "bench CASES: only the cases named are measured, in every round; an unknown name is refused" {
    local dir="$BATS_TEST_TMPDIR/cases"
    QUICK=1 ROUNDS=2 ONLY=step04_epoll CASES="c1-P1 idle0" OUT="$dir" run timeout 120 tests/bench/run
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    # Round, case: both cases in both rounds, and nothing else measured.
    [ "$(cut -f1,3 "$dir/raw.tsv" | sort -u | tr '\t\n' ': ')" = "1:c1-P1 1:idle0 2:c1-P1 2:idle0 " ]
    grep -qx 'cases: c1-P1 idle0' "$dir/machine.txt"
    grep -q '^| GET, 1 client, -P 1 | [0-9,]* (' "$dir/results.md"
    QUICK=1 ONLY=step04_epoll CASES="c50-P1 c50-p32" OUT="$dir" run tests/bench/run
    [ "$status" -ne 0 ]
    [[ "$output" == *"unknown case 'c50-p32'"* ]]
}

# cpu_by_round FILE SERVER CASE V1 V2 ...: the server's CPU per request in
# that case, V1 in round 1, V2 in round 2 and so on, as lines of raw.tsv.
cpu_by_round() {
    local file="$1" server="$2" case="$3" round=0 value
    shift 3
    for value in "$@"; do
        round=$((round + 1))
        printf '%s\t%s\t%s\tcpu_us\t%s\n' "$round" "$server" "$case" "$value" >>"$file"
    done
}

@test "bench report: the floor gets a column, its own paired ratio to Redis, and no memory row" {
    local dir="$BATS_TEST_TMPDIR/floor-report" round
    mkdir -p "$dir"
    : >"$dir/raw.tsv"
    # CPU per request, rounds 1-3: step04 10 12 9, floor 8 9 9, Redis 20 12 10.
    # Round by round the floor is 0.40x, 0.75x and 0.90x of Redis: a median
    # of 0.75x, where the ratio of the medians (9 / 12) would also be 0.75x,
    # so the step04 column (0.50x 1.00x 0.90x: 0.90x) tells the two apart.
    cpu_by_round "$dir/raw.tsv" step04_epoll c50-P1 10 12 9
    cpu_by_round "$dir/raw.tsv" floor c50-P1 8 9 9
    cpu_by_round "$dir/raw.tsv" redis c50-P1 20 12 10
    for round in 1 2 3; do
        printf '%s\t%s\tc50-P1\tsys_us\t6\n' "$round" step04_epoll "$round" floor "$round" redis >>"$dir/raw.tsv"
        printf '%s\t%s\tc50-P1\tget_rps\t40000\n' "$round" step04_epoll "$round" floor "$round" redis >>"$dir/raw.tsv"
        printf '%s\t%s\tmem\tbytes_per_key\t100\n' "$round" step04_epoll "$round" redis >>"$dir/raw.tsv"
    done
    : >"$dir/machine.txt"
    run tests/bench/report "$dir"
    echo "$output"
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    grep -qx "$(printf 'floor/Redis\tc50-P1\tcpu_ratio\t0.75\t0.4\t0.9\t3')" "$dir/medians.tsv"
    grep -qF '| case | step04 | floor | Redis | step04 / Redis | floor / Redis |' "$dir/results.md"
    grep -qF '| 50 clients, -P 1 | 10.00 (9.00-12.00), 60% sys | 9.00 (8.00-9.00), 67% sys | 12.00 (10.00-20.00), 50% sys | 0.90x (0.50-1.00) | 0.75x (0.40-0.90) |' "$dir/results.md"
    # The throughput table has no floor / Redis column; memory shows "-".
    grep -qF '| GET, 50 clients, -P 1 | 40,000 | 40,000 | 40,000 | 1.00x |' "$dir/results.md"
    grep -qF '| RSS per key | 100 B | - | 100 B | 1.00x |' "$dir/results.md"
    # No idle connections were measured: no idle section, not an empty one.
    [ "$(grep -c 'idle connections open' "$dir/results.md")" -eq 0 ]
    grep -q '<title>floor: 40,000</title>' "$dir/chart.svg"
}

@test "bench report: step05 against step04 and against floor05, round by round, where they ran" {
    local dir="$BATS_TEST_TMPDIR/step05-report"
    mkdir -p "$dir"
    : >"$dir/raw.tsv"
    # CPU per request, rounds 1-3: step04 10 20 10, step05 8 10 9, floor05
    # 4 10 6. Round by round step05 is 0.80x, 0.50x and 0.90x of step04 (a
    # median of 0.80x, where the medians' ratio would be 0.90x) and 2.00x,
    # 1.00x and 1.50x of floor05. In c50-P32 only step04 and step05 ran.
    cpu_by_round "$dir/raw.tsv" step04_epoll c50-P1 10 20 10
    cpu_by_round "$dir/raw.tsv" step05_io_uring c50-P1 8 10 9
    cpu_by_round "$dir/raw.tsv" floor05 c50-P1 4 10 6
    cpu_by_round "$dir/raw.tsv" step04_epoll c50-P32 1 1 1
    cpu_by_round "$dir/raw.tsv" step05_io_uring c50-P32 1 1 1
    : >"$dir/machine.txt"
    run tests/bench/report "$dir"
    echo "$output"
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    grep -qx "$(printf 'step05/step04\tc50-P1\tcpu_ratio\t0.8\t0.5\t0.9\t3')" "$dir/medians.tsv"
    grep -qx "$(printf 'step05/floor05\tc50-P1\tcpu_ratio\t1.5\t1\t2\t3')" "$dir/medians.tsv"
    grep -qF '| case | step05 / step04 | step05 / floor05 |' "$dir/results.md"
    grep -qF '| 50 clients, -P 1 | 0.80x (0.50-0.90) | 1.50x (1.00-2.00) |' "$dir/results.md"
    grep -qF '| 50 clients, -P 32 | 1.00x (1.00-1.00) | - |' "$dir/results.md"
    grep -qx "#### step05's CPU per request, round by round, against step04's and its floor's" "$dir/results.md"
    grep -qx "floor05: step05's loop with the floor's do-nothing session." "$dir/results.md"
    # Without floor05, no word of it.
    grep -v floor05 "$dir/raw.tsv" >"$dir/raw.tsv.new" && mv "$dir/raw.tsv.new" "$dir/raw.tsv"
    run tests/bench/report "$dir"
    [ "$status" -eq 0 ]
    grep -qx "#### step05's CPU per request, round by round, against step04's" "$dir/results.md"
    ! grep -q floor05 "$dir/results.md"
    # Without step05, no such table.
    grep -v step05 "$dir/raw.tsv" >"$dir/raw.tsv.new" && mv "$dir/raw.tsv.new" "$dir/raw.tsv"
    run tests/bench/report "$dir"
    [ "$status" -eq 0 ]
    ! grep -q 'step05 / ' "$dir/results.md"
}

@test "the floor server answers +OK to every command, whole or split, and nothing else" {
    # fd 3 is bats's own: a server left holding it would make bats wait forever.
    start_on_free_port "$BATS_TEST_TMPDIR/floor.log" tests/bench/floor_server --port 0 3>&-
    # Three commands in one write: three replies, whatever the commands.
    run "$WIRE" -p "$PORT" -n 3 -t 2000 '*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$6\r\nDBSIZE\r\n'
    [ "$output" = '+OK\r\n+OK\r\n+OK\r\n' ]
    # Two commands sent three bytes at a time: two replies, no more.
    run "$WIRE" -p "$PORT" -t 1000 -c 3 -d 2000 '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n'
    [ "$output" = '+OK\r\n+OK\r\n' ]
    stop_server
}

@test "bench ONLY with floor: the floor is measured in the throughput cases only; an unknown server, or nothing to measure, is refused" {
    local dir="$BATS_TEST_TMPDIR/floor"
    QUICK=1 ONLY="floor step04_epoll" CASES="c50-P1 idle0 mem" OUT="$dir" run timeout 120 tests/bench/run
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    # Server, case: the floor in c50-P1 alone; step04 in all three.
    [ "$(cut -f2,3 "$dir/raw.tsv" | sort -u | tr '\t\n' ': ')" = "floor:c50-P1 step04_epoll:c50-P1 step04_epoll:idle0 step04_epoll:mem " ]
    awk -F'\t' '$2 == "floor" && $4 == "cpu_us" && $5 > 0' "$dir/raw.tsv" | grep -q .
    grep -qE '^\| GET, 50 clients, -P 1 \| [0-9,]+ \([^)]*\)(, \*client-bound\*)? \| [0-9,]+ \(' "$dir/results.md"
    [ -z "$(pgrep -f "^$ROOT/tests/bench/floor_server --port 0")" ]
    ONLY="floor step05_uring" CASES=c50-P1 OUT="$dir" run tests/bench/run
    [ "$status" -ne 0 ]
    [[ "$output" == *"unknown server 'step05_uring'"* ]]
    # The floor alone, with no throughput case: nothing to measure, said so.
    ONLY=floor CASES=mem OUT="$dir" run tests/bench/run
    [ "$status" -ne 0 ]
    [[ "$output" == *"the floor is measured in the throughput cases only, and CASES names none"* ]]
}

@test "bench pinning and perf: SERVER_CPUS puts the server there; a bad list is refused; a perf that fails is n/a, and said why" {
    [ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to pin apart"
    local dir="$BATS_TEST_TMPDIR/pin" fake="$BATS_TEST_TMPDIR/fakeperf"
    # A perf that cannot count, as where perf_event_paranoid forbids it.
    mkdir -p "$fake"
    printf '#!/bin/sh\necho "Error: Access to performance monitoring and observability operations is limited." >&2\nexit 255\n' >"$fake/perf"
    chmod +x "$fake/perf"
    # The server on the second CPU, the client on the first: the report
    # says so, and the server ran where it was put (its affinity, read
    # while it ran, by a probe that polls for its pid).
    (
        for i in $(seq 1 200); do
            pid=$(pgrep -f "^$ROOT/step04_epoll/server --port 0 --maxclients 11000" | head -n 1)
            if [ -n "$pid" ]; then
                sleep 0.3
                taskset -pc "$pid" >"$BATS_TEST_TMPDIR/affinity" 2>&1
                exit 0
            fi
            sleep 0.05
        done
    ) &
    local watcher=$!
    PATH="$fake:$PATH" QUICK=1 ONLY=step04_epoll CASES=c1-P1 SERVER_CPUS=1 CLIENT_CPUS=0 OUT="$dir" \
        run timeout 120 tests/bench/run
    wait "$watcher" || true
    echo "$output" | tail -n 20
    [ "$status" -eq 0 ]
    cat "$dir/machine.txt" "$BATS_TEST_TMPDIR/affinity"
    grep -qx 'pinning: server on CPU 1, redis-benchmark on CPU 0' "$dir/machine.txt"
    grep -q "current affinity list: 1$" "$BATS_TEST_TMPDIR/affinity"
    grep -q '^syscalls: n/a: perf stat -e raw_syscalls:sys_enter failed: Error: Access to performance monitoring' "$dir/machine.txt"
    awk -F'\t' '$4 == "busy" && $5 > 0' "$dir/raw.tsv" | grep -q .
    [ "$(awk -F'\t' '$4 == "syscalls"' "$dir/raw.tsv" | wc -l)" -eq 0 ]
    grep -q '^| 1 client, -P 1 | [0-9]*%, n/a |' "$dir/results.md"
    # Lists that are not lists of CPUs, or CPUs the machine does not allow.
    SERVER_CPUS=0-x ONLY=step04_epoll CASES=c1-P1 OUT="$dir" run tests/bench/run
    [ "$status" -ne 0 ]
    [[ "$output" == *"'0-x' is not a list of CPUs"* ]]
    CLIENT_CPUS=4095 ONLY=step04_epoll CASES=c1-P1 OUT="$dir" run tests/bench/run
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot run on CPUs 4095"* ]]
}
