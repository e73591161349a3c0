/*
 * check.h - the smallest test harness that reports where a check failed.
 *
 * CHECK records a failure with its file and line and carries on, so one run
 * shows every broken expectation. check_report() prints the total and gives
 * the exit status: 0 when every check passed.
 */
#ifndef CHECK_H
#define CHECK_H

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

static int check_report(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
