/*
 * cmd_connection.c - the commands about the connection itself: PING, ECHO,
 * SELECT, QUIT; HELLO, which picks the protocol; AUTH; and CLIENT, which
 * names, lists and ends connections.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mem.h"
#include "net.h"
#include "number.h"

void cmd_ping(struct call *c) {
    if (c->argc > 2) {
        reply_wrong_arity(c, "ping");
        return;
    }
    if (c->argc == 2) {
        resp_add_bulk(c->out, c->argv[1].ptr, c->argv[1].len);
    } else {
        resp_add_simple(c->out, "PONG");
    }
}

void cmd_echo(struct call *c) {
    resp_add_bulk(c->out, c->argv[1].ptr, c->argv[1].len);
}

void cmd_select(struct call *c) {
    long long index;
    if (!arg_to_ll_or_reply(c, &c->argv[1], &index)) return;
    if (index < INT_MIN || index > INT_MAX) { /* Redis's text, "must between" and all */
        resp_add_error(c->out, "ERR value is out of range, value must between -2147483648 and "
                               "2147483647");
        return;
    }
    /* One database only: the lesson is I/O, and 16 databases would teach
     * nothing new. SELECT 0 still works, since clients send it. */
    if (index != 0) {
        resp_add_error(c->out, "ERR DB index is out of range");
        return;
    }
    resp_add_simple(c->out, "OK");
}


/* QUIT: "+OK", then the connection closes once the reply is written.
 * cmd_execute runs it before checking any argument, as Redis 7.0 does. */
void cmd_quit(struct call *c) {
    resp_add_simple(c->out, "OK");
    c->client->closing = 1;
}

/* Is this user name and password accepted? There is one user, "default",
 * with no password (we have no ACLs nor requirepass), so Redis accepts
 * any password for it and refuses every other name. */
static int user_accepted(const struct resp_arg *user) {
    return user->len == 7 && memcmp(user->ptr, "default", 7) == 0;
}

static const char ERR_WRONGPASS[] =
    "WRONGPASS invalid username-password pair or user is disabled.";

/* CLIENT SETNAME's and HELLO's name: printable ASCII without spaces, since
 * CLIENT LIST prints it between spaces; an empty name removes it. Returns
 * 0 after replying with Redis's error. */
static int set_client_name(struct call *c, const struct resp_arg *name) {
    for (size_t i = 0; i < name->len; i++) {
        unsigned char ch = (unsigned char)name->ptr[i];
        if (ch < '!' || ch > '~') {
            resp_add_error(c->out, "ERR Client names cannot contain spaces, newlines or "
                                   "special characters.");
            return 0;
        }
    }
    free(c->client->name);
    c->client->name = NULL;
    if (name->len > 0) {
        c->client->name = mem_alloc(name->len + 1);
        memcpy(c->client->name, name->ptr, name->len);
        c->client->name[name->len] = '\0';
    }
    return 1;
}

/* HELLO [protover [AUTH username password] [SETNAME name]]: switch the
 * connection to RESP2 or RESP3 and describe the server, as a map. Clients
 * of today (node-redis, go-redis, Lettuce) open every connection with it. */
void cmd_hello(struct call *c) {
    long long version = 0;
    if (c->argc >= 2) {
        if (!number_parse_ll(c->argv[1].ptr, c->argv[1].len, &version)) {
            resp_add_error(c->out, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (version < 2 || version > 3) {
            resp_add_error(c->out, "NOPROTO unsupported protocol version");
            return;
        }
    }
    /* Check every option before acting on any, as Redis does. */
    const struct resp_arg *user = NULL, *name = NULL;
    for (size_t i = 2; i < c->argc; i++) {
        size_t more = c->argc - 1 - i;
        if (arg_is(&c->argv[i], "auth") && more >= 2) {
            user = &c->argv[i + 1];
            i += 2; /* the password: any is right for "default" */
        } else if (arg_is(&c->argv[i], "setname") && more >= 1) {
            name = &c->argv[++i];
        } else {
            struct buf msg;
            buf_init(&msg);
            buf_append_str(&msg, "ERR Syntax error in HELLO option '");
            append_c_string(&msg, c->argv[i].ptr, c->argv[i].len, c->argv[i].len);
            buf_append_str(&msg, "'");
            resp_add_error_len(c->out, msg.data, msg.len);
            buf_free(&msg);
            return;
        }
    }
    if (user != NULL && !user_accepted(user)) {
        resp_add_error(c->out, ERR_WRONGPASS);
        return;
    }
    if (name != NULL && !set_client_name(c, name)) return;
    /* HELLO without a version keeps the protocol in use. The reply is
     * already in the new one, as is every reply after it. */
    if (version != 0) c->client->proto = (int)version;
    c->out->proto = c->client->proto;
    resp_add_map(c->out, 7);
    resp_add_bulk_str(c->out, "server");
    resp_add_bulk_str(c->out, "redis");
    resp_add_bulk_str(c->out, "version");
    resp_add_bulk_str(c->out, REDIS_VERSION);
    resp_add_bulk_str(c->out, "proto");
    resp_add_integer(c->out, c->client->proto);
    resp_add_bulk_str(c->out, "id");
    resp_add_integer(c->out, c->client->id);
    resp_add_bulk_str(c->out, "mode");
    resp_add_bulk_str(c->out, "standalone");
    resp_add_bulk_str(c->out, "role");
    resp_add_bulk_str(c->out, "master");
    resp_add_bulk_str(c->out, "modules");
    resp_add_array(c->out, 0);
}

/* AUTH [username] password. With no password configured Redis refuses the
 * one-argument form outright, to warn of a likely mistake in the client's
 * configuration, and accepts any password for "default". */
void cmd_auth(struct call *c) {
    if (c->argc > 3) {
        resp_add_error(c->out, ERR_SYNTAX);
        return;
    }
    if (c->argc == 2) {
        resp_add_error(c->out, "ERR AUTH <password> called without any password configured "
                               "for the default user. Are you sure your configuration is "
                               "correct?");
        return;
    }
    if (!user_accepted(&c->argv[1])) {
        resp_add_error(c->out, ERR_WRONGPASS);
        return;
    }
    resp_add_simple(c->out, "OK");
}

/* ---- CLIENT ---- */

/* Append one client's CLIENT LIST line, with Redis 7.0's fields in Redis's
 * order, so that tools that parse it find what they look for. Fields for
 * what we do not have (databases, subscriptions, MULTI, ACL users,
 * tracking) carry the values Redis shows for a client that uses none. */
static void append_client_line(struct buf *b, const struct session *s, int64_t now_ms) {
    char line[512];
    long long age = (now_ms - s->created_ms) / 1000;
    long long idle = (now_ms - s->last_ms) / 1000;
    /* qbuf: the bytes read and not yet executed, counting the command
     * running now (Redis counts its whole query buffer); argv-mem: the
     * bytes of that command's arguments; rbs: the read buffer's size (rbp,
     * Redis's peak, is the same: ours does not shrink to a recent peak);
     * obl: the replies not yet sent. We keep one output buffer, not Redis's
     * buffer and list, so oll and omem are 0. tot-mem: what the connection
     * has allocated. */
    size_t tot_mem = sizeof *s + s->noted_query_cap + s->noted_output_cap;
    /* The name goes in apart: it may be as long as a client likes. */
    snprintf(line, sizeof line, "id=%lld addr=%s laddr=%s fd=%d name=", s->id, s->addr, s->laddr,
             s->fd);
    buf_append_str(b, line);
    if (s->name != NULL) buf_append_str(b, s->name);
    snprintf(line, sizeof line,
             " age=%lld idle=%lld flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=%zu "
             "qbuf-free=%zu argv-mem=%zu multi-mem=0 rbs=%zu rbp=%zu obl=%zu oll=0 omem=0 "
             "tot-mem=%zu events=r cmd=%s user=default redir=-1 resp=%d\n",
             age, idle, s->noted_query, s->noted_query_cap - s->noted_query,
             s->noted_argv_bytes, s->noted_query_cap, s->noted_query_cap, s->noted_output,
             tot_mem, s->last_cmd, s->proto);
    buf_append_str(b, line);
}

/* The client with this id, or NULL. */
static struct session *find_client(struct core *core, long long id) {
    for (struct session *s = core->clients; s != NULL; s = s->next_client)
        if (s->id == id && !s->killed) return s;
    return NULL;
}

/* Does the argument name a client type? Every client here is "normal":
 * there are no replicas, masters nor pub/sub clients. Returns 1 for
 * normal, 0 for another real type, -1 (after Redis's error) for none. */
static int client_type_or_reply(struct call *c, const struct resp_arg *arg) {
    if (arg_is(arg, "normal")) return 1;
    if (arg_is(arg, "master") || arg_is(arg, "slave") || arg_is(arg, "replica") ||
        arg_is(arg, "pubsub"))
        return 0;
    struct buf msg;
    buf_init(&msg);
    buf_append_str(&msg, "ERR Unknown client type '");
    append_c_string(&msg, arg->ptr, arg->len, arg->len);
    buf_append_str(&msg, "'");
    resp_add_error_len(c->out, msg.data, msg.len);
    buf_free(&msg);
    return -1;
}

/* A client id argument, 1 or more, or Redis's error. */
static int client_id_or_reply(struct call *c, const struct resp_arg *arg, const char *error,
                              long long *id) {
    if (!number_parse_ll(arg->ptr, arg->len, id) || *id < 1) {
        resp_add_error(c->out, error);
        return 0;
    }
    return 1;
}

/* CLIENT LIST [TYPE type] | [ID id ...] */
static void client_list(struct call *c) {
    struct buf text;
    buf_init(&text);
    if (c->argc == 4 && arg_is(&c->argv[2], "type")) {
        int normal = client_type_or_reply(c, &c->argv[3]);
        if (normal < 0) goto done;
        for (struct session *s = c->core->clients; normal && s != NULL; s = s->next_client)
            if (!s->killed) append_client_line(&text, s, c->now_ms);
    } else if (c->argc > 3 && arg_is(&c->argv[2], "id")) {
        for (size_t i = 3; i < c->argc; i++) {
            long long id; /* any integer will do here, even 0 or -5: none matches */
            if (!number_parse_ll(c->argv[i].ptr, c->argv[i].len, &id)) {
                resp_add_error(c->out, "ERR Invalid client ID");
                goto done;
            }
            struct session *s = find_client(c->core, id);
            if (s != NULL) append_client_line(&text, s, c->now_ms);
        }
    } else if (c->argc != 2) {
        resp_add_error(c->out, ERR_SYNTAX);
        goto done;
    } else {
        for (struct session *s = c->core->clients; s != NULL; s = s->next_client)
            if (!s->killed) append_client_line(&text, s, c->now_ms);
    }
    resp_add_verbatim(c->out, "txt", text.data, text.len);
done:
    buf_free(&text);
}

/* Does this address argument equal an address string? */
static int same_address(const struct resp_arg *arg, const char *addr) {
    return arg->len == strlen(addr) && memcmp(arg->ptr, addr, arg->len) == 0;
}

/* CLIENT KILL addr:port (the old form, which may kill the caller and
 * answers OK or an error), or CLIENT KILL with filters ID, ADDR, LADDR,
 * TYPE, USER and SKIPME (the new form, which answers how many it killed).
 *
 * Another client's connection is ended with net_end_connection: its owner
 * (step02's thread for it, or the event loop) sees end-of-file and closes
 * it as if the client had left. The caller itself closes after this
 * reply, as after QUIT. */
static void client_kill(struct call *c) {
    const struct resp_arg *addr = NULL, *laddr = NULL;
    long long id = 0;
    int skipme = 1, normal = 1;
    if (c->argc == 3) {
        addr = &c->argv[2];
        skipme = 0; /* with the old form, a client may kill itself */
    } else {
        for (size_t i = 2; i < c->argc; i += 2) {
            int more = i + 1 < c->argc;
            const struct resp_arg *opt = &c->argv[i], *value = &c->argv[i + 1];
            if (arg_is(opt, "id") && more) {
                if (!client_id_or_reply(c, value, "ERR client-id should be greater than 0",
                                        &id))
                    return;
            } else if (arg_is(opt, "type") && more) {
                normal = client_type_or_reply(c, value);
                if (normal < 0) return;
            } else if (arg_is(opt, "addr") && more) {
                addr = value;
            } else if (arg_is(opt, "laddr") && more) {
                laddr = value;
            } else if (arg_is(opt, "user") && more) {
                if (!user_accepted(value)) {
                    struct buf msg;
                    buf_init(&msg);
                    buf_append_str(&msg, "ERR No such user '");
                    append_c_string(&msg, value->ptr, value->len, value->len);
                    buf_append_str(&msg, "'");
                    resp_add_error_len(c->out, msg.data, msg.len);
                    buf_free(&msg);
                    return;
                }
            } else if (arg_is(opt, "skipme") && more) {
                if (arg_is(value, "yes")) {
                    skipme = 1;
                } else if (arg_is(value, "no")) {
                    skipme = 0;
                } else {
                    resp_add_error(c->out, ERR_SYNTAX);
                    return;
                }
            } else {
                resp_add_error(c->out, ERR_SYNTAX);
                return;
            }
        }
    }
    long long killed = 0;
    int kill_myself = 0;
    for (struct session *s = c->core->clients; normal && s != NULL; s = s->next_client) {
        if (s->killed) continue;
        if (addr != NULL && !same_address(addr, s->addr)) continue;
        if (laddr != NULL && !same_address(laddr, s->laddr)) continue;
        if (id != 0 && s->id != id) continue;
        if (s == c->client) {
            if (skipme) continue;
            kill_myself = 1;
        } else {
            s->killed = 1;
            if (s->fd >= 0) net_end_connection(s->fd);
        }
        killed++;
    }
    if (c->argc == 3) {
        if (killed == 0) resp_add_error(c->out, "ERR No such client");
        else resp_add_simple(c->out, "OK");
    } else {
        resp_add_integer(c->out, killed);
    }
    if (kill_myself) c->client->closing = 1; /* after the reply, as Redis does */
}

/* CLIENT HELP: Redis's text, for the subcommands we have. */
static void client_help(struct call *c) {
    static const char *const lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "HELP",
        "    Prints this help.",
    };
    size_t n = sizeof lines / sizeof lines[0];
    resp_add_array(c->out, (long long)n);
    for (size_t i = 0; i < n; i++) resp_add_simple(c->out, lines[i]);
}

static void client_id(struct call *c) {
    resp_add_integer(c->out, c->client->id);
}

static void client_getname(struct call *c) {
    if (c->client->name == NULL) resp_add_null(c->out);
    else resp_add_bulk_str(c->out, c->client->name);
}

static void client_setname(struct call *c) {
    if (set_client_name(c, &c->argv[2])) resp_add_simple(c->out, "OK");
}

/* CLIENT INFO: the caller's own CLIENT LIST line. */
static void client_info(struct call *c) {
    struct buf text;
    buf_init(&text);
    append_client_line(&text, c->client, c->now_ms);
    resp_add_verbatim(c->out, "txt", text.data, text.len);
    buf_free(&text);
}

/* CLIENT <subcommand>: each subcommand checks its own arity, and an arity
 * error names it as Redis does, "client|setname". CLIENT SETINFO, which
 * newer clients send on connecting, came with Redis 7.2: 7.0 answers it
 * as an unknown subcommand, and the clients carry on. */
void cmd_client(struct call *c) {
    static const struct {
        const char *name;
        int arity; /* as a command's: -N means at least N */
        void (*run)(struct call *c);
    } subcommands[] = {
        {"getname", 2, client_getname}, {"help", 2, client_help},  {"id", 2, client_id},
        {"info", 2, client_info},       {"kill", -3, client_kill}, {"list", -2, client_list},
        {"setname", 3, client_setname},
    };
    size_t i = 0, n = sizeof subcommands / sizeof subcommands[0];
    while (i < n && !arg_is(&c->argv[1], subcommands[i].name)) i++;
    if (i == n) {
        reply_unknown_subcommand(c, "CLIENT");
        return;
    }
    int arity = subcommands[i].arity;
    if ((arity > 0 && (long long)c->argc != arity) ||
        (arity < 0 && (long long)c->argc < -arity)) {
        char name[32];
        snprintf(name, sizeof name, "client|%s", subcommands[i].name);
        reply_wrong_arity(c, name);
        return;
    }
    subcommands[i].run(c);
}
