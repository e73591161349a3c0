/*
 * commands.c - the command table and every command (see commands.h).
 *
 * Each command checks its arguments, works on the store and appends one
 * reply, with Redis 7.0's exact reply bytes and error texts: clients and
 * tests compare them byte for byte. Where Redis's behaviour is surprising,
 * a comment says so, so that nobody "fixes" it.
 */
#include "commands.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server_limits.h"

/* ---- The core ---- */

int64_t clock_now_ms(void) {
    struct timespec ts;
    /* CLOCK_REALTIME, not CLOCK_MONOTONIC: EXPIREAT and PXAT name Unix
     * times, so expiry must be measured on the same clock. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void core_init(struct core *core, const char *step_name, const char *io_model, int port,
               int maxclients, const unsigned char seed[16]) {
    memset(core, 0, sizeof *core);
    store_init(&core->store, seed);
    core->step_name = step_name;
    core->io_model = io_model;
    core->port = port;
    core->maxclients = maxclients;
    core->started_ms = clock_now_ms();
}

void core_free(struct core *core) {
    store_free(&core->store);
}

size_t core_reclaim_expired(struct core *core, int64_t now_ms) {
    /* 1000 buckets per call, ten calls a second: a table of a million keys
     * is swept in under two minutes, and no call takes more than a few
     * microseconds away from the clients. */
    return store_reclaim_expired(&core->store, now_ms, 1000);
}

/* ---- Helpers shared by the commands ---- */

/* What a command sees: its arguments, where its reply goes, and the core. */
struct call {
    struct core *core;
    size_t argc;
    const struct resp_arg *argv;
    struct buf *out;
    int64_t now_ms;
};

static int arg_is(const struct resp_arg *arg, const char *word) {
    size_t n = strlen(word);
    if (arg->len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = arg->ptr[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return 1;
}

static const char ERR_SYNTAX[] = "ERR syntax error";
static const char ERR_NOT_INTEGER[] = "ERR value is not an integer or out of range";

static void reply_ok(struct call *c) {
    buf_append(c->out, "+OK\r\n", 5);
}

static void reply_wrong_arity(struct call *c, const char *name) {
    char msg[128];
    snprintf(msg, sizeof msg, "ERR wrong number of arguments for '%s' command", name);
    resp_add_error(c->out, msg);
}

static void reply_invalid_expire(struct call *c, const char *name) {
    char msg[128];
    snprintf(msg, sizeof msg, "ERR invalid expire time in '%s' command", name);
    resp_add_error(c->out, msg);
}

/* Redis prints client bytes into errors with %s, so they stop at a NUL
 * byte and at `max` bytes. This appends them the same way. */
static void append_c_string(struct buf *b, const char *bytes, size_t len, size_t max) {
    size_t n = 0;
    while (n < len && n < max && bytes[n] != '\0') n++;
    buf_append(b, bytes, n);
}

static struct entry *lookup(struct call *c, const struct resp_arg *key) {
    return store_find(&c->core->store, key->ptr, key->len, c->now_ms);
}

/* Parse an argument as a long long, or reply with Redis's error. */
static int arg_to_ll_or_reply(struct call *c, const struct resp_arg *arg, long long *out) {
    if (resp_to_ll(arg->ptr, arg->len, out)) return 1;
    resp_add_error(c->out, ERR_NOT_INTEGER);
    return 0;
}

/* ---- Connection commands ---- */

static void cmd_ping(struct call *c) {
    if (c->argc > 2) {
        reply_wrong_arity(c, "ping");
        return;
    }
    if (c->argc == 2) {
        resp_add_bulk(c->out, c->argv[1].ptr, c->argv[1].len);
    } else {
        buf_append(c->out, "+PONG\r\n", 7);
    }
}

static void cmd_echo(struct call *c) {
    resp_add_bulk(c->out, c->argv[1].ptr, c->argv[1].len);
}

static void cmd_select(struct call *c) {
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
    reply_ok(c);
}

/* ---- String commands ---- */

static void cmd_get(struct call *c) {
    struct entry *e = lookup(c, &c->argv[1]);
    if (e == NULL) {
        resp_add_null(c->out);
    } else {
        resp_add_bulk(c->out, entry_value(e), e->value_len);
    }
}

static void cmd_getdel(struct call *c) {
    struct entry *e = lookup(c, &c->argv[1]);
    if (e == NULL) {
        resp_add_null(c->out);
        return;
    }
    resp_add_bulk(c->out, entry_value(e), e->value_len);
    store_delete(&c->core->store, c->argv[1].ptr, c->argv[1].len, c->now_ms);
}

/* Store a value, replying "-ERR out of memory" if the store cannot. */
static struct entry *set_value(struct call *c, const struct resp_arg *key, const char *value,
                               size_t value_len, int64_t expire_at_ms) {
    struct entry *e = store_set(&c->core->store, key->ptr, key->len, value, value_len,
                                expire_at_ms, c->now_ms);
    if (e == NULL) resp_add_error(c->out, "ERR out of memory");
    return e;
}

enum {
    SET_NX = 1 << 0,
    SET_XX = 1 << 1,
    SET_GET = 1 << 2,
    SET_KEEPTTL = 1 << 3,
    SET_EX = 1 << 4,
    SET_PX = 1 << 5,
    SET_EXAT = 1 << 6,
    SET_PXAT = 1 << 7,
};

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL].
 * The option rules are Redis's, quirks included: an option is refused with
 * "syntax error" only when it clashes with one already seen, so "EX 1 EX 2"
 * is accepted and the last one wins. */
static void cmd_set(struct call *c) {
    int flags = 0;
    const struct resp_arg *expire_arg = NULL;
    const int any_expire = SET_EX | SET_PX | SET_EXAT | SET_PXAT;
    for (size_t j = 3; j < c->argc; j++) {
        const struct resp_arg *opt = &c->argv[j];
        int has_next = j + 1 < c->argc;
        int expire_flag = arg_is(opt, "ex") ? SET_EX : arg_is(opt, "px") ? SET_PX
                        : arg_is(opt, "exat") ? SET_EXAT : arg_is(opt, "pxat") ? SET_PXAT : 0;
        if (arg_is(opt, "nx") && !(flags & SET_XX)) {
            flags |= SET_NX;
        } else if (arg_is(opt, "xx") && !(flags & SET_NX)) {
            flags |= SET_XX;
        } else if (arg_is(opt, "get")) {
            flags |= SET_GET;
        } else if (arg_is(opt, "keepttl") && !(flags & any_expire)) {
            flags |= SET_KEEPTTL;
        } else if (expire_flag != 0 && !(flags & SET_KEEPTTL) &&
                   !(flags & any_expire & ~expire_flag) && has_next) {
            flags |= expire_flag;
            expire_arg = &c->argv[++j];
        } else {
            resp_add_error(c->out, ERR_SYNTAX);
            return;
        }
    }

    int64_t expire_at_ms = 0;
    if (expire_arg != NULL) {
        long long when;
        if (!arg_to_ll_or_reply(c, expire_arg, &when)) return;
        int seconds = (flags & (SET_EX | SET_EXAT)) != 0;
        if (when <= 0 || (seconds && when > LLONG_MAX / 1000)) {
            reply_invalid_expire(c, "set");
            return;
        }
        if (seconds) when *= 1000;
        if (flags & (SET_EX | SET_PX)) { /* relative: add the current time */
            if (when > LLONG_MAX - c->now_ms) {
                reply_invalid_expire(c, "set");
                return;
            }
            when += c->now_ms;
        }
        expire_at_ms = when;
    }

    /* Only NX, XX, GET and KEEPTTL need the old value. A plain SET skips
     * the lookup: store_set finds the key anyway, and every lookup is a
     * cache miss or two (see TUTORIAL.md, chapter 4). */
    struct entry *old = NULL;
    if (flags & (SET_NX | SET_XX | SET_GET | SET_KEEPTTL)) old = lookup(c, &c->argv[1]);
    /* With GET the reply is the old value (or nil), sent whether or not the
     * NX/XX condition lets the write happen. */
    if (flags & SET_GET) {
        if (old == NULL) {
            resp_add_null(c->out);
        } else {
            resp_add_bulk(c->out, entry_value(old), old->value_len);
        }
    }
    if (((flags & SET_NX) && old != NULL) || ((flags & SET_XX) && old == NULL)) {
        if (!(flags & SET_GET)) resp_add_null(c->out);
        return;
    }
    if ((flags & SET_KEEPTTL) && old != NULL) expire_at_ms = old->expire_at_ms;
    const struct resp_arg *value = &c->argv[2];
    if (set_value(c, &c->argv[1], value->ptr, value->len, expire_at_ms) == NULL) return;
    if (!(flags & SET_GET)) reply_ok(c);
}

static void cmd_mget(struct call *c) {
    resp_add_array(c->out, (long long)c->argc - 1);
    for (size_t j = 1; j < c->argc; j++) {
        struct entry *e = lookup(c, &c->argv[j]);
        if (e == NULL) {
            resp_add_null(c->out);
        } else {
            resp_add_bulk(c->out, entry_value(e), e->value_len);
        }
    }
}

static void cmd_mset(struct call *c) {
    if (c->argc % 2 == 0) {
        reply_wrong_arity(c, "mset");
        return;
    }
    for (size_t j = 1; j < c->argc; j += 2) {
        const struct resp_arg *value = &c->argv[j + 1];
        if (set_value(c, &c->argv[j], value->ptr, value->len, 0) == NULL) return;
    }
    reply_ok(c);
}

/* INCR, DECR, INCRBY and DECRBY: the value must be a strict decimal
 * integer (no spaces, no '+', no leading zeros) and the result must fit in
 * 64 bits. The key keeps its TTL. */
static void incr_by(struct call *c, long long increment) {
    struct entry *e = lookup(c, &c->argv[1]);
    long long value = 0;
    if (e != NULL && !resp_to_ll(entry_value(e), e->value_len, &value)) {
        resp_add_error(c->out, ERR_NOT_INTEGER);
        return;
    }
    if ((increment < 0 && value < 0 && increment < LLONG_MIN - value) ||
        (increment > 0 && value > 0 && increment > LLONG_MAX - value)) {
        resp_add_error(c->out, "ERR increment or decrement would overflow");
        return;
    }
    value += increment;
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lld", value);
    int64_t expire_at_ms = e != NULL ? e->expire_at_ms : 0;
    if (set_value(c, &c->argv[1], digits, (size_t)len, expire_at_ms) == NULL) return;
    resp_add_integer(c->out, value);
}

static void cmd_incr(struct call *c) {
    incr_by(c, 1);
}

static void cmd_decr(struct call *c) {
    incr_by(c, -1);
}

static void cmd_incrby(struct call *c) {
    long long increment;
    if (!arg_to_ll_or_reply(c, &c->argv[2], &increment)) return;
    incr_by(c, increment);
}

static void cmd_decrby(struct call *c) {
    long long decrement;
    if (!arg_to_ll_or_reply(c, &c->argv[2], &decrement)) return;
    if (decrement == LLONG_MIN) { /* its negation does not fit */
        resp_add_error(c->out, "ERR decrement would overflow");
        return;
    }
    incr_by(c, -decrement);
}

static void cmd_append(struct call *c) {
    struct entry *e = lookup(c, &c->argv[1]);
    size_t old_len = e != NULL ? e->value_len : 0;
    if (c->argv[2].len > (size_t)LIMIT_BULK_LEN - old_len) {
        resp_add_error(c->out, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return;
    }
    e = store_append(&c->core->store, c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr,
                     c->argv[2].len, c->now_ms);
    if (e == NULL) {
        resp_add_error(c->out, "ERR out of memory");
        return;
    }
    resp_add_integer(c->out, e->value_len);
}

static void cmd_strlen(struct call *c) {
    struct entry *e = lookup(c, &c->argv[1]);
    resp_add_integer(c->out, e != NULL ? e->value_len : 0);
}

/* ---- Keyspace commands ---- */

static void cmd_del(struct call *c) {
    long long deleted = 0;
    for (size_t j = 1; j < c->argc; j++) {
        deleted += store_delete(&c->core->store, c->argv[j].ptr, c->argv[j].len, c->now_ms);
    }
    resp_add_integer(c->out, deleted);
}

/* A key named twice is counted twice, as in Redis. */
static void cmd_exists(struct call *c) {
    long long found = 0;
    for (size_t j = 1; j < c->argc; j++) {
        if (lookup(c, &c->argv[j]) != NULL) found++;
    }
    resp_add_integer(c->out, found);
}

static void cmd_type(struct call *c) {
    if (lookup(c, &c->argv[1]) != NULL) {
        buf_append(c->out, "+string\r\n", 9);
    } else {
        buf_append(c->out, "+none\r\n", 7);
    }
}

/* Glob matching as Redis's stringmatchlen does it: * ? [abc] [^abc] [a-z]
 * and \ to escape. Once the rest of a pattern after a '*' has failed to
 * match anywhere in the rest of the string, no earlier '*' can help (it
 * could only push the rest further right), so *give_up stops the search:
 * without that, a pattern like "a*a*a*a*b" takes exponential time.
 * Each '*' is one level of recursion, so the depth is capped too: a pattern
 * of a million stars must not overflow the stack (a thread's stack in
 * step02 is small). Newer Redis versions cap it at 1000 the same way. */
enum { GLOB_MAX_NESTING = 1000 };

static int glob_match_from(const char *pat, size_t plen, const char *str, size_t slen,
                           int *give_up, int nesting) {
    if (nesting > GLOB_MAX_NESTING) return 0;
    while (plen > 0 && slen > 0) {
        switch (pat[0]) {
        case '*':
            while (plen > 1 && pat[1] == '*') {
                pat++;
                plen--;
            }
            if (plen == 1) return 1;
            while (slen > 0) {
                if (glob_match_from(pat + 1, plen - 1, str, slen, give_up, nesting + 1)) return 1;
                if (*give_up) return 0;
                str++;
                slen--;
            }
            *give_up = 1;
            return 0;
        case '?':
            str++;
            slen--;
            break;
        case '[': {
            pat++;
            plen--;
            int negate = plen > 0 && pat[0] == '^';
            if (negate) {
                pat++;
                plen--;
            }
            int match = 0;
            for (;;) {
                if (plen == 0) { /* no closing ']': the class ends with the pattern */
                    pat--;
                    plen++;
                    break;
                } else if (pat[0] == '\\' && plen >= 2) {
                    pat++;
                    plen--;
                    if (pat[0] == str[0]) match = 1;
                } else if (pat[0] == ']') {
                    break;
                } else if (plen >= 3 && pat[1] == '-') {
                    char start = pat[0], end = pat[2];
                    if (start > end) {
                        char t = start;
                        start = end;
                        end = t;
                    }
                    if (str[0] >= start && str[0] <= end) match = 1;
                    pat += 2;
                    plen -= 2;
                } else if (pat[0] == str[0]) {
                    match = 1;
                }
                pat++;
                plen--;
            }
            if (negate) match = !match;
            if (!match) return 0;
            str++;
            slen--;
            break;
        }
        case '\\':
            if (plen >= 2) {
                pat++;
                plen--;
            }
            if (pat[0] != str[0]) return 0;
            str++;
            slen--;
            break;
        default:
            if (pat[0] != str[0]) return 0;
            str++;
            slen--;
            break;
        }
        pat++;
        plen--;
        if (slen == 0) {
            while (plen > 0 && pat[0] == '*') {
                pat++;
                plen--;
            }
            break;
        }
    }
    return plen == 0 && slen == 0;
}

static int glob_match(const char *pat, size_t plen, const char *str, size_t slen) {
    int give_up = 0;
    return glob_match_from(pat, plen, str, slen, &give_up, 0);
}

struct keys_walk {
    const struct resp_arg *pattern;
    struct buf matches; /* the replies, gathered before their count is known */
    long long count;
};

static void keys_visit(const struct entry *e, void *arg) {
    struct keys_walk *walk = arg;
    const struct resp_arg *p = walk->pattern;
    int all = p->len == 1 && p->ptr[0] == '*';
    if (all || glob_match(p->ptr, p->len, entry_key(e), e->key_len)) {
        resp_add_bulk(&walk->matches, entry_key(e), e->key_len);
        walk->count++;
    }
}

/* KEYS visits every key: O(n) with the server doing nothing else meanwhile,
 * which is why Redis's documentation warns against it in production. */
static void cmd_keys(struct call *c) {
    struct keys_walk walk = {.pattern = &c->argv[1], .count = 0};
    buf_init(&walk.matches);
    store_visit(&c->core->store, c->now_ms, keys_visit, &walk);
    resp_add_array(c->out, walk.count);
    buf_append(c->out, walk.matches.data, walk.matches.len);
    buf_free(&walk.matches);
}

static void cmd_dbsize(struct call *c) {
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
    reply_ok(c);
}

static void cmd_flushdb(struct call *c) {
    flush(c);
}

static void cmd_flushall(struct call *c) {
    flush(c);
}

enum { EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8 };

/* EXPIRE and PEXPIRE: key time [NX|XX|GT|LT]. A time already past deletes
 * the key. A key with no TTL counts as an infinite TTL for GT and LT. */
static void expire_generic(struct call *c, const char *name, long long unit_ms) {
    int flags = 0;
    for (size_t j = 3; j < c->argc; j++) {
        const struct resp_arg *opt = &c->argv[j];
        if (arg_is(opt, "nx")) {
            flags |= EXPIRE_NX;
        } else if (arg_is(opt, "xx")) {
            flags |= EXPIRE_XX;
        } else if (arg_is(opt, "gt")) {
            flags |= EXPIRE_GT;
        } else if (arg_is(opt, "lt")) {
            flags |= EXPIRE_LT;
        } else {
            struct buf msg;
            buf_init(&msg);
            buf_append_str(&msg, "ERR Unsupported option ");
            append_c_string(&msg, opt->ptr, opt->len, opt->len);
            resp_add_error_len(c->out, msg.data, msg.len);
            buf_free(&msg);
            return;
        }
    }
    if ((flags & EXPIRE_NX) && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        resp_add_error(c->out, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if ((flags & EXPIRE_GT) && (flags & EXPIRE_LT)) {
        resp_add_error(c->out, "ERR GT and LT options at the same time are not compatible");
        return;
    }

    long long when;
    if (!arg_to_ll_or_reply(c, &c->argv[2], &when)) return;
    if (when > LLONG_MAX / unit_ms || when < LLONG_MIN / unit_ms) {
        reply_invalid_expire(c, name);
        return;
    }
    when *= unit_ms;
    if (when > LLONG_MAX - c->now_ms) {
        reply_invalid_expire(c, name);
        return;
    }
    when += c->now_ms;

    struct entry *e = lookup(c, &c->argv[1]);
    if (e == NULL) {
        resp_add_integer(c->out, 0);
        return;
    }
    int has_ttl = e->expire_at_ms != 0;
    if (((flags & EXPIRE_NX) && has_ttl) || ((flags & EXPIRE_XX) && !has_ttl) ||
        ((flags & EXPIRE_GT) && (!has_ttl || when <= e->expire_at_ms)) ||
        ((flags & EXPIRE_LT) && has_ttl && when >= e->expire_at_ms)) {
        resp_add_integer(c->out, 0);
        return;
    }
    if (when <= c->now_ms) {
        store_delete(&c->core->store, c->argv[1].ptr, c->argv[1].len, c->now_ms);
    } else {
        store_set_expire(&c->core->store, e, when);
    }
    resp_add_integer(c->out, 1);
}

static void cmd_expire(struct call *c) {
    expire_generic(c, "expire", 1000);
}

static void cmd_pexpire(struct call *c) {
    expire_generic(c, "pexpire", 1);
}

/* TTL answers in seconds rounded to nearest, PTTL in milliseconds; -2 for
 * a missing key, -1 for a key without a TTL. */
static void ttl_generic(struct call *c, int in_ms) {
    struct entry *e = lookup(c, &c->argv[1]);
    if (e == NULL) {
        resp_add_integer(c->out, -2);
        return;
    }
    if (e->expire_at_ms == 0) {
        resp_add_integer(c->out, -1);
        return;
    }
    long long ttl = e->expire_at_ms - c->now_ms;
    if (ttl < 0) ttl = 0;
    resp_add_integer(c->out, in_ms ? ttl : (ttl + 500) / 1000);
}

static void cmd_ttl(struct call *c) {
    ttl_generic(c, 0);
}

static void cmd_pttl(struct call *c) {
    ttl_generic(c, 1);
}

static void cmd_persist(struct call *c) {
    struct entry *e = lookup(c, &c->argv[1]);
    if (e == NULL || e->expire_at_ms == 0) {
        resp_add_integer(c->out, 0);
        return;
    }
    store_set_expire(&c->core->store, e, 0);
    resp_add_integer(c->out, 1);
}

/* ---- Server commands ---- */

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

static void cmd_info(struct call *c) {
    struct core *core = c->core;
    struct buf text;
    buf_init(&text);
    if (info_wants(c, "server", 1)) {
        long long uptime = (c->now_ms - core->started_ms) / 1000;
        info_section(&text, "# Server");
        /* Clients decide which commands they may use from this version. */
        info_text(&text, "redis_version", "7.0.15");
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
        info_line(&text, "maxclients", core->maxclients);
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
    resp_add_bulk(c->out, text.data, text.len);
    buf_free(&text);
}

/* ---- The command table ---- */

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


/* Defined below: they read the table. */
static void cmd_command(struct call *c);
static void cmd_config(struct call *c);

/* Sorted by name, so that find_command can binary-search it: a lookup costs
 * about five comparisons, not a scan of every command. */
static const struct command COMMANDS[] = {
    {"append", cmd_append, 3, "write denyoom fast", 1, 1, 1, "string", "2.0.0",
     "Appends a string to the value of a key. Creates the key if it doesn't exist."},
    {"command", cmd_command, -1, "loading stale", 0, 0, 0, "server", "2.8.13",
     "Returns detailed information about all commands."},
    {"config", cmd_config, -2, "admin noscript loading stale", 0, 0, 0, "server", "2.0.0",
     "A container for server configuration commands."},
    {"dbsize", cmd_dbsize, 1, "readonly fast", 0, 0, 0, "server", "1.0.0",
     "Returns the number of keys in the database."},
    {"decr", cmd_decr, 2, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Decrements the integer value of a key by one."},
    {"decrby", cmd_decrby, 3, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Decrements a number from the integer value of a key."},
    {"del", cmd_del, -2, "write", 1, -1, 1, "generic", "1.0.0", "Deletes one or more keys."},
    {"echo", cmd_echo, 2, "fast", 0, 0, 0, "connection", "1.0.0",
     "Returns the given string."},
    {"exists", cmd_exists, -2, "readonly fast", 1, -1, 1, "generic", "1.0.0",
     "Determines whether one or more keys exist."},
    {"expire", cmd_expire, -3, "write fast", 1, 1, 1, "generic", "1.0.0",
     "Sets the expiration time of a key in seconds."},
    {"flushall", cmd_flushall, -1, "write", 0, 0, 0, "server", "1.0.0",
     "Removes all keys from all databases."},
    {"flushdb", cmd_flushdb, -1, "write", 0, 0, 0, "server", "1.0.0",
     "Remove all keys from the current database."},
    {"get", cmd_get, 2, "readonly fast", 1, 1, 1, "string", "1.0.0",
     "Returns the string value of a key."},
    {"getdel", cmd_getdel, 2, "write fast", 1, 1, 1, "string", "6.2.0",
     "Returns the string value of a key after deleting the key."},
    {"incr", cmd_incr, 2, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Increments the integer value of a key by one."},
    {"incrby", cmd_incrby, 3, "write denyoom fast", 1, 1, 1, "string", "1.0.0",
     "Increments the integer value of a key by a number."},
    {"info", cmd_info, -1, "loading stale", 0, 0, 0, "server", "1.0.0",
     "Returns information and statistics about the server."},
    {"keys", cmd_keys, 2, "readonly", 0, 0, 0, "generic", "1.0.0",
     "Returns all key names that match a pattern."},
    {"mget", cmd_mget, -2, "readonly fast", 1, -1, 1, "string", "1.0.0",
     "Atomically returns the string values of one or more keys."},
    {"mset", cmd_mset, -3, "write denyoom", 1, -1, 2, "string", "1.0.1",
     "Atomically creates or modifies the string values of one or more keys."},
    {"persist", cmd_persist, 2, "write fast", 1, 1, 1, "generic", "2.2.0",
     "Removes the expiration time of a key."},
    {"pexpire", cmd_pexpire, -3, "write fast", 1, 1, 1, "generic", "2.6.0",
     "Sets the expiration time of a key in milliseconds."},
    {"ping", cmd_ping, -1, "fast", 0, 0, 0, "connection", "1.0.0",
     "Returns the server's liveliness response."},
    {"pttl", cmd_pttl, 2, "readonly fast", 1, 1, 1, "generic", "2.6.0",
     "Returns the expiration time in milliseconds of a key."},
    {"quit", NULL, -1, "fast", 0, 0, 0, "connection", "1.0.0", "Closes the connection."},
    {"select", cmd_select, 2, "loading stale fast", 0, 0, 0, "connection", "2.0.0",
     "Changes the selected database."},
    {"set", cmd_set, -3, "write denyoom", 1, 1, 1, "string", "1.0.0",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
    {"strlen", cmd_strlen, 2, "readonly fast", 1, 1, 1, "string", "2.2.0",
     "Returns the length of a string value."},
    {"ttl", cmd_ttl, 2, "readonly fast", 1, 1, 1, "generic", "1.0.0",
     "Returns the expiration time in seconds of a key."},
    {"type", cmd_type, 2, "readonly fast", 1, 1, 1, "generic", "1.0.0",
     "Determines the type of value stored at a key."},
};

static const size_t COMMAND_COUNT = sizeof COMMANDS / sizeof COMMANDS[0];

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

static const struct command *find_command(const struct resp_arg *name) {
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


/* Append a space-separated word list as a RESP array of simple strings. */
static void reply_word_array(struct buf *out, const char *words) {
    long long n = 0;
    for (const char *p = words; *p; p++) {
        if (*p != ' ' && (p == words || p[-1] == ' ')) n++;
    }
    resp_add_array(out, n);
    const char *p = words;
    while (*p) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && *p != ' ') p++;
        if (p > start) {
            buf_append(out, "+", 1);
            buf_append(out, start, (size_t)(p - start));
            buf_append(out, "\r\n", 2);
        }
    }
}

/* One COMMAND / COMMAND INFO entry, in Redis 7.0's ten-element shape. */
static void reply_command_info(struct buf *out, const struct command *cmd) {
    resp_add_array(out, 10);
    resp_add_bulk_str(out, cmd->name);
    resp_add_integer(out, cmd->arity);
    reply_word_array(out, cmd->flags);
    resp_add_integer(out, cmd->first_key);
    resp_add_integer(out, cmd->last_key);
    resp_add_integer(out, cmd->key_step);
    resp_add_array(out, 0); /* ACL categories */
    resp_add_array(out, 0); /* tips */
    resp_add_array(out, 0); /* key specifications */
    resp_add_array(out, 0); /* subcommands */
}

/* One COMMAND DOCS entry: name, then a map of its documentation. */
static void reply_command_docs(struct buf *out, const struct command *cmd) {
    resp_add_bulk_str(out, cmd->name);
    resp_add_array(out, 6);
    resp_add_bulk_str(out, "summary");
    resp_add_bulk_str(out, cmd->summary);
    resp_add_bulk_str(out, "since");
    resp_add_bulk_str(out, cmd->since);
    resp_add_bulk_str(out, "group");
    resp_add_bulk_str(out, cmd->group);
}

static void reply_unknown_subcommand(struct call *c, const char *container) {
    struct buf msg;
    buf_init(&msg);
    buf_append_str(&msg, "ERR unknown subcommand '");
    append_c_string(&msg, c->argv[1].ptr, c->argv[1].len, 128);
    buf_append_str(&msg, "'. Try ");
    buf_append_str(&msg, container);
    buf_append_str(&msg, " HELP.");
    resp_add_error_len(c->out, msg.data, msg.len);
    buf_free(&msg);
}

/* COMMAND, COMMAND COUNT, COMMAND INFO name..., COMMAND DOCS [name...]:
 * what redis-cli and client libraries ask a server about itself. */
static void cmd_command(struct call *c) {
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
            const struct command *cmd = find_command(&c->argv[j]);
            if (cmd == NULL) {
                buf_append(c->out, "*-1\r\n", 5);
            } else {
                reply_command_info(c->out, cmd);
            }
        }
    } else if (arg_is(&c->argv[1], "docs")) {
        if (c->argc == 2) {
            resp_add_array(c->out, (long long)COMMAND_COUNT * 2);
            for (size_t i = 0; i < COMMAND_COUNT; i++) reply_command_docs(c->out, &COMMANDS[i]);
            return;
        }
        long long found = 0;
        for (size_t j = 2; j < c->argc; j++) found += find_command(&c->argv[j]) != NULL;
        resp_add_array(c->out, found * 2);
        for (size_t j = 2; j < c->argc; j++) {
            const struct command *cmd = find_command(&c->argv[j]);
            if (cmd != NULL) reply_command_docs(c->out, cmd);
        }
    } else {
        reply_unknown_subcommand(c, "COMMAND");
    }
}

/* CONFIG GET pattern...: enough of it for redis-benchmark, which asks for
 * "save" and "appendonly" at start-up and warns if it gets an error. */
static void cmd_config(struct call *c) {
    if (!arg_is(&c->argv[1], "get")) {
        reply_unknown_subcommand(c, "CONFIG");
        return;
    }
    if (c->argc < 3) {
        reply_wrong_arity(c, "config|get");
        return;
    }
    char maxclients[24], port[24];
    snprintf(maxclients, sizeof maxclients, "%d", c->core->maxclients);
    snprintf(port, sizeof port, "%d", c->core->port);
    const char *params[][2] = {
        {"appendonly", "no"}, {"databases", "1"},       {"maxclients", maxclients},
        {"port", port},       {"proto-max-bulk-len", "536870912"}, {"save", ""},
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
    resp_add_array(c->out, count * 2);
    for (size_t i = 0; i < nparams; i++) {
        if (!matched[i]) continue;
        resp_add_bulk_str(c->out, params[i][0]);
        resp_add_bulk_str(c->out, params[i][1]);
    }
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

enum cmd_result cmd_execute(struct core *core, size_t argc, const struct resp_arg *argv,
                            struct buf *out, int64_t now_ms) {
    struct call c = {.core = core, .argc = argc, .argv = argv, .out = out, .now_ms = now_ms};
    const struct command *cmd = find_command(&argv[0]);
    if (cmd == NULL) {
        reply_unknown_command(&c);
        return CMD_OK;
    }
    /* QUIT is answered before any argument check, as Redis 7.0 does. */
    if (cmd->run == NULL) {
        reply_ok(&c);
        return CMD_CLOSE_AFTER_REPLY;
    }
    if ((cmd->arity > 0 && (long long)argc != cmd->arity) ||
        (cmd->arity < 0 && (long long)argc < -cmd->arity)) {
        reply_wrong_arity(&c, cmd->name);
        return CMD_OK;
    }
    core->total_commands_processed++;
    cmd->run(&c);
    return CMD_OK;
}
