/*
 * options.c - parsing the command-line flags (see options.h).
 *
 * Hand-written rather than getopt_long, which is a GNU extension: the
 * project sticks to C11 and POSIX, and four flags take a few lines.
 */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_limits.h"

static void print_usage(FILE *to, const char *step_name) {
    fprintf(to,
            "usage: %s/server [options]\n"
            "  -p, --port N        port to listen on (default 6379; 0 picks a free one)\n"
            "      --bind ADDR     IPv4 address to listen on (default 127.0.0.1)\n"
            "      --maxclients N  most clients served at once (default %d)\n"
            "      --verbose       log every connect and disconnect\n"
            "  -h, --help          show this help\n",
            step_name, DEFAULT_MAXCLIENTS);
}

/* A whole decimal number in [min, max], or -1. */
static long parse_number(const char *s, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) return -1;
    return v;
}

void options_init(struct options *opts) {
    opts->port = 6379;
    opts->bind = "127.0.0.1";
    opts->maxclients = DEFAULT_MAXCLIENTS;
    opts->verbose = 0;
}

int options_parse(struct options *opts, int argc, char **argv, const char *step_name) {
    options_init(opts);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout, step_name);
            return 1;
        } else if (strcmp(arg, "--verbose") == 0) {
            opts->verbose = 1;
        } else if ((strcmp(arg, "-p") == 0 || strcmp(arg, "--port") == 0) && value != NULL) {
            long port = parse_number(value, 0, 65535);
            if (port < 0) {
                fprintf(stderr, "%s: bad port '%s'\n", step_name, value);
                return -1;
            }
            opts->port = (int)port;
            i++;
        } else if (strcmp(arg, "--bind") == 0 && value != NULL) {
            opts->bind = value;
            i++;
        } else if (strcmp(arg, "--maxclients") == 0 && value != NULL) {
            long n = parse_number(value, 1, 1000000);
            if (n < 0) {
                fprintf(stderr, "%s: bad --maxclients '%s'\n", step_name, value);
                return -1;
            }
            opts->maxclients = (int)n;
            i++;
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", step_name, arg);
            print_usage(stderr, step_name);
            return -1;
        }
    }
    return 0;
}
