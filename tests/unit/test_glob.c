/*
 * test_glob.c - unit tests of the glob matcher (common/glob.c).
 *
 * The cases are Redis's answers: each pattern and string was tried on a
 * redis-server 7.0.15 as KEYS with only that key stored. Past them, the two
 * promises glob.c makes for hostile patterns: no exponential time, and no
 * unbounded recursion.
 */
#include "check.h"
#include "glob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each pattern against one string, and whether it matches: for each, what
 * redis-server 7.0.15 answered to KEYS pattern with only that key stored
 * (but for the first, see test_star_alone). */
static const struct {
    const char *pattern;
    size_t pattern_len;
    const char *key;
    size_t key_len;
    int match;
} GLOBS[] = {
    {"*", 1, "anything", 8, 1},
    {"*", 1, "", 0, 0},
    {"h?llo", 5, "hello", 5, 1},
    {"h?llo", 5, "hllo", 4, 0},
    {"h?llo", 5, "heello", 6, 0},
    {"h*llo", 5, "hllo", 4, 1},
    {"h*llo", 5, "heeeello", 8, 1},
    {"h*llo", 5, "hellox", 6, 0},
    {"h[ae]llo", 8, "hello", 5, 1},
    {"h[ae]llo", 8, "hallo", 5, 1},
    {"h[ae]llo", 8, "hillo", 5, 0},
    {"h[^e]llo", 8, "hallo", 5, 1},
    {"h[^e]llo", 8, "hello", 5, 0},
    {"h[a-b]llo", 9, "hbllo", 5, 1},
    {"h[a-b]llo", 9, "hcllo", 5, 0},
    {"[a-c]", 5, "b", 1, 1},
    {"[a-c]", 5, "d", 1, 0},
    {"[c-a]", 5, "b", 1, 1},
    {"[^a-c]", 6, "d", 1, 1},
    {"[^a-c]", 6, "a", 1, 0},
    {"\\*", 2, "*", 1, 1},
    {"\\*", 2, "a", 1, 0},
    {"a\\*b", 4, "a*b", 3, 1},
    {"a\\*b", 4, "axb", 3, 0},
    {"\\?", 2, "?", 1, 1},
    {"\\?", 2, "x", 1, 0},
    {"\\", 1, "\\", 1, 1},
    {"a\\", 2, "a\\", 2, 1},
    {"a\\", 2, "a", 1, 0},
    {"[abc", 4, "a", 1, 1},
    {"[abc", 4, "c", 1, 1},
    {"[abc", 4, "d", 1, 0},
    {"[abc", 4, "[", 1, 0},
    {"[", 1, "[", 1, 0},
    {"[", 1, "a", 1, 0},
    {"[^", 2, "x", 1, 1},
    {"[^", 2, "^", 1, 1},
    {"[]", 2, "]", 1, 0},
    {"[]", 2, "x", 1, 0},
    {"[]]", 3, "]", 1, 0},
    {"[]]", 3, "x]", 2, 0},
    {"[\\]]", 4, "]", 1, 1},
    {"[\\]", 3, "]", 1, 1},
    {"[\\]", 3, "\\", 1, 0},
    {"[a-]", 4, "a", 1, 1},
    {"[a-]", 4, "-", 1, 0},
    {"[a-]", 4, "^", 1, 1},
    {"[a-]", 4, "]", 1, 1},
    {"[-a]", 4, "-", 1, 1},
    {"[-a]", 4, "a", 1, 1},
    {"[-a]", 4, "b", 1, 0},
    {"[a-c]x", 6, "bx", 2, 1},
    {"a*b*c*d", 7, "abcd", 4, 1},
    {"a*b*c*d", 7, "aXbYcZd", 7, 1},
    {"a*b*c*d", 7, "abdc", 4, 0},
    {"a*b*c*d", 7, "aXbYcZdd", 8, 1},
    {"a*b*c*d", 7, "aXbYcZdx", 8, 0},
    {"a**b", 4, "ab", 2, 1},
    {"a**b", 4, "axxb", 4, 1},
    {"**", 2, "x", 1, 1},
    {"*a*", 3, "bab", 3, 1},
    {"*a*", 3, "bbb", 3, 0},
    {"a*", 2, "a", 1, 1},
    {"a*", 2, "", 0, 0},
    {"?", 1, "", 0, 0},
    {"?*", 2, "x", 1, 1},
    {"*?", 2, "", 0, 0},
    {"", 0, "a", 1, 0},
    {"a*[", 3, "ab", 2, 0},
    {"a*[b", 4, "ab", 2, 1},
    {"a[b", 3, "ab", 2, 1},
    {"a[b-", 4, "ab", 2, 1},
    {"a[b-", 4, "a-", 2, 1},
    {"a[b-", 4, "ac", 2, 0},
    {"a\\b", 3, "ab", 2, 1},
    {"[\\a-c]", 6, "b", 1, 0},
    {"[\\a-c]", 6, "-", 1, 1},
    {"[\\a-c]", 6, "c", 1, 1},
    {"*\\", 2, "x\\", 2, 1},
    {"*\\", 2, "x", 1, 0},
    {"x*\\*", 4, "x*", 2, 1},
    {"x*\\*", 4, "xab*", 4, 1},
    {"[a-c", 4, "b", 1, 1},
    {"[a-", 3, "a", 1, 1},
    {"[a-", 3, "-", 1, 1},
    {"\xe9", 1, "\xe9", 1, 1},
    {"[\x80-\xff]", 5, "\xe9", 1, 1},
    {"[a-\xff]", 5, "b", 1, 0},
    {"[a-\xff]", 5, "\xe9", 1, 0},
    {"k\0*", 3, "k\0x", 3, 1},
    {"k*", 2, "k\0x", 3, 1},
};

static void test_cases(void) {
    int all_ok = 1;
    for (size_t i = 0; i < sizeof GLOBS / sizeof GLOBS[0]; i++) {
        int got = glob_match(GLOBS[i].pattern, GLOBS[i].pattern_len, GLOBS[i].key,
                             GLOBS[i].key_len);
        if (got != GLOBS[i].match) {
            fprintf(stderr, "glob case %zu:\n", i);
            print_escaped("pattern", GLOBS[i].pattern, GLOBS[i].pattern_len);
            print_escaped("string", GLOBS[i].key, GLOBS[i].key_len);
            fprintf(stderr, "  expected %d, got %d\n", GLOBS[i].match, got);
            all_ok = 0;
        }
    }
    CHECK(all_ok);
}

/* "*" against the empty string: Redis's matcher says no, because its loop
 * ends as soon as the string does and a pattern is left. KEYS * still lists
 * an empty key, by a shortcut that skips the matcher for "*" (cmd_keys
 * takes it too; test_commands.c checks the reply). */
static void test_star_alone(void) {
    CHECK(glob_match("*", 1, "", 0) == 0);
    CHECK(glob_match("*", 1, "a", 1) == 1);
    CHECK(glob_match("", 0, "", 0) == 1);
}

/* Patterns that take exponential time with naive backtracking: each '*'
 * would retry every split of the a's. Each must return at once: with the
 * give-up rule of glob.c this test takes milliseconds, and without it, years
 * (no timer here: tests must pass on a slow machine, so a hang is the
 * failure). */
static void test_no_exponential_time(void) {
    enum { KEY_LEN = 20000 };
    char *key = malloc(KEY_LEN);
    if (key == NULL) return;
    memset(key, 'a', KEY_LEN);
    const char *slow[] = {
        "a*a*a*a*a*a*a*a*a*a*b",
        "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b*",
        "a*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b",
    };
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++)
        CHECK(glob_match(slow[i], strlen(slow[i]), key, KEY_LEN) == 0);
    /* A pattern of that shape that does match still matches. */
    CHECK(glob_match("a*a*a*a*a*a*a*a*a*a*a", 21, key, KEY_LEN) == 1);
    free(key);
}

/* Each '*' of a pattern is one level of recursion while its part of the
 * string matches, so "*a*a*a..." against "aaa..." recurses once per pair.
 * Past 1000 levels the match fails, as in Redis (stringmatchlen, since the
 * fix for CVE-2024-31228): 1000 pairs match, 1001 do not, and a million
 * neither crashes nor matches. */
static void test_nesting_bound(void) {
    enum { MOST = 1000000 };
    char *pattern = malloc(2 * MOST);
    char *key = malloc(MOST);
    if (pattern == NULL || key == NULL) {
        free(pattern);
        free(key);
        return;
    }
    for (size_t i = 0; i < MOST; i++) {
        pattern[2 * i] = '*';
        pattern[2 * i + 1] = 'a';
        key[i] = 'a';
    }
    CHECK(glob_match(pattern, 2 * 1000, key, 1000) == 1);
    CHECK(glob_match(pattern, 2 * 1001, key, 1001) == 0);
    CHECK(glob_match(pattern, 2 * (size_t)MOST, key, MOST) == 0);
    free(pattern);
    free(key);
}

int main(void) {
    test_cases();
    test_star_alone();
    test_no_exponential_time();
    test_nesting_bound();
    return check_report("test_glob");
}
