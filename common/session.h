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

struct session {
    struct buf in;      /* bytes read; those before in_done are executed */
    size_t in_done;
    struct buf out;     /* replies not yet written */
    struct resp_parser parser;
    struct resp_parser lookahead; /* reads ahead for keys to prefetch */
    int closing;        /* close once `out` is written: QUIT or a protocol error */
};

void session_init(struct session *s);
void session_free(struct session *s);

/* Where the next read() should put its bytes, with *room bytes of space (at
 * least READ_CHUNK). Returns NULL when the client already holds
 * LIMIT_QUERY_BUFFER bytes of unexecuted input: the caller closes it. */
char *session_read_space(struct session *s, size_t *room);

/* Record that n bytes were read into the space given above. */
void session_bytes_read(struct session *s, size_t n);

/* Parse the next complete command. Returns 1 when s->parser.argc and
 * s->parser.argv hold one, 0 when more input is needed or the session is
 * closing. A protocol error appends Redis's error reply and sets closing. */
int session_next_command(struct session *s);

/* Parse and execute every complete command in the input, in order, until
 * the input runs out, the session is closing, or the pending output reaches
 * out_limit bytes (the rest waits until the output is written). */
void session_run_commands(struct session *s, struct core *core, size_t out_limit);

/* Execute the command session_next_command found. */
void session_execute(struct session *s, struct core *core, int64_t now_ms);

#endif
