/*
 * test_scan.c - unit tests of store_scan (common/store.c), the walk behind
 * SCAN, and of its promise: a key present for a whole walk is visited at
 * least once, however the table grows, shrinks or rehashes between steps.
 *
 * The walks below change the store between steps the way clients would
 * between SCAN calls: they insert keys until the table doubles, delete them
 * until it shrinks, and leave rehashes half done. Each walk counts what it
 * saw happen, and the test checks that every case occurred, so that a
 * change to the store's resizing cannot quietly turn the test into one that
 * checks nothing. A cursor that is a plain bucket index fails it (see
 * test_shrink_mid_walk).
 */
#include "check.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fixed seed, so bucket layouts are the same on every run. */
static const unsigned char seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A walk never needs more steps than buckets; this bound only stops a
 * broken cursor that never returns to 0 from looping for ever. */
enum { MAX_STEPS = 1000000 };

/* The keys present throughout a walk are "stable:<i>"; the keys added and
 * removed to resize the table are "churn:<i>". */
enum { MAX_STABLE = 2000 };

struct seen {
    int times[MAX_STABLE]; /* how often each stable key was visited */
    size_t visits;         /* every visit, churn keys too */
    size_t expired_visits;
};

static void seen_visit(const struct entry *e, int expired, void *arg) {
    struct seen *seen = arg;
    seen->visits++;
    seen->expired_visits += expired != 0;
    const char prefix[] = "stable:";
    size_t n = sizeof prefix - 1;
    if (e->key_len > n && e->key_len < 20 && memcmp(entry_key(e), prefix, n) == 0) {
        char digits[20];
        memcpy(digits, entry_key(e) + n, e->key_len - n);
        digits[e->key_len - n] = '\0';
        int i = atoi(digits);
        if (i >= 0 && i < MAX_STABLE) seen->times[i]++;
    }
}

static void set_key(struct store *s, const char *prefix, int i) {
    char key[32];
    int n = snprintf(key, sizeof key, "%s:%d", prefix, i);
    store_set(s, key, (size_t)n, "v", 1, 0, 0);
}

static void delete_key(struct store *s, const char *prefix, int i) {
    char key[32];
    int n = snprintf(key, sizeof key, "%s:%d", prefix, i);
    store_delete(s, key, (size_t)n, 0);
}

static void finish_rehash(struct store *s) {
    while (store_rehash_step(s, 100)) {
    }
}

/* The size of the table new keys go to: the table, or while rehashing the
 * table being moved to. It changes when a resize begins. */
static size_t target_size(const struct store *s) {
    return s->rehash_index != -1 ? s->tables[1].size : s->tables[0].size;
}

/* ---- quiet tables ---- */

static void test_empty(void) {
    struct store s;
    store_init(&s, seed);
    struct seen seen = {{0}, 0, 0};
    /* No buckets at all yet: the walk is over at once, whatever the cursor. */
    CHECK(store_scan(&s, 0, 0, seen_visit, &seen) == 0);
    CHECK(store_scan(&s, 12345, 0, seen_visit, &seen) == 0);
    set_key(&s, "stable", 0);
    store_delete(&s, "stable:0", 8, 0);
    /* Buckets, but no keys. */
    CHECK(store_scan(&s, 0, 0, seen_visit, &seen) == 0);
    CHECK(seen.visits == 0);
    store_free(&s);
}

/* With 8 buckets the cursor runs 0 4 2 6 1 5 3 7: the indexes whose bits,
 * read backwards, count up (store.c explains why). */
static void test_cursor_order(void) {
    struct store s;
    store_init(&s, seed);
    for (int i = 0; i < 5; i++) set_key(&s, "stable", i); /* the fifth grows 4 to 8 */
    finish_rehash(&s);
    CHECK(s.tables[0].size == 8);
    const uint64_t want[] = {4, 2, 6, 1, 5, 3, 7, 0};
    struct seen seen = {{0}, 0, 0};
    uint64_t cursor = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cursor = store_scan(&s, cursor, 0, seen_visit, &seen);
        CHECK(cursor == want[i]);
    }
    for (int i = 0; i < 5; i++) CHECK(seen.times[i] == 1);

    /* Bits above the mask are ignored (a cursor from a bigger table, or
     * any number a client sends): 8 + 4 is bucket 4, and what follows 4. */
    CHECK(store_scan(&s, 12, 0, seen_visit, &seen) == 2);
    /* The last bucket, with every higher bit set too, ends the walk. */
    CHECK(store_scan(&s, UINT64_MAX, 0, seen_visit, &seen) == 0);
    store_free(&s);
}

/* Walk from 0 to 0 with no change between steps; returns the steps. */
static size_t quiet_walk(struct store *s, struct seen *seen) {
    uint64_t cursor = 0;
    size_t steps = 0;
    do {
        cursor = store_scan(s, cursor, 0, seen_visit, seen);
        steps++;
    } while (cursor != 0 && steps < MAX_STEPS);
    return steps;
}

/* With nothing changing, each key comes exactly once, whether or not a
 * rehash is under way. A walk takes one step per bucket, or mid-rehash one
 * per bucket of the smaller table (each step covers one of its buckets and
 * all the larger table's buckets inside it). */
static void test_quiet_exactly_once(void) {
    struct store s;
    store_init(&s, seed);
    int n = 1000;
    for (int i = 0; i < n; i++) set_key(&s, "stable", i);
    finish_rehash(&s);

    struct seen seen = {{0}, 0, 0};
    size_t steps = quiet_walk(&s, &seen);
    CHECK(steps == s.tables[0].size);
    int once = 1;
    for (int i = 0; i < n; i++) once &= seen.times[i] == 1;
    CHECK(once);
    CHECK(seen.visits == (size_t)n);

    /* Mid-rehash, growing: the 1025th key doubles 1024 buckets to 2048. */
    for (int i = n; i < 1025; i++) set_key(&s, "stable", i);
    CHECK(s.rehash_index != -1 && s.tables[1].size == 2 * s.tables[0].size);
    memset(&seen, 0, sizeof seen);
    steps = quiet_walk(&s, &seen);
    CHECK(steps == s.tables[0].size);
    once = 1;
    for (int i = 0; i < 1025; i++) once &= seen.times[i] == 1;
    CHECK(once);
    CHECK(seen.visits == 1025);

    /* Mid-rehash, shrinking: delete all but 100, then start the walk while
     * the move to the small table is under way. */
    finish_rehash(&s);
    for (int i = 100; i < 1025; i++) delete_key(&s, "stable", i);
    CHECK(s.rehash_index != -1 && s.tables[1].size < s.tables[0].size);
    memset(&seen, 0, sizeof seen);
    steps = quiet_walk(&s, &seen);
    CHECK(steps == s.tables[1].size);
    once = 1;
    for (int i = 0; i < 100; i++) once &= seen.times[i] == 1;
    CHECK(once);
    CHECK(seen.visits == 100);
    store_free(&s);
}

/* store_scan reports expired keys and leaves them in place: deleting them
 * is SCAN's business (cmd_scan). */
static void test_expired_reported(void) {
    struct store s;
    store_init(&s, seed);
    store_set(&s, "stable:0", 8, "v", 1, 0, 0);
    store_set(&s, "stable:1", 8, "v", 1, 100, 0);
    store_set(&s, "stable:2", 8, "v", 1, 200, 0);
    struct seen seen = {{0}, 0, 0};
    quiet_walk(&s, &seen); /* at time 0: nothing has expired */
    CHECK(seen.visits == 3 && seen.expired_visits == 0);

    memset(&seen, 0, sizeof seen);
    uint64_t cursor = 0;
    do {
        cursor = store_scan(&s, cursor, 150, seen_visit, &seen); /* stable:1 has expired */
    } while (cursor != 0);
    CHECK(seen.visits == 3 && seen.expired_visits == 1);
    CHECK(store_count(&s) == 3);
    store_free(&s);
}

/* ---- the promise, with the table changing between steps ---- */

/* What a walk saw happen between and at its steps. */
struct events {
    size_t steps;
    size_t grew;             /* resizes to a bigger table begun between steps */
    size_t shrank;           /* ... to a smaller one */
    size_t rehashing_grow;   /* steps that began during a rehash to a bigger table */
    size_t rehashing_shrink; /* ... to a smaller one */
};

/* How the store is changed between two steps of a walk. */
enum change { GROW, SHRINK, MIXED };

/* Numbers from a fixed linear congruential generator: the same on every
 * run and every C library, unlike rand(). */
static uint32_t next_random(uint32_t *state) {
    *state = *state * 1103515245u + 12345u;
    return *state >> 16;
}

struct walk_state {
    struct store s;
    int stable;       /* stable:0 .. stable:<stable-1> are present throughout */
    int churn_low;    /* churn:<churn_low> .. churn:<churn_high-1> are present */
    int churn_high;
    uint32_t random;
};

/* Insert n churn keys: the table grows when they fill it. */
static void add_churn(struct walk_state *w, int n) {
    for (int i = 0; i < n; i++) set_key(&w->s, "churn", w->churn_high++);
}

/* Delete up to n churn keys, oldest first: below 1/8 full the table shrinks. */
static void remove_churn(struct walk_state *w, int n) {
    for (int i = 0; i < n && w->churn_low < w->churn_high; i++) {
        delete_key(&w->s, "churn", w->churn_low++);
    }
}

static void change_store(struct walk_state *w, enum change how) {
    switch (how) {
    case GROW:
        /* Up to a bound: a table that grows as fast as the walk moves
         * would never let it finish. */
        if (w->churn_high < 4000) add_churn(w, 37);
        break;
    case SHRINK:
        /* The rehash steps stand for other clients' commands: the deletes
         * alone would run out before the first shrink's rehash ends, and
         * a second shrink waits for it. */
        remove_churn(w, 29);
        store_rehash_step(&w->s, 10);
        break;
    case MIXED: {
        uint32_t r = next_random(&w->random) % 8;
        if (r < 3) {
            add_churn(w, (int)(next_random(&w->random) % 200));
        } else if (r < 6) {
            remove_churn(w, (int)(next_random(&w->random) % 400));
        } else if (r == 6) {
            finish_rehash(&w->s); /* so that some steps begin with one table */
        } else {
            store_rehash_step(&w->s, (int)(next_random(&w->random) % 50));
        }
        break;
    }
    }
}

/* One walk from cursor 0 to 0, changing the store after every step. Every
 * stable key must have been visited. Returns 1 if so. */
static int walk_while_changing(struct walk_state *w, enum change how, struct events *ev) {
    struct seen *seen = calloc(1, sizeof *seen);
    if (seen == NULL) abort();
    uint64_t cursor = 0;
    do {
        if (w->s.rehash_index != -1) {
            if (w->s.tables[1].size > w->s.tables[0].size) {
                ev->rehashing_grow++;
            } else {
                ev->rehashing_shrink++;
            }
        }
        cursor = store_scan(&w->s, cursor, 0, seen_visit, seen);
        ev->steps++;
        size_t before = target_size(&w->s);
        change_store(w, how);
        size_t after = target_size(&w->s);
        ev->grew += after > before;
        ev->shrank += after < before;
    } while (cursor != 0 && ev->steps < MAX_STEPS);

    int missed = 0;
    for (int i = 0; i < w->stable; i++) {
        if (seen->times[i] == 0) {
            if (missed < 5) fprintf(stderr, "  stable:%d was never visited\n", i);
            missed++;
        }
    }
    if (missed > 0) fprintf(stderr, "  %d of %d stable keys missed\n", missed, w->stable);
    free(seen);
    return missed == 0 && cursor == 0;
}

static void walk_state_init(struct walk_state *w, int stable, int churn, uint32_t random) {
    store_init(&w->s, seed);
    w->stable = stable;
    w->churn_low = 0;
    w->churn_high = 0;
    w->random = random;
    for (int i = 0; i < stable; i++) set_key(&w->s, "stable", i);
    add_churn(w, churn);
}

/* The table doubles four times while the walk goes on: from 512 buckets
 * (300 keys) to 8192 (4300). A bucket-index cursor passes this one too:
 * after a doubling it only sees some keys twice. Shrinking is where it
 * loses keys. */
static void test_grow_mid_walk(void) {
    struct walk_state w;
    walk_state_init(&w, 300, 0, 1);
    finish_rehash(&w.s);
    struct events ev = {0, 0, 0, 0, 0};
    CHECK(walk_while_changing(&w, GROW, &ev));
    CHECK(ev.grew == 4);
    CHECK(ev.rehashing_grow > 0);
    store_free(&w.s);
}

/* The table shrinks, twice, while the walk goes on: from 8192 buckets to
 * 1024 once fewer than 1024 keys are left, then to 128. With a bucket
 * index for a cursor (the next cursor (v & mask) + 1), this walk missed
 * 12 of its 100 stable keys, and 8 of the 40 mixed walks below missed
 * some. */
static void test_shrink_mid_walk(void) {
    struct walk_state w;
    walk_state_init(&w, 100, 5000, 1);
    finish_rehash(&w.s);
    CHECK(w.s.tables[0].size == 8192);
    struct events ev = {0, 0, 0, 0, 0};
    CHECK(walk_while_changing(&w, SHRINK, &ev));
    CHECK(ev.shrank == 2);
    CHECK(ev.rehashing_shrink > 0);
    store_free(&w.s);
}

/* Many walks, each with its own random mix of inserts, deletes and rehash
 * steps between its steps; together they must have met every case. */
static void test_mixed_walks(void) {
    struct events ev = {0, 0, 0, 0, 0};
    int failed_walks = 0;
    for (uint32_t run = 1; run <= 40; run++) {
        struct walk_state w;
        walk_state_init(&w, 200 + (int)run * 20, (int)(run % 4) * 1000, run);
        if (!walk_while_changing(&w, MIXED, &ev)) {
            fprintf(stderr, "  (in mixed walk %u)\n", (unsigned)run);
            failed_walks++;
        }
        store_free(&w.s);
    }
    CHECK(failed_walks == 0);
    CHECK(ev.grew > 0);
    CHECK(ev.shrank > 0);
    CHECK(ev.rehashing_grow > 0);
    CHECK(ev.rehashing_shrink > 0);
    printf("mixed walks: %zu steps; %zu resizes up and %zu down begun between steps; "
           "%zu steps began mid-grow, %zu mid-shrink\n",
           ev.steps, ev.grew, ev.shrank, ev.rehashing_grow, ev.rehashing_shrink);
}

int main(void) {
    test_empty();
    test_cursor_order();
    test_quiet_exactly_once();
    test_expired_reported();
    test_grow_mid_walk();
    test_shrink_mid_walk();
    test_mixed_walks();
    return check_report("test_scan");
}
