/*
 * fuzz_resp.c - a libFuzzer target for the RESP request parser.
 *
 * libFuzzer calls LLVMFuzzerTestOneInput with inputs it keeps mutating
 * towards new code paths; AddressSanitizer and UndefinedBehaviorSanitizer,
 * built in with it, turn any out-of-bounds read, overflow or leak into a
 * crash it reports with the input that caused it.
 *
 * A crash is not the only failure looked for. The parser promises that how
 * a client's bytes are split between reads makes no difference, so every
 * input is parsed twice, all at once and one byte at a time, and the two
 * transcripts (every command's arguments, then the error or the bytes left
 * waiting) must be identical. A difference aborts, which libFuzzer reports
 * like a crash.
 *
 * Build and run: make fuzz (needs clang). A crash's input is saved as
 * crash-<sha1>; replay it with tests/fuzz/fuzz_resp crash-<sha1>.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "resp.h"

/* Append "LEN:BYTES " per argument and a newline per command. */
static void record_command(struct buf *t, const struct resp_parser *p) {
    for (size_t i = 0; i < p->argc; i++) {
        char len[32];
        int n = snprintf(len, sizeof len, "%zu:", p->argv[i].len);
        buf_append(t, len, (size_t)n);
        buf_append(t, p->argv[i].ptr, p->argv[i].len);
        buf_append(t, " ", 1);
    }
    buf_append(t, "\n", 1);
}

/* Feed data to a parser `step` bytes at a time, the way session.c does:
 * unconsumed bytes stay in a buffer, new ones are appended (which may move
 * it), used ones are dropped. A protocol error ends it, as it ends a
 * connection. Writes the transcript to t. */
static void transcript(const uint8_t *data, size_t size, size_t step, struct buf *t) {
    struct resp_parser p;
    struct buf in;
    resp_parser_init(&p);
    buf_init(&in);
    enum resp_status last = RESP_INCOMPLETE;
    size_t fed = 0;
    while (fed < size && last != RESP_ERROR) {
        size_t n = size - fed < step ? size - fed : step;
        buf_append(&in, data + fed, n);
        fed += n;
        for (;;) {
            size_t used;
            last = resp_parse(&p, in.data, in.len, &used);
            if (last == RESP_COMMAND) record_command(t, &p); /* argv points into `in` */
            buf_consume(&in, used);
            if (last != RESP_COMMAND) break;
        }
    }
    char end[128];
    int n = last == RESP_ERROR
                ? snprintf(end, sizeof end, "error: %s", p.error)
                : snprintf(end, sizeof end, "incomplete, %zu bytes left", in.len);
    buf_append(t, end, (size_t)n);
    resp_parser_free(&p);
    buf_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct buf whole, bytewise;
    buf_init(&whole);
    buf_init(&bytewise);
    transcript(data, size, size > 0 ? size : 1, &whole);
    transcript(data, size, 1, &bytewise);
    if (whole.len != bytewise.len || memcmp(whole.data, bytewise.data, whole.len) != 0) {
        fprintf(stderr, "parsed all at once:\n%.*s\nparsed a byte at a time:\n%.*s\n",
                (int)whole.len, whole.data, (int)bytewise.len, bytewise.data);
        abort();
    }
    buf_free(&whole);
    buf_free(&bytewise);
    return 0;
}
