/*
 * commands.h - the command table and the state every command works on.
 *
 * cmd_execute takes one parsed command and appends its reply to an output
 * buffer. It does no I/O and takes no locks: the step that calls it decides
 * how bytes reach it and, in step02, which lock is held around it.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "resp.h"
#include "store.h"

/* Everything the commands share: the keys, and the counters INFO shows.
 * A step's server.c owns one of these. */
struct core {
    struct store store;
    const char *step_name;     /* e.g. "step01_blocking", shown by INFO */
    const char *io_model;      /* e.g. "blocking", INFO's multiplexing_api */
    int port;
    int maxclients;
    int64_t started_ms;

    /* Counters kept by the step's server.c. */
    long long connected_clients;
    long long total_connections_received;
    long long rejected_connections;

    /* Kept by cmd_execute. (INFO's expired_keys is counted by the store.) */
    long long total_commands_processed;
};

void core_init(struct core *core, const char *step_name, const char *io_model, int port,
               int maxclients, const unsigned char seed[16]);
void core_free(struct core *core);

/* Wall-clock time in milliseconds since the Unix epoch: the clock that
 * EXPIREAT and TTL speak in. */
int64_t clock_now_ms(void);

/* What the connection should do after a command. */
enum cmd_result {
    CMD_OK,
    CMD_CLOSE_AFTER_REPLY, /* QUIT: send what is pending, then close */
};

/* Execute one command (argc >= 1) at time now_ms, appending its reply. */
enum cmd_result cmd_execute(struct core *core, size_t argc, const struct resp_arg *argv,
                            struct buf *out, int64_t now_ms);

/* Active expiry, for the steps with a timer: reclaim expired keys with
 * bounded work. Returns the number reclaimed. */
size_t core_reclaim_expired(struct core *core, int64_t now_ms);

#endif
