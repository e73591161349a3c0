/*
 * commands.c - the command table, and cmd_execute, which looks a command
 * up in it and runs it (see commands.h). The commands themselves are in
 * the cmd_*.c files, by family (cmd.h lists them).
 */
#include "commands.h"

#include <string.h>

#include "cmd.h"

/* Sorted by name, so that command_find can binary-search it: a lookup costs
 * about five comparisons, not a scan of every command. Arity, flags, key
 * positions, group, version and summary are what redis-server 7.0.15's
 * COMMAND INFO and COMMAND DOCS say. CONFIG has no flags: in Redis it is a
 * container, and its subcommands (CONFIG GET, ...) carry the flags. */
const struct command COMMANDS[] = {
    {"append", cmd_append, 3, "write denyoom fast", 1, 1, 1, "string", "2.0.0",
     "Append a value to a key"},
    {"auth", cmd_auth, -2, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
     "connection", "1.0.0", "Authenticate to the server"},
    {"client", cmd_client, -2, "", 0, 0, 0, "connection", "2.4.0",
     "A container for client connection commands"},
    {"command", cmd_command, -1, "loading stale", 0, 0, 0, "server", "2.8.13",
     "Get array of Redis command details"},
    {"config", cmd_config, -2, "", 0, 0, 0, "server", "2.0.0",
     "A container for server configuration commands"},
    {"dbsize", cmd_dbsize, 1, "readonly fast", 0, 0, 0, "server", "1.0.0",
     "Return the number of keys in the selected database"},
    {"decr", cmd_decr, 2, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Decrement the integer value of a key by one"},
    {"decrby", cmd_decrby, 3, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Decrement the integer value of a key by the given number"},
    {"del", cmd_del, -2, "write", 1, -1, 1, "generic", "1.0.0", "Delete a key"},
    {"echo", cmd_echo, 2, "loading stale fast", 0, 0, 0, "connection", "1.0.0",
     "Echo the given string"},
    {"exists", cmd_exists, -2, "readonly fast", 1, -1, 1, "generic", "1.0.0",
     "Determine if a key exists"},
    {"expire", cmd_expire, -3, "write fast", 1, 1, 1, "generic", "1.0.0",
     "Set a key's time to live in seconds"},
    {"flushall", cmd_flushall, -1, "write", 0, 0, 0, "server", "1.0.0",
     "Remove all keys from all databases"},
    {"flushdb", cmd_flushdb, -1, "write", 0, 0, 0, "server", "1.0.0",
     "Remove all keys from the current database"},
    {"get", cmd_get, 2, "readonly fast", 1, 1, 1, "string", "1.0.0", "Get the value of a key"},
    {"getdel", cmd_getdel, 2, "write fast", 1, 1, 1, "string", "6.2.0",
     "Get the value of a key and delete the key"},
    {"hello", cmd_hello, -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
     "connection", "6.0.0", "Handshake with Redis"},
    {"incr", cmd_incr, 2, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Increment the integer value of a key by one"},
    {"incrby", cmd_incrby, 3, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Increment the integer value of a key by the given amount"},
    {"info", cmd_info, -1, "loading stale", 0, 0, 0, "server", "1.0.0",
     "Get information and statistics about the server"},
    {"keys", cmd_keys, 2, "readonly", 0, 0, 0, "generic", "1.0.0",
     "Find all keys matching the given pattern"},
    {"mget", cmd_mget, -2, "readonly fast", 1, -1, 1, "string", "1.0.0",
     "Get the values of all the given keys"},
    {"mset", cmd_mset, -3, "write denyoom", 1, -1, 2, "string", "1.0.1",
     "Set multiple keys to multiple values"},
    {"persist", cmd_persist, 2, "write fast", 1, 1, 1, "generic", "2.2.0",
     "Remove the expiration from a key"},
    {"pexpire", cmd_pexpire, -3, "write fast", 1, 1, 1, "generic", "2.6.0",
     "Set a key's time to live in milliseconds"},
    {"ping", cmd_ping, -1, "fast", 0, 0, 0, "connection", "1.0.0", "Ping the server"},
    {"pttl", cmd_pttl, 2, "readonly fast", 1, 1, 1, "generic", "2.6.0",
     "Get the time to live for a key in milliseconds"},
    {"quit", cmd_quit, -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
     "connection", "1.0.0", "Close the connection"},
    {"scan", cmd_scan, -2, "readonly", 0, 0, 0, "generic", "2.8.0",
     "Incrementally iterate the keys space"},
    {"select", cmd_select, 2, "loading stale fast", 0, 0, 0, "connection", "1.0.0",
     "Change the selected database for the current connection"},
    {"set", cmd_set, -3, "write denyoom", 1, 1, 1, "string", "1.0.0",
     "Set the string value of a key"},
    {"strlen", cmd_strlen, 2, "readonly fast", 1, 1, 1, "string", "2.2.0",
     "Get the length of the value stored in a key"},
    {"ttl", cmd_ttl, 2, "readonly fast", 1, 1, 1, "generic", "1.0.0",
     "Get the time to live for a key in seconds"},
    {"type", cmd_type, 2, "readonly fast", 1, 1, 1, "generic", "1.0.0",
     "Determine the type stored at key"},
};

const size_t COMMAND_COUNT = sizeof COMMANDS / sizeof COMMANDS[0];

/* struct core keeps each command's INFO counters in an array of this many. */
_Static_assert(sizeof COMMANDS / sizeof COMMANDS[0] <= CORE_MAX_COMMANDS,
               "more commands than CORE_MAX_COMMANDS (core.h): raise it");

/* Compare a client's command name, in any case, with a lower-case name. */
static int compare_name(const struct resp_arg *name, const char *lower) {
    size_t i = 0;
    for (; i < name->len && lower[i] != '\0'; i++) {
        unsigned char a = (unsigned char)name->ptr[i];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a - 'A' + 'a');
        unsigned char b = (unsigned char)lower[i];
        if (a != b) return a < b ? -1 : 1;
    }
    if (i < name->len) return 1;       /* the client's name is longer */
    if (lower[i] != '\0') return -1;   /* the table's name is longer */
    return 0;
}

const struct command *command_find(const struct resp_arg *name) {
    size_t low = 0, high = COMMAND_COUNT;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int cmp = compare_name(name, COMMANDS[mid].name);
        if (cmp == 0) return &COMMANDS[mid];
        if (cmp < 0) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    return NULL;
}

/* "-ERR unknown command 'foo', with args beginning with: 'a' 'b' ": Redis
 * quotes the name and then arguments until the list passes 128 bytes. */
static void reply_unknown_command(struct call *c) {
    struct buf msg;
    buf_init(&msg);
    buf_append_str(&msg, "ERR unknown command '");
    append_c_string(&msg, c->argv[0].ptr, c->argv[0].len, 128);
    buf_append_str(&msg, "', with args beginning with: ");
    size_t args_start = msg.len;
    for (size_t j = 1; j < c->argc && msg.len - args_start < 128; j++) {
        buf_append(&msg, "'", 1);
        append_c_string(&msg, c->argv[j].ptr, c->argv[j].len, 128 - (msg.len - 1 - args_start));
        buf_append(&msg, "' ", 2);
    }
    resp_add_error_len(c->out, msg.data, msg.len);
    buf_free(&msg);
}

/* Run a command, and count it as Redis counts it for INFO: its time (not
 * the lookup's), a call, and a failed call if its reply is an error. The
 * reply starts at reply_start in the output; an error is the one reply
 * that starts with '-'. Counted after the command has run, as Redis does,
 * so INFO does not count itself. */
static void run_and_count(struct call *c, const struct command *cmd, size_t reply_start) {
    struct command_stats *stats = &c->core->command_stats[cmd - COMMANDS];
    int64_t start = clock_monotonic_ns();
    cmd->run(c);
    stats->nanoseconds += clock_monotonic_ns() - start;
    stats->calls++;
    c->core->total_commands_processed++;
    if (c->out->buf->len > reply_start && c->out->buf->data[reply_start] == '-') {
        stats->failed_calls++;
        c->core->total_error_replies++;
    }
}

/* Could this argument be a subcommand's name: letters, digits and '-'
 * only? Anything else is not one, and must not reach CLIENT LIST, where a
 * newline would let one client forge lines in another's listing. */
static int looks_like_name(const struct resp_arg *arg) {
    for (size_t i = 0; i < arg->len; i++) {
        char ch = arg->ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return 0;
    }
    return arg->len > 0;
}

/* Note what CLIENT LIST shows of a client: its last command and, since in
 * step02 only the client's own thread may look at its buffers, their
 * sizes now. (This runs under step02's lock; CLIENT LIST reads them under
 * it.) A command with subcommands is named with its subcommand, as Redis
 * names it: "client|list". cmd is NULL for an unknown command, which Redis
 * shows as "NULL". */
static void note_client(struct session *s, const struct command *cmd, size_t argc,
                        const struct resp_arg *argv, int64_t now_ms) {
    s->last_ms = now_ms;
    const char *name = cmd != NULL ? cmd->name : "NULL";
    size_t len = strlen(name);
    memcpy(s->last_cmd, name, len + 1);
    int container = cmd != NULL && (cmd->run == cmd_client || cmd->run == cmd_command ||
                                    cmd->run == cmd_config);
    if (container && argc >= 2 && looks_like_name(&argv[1]) &&
        argv[1].len < sizeof s->last_cmd - len - 1) {
        s->last_cmd[len++] = '|';
        for (size_t i = 0; i < argv[1].len; i++) {
            char ch = argv[1].ptr[i];
            s->last_cmd[len++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
        }
        s->last_cmd[len] = '\0';
    }
    s->noted_query = s->in.len - s->in_done;
    s->noted_query_cap = s->in.cap;
    s->noted_output = s->out.len;
    s->noted_output_cap = s->out.cap;
    s->noted_argv_bytes = 0;
    for (size_t i = 0; i < argc; i++) s->noted_argv_bytes += argv[i].len;
}

void cmd_execute(struct core *core, struct session *s, size_t argc, const struct resp_arg *argv,
                 int64_t now_ms) {
    /* The reply goes out in the protocol the client asked for. HELLO
     * changes it, for its own reply and every later one. */
    struct reply out = {.buf = &s->out, .proto = s->proto};
    struct call c = {.core = core, .client = s, .argc = argc, .argv = argv, .out = &out,
                     .now_ms = now_ms};
    const struct command *cmd = command_find(&argv[0]);
    note_client(s, cmd, argc, argv, now_ms);
    if (cmd == NULL) {
        reply_unknown_command(&c);
        core->total_error_replies++; /* no command to count it against */
        return;
    }
    /* QUIT is answered before any argument check, as Redis 7.0 does. */
    if (cmd->run == cmd_quit) {
        run_and_count(&c, cmd, s->out.len);
        return;
    }
    if ((cmd->arity > 0 && (long long)argc != cmd->arity) ||
        (cmd->arity < 0 && (long long)argc < -cmd->arity)) {
        reply_wrong_arity(&c, cmd->name);
        core->command_stats[cmd - COMMANDS].rejected_calls++; /* refused, never ran */
        core->total_error_replies++;
        return;
    }
    run_and_count(&c, cmd, s->out.len);
}

void cmd_prefetch_keys(struct core *core, const struct resp_arg *keys, int n) {
    struct store_key batch[STORE_PREFETCH_MAX];
    if (n > STORE_PREFETCH_MAX) n = STORE_PREFETCH_MAX;
    for (int i = 0; i < n; i++) {
        batch[i].bytes = keys[i].ptr;
        batch[i].len = keys[i].len;
    }
    store_prefetch(&core->store, batch, n);
}
