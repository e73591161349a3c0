/*
 * cmd_connection.c - the commands about the connection itself: PING, ECHO,
 * SELECT. (QUIT has no function: cmd_execute answers it, in commands.c.)
 */
#include <limits.h>

#include "cmd.h"

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

