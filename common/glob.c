/*
 * glob.c - Redis's glob patterns, for KEYS and CONFIG GET (see glob.h).
 */
#include "glob.h"

/* Glob matching as Redis's stringmatchlen does it: * ? [abc] [^abc] [a-z]
 * and \ to escape. Once the rest of a pattern after a '*' has failed to
 * match anywhere in the rest of the string, no earlier '*' can help (it
 * could only push the rest further right), so *give_up stops the search:
 * without that, a pattern like "a*a*a*a*b" takes exponential time.
 * Each '*' is one level of recursion, so the depth is capped too: a pattern
 * of a million stars must not overflow the stack (a thread's stack in
 * step02 is small). Newer Redis versions cap it at 1000 the same way. */
enum { GLOB_MAX_NESTING = 1000 };

static int glob_match_from(const char *pat, size_t plen, const char *str, size_t slen,
                           int *give_up, int nesting) {
    if (nesting > GLOB_MAX_NESTING) return 0;
    while (plen > 0 && slen > 0) {
        switch (pat[0]) {
        case '*':
            while (plen > 1 && pat[1] == '*') {
                pat++;
                plen--;
            }
            if (plen == 1) return 1;
            while (slen > 0) {
                if (glob_match_from(pat + 1, plen - 1, str, slen, give_up, nesting + 1)) return 1;
                if (*give_up) return 0;
                str++;
                slen--;
            }
            *give_up = 1;
            return 0;
        case '?':
            str++;
            slen--;
            break;
        case '[': {
            pat++;
            plen--;
            int negate = plen > 0 && pat[0] == '^';
            if (negate) {
                pat++;
                plen--;
            }
            int match = 0;
            for (;;) {
                if (plen == 0) { /* no closing ']': the class ends with the pattern */
                    pat--;
                    plen++;
                    break;
                } else if (pat[0] == '\\' && plen >= 2) {
                    pat++;
                    plen--;
                    if (pat[0] == str[0]) match = 1;
                } else if (pat[0] == ']') {
                    break;
                } else if (plen >= 3 && pat[1] == '-') {
                    char start = pat[0], end = pat[2];
                    if (start > end) {
                        char t = start;
                        start = end;
                        end = t;
                    }
                    if (str[0] >= start && str[0] <= end) match = 1;
                    pat += 2;
                    plen -= 2;
                } else if (pat[0] == str[0]) {
                    match = 1;
                }
                pat++;
                plen--;
            }
            if (negate) match = !match;
            if (!match) return 0;
            str++;
            slen--;
            break;
        }
        case '\\':
            if (plen >= 2) {
                pat++;
                plen--;
            }
            if (pat[0] != str[0]) return 0;
            str++;
            slen--;
            break;
        default:
            if (pat[0] != str[0]) return 0;
            str++;
            slen--;
            break;
        }
        pat++;
        plen--;
        if (slen == 0) {
            while (plen > 0 && pat[0] == '*') {
                pat++;
                plen--;
            }
            break;
        }
    }
    return plen == 0 && slen == 0;
}

int glob_match(const char *pat, size_t plen, const char *str, size_t slen) {
    int give_up = 0;
    return glob_match_from(pat, plen, str, slen, &give_up, 0);
}
