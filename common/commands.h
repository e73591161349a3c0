/*
 * commands.h - running one command: how a session reaches the core.
 *
 * cmd_execute takes one parsed command and appends its reply to an output
 * buffer. It does no I/O and takes no locks: the step that calls it decides
 * how bytes reach it and, in step02, which lock is held around it. The
 * commands themselves, and how to add one, are in cmd.h.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "core.h"
#include "resp.h"

/* What the connection should do after a command. */
enum cmd_result {
    CMD_OK,
    CMD_CLOSE_AFTER_REPLY, /* QUIT: send what is pending, then close */
};

/* Execute one command (argc >= 1) at time now_ms, appending its reply. */
enum cmd_result cmd_execute(struct core *core, size_t argc, const struct resp_arg *argv,
                            struct buf *out, int64_t now_ms);

/* A hint, changing nothing: commands about to run will look up these
 * keys. Starts loading them from memory now, all at once (store_prefetch,
 * which uses the first STORE_PREFETCH_MAX). */
void cmd_prefetch_keys(struct core *core, const struct resp_arg *keys, int n);

#endif
