/*
 * test_resp.c - unit tests of the RESP parser and reply writers (common/resp.c).
 *
 * The parser's promise is that where the bytes of a request are split
 * between reads makes no difference. So every request here is parsed three
 * ways: all at once, split in two at every possible point, and one byte at
 * a time. Each way must give the same transcript: the same commands with
 * the same argument bytes, the same final state, the same bytes left over.
 *
 * The feeder below drives the parser the way session.c does: it keeps the
 * unconsumed input in a buffer, drops the bytes that resp_parse reports as
 * used, and appends new bytes at the end. Appending moves the input to a
 * fresh block and scribbles over the old one, so a parser that remembered
 * a pointer instead of an offset would read garbage (and AddressSanitizer
 * would name the line).
 *
 * Expected error texts and quirks are Redis 7.0's, checked against a real
 * redis-server.
 */
#include "bytes.h"
#include "check.h"
#include "mem.h"
#include "number.h"
#include "options.h"
#include "resp.h"
#include "server_limits.h"
#include "session.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inputs longer than this are split at fewer points (see check_stream), so
 * that no test copies gigabytes. */
enum { SMALL_INPUT = 4096 };

/* ---- transcripts ---- */

/* Append one command to a transcript as "LEN:BYTES " per argument and a
 * newline per command: "3:SET 1:k 5:hello \n". Readable in a failure
 * message, and unambiguous for binary arguments thanks to the lengths. */
static void record_command(struct buf *t, size_t argc, const struct resp_arg *argv) {
    for (size_t i = 0; i < argc; i++) {
        char len[32];
        int n = snprintf(len, sizeof len, "%zu:", argv[i].len);
        buf_append(t, len, (size_t)n);
        buf_append(t, argv[i].ptr, argv[i].len);
        buf_append(t, " ", 1);
    }
    buf_append(t, "\n", 1);
}

/* A command runner for session_run_commands that runs nothing: it appends
 * each command to the transcript `recording` points at, so that a test sees
 * what the session parsed, in order. */
static struct buf *recording;

static void record_execute(struct core *core, struct session *s, size_t argc,
                           const struct resp_arg *argv, int64_t now_ms) {
    (void)core;
    (void)s;
    (void)now_ms;
    record_command(recording, argc, argv);
}

/* The end of a transcript: how many input bytes were never consumed, and
 * whether the parser wants more or found an error. */
static void record_end(struct buf *t, size_t left, enum resp_status last, const char *error) {
    char line[128];
    int n;
    if (last == RESP_ERROR) {
        n = snprintf(line, sizeof line, "left %zu, error: %s", left, error);
    } else {
        n = snprintf(line, sizeof line, "left %zu, incomplete", left);
    }
    buf_append(t, line, (size_t)n);
}

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen) {
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* ---- the feeder: a parser driven the way session.c drives it ---- */

struct feeder {
    struct resp_parser parser;
    char *data;  /* the unconsumed input: len bytes in a block of cap */
    size_t len;
    size_t cap;
    int move_every_append; /* 1: every append moves the input to a new block */
    enum resp_status last;
    struct buf transcript;
};

static void feeder_init(struct feeder *f, int move_every_append) {
    resp_parser_init(&f->parser);
    f->data = NULL;
    f->len = 0;
    f->cap = 0;
    f->move_every_append = move_every_append;
    f->last = RESP_INCOMPLETE;
    buf_init(&f->transcript);
}

static void feeder_free(struct feeder *f) {
    resp_parser_free(&f->parser);
    free(f->data);
    buf_free(&f->transcript);
}

/* Move the input to a new block of at least `need` bytes, overwriting the
 * old block first so that stale pointers into it see garbage. */
static void feeder_move(struct feeder *f, size_t need) {
    size_t cap = need;
    if (!f->move_every_append) {
        cap = f->cap > 0 ? f->cap : 64;
        while (cap < need) cap *= 2;
    }
    char *fresh = malloc(cap + 1);
    if (fresh == NULL) out_of_memory(cap + 1);
    if (f->len > 0) memcpy(fresh, f->data, f->len);
    if (f->data != NULL) memset(f->data, '#', f->cap);
    free(f->data);
    f->data = fresh;
    f->cap = cap;
}

/* Append bytes, then parse until the parser wants more. A protocol error
 * ends the parsing, as it ends a connection. */
static void feeder_feed(struct feeder *f, const char *bytes, size_t n) {
    if (n == 0) return;
    if (f->move_every_append || f->cap - f->len < n) feeder_move(f, f->len + n);
    memcpy(f->data + f->len, bytes, n);
    f->len += n;

    /* After an error the bytes still arrive, but nothing more is parsed. */
    while (f->len > 0 && f->last != RESP_ERROR) {
        size_t used = 0;
        enum resp_status status = resp_parse(&f->parser, f->data, f->len, &used);
        /* The arguments point into the input: record them before the
         * input changes. */
        if (status == RESP_COMMAND) {
            record_command(&f->transcript, f->parser.argc, f->parser.argv);
        }
        if (used > f->len) { /* never: but do not let memmove run wild */
            buf_append_str(&f->transcript, "<used past the end>");
            used = f->len;
        }
        if (used > 0) {
            memmove(f->data, f->data + used, f->len - used);
            f->len -= used;
        }
        f->last = status;
        if (status != RESP_COMMAND) break;
    }
}

static void feeder_finish(struct feeder *f) {
    record_end(&f->transcript, f->len, f->last, f->parser.error);
}

/* Parse input in the pieces that end at each cut (ascending, the last one
 * being len), and compare with `want`. Returns 1 if it matched. */
static int pieces_give(const char *name, const char *input, const size_t *cuts,
                       size_t ncuts, int move_every_append, const struct buf *want,
                       const char *how) {
    struct feeder f;
    feeder_init(&f, move_every_append);
    size_t from = 0;
    for (size_t i = 0; i < ncuts; i++) {
        feeder_feed(&f, input + from, cuts[i] - from);
        from = cuts[i];
    }
    feeder_finish(&f);
    int ok = same_bytes(f.transcript.data, f.transcript.len, want->data, want->len);
    if (!ok) {
        fprintf(stderr, "%s: %s differs\n", name, how);
        print_escaped("expected", want->data, want->len);
        print_escaped("got", f.transcript.data, f.transcript.len);
    }
    feeder_free(&f);
    return ok;
}

/* The transcript of parsing input all at once must be `expected`, and
 * every other way of cutting the input must give the same transcript. */
static void check_stream(const char *name, const char *input, size_t len, const char *expected,
                         size_t expected_len) {
    struct buf want;
    buf_init(&want);
    buf_append(&want, expected, expected_len);
    int small = len <= SMALL_INPUT;

    size_t whole[1] = {len};
    CHECK(pieces_give(name, input, whole, 1, 1, &want, "parsing all at once"));

    /* Two pieces, cut at every point. A big input is cut at every point
     * near its ends and at a stride in between: inside a long argument
     * every cut point behaves alike. */
    int splits_ok = 1;
    for (size_t i = 0; i <= len && splits_ok; i++) {
        if (!small && i > 64 && i + 64 < len && i % 4999 != 0) continue;
        size_t cuts[2] = {i, len};
        char how[64];
        snprintf(how, sizeof how, "split at byte %zu", i);
        splits_ok &= pieces_give(name, input, cuts, 2, small, &want, how);
    }
    CHECK(splits_ok);

    /* One byte at a time. A big input moves only when its block grows
     * (as a realloc'd buffer does), not on every byte. */
    size_t *cuts = calloc(len > 0 ? len : 1, sizeof *cuts);
    if (cuts == NULL) out_of_memory(len * sizeof *cuts);
    for (size_t i = 0; i < len; i++) cuts[i] = i + 1;
    CHECK(pieces_give(name, input, cuts, len, small, &want, "one byte at a time"));
    free(cuts);

    /* The same bytes through the real session code, a byte per read. */
    if (small) {
        struct session s;
        session_init(&s);
        struct buf got;
        buf_init(&got);
        enum resp_status last = RESP_INCOMPLETE;
        for (size_t i = 0; i < len; i++) {
            size_t room = 0;
            char *space = session_read_space(&s, &room);
            if (space == NULL || room == 0) break;
            space[0] = input[i];
            session_bytes_read(&s, 1);
            /* No core: record_execute runs nothing, and with a runner of
             * its own the session prefetches nothing either. */
            recording = &got;
            session_run_commands(&s, NULL, LIMIT_PENDING_OUTPUT, record_execute);
        }
        if (s.closing) last = RESP_ERROR;
        record_end(&got, s.in.len - s.in_done, last, s.parser.error);
        int ok = same_bytes(got.data, got.len, want.data, want.len);
        if (!ok) {
            fprintf(stderr, "%s: through session.c, a byte per read, differs\n", name);
            print_escaped("expected", want.data, want.len);
            print_escaped("got", got.data, got.len);
        }
        CHECK(ok);
        /* A protocol error is answered with Redis's error line. */
        if (last == RESP_ERROR) {
            struct buf bytes;
            buf_init(&bytes);
            struct reply reply = {.buf = &bytes, .proto = 2};
            resp_add_error(&reply, s.parser.error);
            CHECK(same_bytes(s.out.data, s.out.len, bytes.data, bytes.len));
            buf_free(&bytes);
        } else {
            CHECK(s.out.len == 0);
        }
        buf_free(&got);
        session_free(&s);
    }
    buf_free(&want);
}

/* For string literals, which may hold NUL bytes: the length is the array's. */
#define STREAM(name, input, expected) \
    check_stream(name, input, sizeof(input) - 1, expected, sizeof(expected) - 1)

/* ---- parsing: well-formed requests ---- */

static void test_multibulk(void) {
    STREAM("pipelined multibulk",
           "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n"
           "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
           "*1\r\n$4\r\nPING\r\n",
           "3:SET 1:k 5:hello \n"
           "3:GET 1:k \n"
           "4:PING \n"
           "left 0, incomplete");

    /* A request cut short stays unconsumed, however it arrived. */
    STREAM("a partial request at the end",
           "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\n",
           "4:PING \n"
           "left 17, incomplete");

    /* Arguments are binary-safe: NUL, CR and LF inside are just bytes. */
    STREAM("binary arguments",
           "*3\r\n$3\r\nSET\r\n$5\r\na\0b\r\n\r\n$6\r\n\r\n\0\r\n\0\r\n",
           "3:SET 5:a\0b\r\n 6:\r\n\0\r\n\0 \n"
           "left 0, incomplete");

    STREAM("empty arguments",
           "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n",
           "3:SET 0: 0: \n"
           "left 0, incomplete");

    /* *0, *-1 (any negative count) and empty inline lines are requests
     * with nothing in them: no command, no reply, as in Redis. */
    STREAM("empty requests between commands",
           "*0\r\n*-1\r\n\r\n\n   \r\n\t\n*-5\r\n"
           "PING\r\n"
           "*0\r\n"
           "*1\r\n$4\r\nECHO\r\n"
           "*-1\r\n\n",
           "4:PING \n"
           "4:ECHO \n"
           "left 0, incomplete");

    /* Inline and multibulk requests may follow each other freely. */
    STREAM("inline and multibulk mixed",
           "PING\r\n*1\r\n$4\r\nPING\r\nECHO hi\n*2\r\n$4\r\nECHO\r\n$2\r\nho\r\n",
           "4:PING \n"
           "4:PING \n"
           "4:ECHO 2:hi \n"
           "4:ECHO 2:ho \n"
           "left 0, incomplete");

    /* Redis quirks: the two bytes after a bulk are skipped unchecked, and
     * so is the byte after the '\r' that ends a header line. */
    STREAM("bytes after a bulk are not checked",
           "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
           "4:PING \n"
           "4:PING \n"
           "left 0, incomplete");
    STREAM("the byte after a header's CR is not checked",
           "*2\rx$4\ryECHO\r\n$1\r\0a\r\n",
           "4:ECHO 1:a \n"
           "left 0, incomplete");

    /* An inline line may hold a '*' anywhere but first, and a '$'. */
    STREAM("inline line with * and $",
           "GET *a\r\n$3\r\n",
           "3:GET 2:*a \n"
           "2:$3 \n"
           "left 0, incomplete");
}

static void test_big_bulk(void) {
    enum { BIG = 100 * 1024 };
    const char head[] = "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$102400\r\n";
    const char tail[] = "\r\n*1\r\n$4\r\nPING\r\n";
    size_t head_len = sizeof head - 1, tail_len = sizeof tail - 1;
    size_t len = head_len + BIG + tail_len;
    char *input = malloc(len);
    if (input == NULL) out_of_memory(len);
    memcpy(input, head, head_len);
    /* Every byte value, CR LF and NUL included, in the value. */
    for (size_t i = 0; i < BIG; i++) input[head_len + i] = (char)(i * 7 % 256);
    memcpy(input + head_len + BIG, tail, tail_len);

    struct buf expected;
    buf_init(&expected);
    buf_append_str(&expected, "3:SET 3:big 102400:");
    buf_append(&expected, input + head_len, BIG);
    buf_append_str(&expected, " \n4:PING \nleft 0, incomplete");
    check_stream("a 100 KB bulk", input, len, expected.data, expected.len);
    buf_free(&expected);
    free(input);
}

/* sdssplitargs' rules for inline requests. */
static void test_inline(void) {
    STREAM("blanks and line ends",
           "  PING  \r\n"
           "\tECHO\t x \n"
           "ECHO a\r\r\n"
           "\v\fECHO \va\v\n",
           "4:PING \n"
           "4:ECHO 1:x \n"
           "4:ECHO 1:a \n"
           "4:ECHO 2:a\v \n"
           "left 0, incomplete");

    STREAM("double quotes and their escapes",
           "SET k \"a b\"\r\n"
           "SET k \"\\x41\\x4a\\x4\\xzz\"\r\n"
           "SET k \"\\n\\r\\t\\b\\a\\q\\\\\\\"\"\r\n"
           "SET \"\" \"\"\n",
           "3:SET 1:k 3:a b \n"
           "3:SET 1:k 7:AJx4xzz \n"
           "3:SET 1:k 8:\n\r\t\b\aq\\\" \n"
           "3:SET 0: 0: \n"
           "left 0, incomplete");

    STREAM("single quotes",
           "SET 'it\\'s' 'a\\nb \"c\"'\r\n",
           "3:SET 4:it's 8:a\\nb \"c\" \n"
           "left 0, incomplete");

    /* A quote may open in the middle of a token: set"a b" is one
     * argument, "seta b". A closing quote must end the token, though. */
    STREAM("quotes mid-token",
           "set\"a b\" x'y z'\r\n"
           "a\"\" b\n",
           "6:seta b 4:xy z \n"
           "1:a 1:b \n"
           "left 0, incomplete");

    /* A NUL byte ends the line's tokens, as sdssplitargs (which works on
     * a C string) ends them; what follows on the line is dropped. Note
     * that Redis 7.0 never gets that far: it looks for the '\n' with
     * strchr, which stops at the NUL, so such a line is never complete. */
    STREAM("NUL ends an inline line's tokens",
           "SET a b\0c d\r\nPING\r\n",
           "3:SET 1:a 1:b \n"
           "4:PING \n"
           "left 0, incomplete");

    /* A 64 KB line is the longest accepted, and then only once its
     * newline is in: a full line is never "too big". */
    enum { MAX = LIMIT_INLINE_LEN };
    char *line = malloc(MAX + 2);
    if (line == NULL) out_of_memory(MAX + 2);
    memset(line, 'a', MAX);
    struct resp_parser p;
    resp_parser_init(&p);
    size_t used = 99;
    CHECK(resp_parse(&p, line, MAX, &used) == RESP_INCOMPLETE);
    CHECK(used == 0);
    memcpy(line + MAX, "\r\n", 2);
    CHECK(resp_parse(&p, line, MAX + 2, &used) == RESP_COMMAND);
    CHECK(used == MAX + 2);
    CHECK(p.argc == 1 && p.argv[0].len == MAX && p.argv[0].ptr[MAX - 1] == 'a');
    resp_parser_free(&p);
    free(line);
}

/* An inline request whose arguments are all empty ("" or '') puts no
 * bytes in the unquoted-bytes buffer, which may then be unallocated. Its
 * argument pointers must still be real pointers: computing NULL + 0 is
 * undefined behaviour (UBSan: "applying zero offset to null pointer"), and
 * a NULL pointer handed on to memcmp or memcpy is undefined even for zero
 * bytes. */
static void test_inline_all_empty(void) {
    struct resp_parser p;
    resp_parser_init(&p);
    size_t used;
    CHECK(resp_parse(&p, "\"\" ''\r\n", 7, &used) == RESP_COMMAND);
    CHECK(used == 7);
    CHECK(p.argc == 2 && p.argv[0].len == 0 && p.argv[1].len == 0);
    CHECK(p.argv[0].ptr != NULL && p.argv[1].ptr != NULL);
    resp_parser_free(&p);
}

/* ---- parsing: protocol errors ---- */

static void test_errors(void) {
    STREAM("*abc", "*abc\r\n", "left 6, error: ERR Protocol error: invalid multibulk length");
    STREAM("*-", "*-\r\n", "left 4, error: ERR Protocol error: invalid multibulk length");
    STREAM("*01", "*01\r\n", "left 5, error: ERR Protocol error: invalid multibulk length");
    STREAM("*+1", "*+1\r\n", "left 5, error: ERR Protocol error: invalid multibulk length");
    STREAM("* 1", "* 1\r\n", "left 5, error: ERR Protocol error: invalid multibulk length");
    STREAM("*", "*\r\n", "left 3, error: ERR Protocol error: invalid multibulk length");
    STREAM("*-0", "*-0\r\n", "left 5, error: ERR Protocol error: invalid multibulk length");
    STREAM("*1048577", "*1048577\r\n",
           "left 10, error: ERR Protocol error: invalid multibulk length");
    STREAM("*99999999999999999999", "*99999999999999999999\r\n",
           "left 23, error: ERR Protocol error: invalid multibulk length");

    STREAM("$-1", "*1\r\n$-1\r\n", "left 9, error: ERR Protocol error: invalid bulk length");
    STREAM("$abc", "*1\r\n$abc\r\n", "left 10, error: ERR Protocol error: invalid bulk length");
    STREAM("$", "*1\r\n$\r\n", "left 7, error: ERR Protocol error: invalid bulk length");
    STREAM("$01", "*1\r\n$01\r\n", "left 9, error: ERR Protocol error: invalid bulk length");
    STREAM("$536870913", "*1\r\n$536870913\r\n",
           "left 16, error: ERR Protocol error: invalid bulk length");
    STREAM("second bulk invalid", "*2\r\n$3\r\nGET\r\n$x\r\n",
           "left 17, error: ERR Protocol error: invalid bulk length");

    STREAM("expected $", "*1\r\nfoo\r\n",
           "left 9, error: ERR Protocol error: expected '$', got 'f'");
    STREAM("expected $ after an argument", "*2\r\n$3\r\nGET\r\n:1\r\n",
           "left 17, error: ERR Protocol error: expected '$', got ':'");

    /* The byte found where '$' should be is quoted as it is; the reply
     * writer turns a CR or LF into a space (Redis: "got ' '"). */
    STREAM("expected $, got CR", "*1\r\n\r\n",
           "left 6, error: ERR Protocol error: expected '$', got '\r'");
    STREAM("expected $, got a high byte", "*2\r\n$1\r\na\r\n\xff\r\n",
           "left 14, error: ERR Protocol error: expected '$', got '\xff'");

    STREAM("unbalanced double quote", "SET a \"b\r\n",
           "left 10, error: ERR Protocol error: unbalanced quotes in request");
    STREAM("unbalanced single quote", "SET a 'b\r\n",
           "left 10, error: ERR Protocol error: unbalanced quotes in request");
    STREAM("closing quote not followed by a blank", "\"a\"b\r\n",
           "left 6, error: ERR Protocol error: unbalanced quotes in request");
    STREAM("closing single quote not followed by a blank", "'a'b\r\n",
           "left 6, error: ERR Protocol error: unbalanced quotes in request");
    /* In single quotes only \' is an escape, so '\\' is a backslash and
     * then an escaped quote: the quote never closes. */
    STREAM("single-quoted backslashes", "GET '\\\\'\r\n",
           "left 10, error: ERR Protocol error: unbalanced quotes in request");
    STREAM("quote closed by the NUL that ends the line", "SET a \"b\0\"\r\n",
           "left 12, error: ERR Protocol error: unbalanced quotes in request");

    /* Commands before an error are still handed out, and the error leaves
     * the bad request's bytes unconsumed. */
    STREAM("an error after commands",
           "*1\r\n$4\r\nPING\r\nPING\r\n*abc\r\n*1\r\n$4\r\nPING\r\n",
           "4:PING \n4:PING \nleft 20, error: ERR Protocol error: invalid multibulk length");
}

/* What a client actually receives for a protocol error, through session.c:
 * Redis's bytes exactly (redis-server 7.0.15). */
static void check_error_reply(const char *input, size_t len, const char *reply,
                              size_t reply_len) {
    static const unsigned char seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    struct options opts;
    options_init(&opts);
    struct core core;
    core_init(&core, &opts, "test", "none", 6379, seed);
    struct session s;
    session_init(&s);
    size_t room;
    char *space = session_read_space(&s, &room);
    CHECK(space != NULL && room >= len);
    if (space != NULL && room >= len) {
        memcpy(space, input, len);
        session_bytes_read(&s, len);
        session_run_commands(&s, &core, LIMIT_PENDING_OUTPUT, NULL);
        CHECK(s.closing);
        int ok = same_bytes(s.out.data, s.out.len, reply, reply_len);
        if (!ok) {
            print_escaped("expected", reply, reply_len);
            print_escaped("got", s.out.data, s.out.len);
        }
        CHECK(ok);
    }
    session_free(&s);
    core_free(&core);
}

#define ERROR_REPLY(input, reply) \
    check_error_reply(input, sizeof(input) - 1, reply, sizeof(reply) - 1)

static void test_error_replies(void) {
    ERROR_REPLY("*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n");
    ERROR_REPLY("*1\r\n\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n");
    ERROR_REPLY("*2\r\n$1\r\na\r\n\xff\r\n",
                "-ERR Protocol error: expected '$', got '\xff'\r\n");
    ERROR_REPLY("*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n");
    ERROR_REPLY("*1\r\n$4\r\nPING\r\n*x\r\n",
                "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
}

static void check_big(const char *name, const char *prefix, char c, size_t n,
                      const char *expected) {
    struct buf input;
    buf_init(&input);
    build(&input, prefix, c, n, "");
    char want[160];
    snprintf(want, sizeof want, expected, input.len);
    check_stream(name, input.data, input.len, want, strlen(want));
    buf_free(&input);
}

/* Lines with no end in sight: Redis gives up once more than 64 KB (its
 * PROTO_INLINE_MAX_SIZE) is waiting, and not at exactly 64 KB. */
static void test_too_big(void) {
    check_big("65536-byte inline line", "", 'a', 65536, "left %zu, incomplete");
    check_big("65537-byte inline line", "", 'a', 65537,
              "left %zu, error: ERR Protocol error: too big inline request");
    check_big("65536-byte multibulk count line", "*", '1', 65535, "left %zu, incomplete");
    check_big("65537 digits after *", "*", '1', 65537,
              "left %zu, error: ERR Protocol error: too big mbulk count string");
    check_big("65536-byte bulk count line", "*1\r\n$", '1', 65535, "left %zu, incomplete");
    check_big("65536 digits after $", "*1\r\n$", '1', 65536,
              "left %zu, error: ERR Protocol error: too big bulk count string");
    /* A long line arriving whole with its '\r' as the last byte waits for
     * the byte after it, and is not "too big": Redis checks the size only
     * when no '\r' is found. (Arriving in pieces, it would be refused as
     * soon as 64 KB came without a '\r', in Redis too.) */
    struct buf input;
    buf_init(&input);
    build(&input, "*", '1', 70000, "\r");
    struct resp_parser p;
    resp_parser_init(&p);
    size_t used;
    CHECK(resp_parse(&p, input.data, input.len, &used) == RESP_INCOMPLETE);
    CHECK(used == 0 && p.error[0] == '\0');
    buf_append(&input, "\n", 1);
    CHECK(resp_parse(&p, input.data, input.len, &used) == RESP_ERROR);
    CHECK(strcmp(p.error, "ERR Protocol error: invalid multibulk length") == 0);
    resp_parser_free(&p);
    buf_free(&input);
}

/* ---- parsing: limits reserve nothing ---- */

static void test_limits(void) {
    struct resp_parser p;
    size_t used;

    /* The largest counts accepted, as headers only. */
    resp_parser_init(&p);
    CHECK(resp_parse(&p, "*1048576\r\n", 10, &used) == RESP_INCOMPLETE);
    CHECK(used == 0 && p.error[0] == '\0');
    resp_parser_free(&p);

    resp_parser_init(&p);
    CHECK(resp_parse(&p, "*1\r\n$536870912\r\n", 16, &used) == RESP_INCOMPLETE);
    CHECK(used == 0 && p.error[0] == '\0');
    CHECK(p.bulk_len == 536870912);
    resp_parser_free(&p);

    /* A header announcing a million arguments reserves no room for them:
     * the span array grows only as arguments arrive. */
    resp_parser_init(&p);
    const char *req = "*1000000\r\n$500000000\r\n";
    CHECK(resp_parse(&p, req, 10, &used) == RESP_INCOMPLETE);
    CHECK(p.args_expected == 1000000);
    CHECK(p.spans_cap < 64 && p.argv_cap < 64);
    CHECK(resp_parse(&p, req, strlen(req), &used) == RESP_INCOMPLETE);
    CHECK(p.bulk_len == 500000000);
    CHECK(p.spans_cap < 64 && p.argv_cap < 64);
    resp_parser_free(&p);

    /* Three arguments of a million in: room for a few, not a million. */
    resp_parser_init(&p);
    req = "*1000000\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n";
    CHECK(resp_parse(&p, req, strlen(req), &used) == RESP_INCOMPLETE);
    CHECK(p.argc == 3 && p.spans_cap < 64);
    resp_parser_free(&p);

    /* Through session.c too: a client announcing a 500 MB value gets a
     * buffer for what it sent, not for what it announced. */
    struct session s;
    session_init(&s);
    req = "*2\r\n$3\r\nGET\r\n$500000000\r\nabc";
    size_t room;
    char *space = session_read_space(&s, &room);
    CHECK(space != NULL && room >= strlen(req));
    if (space != NULL && room >= strlen(req)) {
        memcpy(space, req, strlen(req));
        session_bytes_read(&s, strlen(req));
        struct buf none;
        buf_init(&none);
        recording = &none;
        session_run_commands(&s, NULL, LIMIT_PENDING_OUTPUT, record_execute);
        CHECK(none.len == 0 && !s.closing);
        buf_free(&none);
        space = session_read_space(&s, &room);
        CHECK(space != NULL);
        CHECK(s.in.cap < 1024 * 1024);
        CHECK(s.parser.spans_cap < 64);
    }
    session_free(&s);

    /* One huge command's arrays are given back when the next begins. */
    resp_parser_init(&p);
    struct buf big;
    buf_init(&big);
    for (int i = 0; i < 5000; i++) buf_append(&big, "a ", 2);
    buf_append(&big, "\n", 1);
    CHECK(resp_parse(&p, big.data, big.len, &used) == RESP_COMMAND);
    CHECK(p.argc == 5000 && p.spans_cap >= 5000);
    CHECK(resp_parse(&p, "PING\n", 5, &used) == RESP_COMMAND);
    CHECK(p.argc == 1 && p.spans_cap < 64 && p.argv_cap < 64);
    buf_free(&big);
    resp_parser_free(&p);
}

/* ---- parsing: each line is scanned once ---- */

/* A line arriving a byte at a time must not be searched from its start on
 * every call: `scanned` records how far the search already got, so the
 * total memchr work is linear in the line's length. */
static void test_scan_once(void) {
    enum { LINE = 60 * 1024 };
    char *input = malloc(LINE + 16);
    if (input == NULL) out_of_memory(LINE + 16);
    struct resp_parser p;
    size_t used;

    /* An inline line. */
    memset(input, 'a', LINE);
    resp_parser_init(&p);
    int linear = 1;
    for (size_t k = 1; k <= LINE; k++) {
        linear &= resp_parse(&p, input, k, &used) == RESP_INCOMPLETE;
        linear &= p.scanned == k;
    }
    CHECK(linear);
    input[LINE] = '\n';
    CHECK(resp_parse(&p, input, LINE + 1, &used) == RESP_COMMAND);
    CHECK(used == LINE + 1 && p.argc == 1 && p.argv[0].len == LINE);
    resp_parser_free(&p);

    /* A multibulk count line. */
    input[0] = '*';
    memset(input + 1, '1', LINE - 1);
    resp_parser_init(&p);
    linear = 1;
    for (size_t k = 1; k <= LINE; k++) {
        linear &= resp_parse(&p, input, k, &used) == RESP_INCOMPLETE;
        linear &= p.scanned == k;
    }
    CHECK(linear);
    resp_parser_free(&p);

    /* A bulk count line, counted from where it starts. */
    memcpy(input, "*1\r\n$", 5);
    memset(input + 5, '1', LINE - 5);
    resp_parser_init(&p);
    linear = 1;
    for (size_t k = 5; k <= LINE; k++) {
        linear &= resp_parse(&p, input, k, &used) == RESP_INCOMPLETE;
        linear &= p.pos == 4 && p.scanned == k - 4;
    }
    CHECK(linear);
    resp_parser_free(&p);

    /* A '\r' as the last byte: searched up to it, then the line is found
     * once the byte after it arrives. */
    resp_parser_init(&p);
    CHECK(resp_parse(&p, "*1\r", 3, &used) == RESP_INCOMPLETE);
    CHECK(p.scanned == 2);
    CHECK(resp_parse(&p, "*1\r\n", 4, &used) == RESP_INCOMPLETE);
    CHECK(p.args_expected == 1 && p.pos == 4 && p.scanned == 0);
    resp_parser_free(&p);
    free(input);
}

/* ---- number_parse_ll: the lengths and counts in a request ---- */

static int to_ll_is(const char *s, long long want) {
    long long got = want == 0 ? 1 : 0;
    return number_parse_ll(s, strlen(s), &got) == 1 && got == want;
}

static int to_ll_rejects(const char *s, size_t len) {
    long long got = 42;
    return number_parse_ll(s, len, &got) == 0 && got == 42;
}

static void test_to_ll(void) {
    CHECK(to_ll_is("0", 0));
    CHECK(to_ll_is("1", 1));
    CHECK(to_ll_is("-1", -1));
    CHECK(to_ll_is("10", 10));
    CHECK(to_ll_is("9223372036854775807", LLONG_MAX));
    CHECK(to_ll_is("-9223372036854775808", LLONG_MIN));
    CHECK(to_ll_is("-9223372036854775807", -LLONG_MAX));

    CHECK(to_ll_rejects("-0", 2));
    CHECK(to_ll_rejects("01", 2));
    CHECK(to_ll_rejects("00", 2));
    CHECK(to_ll_rejects("-01", 3));
    CHECK(to_ll_rejects("+1", 2));
    CHECK(to_ll_rejects(" 1", 2));
    CHECK(to_ll_rejects("1 ", 2));
    CHECK(to_ll_rejects("1a", 2));
    CHECK(to_ll_rejects("-", 1));
    CHECK(to_ll_rejects("", 0));
    CHECK(to_ll_rejects("9223372036854775808", 19));
    CHECK(to_ll_rejects("-9223372036854775809", 20));
    CHECK(to_ll_rejects("18446744073709551615", 20)); /* fits unsigned only */
    CHECK(to_ll_rejects("18446744073709551616", 20)); /* overflows unsigned too */
    CHECK(to_ll_rejects("99999999999999999999", 20));
    CHECK(to_ll_rejects("9999999999999999999", 19)); /* the most 19 digits make */
    CHECK(to_ll_rejects("-9999999999999999999", 20));
    /* 21 characters are refused before any digit is read, even when the
     * number would fit (as Redis's LONG_STR_SIZE check does). */
    CHECK(to_ll_rejects("-00000000000000000001", 21));
    CHECK(to_ll_rejects("100000000000000000000", 21));
    /* The length bounds the read: a NUL or digit past it is not looked at. */
    CHECK(to_ll_rejects("1\0", 2));
    long long got = 0;
    CHECK(number_parse_ll("123456", 3, &got) == 1 && got == 123);

    /* number_format_ll writes what number_parse_ll reads, at both ends. */
    const long long values[] = {0, 7, -7, 10, 1234567890, LLONG_MAX, LLONG_MIN, -LLONG_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char text[NUMBER_LL_MAX_LEN];
        char want[32];
        size_t len = number_format_ll(text, values[i]);
        snprintf(want, sizeof want, "%lld", values[i]);
        CHECK(same_bytes(text, len, want, strlen(want)));
        CHECK(number_parse_ll(text, len, &got) == 1 && got == values[i]);
    }
}

/* ---- reply writers ---- */

#define OUT_IS(b, lit) same_bytes((b)->data, (b)->len, lit, sizeof(lit) - 1)

static void test_writers(void) {
    struct buf b;
    buf_init(&b);
    struct reply r = {.buf = &b, .proto = 2};

    resp_add_integer(&r, 0);
    CHECK(OUT_IS(&b, ":0\r\n"));
    b.len = 0;
    resp_add_integer(&r, -1);
    CHECK(OUT_IS(&b, ":-1\r\n"));
    b.len = 0;
    resp_add_integer(&r, 1234567890);
    CHECK(OUT_IS(&b, ":1234567890\r\n"));
    b.len = 0;
    resp_add_integer(&r, LLONG_MIN);
    CHECK(OUT_IS(&b, ":-9223372036854775808\r\n"));
    b.len = 0;
    resp_add_integer(&r, LLONG_MAX);
    CHECK(OUT_IS(&b, ":9223372036854775807\r\n"));
    b.len = 0;

    resp_add_bulk(&r, "", 0);
    CHECK(OUT_IS(&b, "$0\r\n\r\n"));
    b.len = 0;
    resp_add_bulk(&r, NULL, 0);
    CHECK(OUT_IS(&b, "$0\r\n\r\n"));
    b.len = 0;
    resp_add_bulk(&r, "a\0\r\nb", 5);
    CHECK(OUT_IS(&b, "$5\r\na\0\r\nb\r\n"));
    b.len = 0;
    resp_add_bulk_str(&r, "hello");
    CHECK(OUT_IS(&b, "$5\r\nhello\r\n"));
    b.len = 0;

    resp_add_null(&r);
    CHECK(OUT_IS(&b, "$-1\r\n"));
    b.len = 0;
    resp_add_array(&r, 0);
    CHECK(OUT_IS(&b, "*0\r\n"));
    b.len = 0;
    resp_add_array(&r, 3);
    CHECK(OUT_IS(&b, "*3\r\n"));
    b.len = 0;
    resp_add_array(&r, -1);
    CHECK(OUT_IS(&b, "*-1\r\n"));
    b.len = 0;
    resp_add_simple(&r, "OK");
    CHECK(OUT_IS(&b, "+OK\r\n"));
    b.len = 0;
    resp_add_simple_len(&r, "readonly fast", 8);
    CHECK(OUT_IS(&b, "+readonly\r\n"));
    b.len = 0;

    /* What RESP2 has no type for takes the shape Redis gives it there: a
     * map as an array of twice its pairs, a set as an array, text for a
     * person as a bulk string. */
    resp_add_map(&r, 3);
    CHECK(OUT_IS(&b, "*6\r\n"));
    b.len = 0;
    resp_add_map(&r, 0);
    CHECK(OUT_IS(&b, "*0\r\n"));
    b.len = 0;
    resp_add_set(&r, 2);
    CHECK(OUT_IS(&b, "*2\r\n"));
    b.len = 0;
    resp_add_verbatim(&r, "txt", "# Server\r\na:1\r\n", 15);
    CHECK(OUT_IS(&b, "$15\r\n# Server\r\na:1\r\n\r\n"));
    b.len = 0;

    /* RESP3 gives those their own types, and its own null. */
    r.proto = 3;
    resp_add_null(&r);
    CHECK(OUT_IS(&b, "_\r\n"));
    b.len = 0;
    resp_add_map(&r, 3);
    CHECK(OUT_IS(&b, "%3\r\n"));
    b.len = 0;
    resp_add_set(&r, 2);
    CHECK(OUT_IS(&b, "~2\r\n"));
    b.len = 0;
    resp_add_verbatim(&r, "txt", "# Server\r\na:1\r\n", 15);
    CHECK(OUT_IS(&b, "=19\r\ntxt:# Server\r\na:1\r\n\r\n"));
    b.len = 0;
    resp_add_verbatim(&r, "txt", "", 0);
    CHECK(OUT_IS(&b, "=4\r\ntxt:\r\n"));
    b.len = 0;
    /* and the rest as RESP2 spells them. */
    resp_add_array(&r, 2);
    resp_add_bulk(&r, "a", 1);
    resp_add_simple(&r, "OK");
    resp_add_integer(&r, 7);
    resp_add_error(&r, "ERR e");
    CHECK(OUT_IS(&b, "*2\r\n$1\r\na\r\n+OK\r\n:7\r\n-ERR e\r\n"));
    b.len = 0;
    r.proto = 2;

    /* CR and LF at the end of an error are trimmed, and those inside
     * become spaces, as Redis does, so the error stays one line. */
    resp_add_error(&r, "ERR a\r\nb\nc\r");
    CHECK(OUT_IS(&b, "-ERR a  b c\r\n"));
    b.len = 0;
    resp_add_error_len(&r, "ERR x\0y\n", 8);
    CHECK(OUT_IS(&b, "-ERR x\0y\r\n"));
    b.len = 0;
    resp_add_error(&r, "");
    CHECK(OUT_IS(&b, "-\r\n"));
    b.len = 0;

    /* Writers append: a pipeline's replies follow each other. */
    resp_add_array(&r, 2);
    resp_add_bulk(&r, "a", 1);
    resp_add_null(&r);
    resp_add_integer(&r, 7);
    resp_add_error(&r, "ERR e");
    CHECK(OUT_IS(&b, "*2\r\n$1\r\na\r\n$-1\r\n:7\r\n-ERR e\r\n"));

    /* A big bulk, past the buffer's first allocations. */
    b.len = 0;
    char *value = malloc(100000);
    if (value == NULL) out_of_memory(100000);
    memset(value, 'v', 100000);
    resp_add_bulk(&r, value, 100000);
    CHECK(b.len == 9 + 100000 + 2);
    CHECK(b.len == 100011 && memcmp(b.data, "$100000\r\nv", 10) == 0);
    CHECK(b.len == 100011 && memcmp(b.data + 100008, "v\r\n", 3) == 0);
    free(value);
    buf_free(&b);
}

/* resp_parser_reset forgets a request parsed in part: parsing then starts
 * afresh at whatever bytes it is given, a complete command included. */
static void test_reset(void) {
    struct resp_parser p;
    size_t used;
    resp_parser_init(&p);
    static const char part[] = "*2\r\n$3\r\nGET\r\n$5\r\nab";
    CHECK(resp_parse(&p, part, sizeof part - 1, &used) == RESP_INCOMPLETE);
    CHECK(p.argc == 1);
    resp_parser_reset(&p);
    CHECK(p.argc == 0 && p.pos == 0 && p.request_kind == 0);
    static const char whole[] = "*1\r\n$4\r\nPING\r\n";
    CHECK(resp_parse(&p, whole, sizeof whole - 1, &used) == RESP_COMMAND);
    CHECK(used == sizeof whole - 1 && p.argc == 1 && p.argv[0].len == 4 &&
          memcmp(p.argv[0].ptr, "PING", 4) == 0);
    /* And the same after an inline request half-read. */
    CHECK(resp_parse(&p, "ECHO hel", 8, &used) == RESP_INCOMPLETE);
    resp_parser_reset(&p);
    CHECK(resp_parse(&p, whole, sizeof whole - 1, &used) == RESP_COMMAND);
    CHECK(p.argc == 1 && memcmp(p.argv[0].ptr, "PING", 4) == 0);
    resp_parser_free(&p);
}

int main(void) {
    test_reset();
    test_multibulk();
    test_big_bulk();
    test_inline();
    test_inline_all_empty();
    test_errors();
    test_error_replies();
    test_too_big();
    test_limits();
    test_scan_once();
    test_to_ll();
    test_writers();
    return check_report("test_resp");
}
