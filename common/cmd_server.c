/*
 * cmd_server.c - the commands about the server as a whole: DBSIZE,
 * FLUSHDB, FLUSHALL, INFO, and COMMAND and CONFIG GET, which clients and
 * tools such as redis-cli and redis-benchmark ask a server about itself.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "glob.h"
#include "server_limits.h"

void cmd_dbsize(struct call *c) {
    resp_add_integer(c->out, (long long)store_count(&c->core->store));
}

/* FLUSHDB and FLUSHALL, with the optional ASYNC or SYNC (both flush at
 * once here: there is no background thread to hand the work to). */
static void flush(struct call *c) {
    if (c->argc > 2 || (c->argc == 2 && !arg_is(&c->argv[1], "sync") &&
                        !arg_is(&c->argv[1], "async"))) {
        resp_add_error(c->out, ERR_SYNTAX);
        return;
    }
    store_clear(&c->core->store);
    resp_add_simple(c->out, "OK");
}

void cmd_flushdb(struct call *c) {
    flush(c);
}

void cmd_flushall(struct call *c) {
    flush(c);
}

/* ---- INFO ---- */

static void info_line(struct buf *b, const char *name, long long value) {
    char line[128];
    int n = snprintf(line, sizeof line, "%s:%lld\r\n", name, value);
    buf_append(b, line, (size_t)n);
}

static void info_text(struct buf *b, const char *name, const char *value) {
    buf_append_str(b, name);
    buf_append(b, ":", 1);
    buf_append_str(b, value);
    buf_append(b, "\r\n", 2);
}

/* Does INFO's argument ask for this section? */
static int info_wants(struct call *c, const char *section, int in_default) {
    if (c->argc == 1) return 1;
    for (size_t j = 1; j < c->argc; j++) {
        if (arg_is(&c->argv[j], section) || arg_is(&c->argv[j], "all") ||
            arg_is(&c->argv[j], "everything") || (in_default && arg_is(&c->argv[j], "default")))
            return 1;
    }
    return 0;
}

/* Sections are separated by an empty line, as in Redis. */
static void info_section(struct buf *b, const char *title) {
    if (b->len > 0) buf_append(b, "\r\n", 2);
    buf_append_str(b, title);
    buf_append(b, "\r\n", 2);
}

void cmd_info(struct call *c) {
    struct core *core = c->core;
    struct buf text;
    buf_init(&text);
    if (info_wants(c, "server", 1)) {
        long long uptime = (c->now_ms - core->started_ms) / 1000;
        info_section(&text, "# Server");
        /* Clients decide which commands they may use from this version. */
        info_text(&text, "redis_version", REDIS_VERSION);
        info_text(&text, "redis_mode", "standalone");
        info_text(&text, "teaching_step", core->step_name);
        info_text(&text, "multiplexing_api", core->io_model);
        info_line(&text, "arch_bits", (long long)(sizeof(void *) * 8));
        info_line(&text, "process_id", (long long)getpid());
        info_line(&text, "tcp_port", core->port);
        info_line(&text, "uptime_in_seconds", uptime);
        info_line(&text, "uptime_in_days", uptime / 86400);
    }
    if (info_wants(c, "clients", 1)) {
        info_section(&text, "# Clients");
        info_line(&text, "connected_clients", core->connected_clients);
        info_line(&text, "maxclients", core->opts.maxclients);
    }
    if (info_wants(c, "stats", 1)) {
        info_section(&text, "# Stats");
        info_line(&text, "total_connections_received", core->total_connections_received);
        info_line(&text, "total_commands_processed", core->total_commands_processed);
        info_line(&text, "rejected_connections", core->rejected_connections);
        info_line(&text, "expired_keys", (long long)core->store.expired_removed);
    }
    if (info_wants(c, "keyspace", 1)) {
        info_section(&text, "# Keyspace");
        size_t keys = store_count(&core->store);
        if (keys > 0) {
            char line[128];
            int n = snprintf(line, sizeof line, "db0:keys=%zu,expires=%zu,avg_ttl=0\r\n", keys,
                             core->store.volatile_keys);
            buf_append(&text, line, (size_t)n);
        }
    }
    resp_add_verbatim(c->out, "txt", text.data, text.len);
    buf_free(&text);
}

/* ---- COMMAND and CONFIG ---- */

/* Append a space-separated word list as a set of simple strings, the way
 * COMMAND lists a command's flags. */
static void reply_word_set(struct reply *out, const char *words) {
    long long n = 0;
    for (const char *p = words; *p; p++) {
        if (*p != ' ' && (p == words || p[-1] == ' ')) n++;
    }
    resp_add_set(out, n);
    const char *p = words;
    while (*p) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && *p != ' ') p++;
        if (p > start) resp_add_simple_len(out, start, (size_t)(p - start));
    }
}

/* One COMMAND / COMMAND INFO entry, in Redis 7.0's ten-element shape. */
static void reply_command_info(struct reply *out, const struct command *cmd) {
    resp_add_array(out, 10);
    resp_add_bulk_str(out, cmd->name);
    resp_add_integer(out, cmd->arity);
    reply_word_set(out, cmd->flags);
    resp_add_integer(out, cmd->first_key);
    resp_add_integer(out, cmd->last_key);
    resp_add_integer(out, cmd->key_step);
    resp_add_set(out, 0); /* ACL categories */
    resp_add_set(out, 0); /* tips */
    resp_add_set(out, 0); /* key specifications */
    resp_add_set(out, 0); /* subcommands */
}

/* One COMMAND DOCS entry: name, then a map of its documentation. */
static void reply_command_docs(struct reply *out, const struct command *cmd) {
    resp_add_bulk_str(out, cmd->name);
    resp_add_map(out, 3);
    resp_add_bulk_str(out, "summary");
    resp_add_bulk_str(out, cmd->summary);
    resp_add_bulk_str(out, "since");
    resp_add_bulk_str(out, cmd->since);
    resp_add_bulk_str(out, "group");
    resp_add_bulk_str(out, cmd->group);
}

/* COMMAND, COMMAND COUNT, COMMAND INFO name..., COMMAND DOCS [name...]:
 * what redis-cli and client libraries ask a server about itself. */
void cmd_command(struct call *c) {
    if (c->argc == 1) {
        resp_add_array(c->out, (long long)COMMAND_COUNT);
        for (size_t i = 0; i < COMMAND_COUNT; i++) reply_command_info(c->out, &COMMANDS[i]);
    } else if (arg_is(&c->argv[1], "count")) {
        if (c->argc != 2) {
            reply_wrong_arity(c, "command|count");
            return;
        }
        resp_add_integer(c->out, (long long)COMMAND_COUNT);
    } else if (arg_is(&c->argv[1], "info")) {
        resp_add_array(c->out, (long long)c->argc - 2);
        for (size_t j = 2; j < c->argc; j++) {
            const struct command *cmd = command_find(&c->argv[j]);
            if (cmd == NULL) {
                resp_add_null_array(c->out);
            } else {
                reply_command_info(c->out, cmd);
            }
        }
    } else if (arg_is(&c->argv[1], "docs")) {
        if (c->argc == 2) {
            resp_add_map(c->out, (long long)COMMAND_COUNT);
            for (size_t i = 0; i < COMMAND_COUNT; i++) reply_command_docs(c->out, &COMMANDS[i]);
            return;
        }
        long long found = 0;
        for (size_t j = 2; j < c->argc; j++) found += command_find(&c->argv[j]) != NULL;
        resp_add_map(c->out, found);
        for (size_t j = 2; j < c->argc; j++) {
            const struct command *cmd = command_find(&c->argv[j]);
            if (cmd != NULL) reply_command_docs(c->out, cmd);
        }
    } else {
        reply_unknown_subcommand(c, "COMMAND");
    }
}

/* CONFIG GET pattern...: enough of it for redis-benchmark, which asks for
 * "save" and "appendonly" at start-up and warns if it gets an error. */
void cmd_config(struct call *c) {
    if (!arg_is(&c->argv[1], "get")) {
        reply_unknown_subcommand(c, "CONFIG");
        return;
    }
    if (c->argc < 3) {
        reply_wrong_arity(c, "config|get");
        return;
    }
    char maxclients[24], port[24], max_bulk[24];
    snprintf(maxclients, sizeof maxclients, "%d", c->core->opts.maxclients);
    snprintf(port, sizeof port, "%d", c->core->port);
    snprintf(max_bulk, sizeof max_bulk, "%d", LIMIT_BULK_LEN);
    const char *params[][2] = {
        {"appendonly", "no"}, {"databases", "1"},       {"maxclients", maxclients},
        {"port", port},       {"proto-max-bulk-len", max_bulk}, {"save", ""},
    };
    size_t nparams = sizeof params / sizeof params[0];
    /* Each parameter once, however many patterns match it. */
    int matched[sizeof params / sizeof params[0]] = {0};
    long long count = 0;
    for (size_t j = 2; j < c->argc; j++) {
        for (size_t i = 0; i < nparams; i++) {
            if (!matched[i] && glob_match(c->argv[j].ptr, c->argv[j].len, params[i][0],
                                          strlen(params[i][0]))) {
                matched[i] = 1;
                count++;
            }
        }
    }
    resp_add_map(c->out, count);
    for (size_t i = 0; i < nparams; i++) {
        if (!matched[i]) continue;
        resp_add_bulk_str(c->out, params[i][0]);
        resp_add_bulk_str(c->out, params[i][1]);
    }
}
