/*
 * number.c - decimal text to long long and back (see number.h).
 */
#include "number.h"

int number_parse_ll(const char *s, size_t len, long long *out) {
    if (len == 0 || len > NUMBER_LL_MAX_LEN) return 0;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    size_t i = 0;
    int negative = 0;
    if (s[0] == '-') {
        negative = 1;
        i = 1;
        if (len == 1) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0; /* no leading zeros, no '+' */
    /* 19 digits make at most 9999999999999999999, below 2^64 (about
     * 1.8e19), so the loop needs no overflow check; 20 digits are at least
     * 1e19, past every long long. The range check below does the rest. */
    if (len - i > 19) return 0;
    unsigned long long value = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        value = value * 10 + (unsigned)(s[i] - '0');
    }
    if (negative) {
        if (value > 9223372036854775808ULL) return 0;
        *out = value == 9223372036854775808ULL ? (-9223372036854775807LL - 1) : -(long long)value;
    } else {
        if (value > 9223372036854775807ULL) return 0;
        *out = (long long)value;
    }
    return 1;
}

/* Written out by hand because every integer reply and every bulk header
 * goes through here, and snprintf costs several times more. */
size_t number_format_ll(char *buf, long long value) {
    char digits[NUMBER_LL_MAX_LEN];
    size_t n = 0;
    /* The magnitude as unsigned: -LLONG_MIN does not fit in a long long. */
    unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    size_t len = 0;
    if (value < 0) buf[len++] = '-';
    while (n > 0) buf[len++] = digits[--n];
    return len;
}
