/*
 * cmd_helpers.c - the argument checks and replies many commands share
 * (see cmd.h).
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "number.h"

const char ERR_SYNTAX[] = "ERR syntax error";
const char REDIS_VERSION[] = "7.0.15";
const char ERR_NOT_INTEGER[] = "ERR value is not an integer or out of range";

/* Compared byte by byte rather than with strcasecmp, which would need the
 * argument NUL-terminated, and whose answer depends on the locale. */
int arg_is(const struct resp_arg *arg, const char *word) {
    size_t n = strlen(word);
    if (arg->len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = arg->ptr[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return 1;
}

int arg_to_ll_or_reply(struct call *c, const struct resp_arg *arg, long long *out) {
    if (number_parse_ll(arg->ptr, arg->len, out)) return 1;
    resp_add_error(c->out, ERR_NOT_INTEGER);
    return 0;
}

struct entry *lookup_key(struct call *c, const struct resp_arg *key) {
    return store_find(&c->core->store, key->ptr, key->len, c->now_ms);
}

void reply_value(struct call *c, const struct entry *e) {
    if (e == NULL) {
        resp_add_null(c->out);
    } else {
        resp_add_bulk(c->out, entry_value(e), e->value_len);
    }
}

void reply_wrong_arity(struct call *c, const char *name) {
    char msg[128];
    snprintf(msg, sizeof msg, "ERR wrong number of arguments for '%s' command", name);
    resp_add_error(c->out, msg);
}

void reply_invalid_expire(struct call *c, const char *name) {
    char msg[128];
    snprintf(msg, sizeof msg, "ERR invalid expire time in '%s' command", name);
    resp_add_error(c->out, msg);
}

void reply_unknown_subcommand(struct call *c, const char *container) {
    /* No such command, as far as CLIENT LIST is concerned: Redis shows
     * cmd=NULL for it, as for an unknown command. */
    strcpy(c->client->last_cmd, "NULL");
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

void append_c_string(struct buf *b, const char *bytes, size_t len, size_t max) {
    size_t n = 0;
    while (n < len && n < max && bytes[n] != '\0') n++;
    buf_append(b, bytes, n);
}
