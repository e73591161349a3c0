/*
 * session.h - one client connection's protocol state, without the socket.
 *
 * A session holds the bytes read from a client and not yet executed, the
 * replies not yet written, and the parser's place in between. Every step
 * keeps one session per connection; what differs between steps is only how
 * and when bytes move between the socket and these buffers.
 *
 *     read(fd, session_read_space(...))      bytes in
 *     session_bytes_read(...)
 *     session_run_commands(...)              parse and execute
 *     write(fd, session->out ...)            replies out
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "commands.h"
#include "resp.h"

/* session_run_commands parses up to this many commands before running
 * them, so that their keys can be fetched from memory together. */
enum { SESSION_BATCH_MAX = 16 };

/* A command parsed and not yet run: its arguments are batch_argv[first_arg]
 * onwards, and running it lets in_done move to `end`. */
struct batched_command {
    size_t first_arg;
    size_t argc;
    size_t end;
};

struct session {
    struct buf in;      /* bytes read; those before in_done are executed */
    size_t in_done;
    struct buf out;     /* replies not yet written */
    struct resp_parser parser;
    int closing;        /* close once `out` is written: QUIT or a protocol error */

    /* session_run_commands's commands parsed ahead (see session.c). */
    struct batched_command batch[SESSION_BATCH_MAX];
    int batch_len;      /* commands in the batch */
    int batch_next;     /* the next one to run; the batch is spent when
                         * batch_next == batch_len */
    struct resp_arg *batch_argv; /* the arguments of every batched command */
    size_t batch_argv_len;
    size_t batch_argv_cap;
    int error_after_batch; /* a protocol error follows the batch's commands */
};

void session_init(struct session *s);
void session_free(struct session *s);

/* Where the next read() should put its bytes, with *room bytes of space (at
 * least READ_CHUNK). Returns NULL when the client already holds
 * LIMIT_QUERY_BUFFER bytes of unexecuted input: the caller closes it.
 * Executed bytes are dropped first, which moves the buffer: a batch that
 * the output limit stopped half-way is forgotten, to be parsed again. */
char *session_read_space(struct session *s, size_t *room);

/* Record that n bytes were read into the space given above. */
void session_bytes_read(struct session *s, size_t n);

/* Parse and execute every complete command in the input, in order, until
 * the input runs out, the session is closing, or the pending output reaches
 * out_limit bytes (the rest waits until the output is written). */
void session_run_commands(struct session *s, struct core *core, size_t out_limit);

/* One command at a time instead, for a caller that must do something
 * around each one (step02 takes a lock). A session is driven either this
 * way or by session_run_commands, never both. */

/* Parse the next complete command. Returns 1 when s->parser.argc and
 * s->parser.argv hold one, 0 when more input is needed or the session is
 * closing. A protocol error appends Redis's error reply and sets closing. */
int session_next_command(struct session *s);

/* Execute the command session_next_command found. */
void session_execute(struct session *s, struct core *core, int64_t now_ms);

#endif
