# tests/exercises/bench-value-size.bats - exercise of chapter 6: a bench case with 4 KiB values.
# A short bench of step04 (QUICK=1) must measure the case c50-P16-d4096, with
# values that really are 4 KiB where its GETs read them, and the report must
# show it in both tables. Nothing here compares a figure with a threshold.
# Run it with: make exercise NAME=bench-value-size
load ../helpers

# Run the bench once for the whole file, through a stand-in for
# redis-benchmark that logs, after each run of SETs, how long the values
# now stored under the keys that run used are.
setup_file() {
    local bin="$BATS_FILE_TMPDIR/bin"
    mkdir -p "$bin"
    REAL_REDIS_BENCHMARK=$(command -v redis-benchmark) || {
        echo "redis-benchmark not found: install redis-tools" >"$BATS_FILE_TMPDIR/bench.out"
        return 0
    }
    export REAL_REDIS_BENCHMARK
    export VALUE_LOG="$BATS_FILE_TMPDIR/values.log"
    : >"$VALUE_LOG"
    cat >"$bin/redis-benchmark" <<'EOF'
#!/usr/bin/env bash
# Stand-in for redis-benchmark (tests/exercises/bench-value-size.bats): run
# the real one; then, if it ran SETs, read the lengths of the values under
# the first 200 of its keys (key:000000000000 on; key:__rand_int__ without
# -r) and log them with its options, as "c=50 P=16 r=10000 t=set,get
# sampled=200 bytes4096=200".
"$REAL_REDIS_BENCHMARK" "$@"
status=$?
args=("$@") port="" clients="" pipeline=1 keys="" tests=""
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
    -p) port=${args[i + 1]} ;;
    -c) clients=${args[i + 1]} ;;
    -P) pipeline=${args[i + 1]} ;;
    -r) keys=${args[i + 1]} ;;
    -t) tests=${args[i + 1]} ;;
    esac
done
case ",$tests," in *,set,*) ;; *) exit "$status" ;; esac
[ -n "$port" ] || exit "$status"
if [ -n "$keys" ]; then
    names=$(seq -f 'key:%012.0f' 0 $(((keys < 200 ? keys : 200) - 1)))
else
    names='key:__rand_int__'
fi
lengths=$(for key in $names; do echo "STRLEN $key"; done | timeout 10 redis-cli -p "$port")
echo "c=$clients P=$pipeline r=${keys:-none} t=$tests sampled=$(echo "$names" | wc -l)" \
    "bytes4096=$(echo "$lengths" | grep -cx 4096)" >>"$VALUE_LOG"
exit "$status"
EOF
    chmod +x "$bin/redis-benchmark"
    # The bound is generous for a slow machine; here the run takes about 20 s.
    QUICK=1 ONLY=step04_epoll OUT="$BATS_FILE_TMPDIR/out" PATH="$bin:$PATH" \
        timeout 300 "$ROOT/tests/bench/run" >"$BATS_FILE_TMPDIR/bench.out" 2>&1 3>&-
    echo $? >"$BATS_FILE_TMPDIR/bench.status"
}

# The bench's own run must have finished: show its end if it did not.
bench_ran() {
    if [ "$(cat "$BATS_FILE_TMPDIR/bench.status" 2>/dev/null)" != 0 ]; then
        echo "QUICK=1 ONLY=step04_epoll tests/bench/run failed; its output ends:"
        tail -n 20 "$BATS_FILE_TMPDIR/bench.out"
        return 1
    fi
}

@test "a QUICK bench measures c50-P16-d4096: SET and GET throughput, CPU and the kernel's share" {
    bench_ran
    local raw="$BATS_FILE_TMPDIR/out/raw.tsv" metric missing=0
    for metric in set_rps get_rps cpu_us sys_us; do
        awk -F'\t' -v m="$metric" '$2 == "step04_epoll" && $3 == "c50-P16-d4096" && $4 == m && $5 > 0 { found = 1 }
            END { exit !found }' "$raw" || {
            echo "raw.tsv has no positive $metric for the case c50-P16-d4096"
            missing=1
        }
    done
    if [ "$missing" = 1 ]; then
        echo "add the case to throughput_cases in tests/bench/run, measured when QUICK=1 too,"
        echo "and list it in tests/bench/cases.txt; raw.tsv holds:"
        cut -f 3 "$raw" | sort -u | tr '\n' ' '
        echo
        return 1
    fi
    # The cases that were there still are.
    awk -F'\t' '$3 == "c50-P16" && $4 == "get_rps"' "$raw" | grep -q .
    awk -F'\t' '$3 == "c50-P1" && $4 == "get_rps"' "$raw" | grep -q .
}

@test "the case's values are 4 KiB: the keys its GETs read hold 4,096 bytes each" {
    bench_ran
    echo "each run of SETs by the bench, and the lengths of the values it left:"
    cat "$VALUE_LOG"
    # Nearly all (90%) of the keys sampled: a run over more keys than it
    # SETs leaves some missing, or holding the 3-byte values of other cases,
    # and its GETs measure those instead.
    awk '$1 == "c=50" && $2 == "P=16" {
            sub(/^sampled=/, "", $5); sub(/^bytes4096=/, "", $6)
            if ($6 >= 0.9 * $5) found = 1
        }
        END { exit !found }' "$VALUE_LOG" || {
        echo "no redis-benchmark run with -c 50 -P 16 left 4,096-byte values under (nearly) all its keys:"
        echo "pass -d 4096, and a keyspace (-r) its SETs cover"
        return 1
    }
}

@test "the report shows the case in the throughput and CPU tables" {
    local dir="$BATS_TEST_TMPDIR/report"
    mkdir -p "$dir"
    # Known figures, as the bench would record them over two rounds.
    printf '%s\tstep04_epoll\tc50-P16\tget_rps\t400000\n' 1 2 >"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P16-d4096\tset_rps\t60000\n' 1 2 >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P16-d4096\tset_p50_ms\t5.1\n' 1 2 >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P16-d4096\tset_p99_ms\t9.9\n' 1 2 >>"$dir/raw.tsv"
    printf '1\tstep04_epoll\tc50-P16-d4096\tget_rps\t80000\n2\tstep04_epoll\tc50-P16-d4096\tget_rps\t90000\n' >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P16-d4096\tcpu_us\t3.5\n' 1 2 >>"$dir/raw.tsv"
    printf '%s\tstep04_epoll\tc50-P16-d4096\tsys_us\t1.75\n' 1 2 >>"$dir/raw.tsv"
    printf '%s\tstep01_blocking\tc50-P16-d4096\tstalls\t1\n' 1 2 >>"$dir/raw.tsv"
    printf 'rounds: 2\n' >"$dir/machine.txt"
    run "$ROOT/tests/bench/report" "$dir"
    echo "$output"
    [ "$status" -eq 0 ]
    cat "$dir/results.md"
    local row missing=0
    for row in '| SET, 50 clients, -P 16, 4 KiB values | stalls | 60,000 (5.1 / 9.9) |' \
        '| GET, 50 clients, -P 16, 4 KiB values | stalls | 85,000 |' \
        '| 50 clients, -P 16, 4 KiB values | stalls | 3.50 (3.50-3.50), 50% sys |'; do
        grep -qxF "$row" "$dir/results.md" || { echo "results.md has no row: $row"; missing=1; }
    done
    [ "$missing" = 0 ] || { echo "the report shows the cases of tests/bench/cases.txt, with their labels"; return 1; }
    # And the short bench's own report, with its measured figures.
    bench_ran
    grep -q '^| GET, 50 clients, -P 16, 4 KiB values | [0-9,]* (' "$BATS_FILE_TMPDIR/out/results.md"
    grep -q '^| 50 clients, -P 16, 4 KiB values | [0-9.]* (' "$BATS_FILE_TMPDIR/out/results.md"
}
