/*
 * session.h - one client connection's protocol state, without its I/O.
 *
 * A session holds the bytes read from a client and not yet executed, the
 * replies not yet written, and the parser's place in between; and what
 * HELLO and CLIENT know of the client (its id, protocol, name, addresses).
 * Every step keeps one session per connection; what differs between steps
 * is only how and when bytes move between the socket and these buffers.
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
    int closing;        /* close once `out` is written: QUIT, a protocol
                         * error, or CLIENT KILL of itself */

    /* The connection as HELLO and CLIENT see it. session_register fills
     * these in and links the session into the core's list of clients. */
    long long id;       /* CLIENT ID: 1, 2, 3... in order of connection */
    int proto;          /* the protocol its replies use: 2, or 3 after HELLO 3 */
    int fd;             /* its socket, for CLIENT KILL; -1 if none */
    char addr[64];      /* the client's address, "127.0.0.1:50312" */
    char laddr[64];     /* ours, "127.0.0.1:6379" */
    char *name;         /* CLIENT SETNAME's, NUL-terminated; NULL if none */
    int64_t created_ms; /* when it connected */
    int64_t last_ms;    /* when it last ran a command */
    char last_cmd[32];  /* the command it last ran: "get", "client|list" */
    int killed;         /* CLIENT KILL has ended its connection, and its
                         * owner will close it on seeing end-of-file */
    /* Its buffers as they were when it last ran a command, for CLIENT
     * LIST. In step02 another client's thread may be changing its buffers
     * at this very moment, without the lock: only what was noted under
     * the lock may be read by others. */
    size_t noted_query, noted_query_cap, noted_output, noted_output_cap, noted_argv_bytes;
    struct session *prev_client, *next_client; /* the core's list */

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

/* A session is a client of the core from session_register (which gives it
 * its id and addresses, read from the socket fd) to session_unregister.
 * Step02 calls both under its lock: other threads walk the list. */
void session_register(struct session *s, struct core *core, int fd, int64_t now_ms);
void session_unregister(struct session *s, struct core *core);

/* Where the next read() should put its bytes, with *room bytes of space (at
 * least READ_CHUNK). Returns NULL when the client already holds
 * LIMIT_QUERY_BUFFER bytes of unexecuted input: the caller closes it.
 * Executed bytes are dropped first, which moves the buffer: a batch that
 * the output limit stopped half-way is forgotten, to be parsed again. */
char *session_read_space(struct session *s, size_t *room);

/* Record that n bytes were read into the space given above. */
void session_bytes_read(struct session *s, size_t n);

/* How session_run_commands runs one command: cmd_execute's shape. */
typedef void (*session_execute_fn)(struct core *core, struct session *s, size_t argc,
                                   const struct resp_arg *argv, int64_t now_ms);

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
