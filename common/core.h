/*
 * core.h - the state every command works on: the keys, the options the
 * server was started with, and the counters INFO shows.
 *
 * A step's server.c owns one struct core, starts it with core_init once
 * its listening socket is open, and hands it to session_run_commands
 * (session.h), which hands it to every command it runs (commands.h). The
 * core never reads the time by itself: whoever calls into it passes the
 * time, read with clock_now_ms, so that the unit tests can set the time by
 * hand. (Two exceptions read the monotonic clock, and neither decides what
 * a command does: the expiry cycle times its own work, to bound it, see
 * core.c; cmd_execute times each command for INFO commandstats.)
 */
#ifndef CORE_H
#define CORE_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "store.h"

struct session;

/* The most commands the table in commands.c may hold; it checks this when
 * it is compiled. */
enum { CORE_MAX_COMMANDS = 64 };

/* What INFO commandstats shows of one command, counted by cmd_execute as
 * Redis counts them. */
struct command_stats {
    long long calls;          /* times it ran */
    long long nanoseconds;    /* time spent running it, in all */
    long long rejected_calls; /* refused before running it: a wrong arity */
    long long failed_calls;   /* ran, and replied with an error */
};

struct core {
    struct store store;
    struct options opts;       /* a copy of the flags the server started with */
    const char *step_name;     /* e.g. "step01_blocking", shown by INFO */
    const char *io_model;      /* e.g. "blocking", INFO's multiplexing_api */
    int port;                  /* the port listened on (opts.port may be 0) */
    int64_t started_ms;

    /* Counters kept by the step's server.c. */
    long long connected_clients;
    long long total_connections_received;
    long long rejected_connections;

    /* The connected clients, for CLIENT LIST and KILL (session.h). */
    struct session *clients, *clients_tail; /* oldest first */
    long long last_client_id;

    /* Kept by cmd_execute. (INFO's expired_keys is counted by the store.) */
    long long total_commands_processed; /* commands that ran */
    long long total_error_replies;      /* error replies to commands */
    struct command_stats command_stats[CORE_MAX_COMMANDS]; /* by position in COMMANDS */
};

/* Start the core with the parsed options, the step's name and I/O model,
 * and the port it listens on. seed keys the store's hash function: NULL
 * for 16 random bytes, which a server wants (a client that cannot guess
 * the seed cannot aim its keys at one bucket), or 16 fixed bytes, which a
 * test wants, to be repeatable. */
void core_init(struct core *core, const struct options *opts, const char *step_name,
               const char *io_model, int port, const unsigned char *seed);
void core_free(struct core *core);

/* Wall-clock time in milliseconds since the Unix epoch: the clock that
 * EXPIREAT and TTL speak in. */
int64_t clock_now_ms(void);

/* A clock that only moves forward, in nanoseconds from some fixed point:
 * for measuring how long something took, which the wall clock cannot do
 * (it may be set back or forward meanwhile). */
int64_t clock_monotonic_ns(void);

/* Active expiry: every step's timer calls this each tick (TICK_MS, 100 ms;
 * step01, which has no timer, between commands). It reclaims expired keys
 * a sample of 20 at a time, going on while more than 10% of a sample had
 * expired, for at most 25 ms, and resumes where it stopped on the next
 * call. With no key with a TTL it returns at once. Returns the number
 * reclaimed. */
size_t core_reclaim_expired(struct core *core, int64_t now_ms);

/* The same cycle with budget_us microseconds to spend instead of 25 ms:
 * the clock is looked at every 16 samples, so 0 stops it after 16 (the
 * unit tests use that). */
size_t core_expire_cycle(struct core *core, int64_t now_ms, int64_t budget_us);

#endif
