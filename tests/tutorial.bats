# tutorial.bats - TUTORIAL.md cannot drift from the code: every C excerpt in
# it must appear, line for line, in the file it names; every diff hunk must
# still be part of the diff between the steps it names, and every hunk
# between neighbour steps must be shown or listed with its reason; every
# "what you should see" transcript must print, run against the real server,
# exactly what it shows; and every picture in docs/ must be shown in it and
# be SVG that GitHub and a browser can display.

setup() {
    ROOT="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
    cd "$ROOT"
}

# passes_checking NOUN MIN CHECKER ARG...: run a checker of this file's kind,
# which ends with "N NOUN checked, ..."; it must pass, and have checked at
# least MIN things (a tutorial with nothing to check would pass vacuously).
passes_checking() {
    local noun="$1" min="$2"
    shift 2
    run "$@"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ (^|$'\n')([0-9]+)\ $noun\ checked ]]
    [ "${BASH_REMATCH[2]}" -ge "$min" ]
}

@test "every C excerpt in TUTORIAL.md matches its source file" {
    passes_checking excerpts 1 tests/tools/excerpts TUTORIAL.md
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
    # charts are tests/bench/chart.svg and pace.svg themselves.
    local shown="$BATS_TEST_TMPDIR/shown.md"
    sed -n '/^<!-- begin tests\/bench\/results.md -->$/,/^<!-- end tests\/bench\/results.md -->$/p' \
        TUTORIAL.md | sed '1d;$d' >"$shown"
    [ -s "$shown" ]
    diff -u tests/bench/results.md "$shown"
    local chart
    for chart in chart pace; do
        grep -q "](tests/bench/$chart.svg)" TUTORIAL.md
        head -n 1 "tests/bench/$chart.svg" | grep -q '^<svg '
        [ "$(tail -n 1 "tests/bench/$chart.svg")" = "</svg>" ]
    done
}

@test "every diff hunk in TUTORIAL.md is still in the diff between its two steps" {
    passes_checking hunks 1 tests/tools/hunks TUTORIAL.md
}

@test "the hunk checker catches a changed line, a wrong file and a missing @@" {
    local md="$BATS_TEST_TMPDIR/t.md"
    local hunk=("--- step03_nonblocking/server.c" "+++ step04_epoll/server.c" "@@ event_loop @@"
        "-        int ready = poll(server.pfds, n, timeout);"
        "+        int ready = epoll_wait(server.epoll_fd, events, MAX_EVENTS, timeout);")
    printf '%s\n' '```diff' "${hunk[@]}" '```' >"$md"
    run tests/tools/hunks "$md"
    [ "$status" -eq 0 ]
    # The same lines with the new side changed,
    printf '%s\n' '```diff' "${hunk[@]:0:4}" "+        int ready = epoll_wait(server.epoll_fd, events, 16, timeout);" '```' >"$md"
    run tests/tools/hunks "$md"
    [ "$status" -eq 1 ]
    # ... against the wrong pair of steps,
    printf '%s\n' '```diff' "--- step02_threads/server.c" "${hunk[@]:1}" '```' >"$md"
    run tests/tools/hunks "$md"
    [ "$status" -eq 1 ]
    # ... and without the @@ line.
    printf '%s\n' '```diff' "${hunk[@]:0:2}" "${hunk[@]:3}" '```' >"$md"
    run tests/tools/hunks "$md"
    [ "$status" -eq 1 ]
}

@test "every hunk between neighbour steps is shown in TUTORIAL.md or listed, with its reason, in tests/unshown-hunks.txt" {
    run tests/tools/hunks --coverage tests/unshown-hunks.txt TUTORIAL.md
    echo "$output"
    [ "$status" -eq 0 ]
    # The list stays short: most of every diff is shown and explained.
    [ "$(grep -vc '^#' tests/unshown-hunks.txt)" -le 8 ]
}

@test "the coverage check catches an unshown hunk, a stale entry and an entry for a shown hunk" {
    local md="$BATS_TEST_TMPDIR/t.md" list="$BATS_TEST_TMPDIR/list.txt"
    # The real list with one entry taken out: that hunk is now unaccounted for.
    grep -v 'include <poll.h>' tests/unshown-hunks.txt >"$list"
    run tests/tools/hunks --coverage "$list" TUTORIAL.md
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"neither shown in a \`\`\`diff block nor listed"*"#include <poll.h>"* ]]
    # An entry that names no hunk.
    { cat tests/unshown-hunks.txt; printf 'step04_epoll\t+    no such line;\ta reason\n'; } >"$list"
    run tests/tools/hunks --coverage "$list" TUTORIAL.md
    [ "$status" -eq 1 ]
    [[ "$output" == *"names no hunk"*"no such line"* ]]
    # An entry for a hunk the Markdown shows: the list must not keep it.
    printf '%s\n' '```diff' '--- step03_nonblocking/server.c' '+++ step04_epoll/server.c' '@@ x @@' \
        '-#include <poll.h>' '```' >"$md"
    cat TUTORIAL.md >>"$md"
    run tests/tools/hunks --coverage tests/unshown-hunks.txt "$md"
    [ "$status" -eq 1 ]
    [[ "$output" == *"shows: take it out"* ]]
    # An entry without its reason.
    { grep -v 'include <poll.h>' tests/unshown-hunks.txt; printf 'step04_epoll\t-#include <poll.h>\n'; } >"$list"
    run tests/tools/hunks --coverage "$list" TUTORIAL.md
    [ "$status" -eq 1 ]
    [[ "$output" == *"separated by tabs"* ]]
}

@test "every transcript in TUTORIAL.md prints what it shows, on the real servers" {
    passes_checking transcripts 1 tests/tools/transcripts TUTORIAL.md
}

@test "the transcript checker catches a wrong reply, a wrong log line and an unmarked block" {
    local md="$BATS_TEST_TMPDIR/t.md"
    local session=('<!-- transcript: step01_blocking --verbose -->' '```console'
        '$ redis-cli set a 1' 'OK' '$ redis-cli get a' '"1"' '```')
    local log=('<!-- transcript: log -->' '```console' '$ ./step01_blocking/server --verbose'
        'step01_blocking: listening on 127.0.0.1:6379'
        'step01_blocking: client connected (fd 4)' 'step01_blocking: client disconnected'
        'step01_blocking: client connected (fd 4)' 'step01_blocking: client disconnected'
        '^C' 'step01_blocking: shutting down' '```')
    printf '%s\n' "${session[@]}" '' "${log[@]}" >"$md"
    run tests/tools/transcripts "$md"
    echo "$output"
    [ "$status" -eq 0 ]
    # A reply that is not what the server says,
    printf '%s\n' "${session[@]:0:5}" '"2"' '```' >"$md"
    run tests/tools/transcripts "$md"
    [ "$status" -eq 1 ]
    # ... a log line the server did not print,
    printf '%s\n' "${session[@]}" "${log[@]:0:4}" 'step01_blocking: client connected (fd 5)' "${log[@]:5}" >"$md"
    run tests/tools/transcripts "$md"
    [ "$status" -eq 1 ]
    # ... and a console block that says nothing about what to run it on.
    printf '%s\n' "${session[@]:1}" >"$md"
    run tests/tools/transcripts "$md"
    [ "$status" -eq 1 ]
}

# The pictures of issue 19: each is drawn for one section of the tutorial.
PICTURES=(step01-timeline step02-threads-lock step03-states poll-vs-epoll backpressure level-vs-edge readiness-vs-completion io-uring-rings)

@test "every picture in docs/ is shown in TUTORIAL.md and is well-formed SVG" {
    passes_checking pictures "${#PICTURES[@]}" tests/tools/pictures . "${PICTURES[@]}"
}

@test "the picture checker catches an unshown, a missing, a broken and a scripted picture" {
    local root="$BATS_TEST_TMPDIR/root"
    mkdir -p "$root/docs"
    cp docs/step01-timeline.svg "$root/docs/a.svg"
    cp docs/step01-timeline.svg "$root/docs/b.svg"
    printf '%s\n' '# T' '![one](docs/a.svg)' 'text' '![two](docs/b.svg)' >"$root/TUTORIAL.md"
    # Two good pictures, both shown, pass ...
    run tests/tools/pictures "$root" a b
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"2 pictures checked"* ]]
    # ... a picture the tutorial does not show fails (a link is not an image),
    cp docs/step01-timeline.svg "$root/docs/c.svg"
    echo '[see](docs/c.svg)' >>"$root/TUTORIAL.md"
    run tests/tools/pictures "$root" a b
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/c.svg: not shown"* ]]
    rm "$root/docs/c.svg"
    # ... a required picture that does not exist fails,
    run tests/tools/pictures "$root" a b nope
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/nope.svg: missing"* ]]
    # ... an unclosed tag fails,
    sed 's|</svg>||' docs/step01-timeline.svg >"$root/docs/b.svg"
    run tests/tools/pictures "$root" a b
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/b.svg: not well-formed XML"* ]]
    # ... well-formed XML whose root is not <svg> fails,
    printf '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>\n' >"$root/docs/b.svg"
    run tests/tools/pictures "$root" a b
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/b.svg: the root element is <html>"* ]]
    # ... and so does a picture with a script or an external image.
    sed 's|</svg>|<script>alert(1)</script></svg>|' docs/step01-timeline.svg >"$root/docs/b.svg"
    run tests/tools/pictures "$root" a b
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/b.svg: has a <script>"* ]]
    sed 's|</svg>|<image href="https://example.com/x.png" width="1" height="1"/></svg>|' \
        docs/step01-timeline.svg >"$root/docs/b.svg"
    run tests/tools/pictures "$root" a b
    [ "$status" -eq 1 ]
    [[ "$output" == *"docs/b.svg: refers to 1 external resource"* ]]
}

@test "every link in TUTORIAL.md, README.md and HISTORY.md names a file and a heading that exist" {
    passes_checking links 1 tests/tools/links TUTORIAL.md README.md HISTORY.md
}

@test "the link checker catches a missing file, a missing heading, and ignores code and other sites" {
    local dir="$BATS_TEST_TMPDIR/links"
    mkdir -p "$dir"
    printf '# Other\n\n## Part two: `make` it\n' >"$dir/other.md"
    printf '%s\n' '# Top' '' '## Chapter 7: the core, in depth' '' \
        'See [this](#chapter-7-the-core-in-depth), [that](other.md#part-two-make-it),' \
        '[a site](https://example.com/#nowhere).' '' '```' '[not a link](#inside-code)' '```' >"$dir/a.md"
    run tests/tools/links "$dir/a.md"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"3 links checked, 0 broken"* ]]
    printf '%s\n' '# Top' '[gone](#no-such-heading) [missing](nofile.md) [bad](other.md#part-three)' >"$dir/b.md"
    run tests/tools/links "$dir/b.md"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"3 links checked, 3 broken"* ]]
    [[ "$output" == *"#no-such-heading"* ]]
    [[ "$output" == *"no file"* ]]
    [[ "$output" == *"#part-three"* ]]
}
