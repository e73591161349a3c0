/*
 * buf.h - a growable byte buffer.
 *
 * Every connection has two of these: the bytes read from the socket but not
 * yet executed, and the replies produced but not yet written. The buffer
 * only ever grows as bytes actually arrive, so a client that announces a
 * huge value reserves nothing until it sends it. Growing never fails: when
 * memory runs out the server aborts (mem.h says why).
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
    char *data;  /* NULL until the first byte is stored */
    size_t len;  /* bytes in use, from data[0] */
    size_t cap;  /* bytes allocated */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);

/* Make room for at least `extra` more bytes after data[len]. */
void buf_reserve(struct buf *b, size_t extra);

/* Append n bytes. */
void buf_append(struct buf *b, const void *bytes, size_t n);
void buf_append_str(struct buf *b, const char *s);

/* Drop the first n bytes, moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);

/* Give a large allocation back once it is empty, so that one big request
 * or reply does not pin its memory for the life of the connection. */
void buf_shrink_if_empty(struct buf *b, size_t keep_at_most);

#endif
