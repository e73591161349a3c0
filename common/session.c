/*
 * session.c - one connection's buffers and parser (see session.h).
 */
#include "session.h"

#include "server_limits.h"

void session_init(struct session *s) {
    buf_init(&s->in);
    s->in_done = 0;
    buf_init(&s->out);
    resp_parser_init(&s->parser);
    resp_parser_init(&s->lookahead);
    s->closing = 0;
}

void session_free(struct session *s) {
    buf_free(&s->in);
    buf_free(&s->out);
    resp_parser_free(&s->parser);
    resp_parser_free(&s->lookahead);
}

char *session_read_space(struct session *s, size_t *room) {
    /* Drop what has been executed. What remains is usually at most one
     * partial request (more only when backpressure held commands back), so
     * this moves few bytes, and the parser's offsets count from the
     * request's start, so they stay right. */
    if (s->in_done > 0) {
        buf_consume(&s->in, s->in_done);
        s->in_done = 0;
    }
    if (s->in.len >= LIMIT_QUERY_BUFFER) return NULL;
    buf_shrink_if_empty(&s->in, BUFFER_KEEP_MAX);
    buf_reserve(&s->in, READ_CHUNK);
    *room = s->in.cap - s->in.len;
    return s->in.data + s->in.len;
}

void session_bytes_read(struct session *s, size_t n) {
    s->in.len += n;
}

int session_next_command(struct session *s) {
    if (s->closing || s->in_done == s->in.len) return 0;
    size_t used;
    enum resp_status status =
        resp_parse(&s->parser, s->in.data + s->in_done, s->in.len - s->in_done, &used);
    s->in_done += used;
    if (status == RESP_COMMAND) return 1;
    if (status == RESP_ERROR) {
        /* Redis answers a protocol error and then closes: after a framing
         * error there is no telling where the next request would start. */
        resp_add_error(&s->out, s->parser.error);
        s->closing = 1;
    }
    return 0;
}

void session_execute(struct session *s, struct core *core, int64_t now_ms) {
    enum cmd_result result =
        cmd_execute(core, s->parser.argc, s->parser.argv, &s->out, now_ms);
    if (result == CMD_CLOSE_AFTER_REPLY) s->closing = 1;
}

/* A pipelining client sends many commands per read. Their lookups would
 * each wait on memory in turn (a hash table bigger than the CPU's caches
 * costs two cache misses per key); parsing ahead and prefetching all their
 * keys first lets those waits overlap. The keys are taken to be each
 * command's first argument, true of GET, SET, INCR, DEL and most others;
 * where it is not, one wasted prefetch is the only cost. Called just after
 * a command was parsed, so the look-ahead starts where a request starts.
 * Returns how many commands it looked at. */
static int prefetch_keys(struct session *s, struct core *core) {
    enum { PREFETCH_MAX = 16 };
    struct resp_arg keys[PREFETCH_MAX];
    int commands = 0, n = 0;
    size_t at = s->in_done;
    while (commands < PREFETCH_MAX && at < s->in.len) {
        size_t used;
        enum resp_status status =
            resp_parse(&s->lookahead, s->in.data + at, s->in.len - at, &used);
        if (status != RESP_COMMAND) break;
        at += used;
        commands++;
        /* An inline command's arguments live in the look-ahead parser's own
         * buffer, which its next parse overwrites or moves: keep only keys
         * that point into the input, which stays put until we are done. */
        if (s->lookahead.argc >= 2 && !s->lookahead.argv_in_parser)
            keys[n++] = s->lookahead.argv[1];
    }
    resp_parser_reset(&s->lookahead);
    if (n >= 2) store_prefetch(&core->store, keys, n);
    return commands;
}

void session_run_commands(struct session *s, struct core *core, size_t out_limit) {
    if (s->closing || s->in_done == s->in.len) return; /* nothing to run */
    /* One clock reading per batch: the commands of one read run at "the
     * same time", as Redis runs a command with one cached time. */
    int64_t now_ms = clock_now_ms();
    int prefetched = 0; /* commands ahead whose keys were prefetched */
    while (s->out.len < out_limit) {
        if (!session_next_command(s)) break;
        /* Read ahead only when input follows this command. A client that
         * waits for each reply sends one command at a time: there is no
         * other lookup to overlap with, and reading ahead would parse that
         * command twice. Nor is a request still arriving (one command
         * split across reads) read ahead again on every read: the parser
         * stops at it above, before this point. */
        if (prefetched > 0)
            prefetched--;
        else if (s->in_done < s->in.len)
            prefetched = prefetch_keys(s, core);
        session_execute(s, core, now_ms);
    }
}
