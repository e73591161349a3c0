/*
 * cmd.h - what the command files share: what a command is handed, the
 * helpers most commands use, and one declaration per command.
 *
 * The commands live in files by family, as Redis groups them:
 *   cmd_connection.c  PING ECHO SELECT QUIT HELLO AUTH CLIENT
 *   cmd_string.c      GET SET MGET MSET INCR ... APPEND STRLEN
 *   cmd_keyspace.c    DEL EXISTS TYPE KEYS SCAN EXPIRE TTL ... (Redis's
 *                     "generic" group: commands on keys of any type)
 *   cmd_server.c      DBSIZE FLUSHDB FLUSHALL INFO COMMAND CONFIG
 * and commands.c holds the table that names them all and cmd_execute.
 *
 * To add a command: write it in its family's file, declare it below under
 * its family's heading, and give it a line in the table in commands.c.
 *
 * Every command checks its arguments, works on the store and appends
 * exactly one reply, through the reply writers of resp.h, with Redis
 * 7.0's bytes and error texts: clients and tests compare them byte for
 * byte. Where Redis's behaviour is surprising, a comment says so, so that
 * nobody "fixes" it.
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "core.h"
#include "resp.h"
#include "session.h"
#include "store.h"

/* What a command sees: its arguments, where its reply goes (in the
 * client's protocol), the client, and the core. */
struct call {
    struct core *core;
    struct session *client;
    size_t argc;
    const struct resp_arg *argv; /* argv[0] is the command's name */
    struct reply *out;
    int64_t now_ms;
};

/* One command: how to run it and what COMMAND and COMMAND DOCS say of it. */
struct command {
    const char *name;          /* lower case */
    void (*run)(struct call *c);
    int arity;                 /* argc including the name; -N means at least N */
    const char *flags;         /* COMMAND's flags, space-separated */
    int first_key, last_key, key_step;
    const char *group;         /* COMMAND DOCS */
    const char *since;
    const char *summary;
};

/* The table, sorted by name (commands.c), and a lookup in it by a client's
 * name in any case: NULL if there is no such command. */
extern const struct command COMMANDS[];
extern const size_t COMMAND_COUNT;
const struct command *command_find(const struct resp_arg *name);

/* ---- Helpers (cmd_helpers.c) ---- */

extern const char REDIS_VERSION[];   /* the Redis we answer as: "7.0.15" */
extern const char ERR_SYNTAX[];      /* "ERR syntax error" */
extern const char ERR_NOT_INTEGER[]; /* "ERR value is not an integer or out of range" */

/* Is the argument this lower-case word, in any case? */
int arg_is(const struct resp_arg *arg, const char *word);

/* Parse an argument as a long long, or reply with Redis's error and
 * return 0. */
int arg_to_ll_or_reply(struct call *c, const struct resp_arg *arg, long long *out);

/* The live entry of a key, or NULL (an expired key is deleted on the way). */
struct entry *lookup_key(struct call *c, const struct resp_arg *key);

/* A key's value as a bulk string, or null for a missing key. */
void reply_value(struct call *c, const struct entry *e);

/* "-ERR wrong number of arguments for 'get' command" and the like. */
void reply_wrong_arity(struct call *c, const char *name);
/* "-ERR invalid expire time in 'set' command". */
void reply_invalid_expire(struct call *c, const char *name);
/* "-ERR unknown subcommand 'x'. Try CONFIG HELP.", naming argv[1]. */
void reply_unknown_subcommand(struct call *c, const char *container);

/* Append a client's bytes for an error message as Redis prints them there,
 * with %s: stopping at a NUL byte, and after at most `max` bytes. */
void append_c_string(struct buf *b, const char *bytes, size_t len, size_t max);

/* ---- The commands ---- */

/* cmd_connection.c */
void cmd_ping(struct call *c);
void cmd_echo(struct call *c);
void cmd_select(struct call *c);
void cmd_quit(struct call *c);
void cmd_hello(struct call *c);
void cmd_auth(struct call *c);
void cmd_client(struct call *c);

/* cmd_string.c */
void cmd_get(struct call *c);
void cmd_getdel(struct call *c);
void cmd_set(struct call *c);
void cmd_mget(struct call *c);
void cmd_mset(struct call *c);
void cmd_incr(struct call *c);
void cmd_decr(struct call *c);
void cmd_incrby(struct call *c);
void cmd_decrby(struct call *c);
void cmd_append(struct call *c);
void cmd_strlen(struct call *c);

/* cmd_keyspace.c */
void cmd_del(struct call *c);
void cmd_exists(struct call *c);
void cmd_type(struct call *c);
void cmd_keys(struct call *c);
void cmd_scan(struct call *c);
void cmd_expire(struct call *c);
void cmd_pexpire(struct call *c);
void cmd_ttl(struct call *c);
void cmd_pttl(struct call *c);
void cmd_persist(struct call *c);

/* cmd_server.c */
void cmd_dbsize(struct call *c);
void cmd_flushdb(struct call *c);
void cmd_flushall(struct call *c);
void cmd_info(struct call *c);
void cmd_command(struct call *c);
void cmd_config(struct call *c);

#endif
