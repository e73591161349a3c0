/*
 * cmd_keyspace.c - the commands on keys, whatever their values: DEL,
 * EXISTS, TYPE, KEYS, SCAN, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST. Redis
 * calls them the "generic" group.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "glob.h"

void cmd_del(struct call *c) {
    long long deleted = 0;
    for (size_t j = 1; j < c->argc; j++) {
        deleted += store_delete(&c->core->store, c->argv[j].ptr, c->argv[j].len, c->now_ms);
    }
    resp_add_integer(c->out, deleted);
}

/* A key named twice is counted twice, as in Redis. */
void cmd_exists(struct call *c) {
    long long found = 0;
    for (size_t j = 1; j < c->argc; j++) {
        if (lookup_key(c, &c->argv[j]) != NULL) found++;
    }
    resp_add_integer(c->out, found);
}

void cmd_type(struct call *c) {
    resp_add_simple(c->out, lookup_key(c, &c->argv[1]) != NULL ? "string" : "none");
}

struct keys_walk {
    const struct resp_arg *pattern;
    struct buf matches;    /* the replies, gathered before their count is known */
    struct reply to_matches; /* writes there, in the client's protocol */
    long long count;
};

static void keys_visit(const struct entry *e, void *arg) {
    struct keys_walk *walk = arg;
    const struct resp_arg *p = walk->pattern;
    int all = p->len == 1 && p->ptr[0] == '*';
    if (all || glob_match(p->ptr, p->len, entry_key(e), e->key_len)) {
        resp_add_bulk(&walk->to_matches, entry_key(e), e->key_len);
        walk->count++;
    }
}

/* KEYS visits every key: O(n) with the server doing nothing else meanwhile,
 * which is why Redis's documentation warns against it in production. */
void cmd_keys(struct call *c) {
    struct keys_walk walk = {.pattern = &c->argv[1], .count = 0};
    buf_init(&walk.matches);
    walk.to_matches.buf = &walk.matches;
    walk.to_matches.proto = c->out->proto;
    store_visit(&c->core->store, c->now_ms, keys_visit, &walk);
    resp_add_array(c->out, walk.count);
    buf_append(c->out->buf, walk.matches.data, walk.matches.len);
    buf_free(&walk.matches);
}

/* ---- SCAN ---- */

/* Keys copied out of the store, one after another in a buffer: each is its
 * length (the bytes of a size_t) followed by its bytes. Copies, because the
 * store changes (expired keys are deleted) before the list is done with. */
struct key_list {
    struct buf bytes;
    long long count;
};

static void key_list_add(struct key_list *list, const char *key, size_t len) {
    buf_append(&list->bytes, &len, sizeof len);
    buf_append(&list->bytes, key, len);
    list->count++;
}

/* The key at *offset (start at 0), moving *offset past it. Returns 0 at
 * the end of the list. */
static int key_list_next(const struct key_list *list, size_t *offset, struct resp_arg *key) {
    if (*offset >= list->bytes.len) return 0;
    size_t len;
    memcpy(&len, list->bytes.data + *offset, sizeof len);
    key->ptr = list->bytes.data + *offset + sizeof len;
    key->len = len;
    *offset += sizeof len + len;
    return 1;
}

/* Redis compares SCAN's option names and the TYPE argument with
 * strcasecmp, which reads an argument only up to its first NUL byte: for
 * Redis "count\0x" is COUNT and "string\0" is string, so they are here. */
static int c_string_is(const struct resp_arg *arg, const char *word) {
    struct resp_arg up_to_nul = *arg;
    const char *nul = arg->len > 0 ? memchr(arg->ptr, '\0', arg->len) : NULL;
    if (nul != NULL) up_to_nul.len = (size_t)(nul - arg->ptr);
    return arg_is(&up_to_nul, word);
}

/* The cursor as Redis 7.0 reads it: strtoul in base 10 on the argument as
 * a C string (so up to a NUL byte), refused if anything follows the
 * digits or if it overflows 64 bits. strtoul takes a sign, and negates for
 * '-': "-1" is 2^64 - 1, and "+7", "007" and even "" (0) are accepted.
 * strtoul would also skip white space before the number, but Redis
 * refuses a cursor that starts with it, and this parser never skips it.
 * Written out, because strtoul wants a NUL-terminated string and its
 * width depends on unsigned long's. */
static int parse_cursor(const struct resp_arg *arg, uint64_t *out) {
    const char *p = arg->ptr;
    size_t len = arg->len;
    const char *nul = len > 0 ? memchr(p, '\0', len) : NULL;
    if (nul != NULL) len = (size_t)(nul - p);
    if (len == 0) {
        *out = 0; /* no digits and nothing else: strtoul's 0 */
        return 1;
    }
    const char *end = p + len;
    int negative = 0;
    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    if (p == end || *p < '0' || *p > '9') return 0; /* no digits, but something */
    uint64_t value = 0;
    int overflow = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            overflow = 1; /* strtoul reads on to the end of the digits, then says ERANGE */
        } else {
            value = value * 10 + digit;
        }
    }
    if (p != end || overflow) return 0;
    *out = negative ? 0 - value : value; /* unsigned negation wraps, as strtoul's does */
    return 1;
}

struct scan_walk {
    const struct resp_arg *pattern; /* MATCH; NULL for every key */
    const struct resp_arg *type;    /* TYPE; NULL for every type */
    uint64_t met;                   /* keys met, before any filter: what COUNT counts */
    struct key_list reply;          /* the keys to return */
    struct key_list expired;        /* expired keys to delete once the walk is done */
};

/* Each key the walk meets goes through Redis's filters, in Redis's order.
 * The order shows: an expired key that MATCH filters out is not deleted
 * (DBSIZE still counts it), and with TYPE an expired key is deleted by the
 * lookup that reads its type, which then says "none", so that TYPE none
 * returns expired keys. redis-server 7.0.15 does both; keep them. */
static void scan_visit(const struct entry *e, int expired, void *arg) {
    struct scan_walk *walk = arg;
    walk->met++;
    if (walk->pattern != NULL &&
        !glob_match(walk->pattern->ptr, walk->pattern->len, entry_key(e), e->key_len)) {
        return;
    }
    if (walk->type != NULL) {
        if (expired) key_list_add(&walk->expired, entry_key(e), e->key_len);
        if (!c_string_is(walk->type, expired ? "none" : "string")) return;
    } else if (expired) {
        key_list_add(&walk->expired, entry_key(e), e->key_len);
        return;
    }
    key_list_add(&walk->reply, entry_key(e), e->key_len);
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: a few keys and the
 * cursor to continue from, 0 when the walk is done (store_scan says what is
 * promised). Options may repeat; the last one counts. The only type here
 * is string, so TYPE string is every key, and TYPE hash (or any name at
 * all, known to Redis or not) none. */
void cmd_scan(struct call *c) {
    uint64_t cursor;
    if (!parse_cursor(&c->argv[1], &cursor)) {
        resp_add_error(c->out, "ERR invalid cursor");
        return;
    }
    long long count = 10;
    const struct resp_arg *pattern = NULL, *type = NULL;
    for (size_t j = 2; j < c->argc; j += 2) {
        const struct resp_arg *opt = &c->argv[j];
        int has_value = j + 1 < c->argc; /* an option without its value is a syntax error */
        if (has_value && c_string_is(opt, "count")) {
            if (!arg_to_ll_or_reply(c, &c->argv[j + 1], &count)) return;
            if (count < 1) {
                resp_add_error(c->out, ERR_SYNTAX);
                return;
            }
        } else if (has_value && c_string_is(opt, "match")) {
            /* "*" alone matches everything, so Redis does not match at all.
             * That is not only quicker: glob_match says "*" does not match
             * the empty key, and SCAN MATCH * returns it. */
            const struct resp_arg *p = &c->argv[j + 1];
            pattern = p->len == 1 && p->ptr[0] == '*' ? NULL : p;
        } else if (has_value && c_string_is(opt, "type")) {
            type = &c->argv[j + 1];
        } else {
            resp_add_error(c->out, ERR_SYNTAX);
            return;
        }
    }

    /* COUNT bounds the work, not the reply: the walk stops once it has met
     * COUNT keys, matching or not, or after COUNT * 10 more steps, so that
     * a sparse table (after many deletes) does not keep the server busy.
     * Hence a SCAN may return no keys and a cursor that is not 0. Redis
     * multiplies in a long, which wraps for a COUNT above 2^63 / 10; in a
     * uint64_t it wraps the same way, without C's undefined behaviour, and
     * so stops where Redis stops (COUNT 1844674407370955162 allows 4 more
     * steps, on both). */
    uint64_t steps_left = (uint64_t)count * 10;
    struct scan_walk walk = {.pattern = pattern, .type = type, .met = 0};
    buf_init(&walk.reply.bytes);
    buf_init(&walk.expired.bytes);
    do {
        cursor = store_scan(&c->core->store, cursor, c->now_ms, scan_visit, &walk);
    } while (cursor != 0 && steps_left-- != 0 && walk.met < (uint64_t)count);

    /* The walk is over, so the store may change: delete the expired keys
     * it met, as a lookup of each would (INFO counts them in expired_keys). */
    struct resp_arg key;
    size_t offset = 0;
    while (key_list_next(&walk.expired, &offset, &key)) lookup_key(c, &key);

    char text[24];
    int n = snprintf(text, sizeof text, "%llu", (unsigned long long)cursor);
    resp_add_array(c->out, 2);
    resp_add_bulk(c->out, text, (size_t)n);
    resp_add_array(c->out, walk.reply.count);
    offset = 0;
    while (key_list_next(&walk.reply, &offset, &key)) resp_add_bulk(c->out, key.ptr, key.len);
    buf_free(&walk.reply.bytes);
    buf_free(&walk.expired.bytes);
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

    struct entry *e = lookup_key(c, &c->argv[1]);
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

void cmd_expire(struct call *c) {
    expire_generic(c, "expire", 1000);
}

void cmd_pexpire(struct call *c) {
    expire_generic(c, "pexpire", 1);
}

/* TTL answers in seconds rounded to nearest, PTTL in milliseconds; -2 for
 * a missing key, -1 for a key without a TTL. */
static void ttl_generic(struct call *c, int in_ms) {
    struct entry *e = lookup_key(c, &c->argv[1]);
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

void cmd_ttl(struct call *c) {
    ttl_generic(c, 0);
}

void cmd_pttl(struct call *c) {
    ttl_generic(c, 1);
}

void cmd_persist(struct call *c) {
    struct entry *e = lookup_key(c, &c->argv[1]);
    if (e == NULL || e->expire_at_ms == 0) {
        resp_add_integer(c->out, 0);
        return;
    }
    store_set_expire(&c->core->store, e, 0);
    resp_add_integer(c->out, 1);
}
