/*
 * buf.c - a growable byte buffer (see buf.h).
 *
 * Growth doubles the capacity, so appending n bytes one piece at a time
 * costs O(n) copying in total, not O(n^2).
 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void buf_init(struct buf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_free(struct buf *b) {
    free(b->data);
    buf_init(b);
}

void buf_reserve(struct buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    if (extra > SIZE_MAX / 2 - b->len) out_of_memory(extra); /* the sum would overflow */
    size_t needed = b->len + extra;
    size_t cap = b->cap > 0 ? b->cap : 64;
    while (cap < needed) cap *= 2;
    b->data = mem_realloc(b->data, cap);
    b->cap = cap;
}

void buf_append(struct buf *b, const void *bytes, size_t n) {
    if (n == 0) return;
    buf_reserve(b, n);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

void buf_append_str(struct buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}

void buf_consume(struct buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buf_shrink_if_empty(struct buf *b, size_t keep_at_most) {
    if (b->len == 0 && b->cap > keep_at_most) buf_free(b);
}
