/*
 * session.h - one client connection's protocol state, without the socket.
 *
 * A session holds the bytes read from a client and not yet executed, the
 * replies not yet written, and the parser's place in between. Every step
 * keeps one session per connection; what differs between steps is only how
 * and when bytes move between the socket and these buffers.
 *
 *     recv(fd, session_read_space(...))      bytes in
 *     session_bytes_read(...)
 *     session_run_commands(...)              parse and execute
 *     send(fd, session->out ...)             replies out
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "commands.h"
#include "core.h"
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

/* How session_run_commands runs one command: cmd_execute's shape. */
typedef enum cmd_result (*session_execute_fn)(struct core *core, size_t argc,
                                               const struct resp_arg *argv, struct buf *out,
                                               int64_t now_ms);

/* Parse and execute every complete command in the input, in order, until
 * the input runs out, the session is closing, or the pending output reaches
 * out_limit bytes (the rest waits until the output is written). A protocol
 * error is answered with Redis's error, after the replies to the commands
 * before it, and closes the session.
 *
 * execute is NULL for a step that has the core to itself: each command then
 * runs with cmd_execute, and the keys of a batch are prefetched. A step
 * whose threads share the core (step02) passes its own function, which
 * takes its lock around cmd_execute; then nothing is prefetched, since that
 * would read the store without the lock. */
void session_run_commands(struct session *s, struct core *core, size_t out_limit,
                          session_execute_fn execute);

#endif
