/*
 * number.h - whole numbers to and from decimal text, as Redis reads and
 * writes them.
 *
 * The parser reads lengths and counts this way ("$5", "*3"), the reply
 * writers write them, and INCR reads and writes the values it keeps as
 * text: one strict definition of what a number looks like serves all three.
 */
#ifndef NUMBER_H
#define NUMBER_H

#include <stddef.h>

/* Room for any long long as text: "-9223372036854775808" is 20 bytes. */
enum { NUMBER_LL_MAX_LEN = 20 };

/* Redis's string2ll: a strict decimal integer, no spaces, no '+', no leading
 * zeros, within long long. Returns 1 and sets *out, or returns 0. */
int number_parse_ll(const char *s, size_t len, long long *out);

/* Write value in decimal into buf (at least NUMBER_LL_MAX_LEN bytes), with
 * no terminating NUL. Returns the length. */
size_t number_format_ll(char *buf, long long value);

#endif
