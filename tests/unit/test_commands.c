/*
 * test_commands.c - unit tests of the commands (common/commands.c and the
 * cmd_*.c files it dispatches to).
 *
 * cmd_execute does no I/O and takes the time as a parameter, so these
 * tests call it directly with argument vectors built from C strings and a
 * clock they move by hand, and compare the exact reply bytes. Every
 * expected reply, odd corners included, was checked against a real
 * redis-server 7.0; where this server differs on purpose (one database
 * only), a comment says so.
 */
#include "bytes.h"
#include "check.h"
#include "commands.h"
#include "resp.h"
#include "server_limits.h"
#include "session.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fixed seed, so bucket layouts are the same on every run. */
static const unsigned char seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A Unix time in milliseconds to start the clock at: 2023-11-14. */
static const int64_t T0 = 1700000000000LL;

/* The server as the commands see it: the core, one client, and the
 * clock. */
struct server {
    struct core core;
    struct session client;
    int64_t now;
};

/* A core as a server starts it with no flags, and a fixed seed. */
static void core_start(struct core *core) {
    struct options opts;
    options_init(&opts);
    core_init(core, &opts, "test", "none", 6379, seed);
}

static void server_init(struct server *s) {
    core_start(&s->core);
    session_init(&s->client);
    s->now = T0;
}

static void server_free(struct server *s) {
    core_free(&s->core);
    session_free(&s->client);
}

/* Execute one command and compare its reply with `want`, printing both on
 * a mismatch. The output buffer is emptied for the next command. */
static int run_argv(struct server *s, size_t argc, const struct resp_arg *argv, const char *want,
                    size_t want_len) {
    s->client.out.len = 0;
    s->client.closing = 0;
    cmd_execute(&s->core, &s->client, argc, argv, s->now);
    int ok = s->client.out.len == want_len && (want_len == 0 || memcmp(s->client.out.data, want, want_len) == 0);
    if (!ok) {
        fprintf(stderr, "a reply differs; the command:\n");
        for (size_t i = 0; i < argc; i++) print_escaped("arg", argv[i].ptr, argv[i].len);
        print_escaped("expected", want, want_len);
        print_escaped("got", s->client.out.data, s->client.out.len);
    }
    s->client.out.len = 0;
    return ok;
}

enum { MAX_ARGS = 16 };

/* The same, with the command given as C strings ending in NULL. */
static int run_strs(struct server *s, const char *want, size_t want_len, ...) {
    struct resp_arg argv[MAX_ARGS];
    size_t argc = 0;
    va_list ap;
    va_start(ap, want_len);
    for (const char *a = va_arg(ap, const char *); a != NULL && argc < MAX_ARGS;
         a = va_arg(ap, const char *)) {
        argv[argc].ptr = a;
        argv[argc].len = strlen(a);
        argc++;
    }
    va_end(ap);
    return run_argv(s, argc, argv, want, want_len);
}

/* EXPECT(s, reply, "SET", "k", "v"): the reply is a string literal, so it
 * may hold NUL bytes. */
#define EXPECT(s, reply, ...) \
    CHECK(run_strs(s, reply, sizeof(reply) - 1, __VA_ARGS__, (const char *)NULL))

/* For a reply that is computed: an integer. */
static int int_reply_is(struct server *s, long long value, const char *cmd, const char *key) {
    char want[32];
    int n = snprintf(want, sizeof want, ":%lld\r\n", value);
    return run_strs(s, want, (size_t)n, cmd, key, (const char *)NULL);
}

static struct resp_arg arg(const char *bytes, size_t len) {
    struct resp_arg a = {bytes, len};
    return a;
}

/* ---- SET with an expiry, GET before and after ---- */

static void test_set_expiry(void) {
    struct server s;
    server_init(&s);

    /* A key is live during the millisecond it expires at, gone after. */
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "10");
    EXPECT(&s, ":10000\r\n", "PTTL", "k");
    EXPECT(&s, ":10\r\n", "TTL", "k");
    s.now = T0 + 10000;
    EXPECT(&s, "$1\r\nv\r\n", "GET", "k");
    EXPECT(&s, ":0\r\n", "PTTL", "k");
    EXPECT(&s, ":0\r\n", "TTL", "k");
    EXPECT(&s, ":1\r\n", "DBSIZE");
    s.now = T0 + 10001;
    EXPECT(&s, "$-1\r\n", "GET", "k");
    EXPECT(&s, ":-2\r\n", "TTL", "k");
    EXPECT(&s, ":0\r\n", "DBSIZE"); /* the GET removed it */

    s.now = T0;
    EXPECT(&s, "+OK\r\n", "set", "k", "v", "px", "1500");
    s.now = T0 + 1500;
    EXPECT(&s, "$1\r\nv\r\n", "GET", "k");
    s.now = T0 + 1501;
    EXPECT(&s, "$-1\r\n", "GET", "k");

    /* EXAT and PXAT are absolute Unix times. */
    s.now = T0;
    char at[32];
    snprintf(at, sizeof at, "%lld", (long long)(T0 / 1000 + 5));
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EXAT", at);
    EXPECT(&s, ":5000\r\n", "PTTL", "k");
    s.now = T0 + 5000;
    EXPECT(&s, "$1\r\nv\r\n", "GET", "k");
    s.now = T0 + 5001;
    EXPECT(&s, "$-1\r\n", "GET", "k");

    s.now = T0;
    snprintf(at, sizeof at, "%lld", (long long)(T0 + 777));
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "PXAT", at);
    EXPECT(&s, ":777\r\n", "PTTL", "k");
    s.now = T0 + 778;
    EXPECT(&s, "$-1\r\n", "GET", "k");

    /* A PXAT in the past is accepted, and the key is gone at once. */
    s.now = T0;
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "PXAT", "1");
    EXPECT(&s, "$-1\r\n", "GET", "k");

    /* Refused times. */
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "0");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "-1");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "PX", "0");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "PXAT", "0");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX",
           "9223372036854776");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EXAT",
           "9223372036854776");
    EXPECT(&s, "-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "PX",
           "9223372036854775807");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "SET", "k", "v", "EX", "abc");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "SET", "k", "v", "EX", "01");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "EX");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "EX", "1", "PX", "1");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "KEEPTTL", "EX", "1");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "EX", "1", "KEEPTTL");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "NX", "XX");
    EXPECT(&s, "-ERR syntax error\r\n", "SET", "k", "v", "FOO");
    EXPECT(&s, ":0\r\n", "DBSIZE"); /* none of those wrote */

    /* Redis's quirk: the same option twice is fine, and the last wins. */
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "1", "ex", "2");
    EXPECT(&s, ":2000\r\n", "PTTL", "k");
    server_free(&s);
}

/* TTL rounds to the nearest second: (ms + 500) / 1000. */
static void test_ttl(void) {
    struct server s;
    server_init(&s);
    static const struct {
        const char *px;
        long long ttl;
    } cases[] = {
        {"1", 0}, {"499", 0}, {"500", 1}, {"1499", 1}, {"1500", 2}, {"9999", 10}, {"10499", 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        EXPECT(&s, "+OK\r\n", "SET", "k", "v", "PX", cases[i].px);
        CHECK(int_reply_is(&s, cases[i].ttl, "TTL", "k"));
        CHECK(int_reply_is(&s, atoll(cases[i].px), "PTTL", "k"));
    }

    /* As the clock moves. */
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "10");
    s.now = T0 + 4499;
    EXPECT(&s, ":5501\r\n", "PTTL", "k");
    EXPECT(&s, ":6\r\n", "TTL", "k");
    s.now = T0 + 4501;
    EXPECT(&s, ":5\r\n", "TTL", "k");

    EXPECT(&s, ":-2\r\n", "TTL", "missing");
    EXPECT(&s, ":-2\r\n", "PTTL", "missing");
    EXPECT(&s, "+OK\r\n", "SET", "plain", "v");
    EXPECT(&s, ":-1\r\n", "TTL", "plain");
    EXPECT(&s, ":-1\r\n", "PTTL", "plain");
    server_free(&s);
}

static void test_persist(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "10");
    EXPECT(&s, ":1\r\n", "PERSIST", "k");
    EXPECT(&s, ":-1\r\n", "TTL", "k");
    EXPECT(&s, ":0\r\n", "PERSIST", "k"); /* no TTL left to remove */
    EXPECT(&s, ":0\r\n", "PERSIST", "missing");
    s.now = T0 + 100000;
    EXPECT(&s, "$1\r\nv\r\n", "GET", "k");

    /* An expired key cannot be rescued. */
    EXPECT(&s, "+OK\r\n", "SET", "e", "v", "PX", "10");
    s.now += 11;
    EXPECT(&s, ":0\r\n", "PERSIST", "e");
    EXPECT(&s, "$-1\r\n", "GET", "e");
    server_free(&s);
}

/* EXPIRE's NX, XX, GT and LT, the sequence also run against Redis. A key
 * with no TTL counts as having an infinite one. */
static void test_expire_options(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SET", "k", "v");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "100", "GT"); /* nothing is greater than infinite */
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "100", "XX"); /* no TTL to replace */
    EXPECT(&s, ":-1\r\n", "TTL", "k");
    EXPECT(&s, ":1\r\n", "EXPIRE", "k", "100", "NX");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "100", "NX"); /* has one now */
    EXPECT(&s, ":1\r\n", "EXPIRE", "k", "200", "XX");
    EXPECT(&s, ":200\r\n", "TTL", "k");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "150", "GT");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "200", "GT"); /* equal is not greater */
    EXPECT(&s, ":1\r\n", "EXPIRE", "k", "300", "gt");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "400", "LT");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "300", "LT"); /* equal is not less */
    EXPECT(&s, ":1\r\n", "EXPIRE", "k", "50", "lt");
    EXPECT(&s, ":50\r\n", "TTL", "k");
    EXPECT(&s, ":0\r\n", "EXPIRE", "k", "50", "XX", "GT");
    EXPECT(&s, ":1\r\n", "EXPIRE", "k", "60", "XX", "GT");
    EXPECT(&s, ":1\r\n", "PEXPIRE", "k", "70000", "GT");
    EXPECT(&s, ":70000\r\n", "PTTL", "k");

    /* LT on a key with no TTL: anything is less than infinite. */
    EXPECT(&s, "+OK\r\n", "SET", "p", "v");
    EXPECT(&s, ":1\r\n", "EXPIRE", "p", "100", "LT");
    EXPECT(&s, ":100\r\n", "TTL", "p");

    EXPECT(&s, ":0\r\n", "EXPIRE", "missing", "10");
    EXPECT(&s, ":0\r\n", "EXPIRE", "missing", "10", "NX");

    EXPECT(&s, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
           "EXPIRE", "k", "10", "NX", "XX");
    EXPECT(&s, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
           "EXPIRE", "k", "10", "GT", "nx");
    EXPECT(&s, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
           "EXPIRE", "k", "10", "lt", "NX");
    EXPECT(&s, "-ERR GT and LT options at the same time are not compatible\r\n", "EXPIRE", "k",
           "10", "GT", "LT");
    EXPECT(&s, "-ERR Unsupported option foo\r\n", "EXPIRE", "k", "10", "foo");
    /* Options are read before the time, as in Redis. */
    EXPECT(&s, "-ERR Unsupported option foo\r\n", "EXPIRE", "k", "abc", "foo");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "EXPIRE", "k", "abc", "NX");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "EXPIRE", "k", "1.5");
    EXPECT(&s, "-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "k",
           "9223372036854775807");
    EXPECT(&s, "-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "k",
           "-9223372036854775808");
    EXPECT(&s, "-ERR invalid expire time in 'pexpire' command\r\n", "PEXPIRE", "k",
           "9223372036854775807");
    EXPECT(&s, ":70\r\n", "TTL", "k"); /* none of those changed it */

    /* Redis builds "Unsupported option %s" with addReplyErrorFormat, which
     * trims CR and LF from both ends of the message before turning inner
     * ones into spaces: a trailing "\r\n" in the option vanishes.
     * (redis-server 7.0.15: "-ERR Unsupported option x\r\n".) */
    EXPECT(&s, "-ERR Unsupported option x\r\n", "EXPIRE", "k", "10", "x\r\n");
    EXPECT(&s, "-ERR Unsupported option  x \r\n", "EXPIRE", "k", "10", "\nx \r\n");
    /* The option is printed as a C string: it stops at a NUL. */
    static const char cut[] = "-ERR Unsupported option a\r\n";
    CHECK(run_argv(&s, 4, (struct resp_arg[]){arg("EXPIRE", 6), arg("k", 1), arg("10", 2),
                                              arg("a\0b", 3)},
                   cut, sizeof cut - 1));
    server_free(&s);
}

/* A time already past deletes the key, and EXPIRE still answers 1. */
static void test_expire_past(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SET", "a", "v");
    EXPECT(&s, "+OK\r\n", "SET", "b", "v", "EX", "100");
    EXPECT(&s, "+OK\r\n", "SET", "c", "v");
    EXPECT(&s, "+OK\r\n", "SET", "d", "v");
    EXPECT(&s, ":4\r\n", "DBSIZE");
    EXPECT(&s, ":1\r\n", "EXPIRE", "a", "-1");
    EXPECT(&s, ":0\r\n", "EXISTS", "a");
    EXPECT(&s, "$-1\r\n", "GET", "a");
    EXPECT(&s, ":3\r\n", "DBSIZE"); /* really gone, not just expired */
    EXPECT(&s, ":1\r\n", "EXPIRE", "b", "0");
    EXPECT(&s, ":2\r\n", "DBSIZE");
    EXPECT(&s, ":1\r\n", "PEXPIRE", "c", "0");
    EXPECT(&s, ":1\r\n", "DBSIZE");
    /* One millisecond ahead is not past. */
    EXPECT(&s, ":1\r\n", "PEXPIRE", "d", "1");
    EXPECT(&s, ":1\r\n", "PTTL", "d");
    EXPECT(&s, ":1\r\n", "DBSIZE");
    /* A negative time with LT on a key with no TTL also deletes it. */
    EXPECT(&s, "+OK\r\n", "SET", "e", "v");
    EXPECT(&s, ":1\r\n", "EXPIRE", "e", "-5", "LT");
    EXPECT(&s, ":0\r\n", "EXISTS", "e");
    server_free(&s);
}

/* Which writes keep a key's TTL and which clear it. */
static void test_ttl_kept_or_cleared(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "100");
    EXPECT(&s, "+OK\r\n", "SET", "k", "v2", "KEEPTTL");
    EXPECT(&s, ":100000\r\n", "PTTL", "k");
    EXPECT(&s, "$2\r\nv2\r\n", "GET", "k");
    EXPECT(&s, "+OK\r\n", "SET", "k", "v3");
    EXPECT(&s, ":-1\r\n", "TTL", "k");
    /* KEEPTTL on a new key: nothing to keep. */
    EXPECT(&s, "+OK\r\n", "SET", "new", "v", "KEEPTTL");
    EXPECT(&s, ":-1\r\n", "TTL", "new");
    /* KEEPTTL on an expired key does not bring its old TTL back. */
    EXPECT(&s, "+OK\r\n", "SET", "old", "v", "PX", "5");
    s.now += 6;
    EXPECT(&s, "+OK\r\n", "SET", "old", "v", "KEEPTTL");
    EXPECT(&s, ":-1\r\n", "TTL", "old");
    EXPECT(&s, "$1\r\nv\r\n", "GET", "old");

    s.now = T0;
    EXPECT(&s, "+OK\r\n", "SET", "n", "5", "EX", "100");
    s.now = T0 + 1000;
    EXPECT(&s, ":6\r\n", "INCR", "n");
    EXPECT(&s, ":99000\r\n", "PTTL", "n");
    EXPECT(&s, ":16\r\n", "INCRBY", "n", "10");
    EXPECT(&s, ":15\r\n", "DECR", "n");
    EXPECT(&s, ":5\r\n", "DECRBY", "n", "10");
    EXPECT(&s, ":99000\r\n", "PTTL", "n");
    EXPECT(&s, ":2\r\n", "APPEND", "n", "0");
    EXPECT(&s, ":99000\r\n", "PTTL", "n");
    EXPECT(&s, "$2\r\n50\r\n", "GET", "n");
    EXPECT(&s, "+OK\r\n", "MSET", "n", "1", "other", "2");
    EXPECT(&s, ":-1\r\n", "TTL", "n");
    EXPECT(&s, "$1\r\n1\r\n", "GET", "n");

    /* INCR on an expired key starts from 0, with no TTL. */
    EXPECT(&s, "+OK\r\n", "SET", "x", "41", "PX", "1");
    s.now += 2;
    EXPECT(&s, ":1\r\n", "INCR", "x");
    EXPECT(&s, ":-1\r\n", "TTL", "x");
    server_free(&s);
}

/* ---- expired keys: counted, skipped, reclaimed ---- */

static void test_expired_keys(void) {
    struct server s;
    server_init(&s);
    char key[32];

    /* 20 keys that expire at T0 + 100, 5 that never do, 5 much later. */
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof key, "key:%d", i);
        const char *px = i < 20 ? "100" : i < 25 ? NULL : "1000000";
        if (px != NULL) {
            EXPECT(&s, "+OK\r\n", "SET", key, "v", "PX", px);
        } else {
            EXPECT(&s, "+OK\r\n", "SET", key, "v");
        }
    }
    s.now = T0 + 101;

    /* DBSIZE counts expired keys not yet reclaimed, as Redis does. */
    EXPECT(&s, ":30\r\n", "DBSIZE");

    /* KEYS skips them, and leaves them where they are. */
    struct resp_arg keys[2] = {arg("KEYS", 4), arg("key:2?", 6)};
    EXPECT(&s, "*0\r\n", "KEYS", "key:1?"); /* key:10 .. key:19 all expired */
    s.client.out.len = 0;
    cmd_execute(&s.core, &s.client, 2, keys, s.now);
    CHECK(s.client.out.len >= 5 && memcmp(s.client.out.data, "*10\r\n", 5) == 0); /* key:20 .. key:29 */
    s.client.out.len = 0;
    cmd_execute(&s.core, &s.client, 2, (struct resp_arg[]){arg("KEYS", 4), arg("*", 1)}, s.now);
    CHECK(s.client.out.len >= 5 && memcmp(s.client.out.data, "*10\r\n", 5) == 0);
    s.client.out.len = 0;
    EXPECT(&s, ":30\r\n", "DBSIZE");

    /* Active expiry removes them without anyone asking for them. */
    size_t reclaimed = 0;
    for (int calls = 0; calls < 100; calls++) {
        size_t got = core_reclaim_expired(&s.core, s.now);
        reclaimed += got;
        if (got == 0) break;
    }
    CHECK(reclaimed == 20);
    CHECK(s.core.store.expired_removed == 20);
    EXPECT(&s, ":10\r\n", "DBSIZE");
    int live_ok = 1;
    for (int i = 20; i < 30; i++) {
        snprintf(key, sizeof key, "key:%d", i);
        live_ok &= run_strs(&s, "$1\r\nv\r\n", 7, "GET", key, (const char *)NULL);
    }
    CHECK(live_ok);

    /* Many keys: 5000 of 6000 expired. The cycle looks at 20 keys with a
     * TTL at a time and goes on while more than 10% of them had expired.
     * Given no time at all, it stops at its first look at the clock, after
     * 16 samples of 20 keys (a few more when a sample's last bucket held
     * two): bounded work however many keys have expired. */
    EXPECT(&s, "+OK\r\n", "FLUSHALL");
    s.now = T0;
    int set_ok = 1;
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof key, "many:%d", i);
        if (i % 6 == 0) {
            set_ok &= run_strs(&s, "+OK\r\n", 5, "SET", key, "v", (const char *)NULL);
        } else {
            set_ok &= run_strs(&s, "+OK\r\n", 5, "SET", key, "v", "PX", "50", (const char *)NULL);
        }
    }
    CHECK(set_ok);
    s.now = T0 + 51;
    long long before = s.core.store.expired_removed;
    reclaimed = core_expire_cycle(&s.core, s.now, 0);
    CHECK(reclaimed >= 16 * 20 && reclaimed < 2 * 16 * 20);

    /* Given time (a minute, so that no machine is too slow), one call goes
     * on until its samples come back live: it gets every expired key, and
     * no live one. */
    reclaimed += core_expire_cycle(&s.core, s.now, 60 * 1000 * 1000);
    CHECK(reclaimed == 5000);
    CHECK(s.core.store.expired_removed - before == 5000);
    EXPECT(&s, ":1000\r\n", "DBSIZE");

    /* Keys with a TTL, none expired: one sample of about 20 finds them all
     * live, and the cycle stops there, a few dozen buckets on. */
    EXPECT(&s, "+OK\r\n", "FLUSHALL");
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "later:%d", i);
        set_ok &= run_strs(&s, "+OK\r\n", 5, "SET", key, "v", "PX", "100000", (const char *)NULL);
    }
    CHECK(set_ok);
    CHECK(s.core.store.expire_cursor == 0);
    CHECK(core_expire_cycle(&s.core, s.now, 60 * 1000 * 1000) == 0);
    CHECK(s.core.store.expire_cursor > 0 && s.core.store.expire_cursor < 100);
    EXPECT(&s, "+OK\r\n", "FLUSHALL");
    /* Nothing left to do: a call costs nothing and reclaims nothing. */
    EXPECT(&s, "+OK\r\n", "SET", "plain", "v");
    CHECK(core_reclaim_expired(&s.core, s.now) == 0);
    CHECK(s.core.store.expire_cursor == 0);
    server_free(&s);
}

/* Redis counts a key in INFO's expired_keys however it expires: on access
 * (lazily, when a command meets it) as well as by the active sweep.
 * (redis-server 7.0.15: SET e v PX 1, wait, GET e, then INFO stats shows
 * expired_keys:1.) */
static void test_expired_keys_stat(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SET", "e", "v", "PX", "1");
    s.now += 2;
    EXPECT(&s, "$-1\r\n", "GET", "e");
    CHECK(s.core.store.expired_removed == 1);
    struct resp_arg info[2] = {arg("INFO", 4), arg("stats", 5)};
    s.client.out.len = 0;
    cmd_execute(&s.core, &s.client, 2, info, s.now);
    buf_append(&s.client.out, "", 1); /* a NUL, for strstr */
    CHECK(strstr(s.client.out.data, "\r\nexpired_keys:1\r\n") != NULL);
    s.client.out.len = 0;
    server_free(&s);
}

/* ---- KEYS and glob patterns ---- */

static void test_keys(void) {
    struct server s;
    server_init(&s);

    /* Patterns go to glob_match (tests/unit/test_glob.c tries it on every
     * kind of pattern); here, that KEYS hands them over and replies right:
     * a binary key whole, with its NUL. */
    struct resp_arg set_binary[3] = {arg("SET", 3), arg("k\0x", 3), arg("v", 1)};
    CHECK(run_argv(&s, 3, set_binary, "+OK\r\n", 5));
    struct resp_arg nul_pattern[2] = {arg("KEYS", 4), arg("k\0*", 3)};
    CHECK(run_argv(&s, 2, nul_pattern, "*1\r\n$3\r\nk\0x\r\n", 13));
    EXPECT(&s, "*1\r\n$3\r\nk\0x\r\n", "KEYS", "k*");
    EXPECT(&s, "*0\r\n", "KEYS", "k");

    /* "*" alone lists every key without asking the matcher, so an empty key
     * is listed, though "*" does not match "" and "**" lists nothing (both
     * as redis-server 7.0.15 answers). */
    EXPECT(&s, "+OK\r\n", "FLUSHALL");
    EXPECT(&s, "+OK\r\n", "SET", "", "v");
    EXPECT(&s, "*1\r\n$0\r\n\r\n", "KEYS", "*");
    EXPECT(&s, "*0\r\n", "KEYS", "**");

    /* Several keys at once: the reply holds each match once. */
    EXPECT(&s, "+OK\r\n", "FLUSHALL");
    EXPECT(&s, "+OK\r\n", "MSET", "one", "1", "two", "2", "three", "3");
    EXPECT(&s, "*1\r\n$3\r\ntwo\r\n", "KEYS", "t?o");
    EXPECT(&s, "*0\r\n", "KEYS", "four");
    s.client.out.len = 0;
    cmd_execute(&s.core, &s.client, 2, (struct resp_arg[]){arg("KEYS", 4), arg("t*", 2)}, s.now);
    CHECK((s.client.out.len == 24 && memcmp(s.client.out.data, "*2\r\n$3\r\ntwo\r\n$5\r\nthree\r\n", 24) == 0) ||
          (s.client.out.len == 24 && memcmp(s.client.out.data, "*2\r\n$5\r\nthree\r\n$3\r\ntwo\r\n", 24) == 0));
    s.client.out.len = 0;
    server_free(&s);
}

/* ---- SCAN ---- */

/* What SCAN does with an expired key depends on the filters before it, in
 * Redis's order: MATCH first (a key it filters out is left alone, and
 * DBSIZE still counts it), then TYPE (Redis reads the type with a lookup,
 * which deletes an expired key and calls its type "none": so TYPE none
 * returns the key, deleted), then the expiry check (deletes it, skips it).
 * Each reply here is redis-server 7.0.15's, with DEBUG SET-ACTIVE-EXPIRE 0
 * so that its timer did not remove the key first. */
static void test_scan_expired(void) {
    struct server s;
    server_init(&s);
    const char done_live[] = "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n";
    EXPECT(&s, "+OK\r\n", "SET", "live", "v");

    EXPECT(&s, "+OK\r\n", "SET", "gone", "v", "PX", "1");
    s.now += 2;
    EXPECT(&s, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "MATCH", "x*");
    EXPECT(&s, ":2\r\n", "DBSIZE");
    EXPECT(&s, done_live, "SCAN", "0");
    EXPECT(&s, ":1\r\n", "DBSIZE");

    EXPECT(&s, "+OK\r\n", "SET", "gone", "v", "PX", "1");
    s.now += 2;
    EXPECT(&s, done_live, "SCAN", "0", "TYPE", "string");
    EXPECT(&s, ":1\r\n", "DBSIZE");

    EXPECT(&s, "+OK\r\n", "SET", "gone", "v", "PX", "1");
    s.now += 2;
    EXPECT(&s, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\ngone\r\n", "SCAN", "0", "TYPE", "NONE");
    EXPECT(&s, ":1\r\n", "DBSIZE");
    CHECK(s.core.store.expired_removed == 3); /* INFO's expired_keys */
    server_free(&s);
}

/* COUNT bounds the work: the walk stops after COUNT keys met, or COUNT * 10
 * more steps. Redis computes COUNT * 10 in a long that wraps: COUNT
 * 1844674407370955162 gives 4, so 5 steps in all, and the cursor after 5
 * steps of a 1024-bucket table is 640 (buckets 0 512 256 768 128), as
 * redis-server 7.0.15 answered with 1000 keys. */
static void test_scan_count(void) {
    struct server s;
    server_init(&s);
    char key[32];
    int set_ok = 1;
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        set_ok &= run_strs(&s, "+OK\r\n", 5, "SET", key, "v", (const char *)NULL);
    }
    CHECK(set_ok);
    while (store_rehash_step(&s.core.store, 100)) {
    }
    CHECK(s.core.store.tables[0].size == 1024);
    /* A pattern nothing matches, so that the reply is only the cursor. */
    EXPECT(&s, "*2\r\n$3\r\n640\r\n*0\r\n", "SCAN", "0", "COUNT", "1844674407370955162",
           "MATCH", "nothing");
    EXPECT(&s, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "COUNT", "1844674407370955161",
           "MATCH", "nothing");
    server_free(&s);
}

/* Each '*' of a pattern is one level of recursion while its part of the
 * key matches, so without a bound a client sending a long "*a*a*a..."
 * pattern and a long key of a's runs the server out of stack: 200,000
 * pairs (a 400 KB pattern, a 200 KB key) crashed it with SIGSEGV at -O2 on
 * an 8 MB stack, and a thread's smaller stack takes fewer. Redis bounds
 * the nesting (stringmatchlen answers "no match" past 1000 levels; the fix
 * for CVE-2024-31228): redis-server 7.0.15 as packaged here answers *1
 * with 1000 pairs and *0 with 1001. */
static void test_glob_nesting(void) {
    struct server s;
    server_init(&s);
    struct buf key, pattern, want;
    buf_init(&key);
    buf_init(&pattern);
    buf_init(&want);
    for (size_t pairs = 1000; pairs <= 1001; pairs++) {
        EXPECT(&s, "+OK\r\n", "FLUSHALL");
        build(&key, "", 'a', pairs, "");
        pattern.len = 0;
        for (size_t i = 0; i < pairs; i++) buf_append(&pattern, "*a", 2);
        struct resp_arg set[3] = {arg("SET", 3), arg(key.data, key.len), arg("v", 1)};
        CHECK(run_argv(&s, 3, set, "+OK\r\n", 5));
        want.len = 0;
        if (pairs <= 1000) {
            char head[32];
            int n = snprintf(head, sizeof head, "*1\r\n$%zu\r\n", key.len);
            buf_append(&want, head, (size_t)n);
            buf_append(&want, key.data, key.len);
            buf_append(&want, "\r\n", 2);
        } else {
            buf_append_str(&want, "*0\r\n");
        }
        struct resp_arg keys[2] = {arg("KEYS", 4), arg(pattern.data, pattern.len)};
        int ok = run_argv(&s, 2, keys, want.data, want.len);
        if (!ok) fprintf(stderr, "  (%zu nested '*')\n", pairs);
        CHECK(ok);
    }
    buf_free(&key);
    buf_free(&pattern);
    buf_free(&want);
    server_free(&s);
}

/* ---- errors: unknown commands, arity ---- */

/* Redis quotes the name (up to 128 bytes) and then arguments, each cut to
 * what is left of 128 bytes, until the list reaches 128 bytes. Each case
 * below is redis-server 7.0.15's reply. */
static void test_unknown_command(void) {
    struct server s;
    server_init(&s);
    struct buf x, want;
    buf_init(&x);
    buf_init(&want);

    EXPECT(&s, "-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
    EXPECT(&s, "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", "foo", "a",
           "b");
    EXPECT(&s, "-ERR unknown command 'GETX', with args beginning with: 'k' \r\n", "GETX", "k");
    EXPECT(&s, "-ERR unknown command '', with args beginning with: \r\n", "");

    static const struct {
        size_t xs;        /* the first argument (or second, after 'a'): this many x */
        int after_a;      /* the x's come after an argument "a" */
        size_t shown;     /* x's Redis shows */
        const char *tail; /* what follows them in the reply */
    } cases[] = {
        {200, 0, 128, "' \r\n"},     /* foo x*200 b */
        {200, 1, 124, "' \r\n"},     /* foo a x*200 b */
        {126, 0, 126, "' \r\n"},     /* foo x*126 b */
        {125, 0, 125, "' \r\n"},     /* foo x*125 b c: exactly 128 with "' " */
        {124, 0, 124, "' 'b' \r\n"}, /* foo x*124 b c: one byte left for 'b' */
        {128, 0, 128, "' \r\n"},
        {129, 0, 128, "' \r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build(&x, "", 'x', cases[i].xs, "");
        struct resp_arg argv[5];
        size_t argc = 0;
        argv[argc++] = arg("foo", 3);
        if (cases[i].after_a) argv[argc++] = arg("a", 1);
        argv[argc++] = arg(x.data, x.len);
        argv[argc++] = arg("b", 1);
        argv[argc++] = arg("c", 1);
        const char *head = cases[i].after_a
                               ? "-ERR unknown command 'foo', with args beginning with: 'a' '"
                               : "-ERR unknown command 'foo', with args beginning with: '";
        build(&want, head, 'x', cases[i].shown, cases[i].tail);
        int ok = run_argv(&s, argc, argv, want.data, want.len);
        if (!ok) fprintf(stderr, "  (unknown command case %zu)\n", i);
        CHECK(ok);
    }

    /* A long name is cut at 128 bytes. */
    build(&x, "", 'z', 200, "");
    build(&want, "-ERR unknown command '", 'z', 128, "', with args beginning with: 'a' \r\n");
    CHECK(run_argv(&s, 2, (struct resp_arg[]){arg(x.data, x.len), arg("a", 1)}, want.data,
                   want.len));

    /* Client bytes are printed as C strings (cut at a NUL), and CR and LF
     * become spaces. */
    static const char cut_at_nul[] =
        "-ERR unknown command 'foo', with args beginning with: 'a' 'c  d' \r\n";
    CHECK(run_argv(&s, 3, (struct resp_arg[]){arg("foo", 3), arg("a\0b", 3), arg("c\r\nd", 4)},
                   cut_at_nul, sizeof cut_at_nul - 1));
    static const char name_cut_at_nul[] =
        "-ERR unknown command 'f', with args beginning with: 'a' \r\n";
    CHECK(run_argv(&s, 2, (struct resp_arg[]){arg("f\0oo", 4), arg("a", 1)}, name_cut_at_nul,
                   sizeof name_cut_at_nul - 1));
    EXPECT(&s, "-ERR unknown command 'f  oo ', with args beginning with: \r\n", "f\r\noo\n");

    /* Container commands name the subcommand instead. */
    EXPECT(&s, "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n", "CONFIG", "foo");
    EXPECT(&s, "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n", "COMMAND", "foo");

    CHECK(s.core.total_commands_processed == 2); /* only the two container commands ran */
    buf_free(&x);
    buf_free(&want);
    server_free(&s);
}

static void test_arity(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    EXPECT(&s, "-ERR wrong number of arguments for 'get' command\r\n", "GeT", "a", "b");
    EXPECT(&s, "-ERR wrong number of arguments for 'set' command\r\n", "SET", "k");
    EXPECT(&s, "-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b");
    EXPECT(&s, "-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a");
    EXPECT(&s, "-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a", "b", "c");
    EXPECT(&s, "-ERR wrong number of arguments for 'expire' command\r\n", "expire", "k");
    EXPECT(&s, "-ERR wrong number of arguments for 'dbsize' command\r\n", "DBSIZE", "x");
    EXPECT(&s, "-ERR wrong number of arguments for 'keys' command\r\n", "KEYS");
    EXPECT(&s, "-ERR wrong number of arguments for 'select' command\r\n", "SELECT");
    EXPECT(&s, "-ERR wrong number of arguments for 'config' command\r\n", "CONFIG");
    EXPECT(&s, "-ERR wrong number of arguments for 'del' command\r\n", "DEL");
    /* Refused by the table's arity, a command does not run and is not
     * counted; PING and MSET check their own argument counts, so those two
     * ran (and are counted, as in Redis). */
    CHECK(s.core.total_commands_processed == 2);
    EXPECT(&s, "+PONG\r\n", "PING");
    EXPECT(&s, "$2\r\nhi\r\n", "ping", "hi");
    CHECK(s.core.total_commands_processed == 4);
    server_free(&s);
}

/* Every command in the table is found by its name in any case: the table
 * is binary-searched, so one name out of order would hide others. */
static void test_lookup(void) {
    static const char *const names[] = {
        "APPEND", "COMMAND", "CONFIG", "DBSIZE", "DECR", "DECRBY", "DEL", "ECHO",
        "AUTH", "CLIENT", "HELLO",
        "EXISTS", "EXPIRE", "FLUSHALL", "FLUSHDB", "GET", "GETDEL", "INCR", "INCRBY",
        "INFO", "KEYS", "MGET", "MSET", "PERSIST", "PEXPIRE", "PING", "PTTL",
        "QUIT", "SCAN", "SELECT", "SET", "STRLEN", "TTL", "TYPE",
    };
    struct server s;
    server_init(&s);
    int found = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct resp_arg name = arg(names[i], strlen(names[i]));
        s.client.out.len = 0;
        cmd_execute(&s.core, &s.client, 1, &name, s.now);
        buf_append(&s.client.out, "", 1);
        int ok = strstr(s.client.out.data, "unknown command") == NULL;
        if (!ok) fprintf(stderr, "  command %s not found\n", names[i]);
        found &= ok;
    }
    CHECK(found);
    s.client.out.len = 0;
    EXPECT(&s, ":34\r\n", "COMMAND", "COUNT");
    /* Names around and between the table's. */
    static const char *const unknown[] = {"a", "zzz", "ge", "gets", "se", "sett", "ttl2", "\xff"};
    int none = 1;
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        struct resp_arg name = arg(unknown[i], strlen(unknown[i]));
        s.client.out.len = 0;
        cmd_execute(&s.core, &s.client, 1, &name, s.now);
        buf_append(&s.client.out, "", 1);
        none &= strstr(s.client.out.data, "-ERR unknown command") == s.client.out.data;
    }
    CHECK(none);
    s.client.out.len = 0;
    server_free(&s);
}

static void test_select(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "SELECT", "0");
    /* One database only, on purpose; Redis, with 16, would say +OK. */
    EXPECT(&s, "-ERR DB index is out of range\r\n", "SELECT", "1");
    EXPECT(&s, "-ERR DB index is out of range\r\n", "SELECT", "-1");
    /* redis-server 7.0.15 reads the index with getIntFromObjectOrReply and
     * no custom message, so a non-integer and an out-of-int value get the
     * generic errors, not "invalid DB index". */
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "SELECT", "abc");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "SELECT", "01");
    EXPECT(&s,
           "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
           "SELECT", "99999999999");
    server_free(&s);
}

/* HELLO switches the protocol of its own reply and of every later one;
 * a failed HELLO changes nothing. */
static void test_hello(void) {
    struct server s;
    server_init(&s);
    s.client.id = 7;
    EXPECT(&s, "$-1\r\n", "GET", "missing");
    EXPECT(&s, "-NOPROTO unsupported protocol version\r\n", "HELLO", "4");
    EXPECT(&s, "-ERR Protocol version is not an integer or out of range\r\n", "HELLO", "03");
    EXPECT(&s, "-ERR Syntax error in HELLO option 'AUTH'\r\n", "HELLO", "3", "AUTH", "default");
    EXPECT(&s, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO",
           "3", "AUTH", "someone", "pw");
    EXPECT(&s, "*1\r\n$-1\r\n", "COMMAND", "INFO", "nosuch");
    CHECK(s.client.proto == 2);
    EXPECT(&s,
           "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
           "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
           "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
           "HELLO", "3", "AUTH", "default", "any", "SETNAME", "me");
    CHECK(s.client.proto == 3);
    CHECK(s.client.name != NULL && strcmp(s.client.name, "me") == 0);
    EXPECT(&s, "_\r\n", "GET", "missing");
    EXPECT(&s, "*1\r\n_\r\n", "COMMAND", "INFO", "nosuch");
    EXPECT(&s, "%1\r\n$4\r\nport\r\n$4\r\n6379\r\n", "CONFIG", "GET", "port");
    EXPECT(&s, "*2\r\n_\r\n_\r\n", "MGET", "a", "b");
    /* HELLO 2 goes back; HELLO alone keeps what is in use. */
    EXPECT(&s,
           "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
           "$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
           "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
           "HELLO", "2");
    CHECK(s.client.proto == 2);
    EXPECT(&s, "$-1\r\n", "GET", "missing");
    server_free(&s);
}

static void test_quit(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "+OK\r\n", "QUIT");
    CHECK(s.client.closing);
    EXPECT(&s, "+OK\r\n", "quit", "a", "b"); /* no arity check, as in Redis 7.0 */
    CHECK(s.client.closing);
    EXPECT(&s, "+PONG\r\n", "PING");
    CHECK(!s.client.closing);
    EXPECT(&s, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    CHECK(!s.client.closing);
    EXPECT(&s, "-ERR unknown command 'quitx', with args beginning with: \r\n", "quitx");
    CHECK(!s.client.closing);
    server_free(&s);
}

/* Pipelined commands through a session, the way every step runs them:
 * parsed in batches whose keys are prefetched first, and that must change
 * nothing. Three hazards of batching are checked. An inline command's
 * arguments live in the parser's buffer, which the next inline command
 * may move (AddressSanitizer builds see any use after that). A large
 * request arriving in small reads is parsed in pieces, once, and the
 * batch's copy of its 4,001 arguments is given back after it. And a batch
 * stopped half-way by the output limit, with more input read before it
 * resumes, must run its remaining commands once each, in order. */
static void test_session_pipeline(void) {
    struct core core;
    struct session s;
    core_start(&core);
    session_init(&s);
    struct buf input;
    buf_init(&input);
    for (int i = 0; i < 20; i++) buf_append_str(&input, "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n");
    buf_append_str(&input, "SET a 1\r\nGET bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\nGET a\r\n");
    size_t room;
    char *space = session_read_space(&s, &room);
    CHECK(room >= input.len);
    memcpy(space, input.data, input.len);
    session_bytes_read(&s, input.len);
    session_run_commands(&s, &core, LIMIT_PENDING_OUTPUT, NULL);
    static const char expected_tail[] = "+OK\r\n$-1\r\n$1\r\n1\r\n";
    size_t tail = sizeof expected_tail - 1;
    CHECK(s.out.len == 20 * 5 + tail); /* 20 "+OK\r\n", then the three */
    CHECK(s.out.len >= tail && memcmp(s.out.data + s.out.len - tail, expected_tail, tail) == 0);

    /* An MSET of 2,000 keys, fed 16 bytes at a time. */
    input.len = 0;
    buf_append_str(&input, "*4001\r\n$4\r\nMSET\r\n");
    for (int i = 0; i < 2000; i++) {
        char pair[64];
        int n = snprintf(pair, sizeof pair, "$5\r\nk%04d\r\n$1\r\nv\r\n", i);
        buf_append(&input, pair, (size_t)n);
    }
    s.out.len = 0;
    for (size_t at = 0; at < input.len; at += 16) {
        size_t n = input.len - at < 16 ? input.len - at : 16;
        space = session_read_space(&s, &room);
        memcpy(space, input.data + at, n);
        session_bytes_read(&s, n);
        session_run_commands(&s, &core, LIMIT_PENDING_OUTPUT, NULL);
    }
    CHECK(s.out.len == 5 && memcmp(s.out.data, "+OK\r\n", 5) == 0);
    CHECK(store_count(&core.store) == 2000 + 2);
    CHECK(s.batch_argv_cap >= 4001);
    space = session_read_space(&s, &room);
    memcpy(space, "PING\r\n", 6);
    session_bytes_read(&s, 6);
    session_run_commands(&s, &core, LIMIT_PENDING_OUTPUT, NULL);
    CHECK(s.batch_argv_cap < 4001);

    /* 21 INCRs; the output limit of 1 byte stops the run after each reply,
     * and before resuming, the next INCR's bytes are read (the buffer
     * moves under the batch). Each counter must be 1, and replies in order. */
    s.out.len = 0;
    input.len = 0;
    for (int i = 0; i < 21; i++) {
        char incr[64];
        int n = snprintf(incr, sizeof incr, "*2\r\n$4\r\nINCR\r\n$3\r\nc%02d\r\n", i);
        buf_append(&input, incr, (size_t)n);
    }
    struct buf replies; /* what was "written", run after run */
    buf_init(&replies);
    size_t one = input.len / 21, fed = 20 * one, runs = 0;
    space = session_read_space(&s, &room);
    memcpy(space, input.data, fed); /* 20 at once: a batch of 16, then 4 */
    session_bytes_read(&s, fed);
    while (runs++ < 100 && (fed < input.len || s.in_done < s.in.len)) {
        session_run_commands(&s, &core, 1, NULL);
        buf_append(&replies, s.out.data, s.out.len);
        s.out.len = 0;
        if (fed < input.len) {
            space = session_read_space(&s, &room);
            memcpy(space, input.data + fed, one);
            session_bytes_read(&s, one);
            fed += one;
        }
    }
    CHECK(replies.len == 21 * 4);
    for (size_t i = 0; i < 21 && i * 4 + 4 <= replies.len; i++)
        CHECK(memcmp(replies.data + i * 4, ":1\r\n", 4) == 0);
    buf_free(&replies);
    CHECK(store_count(&core.store) == 2000 + 2 + 21);

    buf_free(&input);
    session_free(&s);
    core_free(&core);
}

/* ---- INFO, its counters, and CONFIG GET ---- */

/* Run a command given as C strings ending in NULL, and leave its reply in
 * s->client.out followed by a NUL, for strstr. */
static const char *reply_of(struct server *s, ...) {
    struct resp_arg argv[MAX_ARGS];
    size_t argc = 0;
    va_list ap;
    va_start(ap, s);
    for (const char *a = va_arg(ap, const char *); a != NULL && argc < MAX_ARGS;
         a = va_arg(ap, const char *)) {
        argv[argc++] = arg(a, strlen(a));
    }
    va_end(ap);
    s->client.out.len = 0;
    cmd_execute(&s->core, &s->client, argc, argv, s->now);
    buf_append(&s->client.out, "", 1);
    return s->client.out.data;
}

/* The section titles of an INFO reply, in order, as "Server,Clients,...". */
static void titles_of(const char *reply, char *titles, size_t size) {
    titles[0] = '\0';
    for (const char *p = strstr(reply, "# "); p != NULL; p = strstr(p + 1, "\r\n# ")) {
        if (p[0] == '\r') p += 2;
        size_t n = strcspn(p + 2, "\r");
        size_t used = strlen(titles);
        snprintf(titles + used, size - used, "%s%.*s", used > 0 ? "," : "", (int)n, p + 2);
    }
}

static int titles_are(struct server *s, const char *want, const char *arg1, const char *arg2) {
    char titles[256];
    titles_of(reply_of(s, "INFO", arg1, arg2, (const char *)NULL), titles, sizeof titles);
    if (strcmp(titles, want) == 0) return 1;
    fprintf(stderr, "  INFO %s %s: sections %s, expected %s\n", arg1 ? arg1 : "",
            arg2 ? arg2 : "", titles, want);
    return 0;
}

/* Which sections INFO shows, in Redis 7.0.15's order whatever the order
 * asked (Redis's own, less the sections we leave out), and how they are
 * framed: a title line, "name:value" lines, an empty line between
 * sections and none after the last. */
static void test_info_sections(void) {
    struct server s;
    server_init(&s);
    const char *defaults = "Server,Clients,Memory,Stats,CPU,Keyspace";
    const char *all = "Server,Clients,Memory,Stats,CPU,Commandstats,Keyspace";
    CHECK(titles_are(&s, defaults, NULL, NULL));
    CHECK(titles_are(&s, defaults, "default", NULL));
    CHECK(titles_are(&s, defaults, "DEFAULT", "server")); /* each once */
    CHECK(titles_are(&s, all, "all", NULL));
    CHECK(titles_are(&s, all, "everything", NULL));
    CHECK(titles_are(&s, all, "default", "commandstats"));
    CHECK(titles_are(&s, "CPU", "cpu", NULL));
    CHECK(titles_are(&s, "Memory,CPU", "CPU", "Memory"));
    CHECK(titles_are(&s, "Commandstats", "commandstats", "nosuch"));
    /* A name that is no section (nor one of Redis's we leave out) adds
     * nothing: INFO of it alone is empty text. */
    EXPECT(&s, "$0\r\n\r\n", "INFO", "nosuch");
    EXPECT(&s, "$0\r\n\r\n", "INFO", "persistence");
    EXPECT(&s, "$12\r\n# Keyspace\r\n\r\n", "INFO", "keyspace");
    EXPECT(&s, "$64\r\n# Clients\r\nconnected_clients:0\r\nmaxclients:10000\r\n\r\n# Keyspace\r\n\r\n",
           "INFO", "keyspace", "clients");
    EXPECT(&s, "+OK\r\n", "SET", "k", "v", "EX", "100");
    EXPECT(&s, "+OK\r\n", "SET", "k2", "v");
    EXPECT(&s, "$44\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n\r\n", "INFO", "keyspace");

    /* The fields Redis's own tests and tools read are there. */
    const char *reply = reply_of(&s, "INFO", "everything", (const char *)NULL);
    static const char *const fields[] = {
        "\r\nredis_version:7.0.15\r\n", "\r\nmultiplexing_api:none\r\n",
        "\r\nused_memory:", "\r\nused_memory_human:", "\r\nused_memory_rss:",
        "\r\nused_memory_rss_human:", "\r\ntotal_commands_processed:",
        "\r\ntotal_error_replies:0\r\n", "\r\nused_cpu_sys:", "\r\nused_cpu_user:",
        "\r\nused_cpu_sys_children:", "\r\nused_cpu_user_children:",
        "\r\ncmdstat_set:calls=2,", "\r\ndb0:keys=2,",
    };
    int all_there = 1;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strstr(reply, fields[i]) == NULL) {
            fprintf(stderr, "  INFO everything has no %s\n", fields[i] + 2);
            all_there = 0;
        }
    }
    CHECK(all_there);
    /* CPU times as Redis prints them: seconds and six digits. */
    long sec, usec;
    char dot[2];
    const char *cpu = strstr(reply, "\r\nused_cpu_user:");
    CHECK(cpu != NULL && sscanf(cpu, "\r\nused_cpu_user:%ld%1[.]%6ld", &sec, dot, &usec) == 3 &&
          strspn(strchr(cpu + 2, '.') + 1, "0123456789") == 6);
    server_free(&s);
}

/* used_memory is the store's count of its bytes (store.c), and its human
 * form is Redis's bytesToHuman: B below 1024, then K, M, ... with two
 * decimals. */
static void test_info_memory(void) {
    struct server s;
    server_init(&s);
    char want[128], line[128];
    EXPECT(&s, "+OK\r\n", "SET", "k", "v");
    size_t used = s.core.store.used_memory;
    CHECK(used > 0 && used < 1024);
    snprintf(want, sizeof want, "\r\nused_memory:%zu\r\nused_memory_human:%zuB\r\n", used, used);
    CHECK(strstr(reply_of(&s, "INFO", "memory", (const char *)NULL), want) != NULL);
    /* A value that brings the total to exactly 1536 bytes, then 1.5 MiB. */
    static const struct {
        size_t total;
        const char *human;
    } sizes[] = {{1536, "1.50K"}, {1024, "1.00K"}, {1572864, "1.50M"}, {1048575, "1024.00K"}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t value_len = sizes[i].total - (used - 1); /* 1: "v" */
        char *value = malloc(value_len + 1);
        memset(value, 'x', value_len);
        value[value_len] = '\0';
        EXPECT(&s, "+OK\r\n", "SET", "k", value);
        free(value);
        CHECK(s.core.store.used_memory == sizes[i].total);
        snprintf(line, sizeof line, "\r\nused_memory:%zu\r\nused_memory_human:%s\r\n",
                 sizes[i].total, sizes[i].human);
        int ok = strstr(reply_of(&s, "INFO", "memory", (const char *)NULL), line) != NULL;
        if (!ok) fprintf(stderr, "  no %s", line + 2);
        CHECK(ok);
    }
    server_free(&s);
}

/* One cmdstat line, checked whole: its counts as given, its usec whatever
 * it was (it is measured), and usec_per_call computed from them as Redis
 * does, in float, with two decimals. */
static int cmdstat_is(const char *reply, const char *name, long long calls, long long rejected,
                      long long failed) {
    char prefix[64], want[256];
    snprintf(prefix, sizeof prefix, "\r\ncmdstat_%s:", name);
    const char *line = strstr(reply, prefix);
    long long usec = -1;
    if (line == NULL || sscanf(line + strlen(prefix), "calls=%*d,usec=%lld,", &usec) != 1) {
        fprintf(stderr, "  no cmdstat_%s line\n", name);
        return 0;
    }
    float per_call = calls == 0 ? 0 : (float)usec / (float)calls;
    int n = snprintf(want, sizeof want,
                     "%scalls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
                     "failed_calls=%lld\r\n",
                     prefix, calls, usec, (double)per_call, rejected, failed);
    if (strncmp(line, want, (size_t)n) == 0) return 1;
    fprintf(stderr, "  expected %.*s", n - 2, want + 2);
    fprintf(stderr, "\n  got      %.*s\n", (int)strcspn(line + 2, "\r"), line + 2);
    return 0;
}

/* INFO commandstats counts as Redis does: a call for each run, a rejected
 * call for a wrong arity (the command never runs), a failed call for a run
 * that replied with an error; an unknown command has no line. Commands
 * never called have no line either; the lines are in the table's order. */
static void test_commandstats(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "$16\r\n# Commandstats\r\n\r\n", "INFO", "commandstats");
    EXPECT(&s, "$-1\r\n", "GET", "k");
    EXPECT(&s, "+OK\r\n", "SET", "k", "abc");
    EXPECT(&s, "$3\r\nabc\r\n", "GET", "k");
    EXPECT(&s, "$3\r\nabc\r\n", "get", "k");
    EXPECT(&s, "-ERR wrong number of arguments for 'get' command\r\n", "GET");
    EXPECT(&s, "-ERR value is not an integer or out of range\r\n", "INCR", "k");
    EXPECT(&s, ":1\r\n", "INCR", "n");
    EXPECT(&s, "-ERR wrong number of arguments for 'echo' command\r\n", "ECHO");
    EXPECT(&s, "-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b");
    EXPECT(&s, "-ERR unknown command 'nosuch', with args beginning with: \r\n", "nosuch");
    EXPECT(&s, "+OK\r\n", "QUIT");
    const char *reply = reply_of(&s, "INFO", "commandstats", (const char *)NULL);
    CHECK(cmdstat_is(reply, "get", 3, 1, 0));
    CHECK(cmdstat_is(reply, "set", 1, 0, 0));
    CHECK(cmdstat_is(reply, "incr", 2, 0, 1));
    CHECK(cmdstat_is(reply, "echo", 0, 1, 0)); /* refused only: still a line */
    CHECK(cmdstat_is(reply, "ping", 1, 0, 1)); /* PING checks its own arity */
    CHECK(cmdstat_is(reply, "quit", 1, 0, 0));
    CHECK(strstr(reply, "nosuch") == NULL);
    /* INFO is counted once it has run, as in Redis: this one not yet. */
    CHECK(cmdstat_is(reply, "info", 1, 0, 0));
    /* In the table's order: by name. */
    const char *order[] = {"echo", "get", "incr", "info", "ping", "quit", "set"};
    const char *last = reply;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "\r\ncmdstat_%s:", order[i]);
        const char *at = strstr(reply, name);
        CHECK(at != NULL && at > last);
        if (at != NULL) last = at;
    }
    /* Every command that ran (the two INFOs too, but not this one), and
     * every error reply, the unknown command's too, count in INFO stats. */
    reply = reply_of(&s, "INFO", "stats", (const char *)NULL);
    CHECK(strstr(reply, "\r\ntotal_commands_processed:10\r\n") != NULL);
    CHECK(strstr(reply, "\r\ntotal_error_replies:5\r\n") != NULL);
    CHECK(cmdstat_is(reply_of(&s, "INFO", "commandstats", (const char *)NULL), "info", 3, 0, 0));
    server_free(&s);

    /* The first command a server runs sees nothing counted yet. */
    server_init(&s);
    CHECK(strstr(reply_of(&s, "INFO", "stats", (const char *)NULL),
                 "\r\ntotal_commands_processed:0\r\n") != NULL);
    server_free(&s);
}

/* CONFIG GET with several arguments: each parameter once, however many
 * arguments match it; a name without * ? [ is looked up in any case and
 * answered as the client spelled it, a pattern matches in any case and is
 * answered with the parameter's own name (redis-server 7.0.15 does all of
 * this; it lists the pairs in its hash table's order, we by name). */
static void test_config_get(void) {
    struct server s;
    server_init(&s);
    EXPECT(&s, "*2\r\n$4\r\nport\r\n$4\r\n6379\r\n", "CONFIG", "GET", "port");
    EXPECT(&s, "*2\r\n$4\r\nPORT\r\n$4\r\n6379\r\n", "CONFIG", "GET", "PORT");
    EXPECT(&s, "*2\r\n$4\r\nPORT\r\n$4\r\n6379\r\n", "CONFIG", "GET", "PORT", "p*rt", "port");
    EXPECT(&s, "*2\r\n$4\r\nport\r\n$4\r\n6379\r\n", "CONFIG", "GET", "P*RT", "PORT");
    EXPECT(&s, "*4\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n$4\r\nport\r\n$4\r\n6379\r\n",
           "CONFIG", "GET", "port", "maxclients");
    EXPECT(&s, "*4\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$4\r\nsave\r\n$0\r\n\r\n", "CONFIG",
           "GET", "save", "nosuch", "[A-B]ppendonly", "S*");
    EXPECT(&s, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n", "CONFIG", "GET", "s\\av[e]");
    EXPECT(&s, "*0\r\n", "CONFIG", "GET", "s\\ave"); /* no * ? [: a name, and no such name */
    EXPECT(&s, "*0\r\n", "CONFIG", "GET", "nosuch", "po");
    server_free(&s);
}

int main(void) {
    test_session_pipeline();
    test_set_expiry();
    test_ttl();
    test_persist();
    test_expire_options();
    test_expire_past();
    test_ttl_kept_or_cleared();
    test_expired_keys();
    test_expired_keys_stat();
    test_keys();
    test_glob_nesting();
    test_scan_expired();
    test_scan_count();
    test_unknown_command();
    test_arity();
    test_lookup();
    test_select();
    test_quit();
    test_hello();
    test_info_sections();
    test_info_memory();
    test_commandstats();
    test_config_get();
    return check_report("test_commands");
}
