/*
 * cmd_keyspace.c - the commands on keys, whatever their values: DEL,
 * EXISTS, TYPE, KEYS, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST. Redis calls
 * them the "generic" group.
 */
#include <limits.h>

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
