/*
 * cmd_string.c - the commands on string values: GET, GETDEL, SET, MGET,
 * MSET, INCR, DECR, INCRBY, DECRBY, APPEND, STRLEN.
 *
 * Every value here is a string, so this is most of what a client does.
 * INCR and its kin keep numbers as their decimal text, as Redis does (it
 * also has a compact integer form, which saves memory, not behaviour).
 */
#include <limits.h>

#include "cmd.h"
#include "number.h"
#include "server_limits.h"

void cmd_get(struct call *c) {
    reply_value(c, lookup_key(c, &c->argv[1]));
}

void cmd_getdel(struct call *c) {
    struct entry *e = lookup_key(c, &c->argv[1]);
    reply_value(c, e);
    if (e == NULL) return;
    store_delete(&c->core->store, c->argv[1].ptr, c->argv[1].len, c->now_ms);
}

static const char ERR_TOO_BIG[] = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/* Store a value. The store refuses only keys or values of 4 GiB or more,
 * which the parser's LIMIT_BULK_LEN (512 MiB) keeps out; the check stays,
 * with Redis's error for a string too long, in case that limit is raised. */
static struct entry *set_value(struct call *c, const struct resp_arg *key, const char *value,
                               size_t value_len, int64_t expire_at_ms) {
    struct entry *e = store_set(&c->core->store, key->ptr, key->len, value, value_len,
                                expire_at_ms, c->now_ms);
    if (e == NULL) resp_add_error(c->out, ERR_TOO_BIG);
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
void cmd_set(struct call *c) {
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
    if (flags & (SET_NX | SET_XX | SET_GET | SET_KEEPTTL)) old = lookup_key(c, &c->argv[1]);
    /* With GET the reply is the old value (or nil), sent whether or not the
     * NX/XX condition lets the write happen. */
    if (flags & SET_GET) reply_value(c, old);
    if (((flags & SET_NX) && old != NULL) || ((flags & SET_XX) && old == NULL)) {
        if (!(flags & SET_GET)) resp_add_null(c->out);
        return;
    }
    if ((flags & SET_KEEPTTL) && old != NULL) expire_at_ms = old->expire_at_ms;
    const struct resp_arg *value = &c->argv[2];
    if (set_value(c, &c->argv[1], value->ptr, value->len, expire_at_ms) == NULL) return;
    if (!(flags & SET_GET)) resp_add_simple(c->out, "OK");
}

void cmd_mget(struct call *c) {
    resp_add_array(c->out, (long long)c->argc - 1);
    for (size_t j = 1; j < c->argc; j++) reply_value(c, lookup_key(c, &c->argv[j]));
}

void cmd_mset(struct call *c) {
    if (c->argc % 2 == 0) {
        reply_wrong_arity(c, "mset");
        return;
    }
    for (size_t j = 1; j < c->argc; j += 2) {
        const struct resp_arg *value = &c->argv[j + 1];
        if (set_value(c, &c->argv[j], value->ptr, value->len, 0) == NULL) return;
    }
    resp_add_simple(c->out, "OK");
}

/* INCR, DECR, INCRBY and DECRBY: the value must be a strict decimal
 * integer (no spaces, no '+', no leading zeros) and the result must fit in
 * 64 bits. The key keeps its TTL. */
static void incr_by(struct call *c, long long increment) {
    struct entry *e = lookup_key(c, &c->argv[1]);
    long long value = 0;
    if (e != NULL && !number_parse_ll(entry_value(e), e->value_len, &value)) {
        resp_add_error(c->out, ERR_NOT_INTEGER);
        return;
    }
    if ((increment < 0 && value < 0 && increment < LLONG_MIN - value) ||
        (increment > 0 && value > 0 && increment > LLONG_MAX - value)) {
        resp_add_error(c->out, "ERR increment or decrement would overflow");
        return;
    }
    value += increment;
    char digits[NUMBER_LL_MAX_LEN];
    size_t len = number_format_ll(digits, value);
    int64_t expire_at_ms = e != NULL ? e->expire_at_ms : 0;
    if (set_value(c, &c->argv[1], digits, len, expire_at_ms) == NULL) return;
    resp_add_integer(c->out, value);
}

void cmd_incr(struct call *c) {
    incr_by(c, 1);
}

void cmd_decr(struct call *c) {
    incr_by(c, -1);
}

void cmd_incrby(struct call *c) {
    long long increment;
    if (!arg_to_ll_or_reply(c, &c->argv[2], &increment)) return;
    incr_by(c, increment);
}

void cmd_decrby(struct call *c) {
    long long decrement;
    if (!arg_to_ll_or_reply(c, &c->argv[2], &decrement)) return;
    if (decrement == LLONG_MIN) { /* its negation does not fit */
        resp_add_error(c->out, "ERR decrement would overflow");
        return;
    }
    incr_by(c, -decrement);
}

void cmd_append(struct call *c) {
    struct entry *e = lookup_key(c, &c->argv[1]);
    size_t old_len = e != NULL ? e->value_len : 0;
    if (c->argv[2].len > (size_t)LIMIT_BULK_LEN - old_len) {
        resp_add_error(c->out, ERR_TOO_BIG);
        return;
    }
    e = store_append(&c->core->store, c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr,
                     c->argv[2].len, c->now_ms);
    if (e == NULL) { /* past 4 GiB, which the check above keeps out */
        resp_add_error(c->out, ERR_TOO_BIG);
        return;
    }
    resp_add_integer(c->out, e->value_len);
}

void cmd_strlen(struct call *c) {
    struct entry *e = lookup_key(c, &c->argv[1]);
    resp_add_integer(c->out, e != NULL ? e->value_len : 0);
}

