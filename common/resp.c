/*
 * resp.c - the request parser and the RESP2 and RESP3 reply writers (see resp.h).
 *
 * Every rule here follows Redis 7.0's networking.c, because real clients
 * and real tests compare our bytes with Redis's: which lines are accepted,
 * which error text is sent, even the odd corners (the two bytes after a
 * bulk string are skipped without being checked, as Redis skips them).
 */
#include "resp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "number.h"
#include "server_limits.h"

void resp_parser_init(struct resp_parser *p) {
    memset(p, 0, sizeof *p);
    p->bulk_len = -1;
    buf_init(&p->inline_bytes);
}

void resp_parser_free(struct resp_parser *p) {
    free(p->spans);
    free(p->argv);
    buf_free(&p->inline_bytes);
    resp_parser_init(p);
}

/* Forget the request just finished, keeping the allocated arrays for the
 * next one (no allocation per command), unless one huge command grew them:
 * those are given back so a single 1M-argument request does not pin 32 MiB. */
static void start_next_request(struct resp_parser *p) {
    p->request_kind = 0;
    p->args_expected = 0;
    p->bulk_len = -1;
    p->pos = 0;
    p->scanned = 0;
    p->argc = 0;
    p->inline_bytes.len = 0;
    if (p->spans_cap > 4096) {
        free(p->spans);
        p->spans = NULL;
        p->spans_cap = 0;
    }
    if (p->argv_cap > 4096) {
        free(p->argv);
        p->argv = NULL;
        p->argv_cap = 0;
    }
    buf_shrink_if_empty(&p->inline_bytes, BUFFER_KEEP_MAX);
}

void resp_parser_reset(struct resp_parser *p) {
    start_next_request(p);
}

/* Record where an argument lies. The array grows as arguments actually
 * arrive: a header announcing a million arguments reserves nothing. */
static void add_span(struct resp_parser *p, size_t offset, size_t len) {
    if (p->argc == p->spans_cap) {
        size_t cap = p->spans_cap > 0 ? p->spans_cap * 2 : 8;
        p->spans = mem_realloc(p->spans, cap * sizeof *p->spans);
        p->spans_cap = cap;
    }
    p->spans[p->argc].offset = offset;
    p->spans[p->argc].len = len;
    p->argc++;
}

static enum resp_status protocol_error(struct resp_parser *p, const char *what) {
    snprintf(p->error, sizeof p->error, "ERR Protocol error: %s", what);
    return RESP_ERROR;
}

/* What a search for a line's end found. */
enum line_search {
    LINE_NOT_FOUND,  /* no terminator in the bytes so far */
    LINE_NEEDS_BYTE, /* a '\r' is the last byte: wait for the one after it */
    LINE_FOUND,
};

/* Search for `terminator` from p->pos, skipping what earlier calls already
 * searched: a line that arrives a byte at a time is then scanned once in
 * all, not once per byte. Sets *at to the terminator's offset.
 *
 * Like Redis, a multibulk line ends at '\r' and the byte after it is
 * skipped without being checked; an inline line ends at '\n'. */
static enum line_search find_line_end(struct resp_parser *p, const char *req, size_t avail,
                                      char terminator, size_t *at) {
    size_t from = p->pos + p->scanned;
    const char *hit = memchr(req + from, terminator, avail - from);
    if (hit == NULL) {
        p->scanned = avail - p->pos;
        return LINE_NOT_FOUND;
    }
    size_t offset = (size_t)(hit - req);
    if (terminator == '\r' && offset + 1 >= avail) {
        p->scanned = offset - p->pos;
        return LINE_NEEDS_BYTE;
    }
    p->scanned = 0;
    *at = offset;
    return LINE_FOUND;
}

/* *N\r\n then N times $LEN\r\n<LEN bytes>\r\n. Sets *request_len once the
 * whole request is here. */
static enum resp_status parse_multibulk(struct resp_parser *p, const char *req, size_t avail,
                                        size_t *request_len) {
    size_t cr;
    if (p->args_expected == 0) {
        enum line_search found = find_line_end(p, req, avail, '\r', &cr);
        if (found == LINE_NOT_FOUND && avail > LIMIT_INLINE_LEN)
            return protocol_error(p, "too big mbulk count string");
        if (found != LINE_FOUND) return RESP_INCOMPLETE;

        long long count;
        if (!number_parse_ll(req + 1, cr - 1, &count) || count > LIMIT_ARGS)
            return protocol_error(p, "invalid multibulk length");
        p->pos = cr + 2;
        if (count <= 0) { /* *0 and *-1: an empty request, no reply */
            *request_len = p->pos;
            return RESP_COMMAND;
        }
        p->args_expected = count;
    }

    while ((long long)p->argc < p->args_expected) {
        if (p->bulk_len < 0) {
            enum line_search found = find_line_end(p, req, avail, '\r', &cr);
            if (found == LINE_NOT_FOUND && avail - p->pos > LIMIT_INLINE_LEN)
                return protocol_error(p, "too big bulk count string");
            if (found != LINE_FOUND) return RESP_INCOMPLETE;

            if (req[p->pos] != '$') {
                char what[32];
                snprintf(what, sizeof what, "expected '$', got '%c'", req[p->pos]);
                return protocol_error(p, what);
            }
            long long len;
            if (!number_parse_ll(req + p->pos + 1, cr - p->pos - 1, &len) || len < 0 ||
                len > LIMIT_BULK_LEN)
                return protocol_error(p, "invalid bulk length");
            p->pos = cr + 2;
            p->bulk_len = len;
        }
        /* The argument and the two bytes that end it must all be here. */
        if (avail - p->pos < (size_t)p->bulk_len + 2) return RESP_INCOMPLETE;
        add_span(p, p->pos, (size_t)p->bulk_len);
        p->pos += (size_t)p->bulk_len + 2;
        p->bulk_len = -1;
    }
    *request_len = p->pos;
    return RESP_COMMAND;
}

/* The byte at i, or NUL past the end: lets the splitter below read a
 * length-bounded line as Redis reads a C string. */
static char char_at(const char *line, size_t len, size_t i) {
    return i < len ? line[i] : '\0';
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Split an inline line into arguments the way Redis's sdssplitargs does:
 * blanks separate arguments; "double quotes" allow \n \r \t \b \a \xHH and
 * \<any>; 'single quotes' allow only \'; a closing quote must be followed
 * by a blank or the end. Redis works on a C string, so a NUL byte ends the
 * line there; char_at() gives the same effect. Each argument's bytes go to
 * inline_bytes; returns 0 on unbalanced quotes. */
static int split_inline(struct resp_parser *p, const char *line, size_t len) {
    size_t i = 0;

    for (;;) {
        while (char_at(line, len, i) != '\0' && is_space(char_at(line, len, i))) i++;
        if (char_at(line, len, i) == '\0') return 1;

        size_t start = p->inline_bytes.len;
        int in_double = 0, in_single = 0, done = 0;
        while (!done) {
            char c = char_at(line, len, i);
            if (in_double) {
                if (c == '\\' && char_at(line, len, i + 1) == 'x' && hex_digit(char_at(line, len, i + 2)) >= 0 &&
                    hex_digit(char_at(line, len, i + 3)) >= 0) {
                    char byte = (char)(hex_digit(char_at(line, len, i + 2)) * 16 + hex_digit(char_at(line, len, i + 3)));
                    buf_append(&p->inline_bytes, &byte, 1);
                    i += 3;
                } else if (c == '\\' && char_at(line, len, i + 1) != '\0') {
                    i++;
                    char e = char_at(line, len, i);
                    char byte = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t'
                              : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
                    buf_append(&p->inline_bytes, &byte, 1);
                } else if (c == '"') {
                    if (char_at(line, len, i + 1) != '\0' && !is_space(char_at(line, len, i + 1))) return 0;
                    done = 1;
                } else if (c == '\0') {
                    return 0;
                } else {
                    buf_append(&p->inline_bytes, &c, 1);
                }
            } else if (in_single) {
                if (c == '\\' && char_at(line, len, i + 1) == '\'') {
                    i++;
                    buf_append(&p->inline_bytes, "'", 1);
                } else if (c == '\'') {
                    if (char_at(line, len, i + 1) != '\0' && !is_space(char_at(line, len, i + 1))) return 0;
                    done = 1;
                } else if (c == '\0') {
                    return 0;
                } else {
                    buf_append(&p->inline_bytes, &c, 1);
                }
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
                done = 1;
            } else if (c == '"') {
                in_double = 1;
            } else if (c == '\'') {
                in_single = 1;
            } else {
                buf_append(&p->inline_bytes, &c, 1);
            }
            if (char_at(line, len, i) != '\0') i++;
        }
        add_span(p, start, p->inline_bytes.len - start);
    }

}

/* A line of blank-separated words ending in "\n" or "\r\n". */
static enum resp_status parse_inline(struct resp_parser *p, const char *req, size_t avail,
                                     size_t *request_len) {
    size_t lf;
    if (find_line_end(p, req, avail, '\n', &lf) != LINE_FOUND) {
        if (avail > LIMIT_INLINE_LEN) return protocol_error(p, "too big inline request");
        return RESP_INCOMPLETE;
    }
    size_t line_len = lf > 0 && req[lf - 1] == '\r' ? lf - 1 : lf;
    if (!split_inline(p, req, line_len))
        return protocol_error(p, "unbalanced quotes in request");
    *request_len = lf + 1;
    return RESP_COMMAND;
}

enum resp_status resp_parse(struct resp_parser *p, const char *data, size_t len, size_t *used) {
    *used = 0;
    for (;;) {
        const char *req = data + *used;
        size_t avail = len - *used;
        if (p->request_kind == 0) {
            if (avail == 0) return RESP_INCOMPLETE;
            start_next_request(p);
            p->request_kind = req[0] == '*' ? '*' : 'i';
        }

        size_t request_len = 0;
        enum resp_status status = p->request_kind == '*'
                                      ? parse_multibulk(p, req, avail, &request_len)
                                      : parse_inline(p, req, avail, &request_len);
        if (status != RESP_COMMAND) return status;

        *used += request_len;
        int inline_request = p->request_kind == 'i';
        p->request_kind = 0; /* the next call starts a new request */
        if (p->argc == 0) continue; /* empty request: no reply, as in Redis */

        /* Turn spans into pointers now that the bytes will not move until
         * the caller has executed the command. */
        if (p->argv_cap < p->argc) {
            p->argv = mem_realloc(p->argv, p->argc * sizeof *p->argv);
            p->argv_cap = p->argc;
        }
        /* An inline command of empty arguments ("" '') stored no bytes, so
         * inline_bytes.data may still be NULL; even NULL + 0 is undefined. */
        const char *base = req;
        if (inline_request) base = p->inline_bytes.data != NULL ? p->inline_bytes.data : "";
        p->argv_in_parser = inline_request;
        for (size_t i = 0; i < p->argc; i++) {
            p->argv[i].ptr = base + p->spans[i].offset;
            p->argv[i].len = p->spans[i].len;
        }
        return RESP_COMMAND;
    }
}

/* ---- Reply writers ----
 *
 * Every reply byte the server sends is written by one of these: no
 * command writes "+OK\r\n" by hand. Each writer says what a reply *is*
 * (a null, a map, a set of flags), not how one protocol spells it, because
 * the two protocols spell some replies differently:
 *
 *   reply            RESP2                  RESP3
 *   null             $-1                    _
 *   map of n pairs   *2n  then the pairs    %n   then the pairs
 *   set of n         *n                     ~n
 *   text for people  $len then the text     =len then "txt:" and the text
 *
 * Simple strings, errors, integers, bulk strings and arrays are the same
 * in both. RESP3 was designed so: a RESP2 client reads RESP3's common
 * replies unchanged, and only asks for the new types with HELLO 3.
 */

/* A type byte, a number and CRLF: ":42\r\n", "$5\r\n", "*3\r\n". */
static void add_prefixed_number(struct buf *out, char type, long long value) {
    char line[32];
    line[0] = type;
    size_t len = 1 + number_format_ll(line + 1, value);
    line[len++] = '\r';
    line[len++] = '\n';
    buf_append(out, line, len);
}

void resp_add_simple_len(struct reply *r, const char *s, size_t len) {
    struct buf *out = r->buf;
    buf_reserve(out, len + 3);
    out->data[out->len++] = '+';
    memcpy(out->data + out->len, s, len);
    out->len += len;
    out->data[out->len++] = '\r';
    out->data[out->len++] = '\n';
}

void resp_add_simple(struct reply *r, const char *s) {
    resp_add_simple_len(r, s, strlen(s));
}

void resp_add_error_len(struct reply *r, const char *msg, size_t len) {
    struct buf *out = r->buf;
    /* Redis trims CR and LF from the end of an error before mapping the
     * rest to spaces: "Unsupported option x\r\n" ends in "x", not "x  ". */
    while (len > 0 && (msg[len - 1] == '\r' || msg[len - 1] == '\n')) len--;
    buf_reserve(out, len + 3);
    out->data[out->len++] = '-';
    for (size_t i = 0; i < len; i++) {
        char c = msg[i];
        out->data[out->len++] = (c == '\r' || c == '\n') ? ' ' : c;
    }
    out->data[out->len++] = '\r';
    out->data[out->len++] = '\n';
}

void resp_add_error(struct reply *r, const char *msg) {
    resp_add_error_len(r, msg, strlen(msg));
}

void resp_add_integer(struct reply *r, long long value) {
    add_prefixed_number(r->buf, ':', value);
}

/* A length line, the bytes and CRLF: a bulk string ('$') or, with its
 * format in front, a verbatim string ('='). */
static void add_counted(struct buf *out, char type, const char *bytes, size_t len) {
    add_prefixed_number(out, type, (long long)len);
    buf_reserve(out, len + 2);
    if (len > 0) memcpy(out->data + out->len, bytes, len);
    out->len += len;
    out->data[out->len++] = '\r';
    out->data[out->len++] = '\n';
}

void resp_add_bulk(struct reply *r, const char *bytes, size_t len) {
    add_counted(r->buf, '$', bytes, len);
}

void resp_add_bulk_str(struct reply *r, const char *s) {
    resp_add_bulk(r, s, strlen(s));
}

void resp_add_null(struct reply *r) {
    if (r->proto >= 3) buf_append(r->buf, "_\r\n", 3);
    else buf_append(r->buf, "$-1\r\n", 5);
}

void resp_add_array(struct reply *r, long long count) {
    add_prefixed_number(r->buf, '*', count);
}

/* RESP2 has no map: a map of n pairs goes out as an array of 2n replies,
 * key, value, key, value, and the client must know to pair them up. */
void resp_add_map(struct reply *r, long long pairs) {
    if (r->proto >= 3) add_prefixed_number(r->buf, '%', pairs);
    else add_prefixed_number(r->buf, '*', pairs * 2);
}

void resp_add_set(struct reply *r, long long count) {
    add_prefixed_number(r->buf, r->proto >= 3 ? '~' : '*', count);
}

/* RESP3's verbatim string: "=15\r\ntxt:Some string\r\n", where the length
 * counts the three-letter format and its colon. A client may show the text
 * as it is, without escaping it. */
void resp_add_verbatim(struct reply *r, const char *format, const char *text, size_t len) {
    if (r->proto < 3) {
        resp_add_bulk(r, text, len);
        return;
    }
    struct buf *out = r->buf;
    add_prefixed_number(out, '=', (long long)(len + 4));
    buf_reserve(out, len + 6);
    memcpy(out->data + out->len, format, 3);
    out->data[out->len + 3] = ':';
    out->len += 4;
    if (len > 0) memcpy(out->data + out->len, text, len);
    out->len += len;
    out->data[out->len++] = '\r';
    out->data[out->len++] = '\n';
}
