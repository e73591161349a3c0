/*
 * cmd_server.c - the commands about the server as a whole: DBSIZE,
 * FLUSHDB, FLUSHALL, INFO, and COMMAND and CONFIG GET, which clients and
 * tools such as redis-cli and redis-benchmark ask a server about itself.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
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

/* A byte count as Redis's bytesToHuman writes it: 512B, 1.50K, 2.00M ... */
static void human_bytes(char *out, size_t size, unsigned long long n) {
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(out, size, "%lluB", n);
        return;
    }
    double d = (double)n / 1024; /* exact: a power of two */
    int unit = 0;
    while (d >= 1024 && unit < 5) {
        d /= 1024;
        unit++;
    }
    if (unit == 5) {
        snprintf(out, size, "%lluB", n); /* past the units, Redis's too */
    } else {
        snprintf(out, size, "%.2f%c", d, units[unit]);
    }
}

static void info_bytes(struct buf *b, const char *name, unsigned long long bytes) {
    char human[32], human_name[64];
    info_line(b, name, (long long)bytes);
    human_bytes(human, sizeof human, bytes);
    snprintf(human_name, sizeof human_name, "%s_human", name);
    info_text(b, human_name, human);
}

/* The pages of this process that are in memory, from the second number in
 * /proc/self/statm, in bytes: what Redis shows as used_memory_rss. 0 where
 * there is no /proc (not Linux, or not mounted), rather than failing INFO. */
static unsigned long long resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return 0;
    unsigned long long size, resident;
    int got = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f); /* read-only: nothing is lost if closing fails */
    long page = sysconf(_SC_PAGESIZE);
    if (got != 2 || page <= 0) return 0;
    return resident * (unsigned long long)page;
}

/* CPU time as Redis prints it: seconds, a dot, six digits of microseconds. */
static void info_cpu_time(struct buf *b, const char *name, const struct timeval *tv) {
    char line[128];
    int n = snprintf(line, sizeof line, "%s:%ld.%06ld\r\n", name, (long)tv->tv_sec,
                     (long)tv->tv_usec);
    buf_append(b, line, (size_t)n);
}

static void info_server(struct call *c, struct buf *b) {
    struct core *core = c->core;
    long long uptime = (c->now_ms - core->started_ms) / 1000;
    /* Clients decide which commands they may use from this version. */
    info_text(b, "redis_version", REDIS_VERSION);
    info_text(b, "redis_mode", "standalone");
    info_text(b, "teaching_step", core->step_name);
    info_line(b, "arch_bits", (long long)(sizeof(void *) * 8));
    info_text(b, "multiplexing_api", core->io_model);
    info_line(b, "process_id", (long long)getpid());
    info_line(b, "tcp_port", core->port);
    info_line(b, "uptime_in_seconds", uptime);
    info_line(b, "uptime_in_days", uptime / 86400);
}

static void info_clients(struct call *c, struct buf *b) {
    info_line(b, "connected_clients", c->core->connected_clients);
    info_line(b, "maxclients", c->core->opts.maxclients);
}

static void info_memory(struct call *c, struct buf *b) {
    info_bytes(b, "used_memory", c->core->store.used_memory); /* the keys only: store.c */
    info_bytes(b, "used_memory_rss", resident_bytes());
}

static void info_stats(struct call *c, struct buf *b) {
    struct core *core = c->core;
    info_line(b, "total_connections_received", core->total_connections_received);
    info_line(b, "total_commands_processed", core->total_commands_processed);
    info_line(b, "rejected_connections", core->rejected_connections);
    info_line(b, "expired_keys", (long long)core->store.expired_removed);
    /* Errors replied to commands. Redis also counts the protocol errors a
     * session replies before closing; those are not counted here. */
    info_line(b, "total_error_replies", core->total_error_replies);
}

static void info_cpu(struct call *c, struct buf *b) {
    (void)c;
    /* getrusage fails only on a bad argument: zeros then, not garbage. */
    struct rusage self, children;
    if (getrusage(RUSAGE_SELF, &self) != 0) memset(&self, 0, sizeof self);
    if (getrusage(RUSAGE_CHILDREN, &children) != 0) memset(&children, 0, sizeof children);
    info_cpu_time(b, "used_cpu_sys", &self.ru_stime);
    info_cpu_time(b, "used_cpu_user", &self.ru_utime);
    info_cpu_time(b, "used_cpu_sys_children", &children.ru_stime);
    info_cpu_time(b, "used_cpu_user_children", &children.ru_utime);
}

/* One line per command that has been called, refused or failed, in the
 * table's order, by name. (Redis walks its hash table of commands, in no
 * order a client can rely on.) Redis counts CONFIG GET as config|get and
 * COMMAND INFO as command|info; with no subcommands of our own, we count
 * them as config and command. */
static void info_commandstats(struct call *c, struct buf *b) {
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const struct command_stats *st = &c->core->command_stats[i];
        if (st->calls == 0 && st->rejected_calls == 0 && st->failed_calls == 0) continue;
        long long usec = st->nanoseconds / 1000;
        /* Redis divides in float, whose 24 bits show past a few
         * million microseconds; dividing the same way prints the same. */
        float per_call = st->calls == 0 ? 0 : (float)usec / (float)st->calls;
        char line[256];
        int n = snprintf(line, sizeof line,
                         "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,"
                         "rejected_calls=%lld,failed_calls=%lld\r\n",
                         COMMANDS[i].name, st->calls, usec, (double)per_call,
                         st->rejected_calls, st->failed_calls);
        buf_append(b, line, (size_t)n);
    }
}

static void info_keyspace(struct call *c, struct buf *b) {
    size_t keys = store_count(&c->core->store);
    if (keys > 0) {
        char line[128];
        int n = snprintf(line, sizeof line, "db0:keys=%zu,expires=%zu,avg_ttl=0\r\n", keys,
                         c->core->store.volatile_keys);
        buf_append(b, line, (size_t)n);
    }
}

/* INFO's sections, in the order Redis 7.0 prints them, and whether INFO
 * with no argument (or "default") shows each. Redis has more: persistence,
 * replication, modules, errorstats, latencystats and cluster, of which we
 * would have nothing true to say, so they are left out. */
static const struct {
    const char *name;
    const char *title;
    int in_default;
    void (*write)(struct call *c, struct buf *b);
} INFO_SECTIONS[] = {
    {"server", "# Server", 1, info_server},
    {"clients", "# Clients", 1, info_clients},
    {"memory", "# Memory", 1, info_memory},
    {"stats", "# Stats", 1, info_stats},
    {"cpu", "# CPU", 1, info_cpu},
    {"commandstats", "# Commandstats", 0, info_commandstats},
    {"keyspace", "# Keyspace", 1, info_keyspace},
};
enum { INFO_SECTION_COUNT = sizeof INFO_SECTIONS / sizeof INFO_SECTIONS[0] };

/* INFO [section ...]: the sections asked for, in Redis's order whatever the
 * order asked, each once. Names are matched in any case; "default" stands
 * for the default sections, "all" and "everything" for every one (they
 * differ in Redis only by its modules' sections); a name that is no
 * section adds nothing, so INFO nosuch is empty text. */
void cmd_info(struct call *c) {
    int wanted[INFO_SECTION_COUNT] = {0};
    for (size_t i = 0; i < INFO_SECTION_COUNT; i++) {
        wanted[i] = c->argc == 1 && INFO_SECTIONS[i].in_default;
    }
    for (size_t j = 1; j < c->argc; j++) {
        int all = arg_is(&c->argv[j], "all") || arg_is(&c->argv[j], "everything");
        int defaults = arg_is(&c->argv[j], "default");
        for (size_t i = 0; i < INFO_SECTION_COUNT; i++) {
            if (all || (defaults && INFO_SECTIONS[i].in_default) ||
                arg_is(&c->argv[j], INFO_SECTIONS[i].name))
                wanted[i] = 1;
        }
    }
    struct buf text;
    buf_init(&text);
    for (size_t i = 0; i < INFO_SECTION_COUNT; i++) {
        if (!wanted[i]) continue;
        /* A title line, its fields, and an empty line between sections. */
        if (text.len > 0) buf_append(&text, "\r\n", 2);
        buf_append_str(&text, INFO_SECTIONS[i].title);
        buf_append(&text, "\r\n", 2);
        INFO_SECTIONS[i].write(c, &text);
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
                resp_add_null(c->out); /* $-1, as Redis 7.0.15 replies: not *-1 */
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

/* Is this CONFIG GET argument a glob pattern? Redis asks the same: does
 * it hold one of * ? [ ? */
static int is_pattern(const struct resp_arg *arg) {
    for (size_t i = 0; i < arg->len; i++) {
        if (arg->ptr[i] == '*' || arg->ptr[i] == '?' || arg->ptr[i] == '[') return 1;
    }
    return 0;
}

/* A copy of a pattern in lower case. Redis matches CONFIG GET's patterns
 * with case folded on both sides; our names are lower case, so folding
 * the pattern alone (its ranges and escapes too) matches the same. */
static void fold_case(const struct resp_arg *arg, struct buf *lower) {
    lower->len = 0;
    for (size_t i = 0; i < arg->len; i++) {
        char ch = arg->ptr[i];
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        buf_append(lower, &ch, 1);
    }
}

/* CONFIG GET parameter...: enough of it for redis-benchmark, which asks for
 * "save" and "appendonly" at start-up and warns if it gets an error, and
 * for clients that read "maxclients" or "databases". As Redis 7.0 does:
 * an argument with * ? or [ is a glob pattern, matched in any case, and a
 * parameter it matches is named as we spell it; any other argument is a
 * name, also in any case, and the reply spells it as the client did
 * (CONFIG GET PORT answers PORT). Each parameter is listed once however
 * many arguments match it. The pairs come in the table's order, by name;
 * Redis's come in its hash table's, which no client can rely on. */
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
    enum { NPARAMS = sizeof params / sizeof params[0] };
    int matched[NPARAMS] = {0};
    const struct resp_arg *spelled[NPARAMS] = {NULL}; /* the name as a client wrote it */
    long long count = 0;
    struct buf lower;
    buf_init(&lower);
    for (size_t j = 2; j < c->argc; j++) {
        const struct resp_arg *arg = &c->argv[j];
        int pattern = is_pattern(arg);
        if (pattern) fold_case(arg, &lower);
        for (size_t i = 0; i < NPARAMS; i++) {
            if (matched[i]) continue;
            const char *name = params[i][0];
            if (pattern ? glob_match(lower.data, lower.len, name, strlen(name)) : arg_is(arg, name)) {
                matched[i] = 1;
                if (!pattern) spelled[i] = arg;
                count++;
            }
        }
    }
    buf_free(&lower);
    resp_add_map(c->out, count);
    for (size_t i = 0; i < NPARAMS; i++) {
        if (!matched[i]) continue;
        if (spelled[i] != NULL) {
            resp_add_bulk(c->out, spelled[i]->ptr, spelled[i]->len);
        } else {
            resp_add_bulk_str(c->out, params[i][0]);
        }
        resp_add_bulk_str(c->out, params[i][1]);
    }
}
