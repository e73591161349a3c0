/*
 * bytes.h - building long inputs for the unit tests: a run of one byte
 * between a prefix and a suffix ("GET " + 70,000 'a's + "\r\n").
 * Inline, so that a test file which does not use it does not warn.
 */
#ifndef BYTES_H
#define BYTES_H

#include <string.h>

#include "buf.h"

/* "prefix" + n copies of c + "suffix", in b. */
static inline void build(struct buf *b, const char *prefix, char c, size_t n, const char *suffix) {
    b->len = 0;
    buf_append_str(b, prefix);
    buf_reserve(b, n);
    memset(b->data + b->len, c, n);
    b->len += n;
    buf_append_str(b, suffix);
}

#endif
