/*
 * options.h - the command-line flags every step takes.
 *
 * main() parses them first, and hands the result to core_init, which
 * keeps a copy for the commands that report them (INFO, CONFIG GET). A new
 * flag is added here and in options.c, and read from core->opts where it
 * is used: no step's main() changes.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

struct options {
    int port;            /* --port / -p; 0 lets the kernel choose (tests use it) */
    const char *bind;    /* --bind; 127.0.0.1 unless asked otherwise */
    int maxclients;      /* --maxclients */
    int verbose;         /* --verbose: log connects and disconnects */
};

/* Every option at its default, as if no flag had been given. */
void options_init(struct options *opts);

/* Parse argv. Returns 0 to run, 1 when --help was printed, -1 on a bad flag
 * (a message has been printed to stderr). */
int options_parse(struct options *opts, int argc, char **argv, const char *step_name);

#endif
