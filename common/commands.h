/*
 * commands.h - running one command: how a session reaches the core.
 *
 * cmd_execute takes one parsed command and appends its reply to the
 * client's output buffer. It does no I/O and takes no locks: the step that calls it decides
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
#include "session.h"

/* Execute one command (argc >= 1) for the client s at time now_ms,
 * appending its reply to s->out in the client's protocol. A command that
 * ends the connection (QUIT) sets s->closing: the reply goes out first. */
void cmd_execute(struct core *core, struct session *s, size_t argc, const struct resp_arg *argv,
                 int64_t now_ms);

/* A hint, changing nothing: commands about to run will look up these
 * keys. Starts loading them from memory now, all at once (store_prefetch,
 * which uses the first STORE_PREFETCH_MAX). */
void cmd_prefetch_keys(struct core *core, const struct resp_arg *keys, int n);

#endif
