/*
 * floor_session.c - a session that does no work: the benchmark's floor.
 *
 * Linked with step04_epoll/server.c in place of common/session.c, it makes
 * tests/bench/floor_server: step04's event loop, with the same system calls
 * for the same load (one epoll_wait per wake-up, one recv and one send per
 * ready client), but behind them no parsing, no command and no store. It
 * answers "+OK" to every command. What it costs per request is what any
 * server making those system calls must pay, so `make bench ONLY="floor
 * step04_epoll redis"` shows how much of step04's time is its own work
 * (TUTORIAL.md, chapter 4).
 *
 * It is a measuring instrument, not a server: it counts commands without
 * reading them, and that count is right only for redis-benchmark's requests
 * (multibulk, with no '*' anywhere in a key or value). It even answers
 * redis-benchmark's CONFIG GET with +OK, so a run by hand prints "Could not
 * fetch server CONFIG"; and it logs as step04_epoll, whose main() it runs.
 * The bench runs it only for the throughput cases.
 */
#include "server_limits.h"
#include "session.h"

void session_init(struct session *s) {
    buf_init(&s->in);
    s->in_done = 0;
    buf_init(&s->out);
    s->closing = 0;
}

/* No list of clients to join: nothing here answers CLIENT. */
void session_register(struct session *s, struct core *core, int fd, int64_t now_ms) {
    (void)s;
    (void)core;
    (void)fd;
    (void)now_ms;
}

void session_unregister(struct session *s, struct core *core) {
    (void)s;
    (void)core;
}

void session_free(struct session *s) {
    buf_free(&s->in);
    buf_free(&s->out);
}

/* The input buffer is managed as common/session.c manages it, so that
 * recv() is given the same room and the same memory is touched. */
char *session_read_space(struct session *s, size_t *room) {
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

/* One "+OK" for every '*' that starts a line: each multibulk request starts
 * with one. A request split across reads is answered as soon as its '*'
 * arrives, and its other bytes are passed over later. The first byte of a
 * read counts as starting a line: executed bytes were dropped before it, so
 * the byte before it is gone (hence no '*' anywhere in a key or value, not
 * only at a line's start). The output limit is ignored: every reply is 5
 * bytes, and there are no more of them than requests. */
void session_run_commands(struct session *s, struct core *core, size_t out_limit,
                          session_execute_fn execute) {
    (void)core;
    (void)out_limit;
    (void)execute;
    for (size_t i = s->in_done; i < s->in.len; i++) {
        int starts_line = i == 0 || s->in.data[i - 1] == '\n';
        if (s->in.data[i] == '*' && starts_line) buf_append(&s->out, "+OK\r\n", 5);
    }
    s->in_done = s->in.len;
}
