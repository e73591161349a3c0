# tests/exercises/bench-throughput-range.bats - exercise of chapter 6: the spread of throughput over rounds.
# tests/bench/report must add a table "Requests per second, min-max over
# rounds" after the throughput table, with its rows and one column per
# server. It is fed a raw.tsv written by hand, so no server is started.
# Run it with: make exercise NAME=bench-throughput-range
load ../helpers

# Three rounds of three servers: step01 stalls with 50 clients and serves
# one; step04 varies from round to round; Redis timed out in rounds 2 and 3,
# so one round measured it.
setup() {
    DIR="$BATS_TEST_TMPDIR/report"
    mkdir -p "$DIR"
    {
        printf '1\tstep01_blocking\tc1-P1\tset_rps\t20000\n2\tstep01_blocking\tc1-P1\tset_rps\t25000\n'
        printf '3\tstep01_blocking\tc1-P1\tset_rps\t22000\n'
        printf '1\tstep01_blocking\tc1-P1\tget_rps\t24999.6\n2\tstep01_blocking\tc1-P1\tget_rps\t21000\n'
        printf '3\tstep01_blocking\tc1-P1\tget_rps\t20000.2\n'
        printf '%s\tstep01_blocking\tc50-P1\tstalls\t1\n' 1 2 3
        printf '%s\tstep04_epoll\tc50-P1\tset_rps\t30000\n' 1 2 3
        printf '1\tstep04_epoll\tc50-P1\tget_rps\t45100\n2\tstep04_epoll\tc50-P1\tget_rps\t40000\n'
        printf '3\tstep04_epoll\tc50-P1\tget_rps\t49800.4\n'
        printf '%s\tstep04_epoll\tc50-P1\tcpu_us\t10\n' 1 2 3
        printf '%s\tstep04_epoll\tc50-P1\tsys_us\t6\n' 1 2 3
        printf '1\tredis\tc50-P1\tset_rps\t31000\n1\tredis\tc50-P1\tget_rps\t30000.6\n'
        printf '1\tredis\tc50-P1\tcpu_us\t20\n1\tredis\tc50-P1\tsys_us\t10\n'
        printf '%s\tredis\tc50-P1\ttimeout\t1\n' 2 3
    } >"$DIR/raw.tsv"
    printf 'date: 2026-01-01 00:00 UTC\ncpu: test cpu, 2 cores\nkernel: Linux test\nrounds: 3\n' >"$DIR/machine.txt"
    run "$ROOT/tests/bench/report" "$DIR"
    echo "$output"
    [ "$status" -eq 0 ]
    cat "$DIR/results.md"
}

# range_table: the lines of results.md from the new table's title up to the
# next title.
range_table() {
    awk '/^#### / { inside = ($0 == "#### Requests per second, min-max over rounds") } inside' "$DIR/results.md"
}

@test "the report has a table 'Requests per second, min-max over rounds' after the throughput table" {
    local title='#### Requests per second, min-max over rounds' at rps cpu
    at=$(grep -nxF "$title" "$DIR/results.md" | cut -d: -f1)
    [ -n "$at" ] || { echo "results.md has no line: $title"; return 1; }
    [ "$(echo "$at" | wc -l)" -eq 1 ] || { echo "$title: more than once"; return 1; }
    rps=$(grep -n '^#### Requests per second (p50' "$DIR/results.md" | cut -d: -f1)
    cpu=$(grep -n '^#### Server CPU per request' "$DIR/results.md" | cut -d: -f1)
    [ "$at" -gt "$rps" ] && [ "$at" -lt "$cpu" ] ||
        { echo "the new table belongs between the throughput table and the CPU table"; return 1; }
    # One column per server; no step04 / Redis column: a ratio of two
    # ranges is not one number.
    range_table | grep -qxF '| case | step01 | step04 | Redis |' ||
        { echo "the table's header should be: | case | step01 | step04 | Redis |"; return 1; }
    range_table | grep -qxF '|---|---|---|---|'
    # The tables that were there are unchanged.
    grep -qxF '| GET, 50 clients, -P 1 | stalls | 45,100 | 30,001 | 1.50x |' "$DIR/results.md"
    grep -qxF '| 50 clients, -P 1 | stalls | 10.00 (10.00-10.00), 60% sys | 20.00 (20.00-20.00), 50% sys | 0.50x (0.50-0.50) |' \
        "$DIR/results.md"
}

@test "its cells: lowest-highest with commas, stalls, '-' where not measured, '(1 round)' for one" {
    local row missing=0
    for row in '| SET, 1 client, -P 1 | 20,000-25,000 | - | - |' \
        '| GET, 1 client, -P 1 | 20,000-25,000 | - | - |' \
        '| SET, 50 clients, -P 1 | stalls | 30,000-30,000 | 31,000 (1 round) |' \
        '| GET, 50 clients, -P 1 | stalls | 40,000-49,800 | 30,001 (1 round) |'; do
        range_table | grep -qxF "$row" || { echo "the min-max table has no row: $row"; missing=1; }
    done
    [ "$missing" = 0 ]
    # Cases no server was measured in have no row, as in the throughput table.
    if range_table | grep -q '1,000 clients\|-P 16'; then
        echo "the min-max table has rows for cases no server was measured in"
        return 1
    fi
}
