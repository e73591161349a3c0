/*
 * resp.h - RESP, the Redis protocol: requests in, replies out.
 *
 * The parser reads requests from a connection's input bytes. It is
 * incremental: bytes may arrive split anywhere, down to one per read, and it
 * keeps its place between calls so that it never rescans what it has
 * already checked. A complete command is handed out as an argument vector
 * pointing into the input itself, so parsing copies no argument bytes
 * (except inline commands, whose quotes and escapes must be rewritten).
 *
 * Two request forms exist, told apart by the first byte, as in Redis:
 *   multibulk  *2\r\n$3\r\nGET\r\n$1\r\nk\r\n   what every client library sends
 *   inline     GET k\r\n                        what a person types into nc or telnet
 *
 * The reply writers append replies to an output buffer, in the protocol
 * the connection speaks: RESP2, which every connection starts with, or
 * RESP3, which a client asks for with HELLO 3. Every reply byte the server
 * sends goes through them, so no command knows how either protocol spells
 * a null or a map.
 */
#ifndef RESP_H
#define RESP_H

#include <stddef.h>

#include "buf.h"

/* One argument of a command: len bytes at ptr, not NUL-terminated. */
struct resp_arg {
    const char *ptr;
    size_t len;
};

enum resp_status {
    RESP_INCOMPLETE, /* more bytes are needed */
    RESP_COMMAND,    /* a command is ready in parser->argc and parser->argv */
    RESP_ERROR,      /* a protocol error; parser->error holds Redis's reply text */
};

/* Where an argument lies, counted from the first byte of its request, so
 * that it stays right when the input buffer is moved or grown. */
struct resp_span {
    size_t offset;
    size_t len;
};

struct resp_parser {
    /* The request being parsed. */
    int request_kind;       /* 0 before its first byte is seen, '*' or 'i' (inline) */
    long long args_expected;/* multibulk: the N of *N; 0 until that line is read */
    long long bulk_len;     /* multibulk: the N of the current $N; -1 until read */
    size_t pos;             /* next byte to parse, counted from the request start */
    size_t scanned;         /* bytes after pos already searched for a line end */

    struct resp_span *spans; /* one per argument parsed so far */
    size_t argc;
    size_t spans_cap;

    /* The command handed out by RESP_COMMAND. */
    struct resp_arg *argv;
    size_t argv_cap;
    int argv_in_parser;     /* 1: argv points into inline_bytes (an inline
                             * command), reused by the next resp_parse;
                             * 0: into the caller's input */
    struct buf inline_bytes; /* an inline command's arguments, unquoted */

    char error[64]; /* set with RESP_ERROR, e.g. "ERR Protocol error: ..." */
};

void resp_parser_init(struct resp_parser *p);
void resp_parser_free(struct resp_parser *p);
/* Forget a request parsed in part, keeping the allocated arrays (unless one
 * huge request grew them, resp.c says why): the next resp_parse starts a
 * new request. */
void resp_parser_reset(struct resp_parser *p);

/*
 * Parse the next request in data[0..len). data must start where the last
 * call's *used left off, with the same bytes as before (more may follow).
 *
 * Sets *used to the bytes the caller may now drop from its input: those of
 * the command returned, plus any empty requests skipped on the way (an empty
 * inline line, *0 or *-1 get no reply, as in Redis). With RESP_COMMAND, the
 * argv pointers stay valid until the caller changes those bytes.
 */
enum resp_status resp_parse(struct resp_parser *p, const char *data, size_t len, size_t *used);

/* Reply writers: every reply is written through these. */

/* Where replies go, and in which protocol: 2 or 3. */
struct reply {
    struct buf *buf;
    int proto;
};

/* A simple string: "+OK\r\n". s must hold no CR or LF. */
void resp_add_simple(struct reply *r, const char *s);
void resp_add_simple_len(struct reply *r, const char *s, size_t len);

/* An error, given without its '-' (for example "ERR syntax error"). As
 * Redis does, any CR or LF in it becomes a space, so that a client's bytes
 * echoed in an error cannot end it early. */
void resp_add_error(struct reply *r, const char *msg);
void resp_add_error_len(struct reply *r, const char *msg, size_t len);

void resp_add_integer(struct reply *r, long long value);

/* A bulk string: binary-safe, any bytes. */
void resp_add_bulk(struct reply *r, const char *bytes, size_t len);
void resp_add_bulk_str(struct reply *r, const char *s);

/* Nothing there: GET of a missing key, "$-1" in RESP2, "_" in RESP3.
 * (RESP2 also has a null array, "*-1", which Redis sends where an array
 * was due, BLPOP's timeout for one; no command here needs it.) */
void resp_add_null(struct reply *r);

/* The headers of aggregates: the elements follow, written by the caller.
 * A map takes its number of key-value pairs, then key, value, key, ...
 * RESP2 sends maps and sets as arrays; RESP3 has types of their own. */
void resp_add_array(struct reply *r, long long count);
void resp_add_map(struct reply *r, long long pairs);
void resp_add_set(struct reply *r, long long count);

/* Text for a person to read (INFO's); format is its kind, "txt". A bulk
 * string in RESP2, a verbatim string in RESP3. */
void resp_add_verbatim(struct reply *r, const char *format, const char *text, size_t len);

#endif
