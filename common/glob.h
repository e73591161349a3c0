/*
 * glob.h - matching a string against a glob pattern, as Redis's
 * stringmatchlen does: KEYS and CONFIG GET take such patterns.
 *
 *   *       any run of bytes, the empty one too
 *   ?       any one byte
 *   [abc]   one of a, b, c;  [^abc] any byte but those;  [a-z] a range
 *   \x      the byte x itself (so \* matches a star)
 *
 * Both pattern and string are binary-safe: lengths, not NUL-terminated.
 */
#ifndef GLOB_H
#define GLOB_H

#include <stddef.h>

/* 1 if str (slen bytes) matches the whole of pat (plen bytes), 0 if not. No pattern takes
 * exponential time, and past 1000 stars the match fails rather than go
 * deeper into the stack (glob.c says why). */
int glob_match(const char *pat, size_t plen, const char *str, size_t slen);

#endif
