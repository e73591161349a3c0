/*
 * session.c - one connection's buffers and parser, and the driver that
 * parses its commands in batches and runs them (see session.h).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "server_limits.h"

void session_init(struct session *s) {
    buf_init(&s->in);
    s->in_done = 0;
    buf_init(&s->out);
    resp_parser_init(&s->parser);
    s->closing = 0;
    s->batch_len = 0;
    s->batch_next = 0;
    s->batch_argv = NULL;
    s->batch_argv_len = 0;
    s->batch_argv_cap = 0;
    s->error_after_batch = 0;
}

void session_free(struct session *s) {
    buf_free(&s->in);
    buf_free(&s->out);
    resp_parser_free(&s->parser);
    free(s->batch_argv);
    s->batch_argv = NULL;
    s->batch_argv_cap = 0;
}

char *session_read_space(struct session *s, size_t *room) {
    /* A batch not yet run points into the buffer, which is about to move.
     * This happens only when the output limit stopped a batch half-way
     * (backpressure) and the caller reads before resuming: forget the rest
     * of the batch and the parser's place, and parse those commands again
     * from in_done, where the first of them starts. */
    if (s->batch_next < s->batch_len || s->error_after_batch) {
        s->batch_len = 0;
        s->batch_next = 0;
        s->error_after_batch = 0;
        resp_parser_reset(&s->parser);
    }
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

/* Make room in batch_argv for n more arguments. */
static void reserve_batch_args(struct session *s, size_t n) {
    if (s->batch_argv_len + n <= s->batch_argv_cap) return;
    size_t cap = s->batch_argv_cap > 0 ? s->batch_argv_cap : 64;
    while (cap < s->batch_argv_len + n) cap *= 2;
    s->batch_argv = mem_realloc(s->batch_argv, cap * sizeof *s->batch_argv);
    s->batch_argv_cap = cap;
}

/* Parse the complete commands at in_done, up to SESSION_BATCH_MAX of them,
 * into the batch.
 *
 * Why parse ahead: a pipelining client sends many commands per read, and
 * their lookups would each wait on memory in turn (a hash table bigger
 * than the CPU's caches costs two cache misses per key). Knowing the next
 * sixteen keys, the store can start all their loads at once, and the
 * waits overlap (prefetch_batch, below).
 *
 * Each command is parsed once: its arguments are copied (the pointers,
 * not the bytes) out of the parser, whose next parse reuses its arrays.
 * The batch also ends after an inline command, whose arguments live in
 * the parser's own buffer: the next parse would overwrite them. */
static void parse_batch(struct session *s) {
    /* A batch takes no more commands once it holds this many arguments,
     * which bounds batch_argv (one huge command may still pass it). */
    enum { BATCH_ARGS_MAX = 1024 };
    s->batch_len = 0;
    s->batch_next = 0;
    s->batch_argv_len = 0;
    /* One huge command (a 100,000-key MGET) grew the array: give it back. */
    if (s->batch_argv_cap > 2 * BATCH_ARGS_MAX) {
        free(s->batch_argv);
        s->batch_argv = NULL;
        s->batch_argv_cap = 0;
    }

    size_t at = s->in_done;
    while (s->batch_len < SESSION_BATCH_MAX && s->batch_argv_len < BATCH_ARGS_MAX &&
           at < s->in.len) {
        size_t used;
        enum resp_status status =
            resp_parse(&s->parser, s->in.data + at, s->in.len - at, &used);
        at += used;
        if (status != RESP_COMMAND) {
            /* `used` counts the empty requests ("\r\n", "*0\r\n") that
             * were skipped: no reply is due for them, so they are done
             * when the command before them is. */
            if (s->batch_len > 0) s->batch[s->batch_len - 1].end = at;
            else s->in_done = at;
            if (status == RESP_ERROR) s->error_after_batch = 1;
            break;
        }
        struct batched_command *cmd = &s->batch[s->batch_len++];
        cmd->first_arg = s->batch_argv_len;
        cmd->argc = s->parser.argc;
        cmd->end = at;
        reserve_batch_args(s, s->parser.argc);
        memcpy(s->batch_argv + s->batch_argv_len, s->parser.argv,
               s->parser.argc * sizeof *s->parser.argv);
        s->batch_argv_len += s->parser.argc;
        if (s->parser.argv_in_parser) break;
    }
}

/* Start loading the keys of the batch's commands from memory, all at once.
 * A command's key is taken to be its first argument, true of GET, SET,
 * INCR, DEL and most others; where it is not, one wasted prefetch is the
 * only cost. With one command (a client that waits for each reply), there
 * is nothing to overlap. */
static void prefetch_batch(struct session *s, struct core *core) {
    struct resp_arg keys[SESSION_BATCH_MAX];
    int n_keys = 0;
    for (int i = 0; i < s->batch_len; i++) {
        const struct batched_command *cmd = &s->batch[i];
        if (cmd->argc >= 2) keys[n_keys++] = s->batch_argv[cmd->first_arg + 1];
    }
    if (n_keys >= 2) cmd_prefetch_keys(core, keys, n_keys);
}

void session_run_commands(struct session *s, struct core *core, size_t out_limit,
                          session_execute_fn execute) {
    if (s->closing) return;
    if (s->batch_next == s->batch_len && s->in_done == s->in.len) return; /* nothing to run */
    /* One clock reading per call: the commands of one read run at "the
     * same time", as Redis runs a command with one cached time. */
    int64_t now_ms = clock_now_ms();
    while (!s->closing && s->out.len < out_limit) {
        if (s->batch_next == s->batch_len) {
            if (s->error_after_batch) {
                /* Redis answers a protocol error and then closes: after a
                 * framing error there is no telling where the next request
                 * would start. The commands before it have had their
                 * replies by now. */
                resp_add_error(&s->out, s->parser.error);
                s->error_after_batch = 0;
                s->closing = 1;
                break;
            }
            if (s->in_done == s->in.len) break;
            parse_batch(s);
            if (s->batch_len == 0 && !s->error_after_batch) break; /* a request still arriving */
            if (execute == NULL) prefetch_batch(s, core);
            continue;
        }
        struct batched_command *cmd = &s->batch[s->batch_next++];
        const struct resp_arg *argv = s->batch_argv + cmd->first_arg;
        enum cmd_result result = execute != NULL
                                     ? execute(core, cmd->argc, argv, &s->out, now_ms)
                                     : cmd_execute(core, cmd->argc, argv, &s->out, now_ms);
        s->in_done = cmd->end;
        if (result == CMD_CLOSE_AFTER_REPLY) s->closing = 1;
    }
}
