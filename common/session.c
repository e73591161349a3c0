/*
 * session.c - one connection's buffers and parser, and the driver that
 * parses its commands in batches and runs them (see session.h).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "mem.h"
#include "net.h"
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
    s->id = 0;
    s->proto = 2; /* every connection starts in RESP2, as in Redis */
    s->fd = -1;
    strcpy(s->addr, "?:0");
    strcpy(s->laddr, "?:0");
    s->name = NULL;
    s->created_ms = 0;
    s->last_ms = 0;
    strcpy(s->last_cmd, "NULL"); /* what Redis shows before a first command */
    s->killed = 0;
    s->noted_query = s->noted_query_cap = s->noted_output = s->noted_output_cap = 0;
    s->noted_argv_bytes = 0;
    s->prev_client = NULL;
    s->next_client = NULL;
}

void session_register(struct session *s, struct core *core, int fd, int64_t now_ms) {
    s->id = ++core->last_client_id;
    s->fd = fd;
    net_address(fd, 1, s->addr, sizeof s->addr);
    net_address(fd, 0, s->laddr, sizeof s->laddr);
    s->created_ms = now_ms;
    s->last_ms = now_ms;
    /* At the tail: CLIENT LIST shows the clients oldest first, as Redis
     * does. */
    s->prev_client = core->clients_tail;
    s->next_client = NULL;
    if (core->clients_tail != NULL) core->clients_tail->next_client = s;
    else core->clients = s;
    core->clients_tail = s;
}

void session_unregister(struct session *s, struct core *core) {
    if (s->id == 0) return; /* never registered */
    if (s->prev_client != NULL) s->prev_client->next_client = s->next_client;
    else core->clients = s->next_client;
    if (s->next_client != NULL) s->next_client->prev_client = s->prev_client;
    else core->clients_tail = s->prev_client;
    s->prev_client = NULL;
    s->next_client = NULL;
    s->id = 0;
}

void session_free(struct session *s) {
    free(s->name);
    s->name = NULL;
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
                struct reply out = {.buf = &s->out, .proto = s->proto};
                resp_add_error(&out, s->parser.error);
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
        if (execute != NULL) execute(core, s, cmd->argc, argv, now_ms);
        else cmd_execute(core, s, cmd->argc, argv, now_ms);
        s->in_done = cmd->end;
    }
}
