/*
 * check.h - the smallest test harness that reports where a check failed.
 *
 * CHECK records a failure with its file and line and carries on, so one run
 * shows every broken expectation. check_report() prints the total and gives
 * the exit status: 0 when every check passed.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdio.h>

static int check_failures;
static int check_count;

static void check_at(int ok, const char *what, const char *file, int line) {
    check_count++;
    if (!ok) {
        check_failures++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    }
}

#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Print bytes with C escapes, for failure messages: "  got (5 bytes): "+OK\r\n"".
 * Inline, so that a test file which never fails this way does not warn. */
static inline void print_escaped(const char *label, const char *bytes, size_t len) {
    fprintf(stderr, "  %s (%zu bytes): \"", label, len);
    size_t shown = len > 400 ? 400 : len;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '\n') {
            fputs("\\n", stderr);
        } else if (c == '\r') {
            fputs("\\r", stderr);
        } else if (c == '"' || c == '\\') {
            fprintf(stderr, "\\%c", c);
        } else if (c < 32 || c >= 127) {
            fprintf(stderr, "\\x%02x", c);
        } else {
            fputc(c, stderr);
        }
    }
    fprintf(stderr, "\"%s\n", shown < len ? "..." : "");
}

static int check_report(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
