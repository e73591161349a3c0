# tutorial.bats - TUTORIAL.md cannot drift from the code: every C excerpt in
# it must appear, line for line, in the file it names.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
    cd "$ROOT"
}

@test "every C excerpt in TUTORIAL.md matches its source file" {
    run tests/tools/excerpts TUTORIAL.md
    echo "$output"
    [ "$status" -eq 0 ]
    # A tutorial with no checked excerpt would pass vacuously.
    [[ "$output" =~ ^([0-9]+)\ excerpts\ checked ]] || [[ "$output" =~ $'\n'([0-9]+)\ excerpts\ checked ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "the excerpt checker catches a changed line, a missing file and an unmarked block" {
    local md="$BATS_TEST_TMPDIR/t.md"
    # A faithful excerpt passes ...
    printf '%s\n' '```c' '// common/buf.c' 'void buf_free(struct buf *b) {' '    free(b->data);' '```' >"$md"
    run tests/tools/excerpts "$md"
    [ "$status" -eq 0 ]
    # ... one changed line fails,
    printf '%s\n' '```c' '// common/buf.c' 'void buf_free(struct buf *b) {' '    free(b->dat);' '```' >"$md"
    run tests/tools/excerpts "$md"
    [ "$status" -eq 1 ]
    # ... pieces out of order fail,
    printf '%s\n' '```c' '// common/buf.c' '    free(b->data);' '// ...' 'void buf_free(struct buf *b) {' '```' >"$md"
    run tests/tools/excerpts "$md"
    [ "$status" -eq 1 ]
    # ... a file that does not exist fails,
    printf '%s\n' '```c' '// common/nope.c' 'int x;' '```' >"$md"
    run tests/tools/excerpts "$md"
    [ "$status" -eq 1 ]
    # ... and a C block that names no file fails.
    printf '%s\n' '```c' 'int x;' '```' >"$md"
    run tests/tools/excerpts "$md"
    [ "$status" -eq 1 ]
}

@test "the benchmark tables in TUTORIAL.md are tests/bench/results.md, unchanged" {
    # The tutorial shows what `make bench` wrote, between two markers; the
    # chart is tests/bench/chart.svg itself.
    local shown="$BATS_TEST_TMPDIR/shown.md"
    sed -n '/^<!-- begin tests\/bench\/results.md -->$/,/^<!-- end tests\/bench\/results.md -->$/p' \
        TUTORIAL.md | sed '1d;$d' >"$shown"
    [ -s "$shown" ]
    diff -u tests/bench/results.md "$shown"
    grep -q '](tests/bench/chart.svg)' TUTORIAL.md
    [ -s tests/bench/chart.svg ]
}
