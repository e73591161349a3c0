/*
 * test_store.c - unit tests of the key-value store (common/store.c).
 *
 * The store never reads the clock, so these tests drive time by passing
 * now_ms by hand, and they look inside struct store (rehash_index, the
 * tables) to check that resizing really is incremental and bounded.
 */
#include "check.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fixed seed, so bucket layouts are the same on every run. */
static const unsigned char seed[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Does key hold exactly this value at time now? */
static int holds(struct store *s, const char *key, size_t key_len, const char *value,
                 size_t value_len, int64_t now) {
    struct entry *e = store_find(s, key, key_len, now);
    return e != NULL && e->value_len == value_len &&
           memcmp(entry_value(e), value, value_len) == 0 && e->key_len == key_len &&
           memcmp(entry_key(e), key, key_len) == 0;
}

static int holds_str(struct store *s, const char *key, const char *value, int64_t now) {
    return holds(s, key, strlen(key), value, strlen(value), now);
}

static struct entry *set_str(struct store *s, const char *key, const char *value,
                             int64_t expire_at_ms) {
    return store_set(s, key, strlen(key), value, strlen(value), expire_at_ms, 0);
}

/* Finish any rehash under way. */
static void finish_rehash(struct store *s) {
    while (store_rehash_step(s, 100)) {
    }
}

static void test_basics(void) {
    struct store s;
    store_init(&s, seed);
    CHECK(store_count(&s) == 0);
    CHECK(store_find(&s, "a", 1, 0) == NULL);
    CHECK(store_delete(&s, "a", 1, 0) == 0);

    CHECK(set_str(&s, "a", "1", 0) != NULL);
    CHECK(set_str(&s, "b", "2", 0) != NULL);
    CHECK(store_count(&s) == 2);
    CHECK(holds_str(&s, "a", "1", 0));
    CHECK(holds_str(&s, "b", "2", 0));
    CHECK(store_find(&s, "c", 1, 0) == NULL);

    CHECK(store_delete(&s, "a", 1, 0) == 1);
    CHECK(store_delete(&s, "a", 1, 0) == 0);
    CHECK(store_find(&s, "a", 1, 0) == NULL);
    CHECK(holds_str(&s, "b", "2", 0));
    CHECK(store_count(&s) == 1);

    /* The store is usable again after store_free, and after store_clear. */
    store_free(&s);
    CHECK(store_count(&s) == 0);
    CHECK(store_find(&s, "b", 1, 0) == NULL);
    CHECK(set_str(&s, "c", "3", 0) != NULL);
    CHECK(holds_str(&s, "c", "3", 0));
    store_clear(&s);
    CHECK(store_count(&s) == 0);
    CHECK(set_str(&s, "d", "4", 0) != NULL);
    CHECK(holds_str(&s, "d", "4", 0));
    store_free(&s);
}

static void test_binary(void) {
    struct store s;
    store_init(&s, seed);
    const char key[] = "a\0b\r\n";  /* 5 bytes */
    const char value[] = "\0\r\n\0x"; /* 5 bytes */
    CHECK(store_set(&s, key, 5, value, 5, 0, 0) != NULL);
    CHECK(holds(&s, key, 5, value, 5, 0));
    /* Keys that agree up to the NUL, or are a prefix, are other keys. */
    CHECK(store_find(&s, "a\0c\r\n", 5, 0) == NULL);
    CHECK(store_find(&s, "a", 1, 0) == NULL);
    CHECK(store_find(&s, "a\0", 2, 0) == NULL);
    CHECK(store_set(&s, "a", 1, "plain", 5, 0, 0) != NULL);
    CHECK(store_count(&s) == 2);
    CHECK(holds(&s, key, 5, value, 5, 0));
    CHECK(holds(&s, "a", 1, "plain", 5, 0));
    store_free(&s);
}

static void test_replace(void) {
    struct store s;
    store_init(&s, seed);
    CHECK(set_str(&s, "k", "short", 0) != NULL);
    CHECK(set_str(&s, "k", "a much longer value than before", 0) != NULL);
    CHECK(holds_str(&s, "k", "a much longer value than before", 0));
    CHECK(set_str(&s, "k", "x", 0) != NULL);
    CHECK(holds_str(&s, "k", "x", 0));
    CHECK(store_count(&s) == 1);

    /* A value read from the entry being replaced is copied before the old
     * entry is freed. */
    struct entry *e = set_str(&s, "k", "self", 0);
    CHECK(store_set(&s, "k", 1, entry_value(e), e->value_len, 0, 0) != NULL);
    CHECK(holds_str(&s, "k", "self", 0));

    /* Replacing keys in the middle of chains keeps every chain intact. */
    char key[32], value[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "r%d", i);
        snprintf(value, sizeof value, "v%d", i);
        set_str(&s, key, value, 0);
    }
    for (int i = 0; i < 200; i += 3) {
        snprintf(key, sizeof key, "r%d", i);
        snprintf(value, sizeof value, "new%d", i);
        set_str(&s, key, value, 0);
    }
    int all_ok = 1;
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "r%d", i);
        snprintf(value, sizeof value, i % 3 == 0 ? "new%d" : "v%d", i);
        all_ok &= holds_str(&s, key, value, 0);
    }
    CHECK(all_ok);
    CHECK(store_count(&s) == 201);
    store_free(&s);
}

static void test_empty(void) {
    struct store s;
    store_init(&s, seed);
    CHECK(store_set(&s, "", 0, "v", 1, 0, 0) != NULL);
    CHECK(holds(&s, "", 0, "v", 1, 0));
    CHECK(store_set(&s, "k", 1, "", 0, 0, 0) != NULL);
    struct entry *e = store_find(&s, "k", 1, 0);
    CHECK(e != NULL && e->value_len == 0);
    CHECK(store_set(&s, "", 0, "", 0, 0, 0) != NULL);
    CHECK(holds(&s, "", 0, "", 0, 0));
    CHECK(store_append(&s, "", 0, "ab", 2, 0) != NULL);
    CHECK(holds(&s, "", 0, "ab", 2, 0));
    CHECK(store_append(&s, "k", 1, "", 0, 0) != NULL);
    CHECK(holds(&s, "k", 1, "", 0, 0));
    CHECK(store_count(&s) == 2);
    CHECK(store_delete(&s, "", 0, 0) == 1);
    CHECK(store_count(&s) == 1);

    /* A caller may pass NULL for zero bytes. */
    CHECK(store_set(&s, NULL, 0, NULL, 0, 0, 0) != NULL);
    CHECK(store_find(&s, NULL, 0, 0) != NULL);
    CHECK(store_append(&s, NULL, 0, NULL, 0, 0) != NULL);
    CHECK(holds(&s, "", 0, "", 0, 0));
    CHECK(store_delete(&s, NULL, 0, 0) == 1);
    CHECK(store_count(&s) == 1);
    store_free(&s);
}

static void test_append(void) {
    struct store s;
    store_init(&s, seed);

    /* Append creates a missing key, then extends it. */
    CHECK(store_append(&s, "k", 1, "ab", 2, 0) != NULL);
    CHECK(holds_str(&s, "k", "ab", 0));
    CHECK(store_append(&s, "k", 1, "c\0d", 3, 0) != NULL);
    CHECK(holds(&s, "k", 1, "abc\0d", 5, 0));
    CHECK(store_count(&s) == 1);

    /* Several keys in a small table, so some share a chain; appending big
     * chunks makes realloc move them, and each must be relinked where it
     * was. */
    enum { KEYS = 6, ROUNDS = 4, CHUNK = 200 * 1024 };
    char *chunk = malloc(CHUNK);
    CHECK(chunk != NULL);
    if (chunk == NULL) {
        store_free(&s);
        return;
    }
    char key[32];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "a%d", i);
        set_str(&s, key, "", 0);
    }
    int moved = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < KEYS; i++) {
            snprintf(key, sizeof key, "a%d", i);
            memset(chunk, 'a' + (i + round) % 26, CHUNK);
            struct entry *before = store_find(&s, key, strlen(key), 0);
            struct entry *after = store_append(&s, key, strlen(key), chunk, CHUNK, 0);
            CHECK(after != NULL);
            moved += before != after;
        }
    }
    CHECK(moved > 0);
    int all_ok = 1;
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof key, "a%d", i);
        struct entry *e = store_find(&s, key, strlen(key), 0);
        all_ok &= e != NULL && e->value_len == (uint32_t)ROUNDS * CHUNK;
        for (int round = 0; e != NULL && round < ROUNDS; round++) {
            const char *part = entry_value(e) + (size_t)round * CHUNK;
            char want = (char)('a' + (i + round) % 26);
            all_ok &= part[0] == want && part[CHUNK - 1] == want;
        }
    }
    CHECK(all_ok);
    CHECK(holds(&s, "k", 1, "abc\0d", 5, 0));
    CHECK(store_count(&s) == KEYS + 1);
    free(chunk);

    /* A value that would outgrow its 32-bit length is refused before any
     * byte is read, and the key is unchanged. */
    CHECK(store_append(&s, "k", 1, "x", (size_t)UINT32_MAX, 0) == NULL);
    CHECK(holds(&s, "k", 1, "abc\0d", 5, 0));
    if (SIZE_MAX > UINT32_MAX) {
        CHECK(store_set(&s, "k", 1, "x", (size_t)UINT32_MAX + 1, 0, 0) == NULL);
        CHECK(holds(&s, "k", 1, "abc\0d", 5, 0));
    }
    store_free(&s);
}

/* ---- growth and shrink ---- */

enum { MANY = 100000 };

static void key_of(int i, char *key, size_t size) {
    snprintf(key, size, "key:%d", i);
}

static void value_of(int i, char *value, size_t size) {
    snprintf(value, size, "val:%d", i);
}

/* What store_visit saw: how often each key, and whether any value was not
 * the one its key should have. */
struct seen {
    unsigned char *times;
    int bad;
    size_t total;
};

static void count_visit(const struct entry *e, void *arg) {
    struct seen *seen = arg;
    char key[32], value[32];
    seen->total++;
    if (e->key_len >= sizeof key || e->value_len >= sizeof value) {
        seen->bad++;
        return;
    }
    memcpy(key, entry_key(e), e->key_len);
    key[e->key_len] = '\0';
    memcpy(value, entry_value(e), e->value_len);
    value[e->value_len] = '\0';
    int i;
    if (sscanf(key, "key:%d", &i) != 1 || i < 0 || i >= MANY || strcmp(value + 3, key + 3) != 0 ||
        strncmp(value, "val:", 4) != 0) {
        seen->bad++;
        return;
    }
    if (seen->times[i] < 255) {
        seen->times[i]++;
    }
}

/* Check that exactly the keys with live[i] set are in the store, each once
 * and with its own value: first by store_visit, which does not rehash, so
 * it sees the two tables exactly as they are mid-rehash; then key by key
 * with store_find. Returns how many of those finds ran while a rehash was
 * under way. */
static size_t verify_all(struct store *s, const unsigned char *live, int upto) {
    struct seen seen = {calloc(MANY, 1), 0, 0};
    CHECK(seen.times != NULL);
    if (seen.times == NULL) {
        return 0;
    }
    size_t want = 0;
    for (int i = 0; i < upto; i++) {
        want += live[i];
    }
    CHECK(store_count(s) == want);

    store_visit(s, 0, count_visit, &seen);
    int once = 1;
    for (int i = 0; i < MANY; i++) {
        once &= seen.times[i] == (i < upto && live[i] ? 1 : 0);
    }
    CHECK(seen.bad == 0);
    CHECK(seen.total == want);
    CHECK(once);
    free(seen.times);

    size_t during_rehash = 0;
    int found_ok = 1;
    char key[32], value[32];
    for (int i = 0; i < upto; i++) {
        key_of(i, key, sizeof key);
        during_rehash += s->rehash_index != -1;
        if (live[i]) {
            value_of(i, value, sizeof value);
            found_ok &= holds_str(s, key, value, 0);
        } else {
            found_ok &= store_find(s, key, strlen(key), 0) == NULL;
        }
    }
    CHECK(found_ok);
    return during_rehash;
}

/* Verify once as each rehash starts and once when it is half done. The
 * finds in verify_all push the rehash along themselves, so "half done" may
 * never be seen for a rehash that the first check finished. */
struct checkpoints {
    size_t started_for; /* tables[1].size of the rehash last checked at its start */
    size_t halfway_for; /* ... and at its half */
    int rehashes_checked;
    size_t finds_during_rehash;
};

static void maybe_verify(struct store *s, struct checkpoints *cp, const unsigned char *live,
                         int upto) {
    if (s->rehash_index == -1) {
        return;
    }
    /* A rehash is named by its two sizes; the pair is different for each
     * rehash in a run that only grows or only shrinks. */
    size_t id = s->tables[0].size * 3 + s->tables[1].size;
    if (cp->started_for != id) {
        cp->started_for = id;
        cp->rehashes_checked++;
        cp->finds_during_rehash += verify_all(s, live, upto);
    } else if (cp->halfway_for != id && (size_t)s->rehash_index >= s->tables[0].size / 2) {
        cp->halfway_for = id;
        cp->finds_during_rehash += verify_all(s, live, upto);
    }
}

static void test_grow_and_shrink(void) {
    struct store s;
    store_init(&s, seed);
    unsigned char *live = calloc(MANY, 1);
    CHECK(live != NULL);
    if (live == NULL) {
        return;
    }
    char key[32], value[32];

    /* Grow from nothing to 100,000 keys, checking during each rehash. */
    struct checkpoints grow = {0, 0, 0, 0};
    int set_ok = 1, power_of_two = 1;
    for (int i = 0; i < MANY; i++) {
        key_of(i, key, sizeof key);
        value_of(i, value, sizeof value);
        set_ok &= set_str(&s, key, value, 0) != NULL;
        live[i] = 1;
        for (int t = 0; t < 2; t++) {
            size_t size = s.tables[t].size;
            power_of_two &= (size & (size - 1)) == 0;
        }
        maybe_verify(&s, &grow, live, i + 1);
    }
    CHECK(set_ok);
    CHECK(power_of_two);
    CHECK(grow.rehashes_checked >= 14); /* 4 -> 8 -> ... -> 131072 buckets */
    CHECK(grow.finds_during_rehash > 10000);
    finish_rehash(&s);
    CHECK(s.rehash_index == -1);
    CHECK(s.tables[1].buckets == NULL);
    CHECK(s.tables[0].size == 131072);
    verify_all(&s, live, MANY);

    /* The hash spreads keys that differ only in their last bytes: with
     * 100,000 keys in 131,072 buckets about 70,000 buckets are in use if
     * keys land at random, and no chain is long. */
    size_t nonempty = 0, longest = 0;
    for (size_t b = 0; b < s.tables[0].size; b++) {
        size_t len = 0;
        for (struct entry *e = s.tables[0].buckets[b]; e != NULL; e = e->next) {
            len++;
        }
        nonempty += len > 0;
        longest = len > longest ? len : longest;
    }
    CHECK(nonempty > 65000);
    CHECK(longest <= 12);

    /* Append to keys while a rehash is under way: they may sit in either
     * table and must stay linked where they are. */
    struct store small;
    store_init(&small, seed);
    int appended_during_rehash = 0;
    int append_ok = 1;
    for (int i = 0; i < 3000; i++) {
        key_of(i, key, sizeof key);
        append_ok &= store_append(&small, key, strlen(key), "val:", 4, 0) != NULL;
        if (small.rehash_index != -1) {
            for (int j = 0; j <= i; j += 7) {
                key_of(j, key, sizeof key);
                append_ok &= store_append(&small, key, strlen(key), "!", 1, 0) != NULL;
                append_ok &= store_append(&small, key, strlen(key), "", 0, 0) != NULL;
                appended_during_rehash++;
                store_set(&small, key, strlen(key), "val:", 4, 0, 0);
            }
        }
    }
    CHECK(append_ok);
    CHECK(appended_during_rehash > 0);
    int small_ok = store_count(&small) == 3000;
    for (int i = 0; i < 3000; i++) {
        key_of(i, key, sizeof key);
        small_ok &= holds_str(&small, key, "val:", 0);
    }
    CHECK(small_ok);
    store_free(&small);

    /* Delete all but every 100th key: the table shrinks, in steps. */
    struct checkpoints shrink = {0, 0, 0, 0};
    int delete_ok = 1;
    for (int i = 0; i < MANY; i++) {
        if (i % 100 == 0) {
            continue;
        }
        key_of(i, key, sizeof key);
        delete_ok &= store_delete(&s, key, strlen(key), 0) == 1;
        live[i] = 0;
        maybe_verify(&s, &shrink, live, MANY);
    }
    CHECK(delete_ok);
    CHECK(shrink.rehashes_checked >= 2);
    CHECK(shrink.finds_during_rehash > 1000);
    finish_rehash(&s);
    CHECK(store_count(&s) == MANY / 100);
    CHECK(s.tables[0].size <= 4096);
    CHECK(s.tables[0].size >= store_count(&s) / 2);
    verify_all(&s, live, MANY);

    /* Delete the rest: the table ends up small again. */
    for (int i = 0; i < MANY; i += 100) {
        key_of(i, key, sizeof key);
        delete_ok &= store_delete(&s, key, strlen(key), 0) == 1;
        live[i] = 0;
    }
    CHECK(delete_ok);
    finish_rehash(&s);
    CHECK(store_count(&s) == 0);
    CHECK(s.tables[0].size <= 64);
    free(live);
    store_free(&s);
}

/* One rehash step moves at most one bucket, after skipping at most ten
 * empty ones, whatever the table size. */
/* A key added during a rehash goes straight into the new table, whatever
 * bucket the rehash has reached, so a lookup must search the new table for
 * every key, not only for keys whose old bucket was moved. test_grow_and_
 * shrink cannot see this: the finds of its checks push each rehash along,
 * and finish it before they reach the newest keys. Here each new key is
 * looked up at once, while the rehash has barely begun. */
static void test_insert_during_rehash(void) {
    struct store s;
    store_init(&s, seed);
    char key[32], value[32];
    int i = 0;
    do {
        key_of(i, key, sizeof key);
        value_of(i, value, sizeof value);
        set_str(&s, key, value, 0);
        i++;
    } while (s.rehash_index == -1 || s.tables[0].size < 1024);
    int found = 1, still_rehashing = 1, deleted = 1;
    for (int added = 0; added < 64; added++, i++) {
        key_of(i, key, sizeof key);
        value_of(i, value, sizeof value);
        set_str(&s, key, value, 0);
        still_rehashing &= s.rehash_index != -1;
        found &= holds_str(&s, key, value, 0);
        found &= store_count(&s) == (size_t)i + 1;
    }
    /* Deleting them all, at once too, must find each one again. */
    for (int j = i - 64; j < i; j++) {
        key_of(j, key, sizeof key);
        deleted &= store_delete(&s, key, strlen(key), 0) == 1;
    }
    CHECK(still_rehashing);
    CHECK(found);
    CHECK(deleted);
    CHECK(store_count(&s) == (size_t)i - 64);
    store_free(&s);
}

static void test_bounded_step(void) {
    struct store s;
    store_init(&s, seed);
    char key[32];

    /* Fill until a grow starts, then walk that rehash one step at a time. */
    int i = 0;
    do {
        key_of(i, key, sizeof key);
        set_str(&s, key, "v", 0);
        i++;
    } while (s.rehash_index == -1 || s.tables[0].size < 8192);
    int bounded = 1, steps = 0;
    while (s.rehash_index != -1) {
        size_t from = (size_t)s.rehash_index;
        size_t nonempty = 0;
        for (size_t b = from; b < from + 11 && b < s.tables[0].size; b++) {
            nonempty += s.tables[0].buckets[b] != NULL;
        }
        size_t moved_before = s.tables[1].used;
        struct entry *first_chain = NULL;
        for (size_t b = from; b < s.tables[0].size && first_chain == NULL; b++) {
            first_chain = s.tables[0].buckets[b];
        }
        size_t chain_len = 0;
        for (struct entry *e = first_chain; e != NULL; e = e->next) {
            chain_len++;
        }
        int more = store_rehash_step(&s, 1);
        steps++;
        if (more) {
            size_t to = (size_t)s.rehash_index;
            size_t emptied = 0;
            for (size_t b = from; b < to; b++) {
                bounded &= s.tables[0].buckets[b] == NULL;
            }
            emptied = nonempty;
            for (size_t b = from; b < from + 11 && b < s.tables[0].size; b++) {
                emptied -= s.tables[0].buckets[b] != NULL;
            }
            bounded &= to > from && to - from <= 11;
            bounded &= emptied <= 1;
            /* What moved is exactly one chain, or nothing. */
            size_t moved = s.tables[1].used - moved_before;
            bounded &= moved == 0 || moved == chain_len;
        }
    }
    CHECK(bounded);
    CHECK(steps > 100);
    CHECK(s.tables[1].buckets == NULL && s.tables[1].size == 0);

    /* After a big shrink the old table is nearly all empty buckets; a step
     * still stops after ten of them. */
    int n = i;
    for (int j = 0; j < n; j++) {
        if (j % 50 != 0) {
            key_of(j, key, sizeof key);
            store_delete(&s, key, strlen(key), 0);
        }
        if (s.rehash_index != -1 && s.tables[0].size >= 8192) {
            break;
        }
    }
    CHECK(s.rehash_index != -1);
    bounded = 1;
    while (s.rehash_index != -1) {
        long from = s.rehash_index;
        if (store_rehash_step(&s, 1)) {
            bounded &= s.rehash_index > from && s.rehash_index - from <= 11;
        }
    }
    CHECK(bounded);
    store_free(&s);
}

/* ---- expiry ---- */

static void test_expiry_basics(void) {
    struct store s;
    store_init(&s, seed);

    /* Live at its expiry millisecond, gone just after (as Redis). */
    CHECK(set_str(&s, "a", "1", 1000) != NULL);
    CHECK(s.volatile_keys == 1);
    CHECK(holds_str(&s, "a", "1", 999));
    CHECK(holds_str(&s, "a", "1", 1000));
    CHECK(store_count(&s) == 1);
    CHECK(store_find(&s, "a", 1, 1001) == NULL);
    CHECK(store_count(&s) == 0); /* deleted lazily by the find */
    CHECK(s.volatile_keys == 0);

    /* Delete of an expired key reclaims it but reports nothing deleted. */
    set_str(&s, "b", "2", 1000);
    CHECK(store_count(&s) == 1);
    CHECK(store_delete(&s, "b", 1, 2000) == 0);
    CHECK(store_count(&s) == 0);
    CHECK(s.volatile_keys == 0);

    /* Append to an expired key starts a fresh key with no expiry. */
    set_str(&s, "c", "old", 1000);
    CHECK(store_append(&s, "c", 1, "new", 3, 2000) != NULL);
    CHECK(holds_str(&s, "c", "new", 2000));
    CHECK(store_find(&s, "c", 1, 2000)->expire_at_ms == 0);
    CHECK(s.volatile_keys == 0);

    /* Append to a live key keeps its expiry. */
    set_str(&s, "d", "x", 5000);
    CHECK(store_append(&s, "d", 1, "y", 1, 2000) != NULL);
    CHECK(holds_str(&s, "d", "xy", 2000));
    CHECK(store_find(&s, "d", 1, 2000)->expire_at_ms == 5000);
    CHECK(s.volatile_keys == 1);
    store_clear(&s);
    CHECK(s.volatile_keys == 0);

    /* volatile_keys through every way an expiry comes and goes. */
    set_str(&s, "k", "v", 0);
    CHECK(s.volatile_keys == 0);
    set_str(&s, "k", "v", 5000); /* overwrite: none -> some */
    CHECK(s.volatile_keys == 1);
    set_str(&s, "k", "v", 6000); /* overwrite: some -> some */
    CHECK(s.volatile_keys == 1);
    set_str(&s, "k", "v", 0); /* overwrite: some -> none */
    CHECK(s.volatile_keys == 0);
    struct entry *e = store_find(&s, "k", 1, 0);
    store_set_expire(&s, e, 5000);
    CHECK(s.volatile_keys == 1);
    store_set_expire(&s, e, 7000);
    CHECK(s.volatile_keys == 1);
    CHECK(store_find(&s, "k", 1, 6000) != NULL);
    store_set_expire(&s, e, 0);
    CHECK(s.volatile_keys == 0);
    CHECK(store_find(&s, "k", 1, 100000) != NULL);
    set_str(&s, "k", "v", 5000);
    set_str(&s, "j", "v", 5000);
    CHECK(s.volatile_keys == 2);
    CHECK(store_delete(&s, "k", 1, 0) == 1);
    CHECK(s.volatile_keys == 1);
    /* Overwriting an expired-but-unreclaimed key counts once, not twice. */
    set_str(&s, "j", "w", 8000);
    CHECK(s.volatile_keys == 1);
    CHECK(store_count(&s) == 1);
    store_free(&s);
    CHECK(s.volatile_keys == 0);
}

struct live_count {
    size_t n;
};

static void count_live(const struct entry *e, void *arg) {
    (void)e;
    ((struct live_count *)arg)->n++;
}

/* Half the keys expire at 1000, four in ten at 5000, one in ten never. */
static int64_t expiry_of(int i) {
    return i % 10 < 5 ? 1000 : i % 10 < 9 ? 5000 : 0;
}

static void test_reclaim(void) {
    struct store s;
    store_init(&s, seed);
    enum { N = 10000 };
    char key[32];

    struct store_sample sample = {1, 1};
    /* Nothing can expire: returns at once, touching nothing, not even a
     * rehash under way. */
    CHECK(store_reclaim_expired(&s, 0, 20, 100, &sample) == 0);
    CHECK(sample.with_ttl == 0 && sample.without_ttl == 0);
    int i = 0;
    while (s.rehash_index == -1) {
        key_of(i++, key, sizeof key);
        set_str(&s, key, "v", 0);
    }
    long rehash_at = s.rehash_index;
    CHECK(store_reclaim_expired(&s, 5000, 20, 100, &sample) == 0);
    CHECK(sample.with_ttl == 0 && sample.without_ttl == 0);
    CHECK(s.expire_cursor == 0);
    CHECK(s.rehash_index == rehash_at);
    store_clear(&s);

    /* Stop while a rehash is under way, so the sweep meets two tables. */
    i = 0;
    size_t expiring = 0, later = 0;
    while (i < N || s.rehash_index == -1) {
        key_of(i, key, sizeof key);
        int64_t when = expiry_of(i);
        set_str(&s, key, "v", when);
        expiring += when == 1000;
        later += when == 5000;
        i++;
    }
    int total = i;
    CHECK(s.rehash_index != -1);
    CHECK(s.volatile_keys == expiring + later);

    /* store_visit skips expired keys without deleting them. */
    struct live_count live = {0};
    store_visit(&s, 2000, count_live, &live);
    CHECK(live.n == (size_t)total - expiring);
    CHECK(store_count(&s) == (size_t)total);

    /* Small samples, repeated, get every expired key and no live one. */
    size_t reclaimed = 0;
    int calls = 0;
    while (reclaimed < expiring && calls < 100000) {
        size_t got = store_reclaim_expired(&s, 2000, 4, 16, &sample);
        CHECK(got <= sample.with_ttl);
        reclaimed += got;
        calls++;
    }
    CHECK(reclaimed == expiring);
    CHECK(calls > 100); /* it really was spread over many calls */
    CHECK(store_count(&s) == (size_t)total - expiring);
    CHECK(s.volatile_keys == later);
    /* A sample allowed more buckets than there are visits each bucket
     * once: it looks at every key with a TTL left, once, and none has
     * expired. */
    CHECK(store_reclaim_expired(&s, 2000, SIZE_MAX, 1000000, &sample) == 0);
    CHECK(sample.with_ttl == later);
    CHECK(sample.without_ttl == (size_t)total - expiring - later);

    int live_ok = 1;
    for (int j = 0; j < total; j++) {
        key_of(j, key, sizeof key);
        int64_t when = expiry_of(j);
        struct entry *e = store_find(&s, key, strlen(key), 2000);
        live_ok &= when == 1000 ? e == NULL : (e != NULL && e->expire_at_ms == when);
    }
    CHECK(live_ok);

    /* Later, the rest go too, and the table shrinks. */
    reclaimed = 0;
    calls = 0;
    while (reclaimed < later && calls < 100000) {
        reclaimed += store_reclaim_expired(&s, 6000, 64, 64, &sample);
        calls++;
    }
    CHECK(reclaimed == later);
    CHECK(s.volatile_keys == 0);
    CHECK(store_count(&s) == (size_t)total - expiring - later);
    finish_rehash(&s);
    CHECK(s.tables[0].size <= 2048);
    store_free(&s);
}

/* A sample counts the keys with a TTL apart from the others, and stops
 * once it has looked at max_keys of them, at the end of that bucket. */
static void test_reclaim_sample(void) {
    struct store s;
    store_init(&s, seed);
    char key[32];
    struct store_sample sample;

    /* 2000 keys without a TTL and one with: a sample of the whole table
     * passes over the 2000 and looks at the one. */
    for (int i = 0; i < 2000; i++) {
        key_of(i, key, sizeof key);
        set_str(&s, key, "v", 0);
    }
    finish_rehash(&s);
    set_str(&s, "ttl", "v", 1000);
    size_t buckets = s.tables[0].size + s.tables[1].size;
    CHECK(store_reclaim_expired(&s, 500, 20, buckets, &sample) == 0);
    CHECK(sample.with_ttl == 1 && sample.without_ttl == 2000);
    /* Once it is gone, nothing is left that can expire: the walk stops. */
    CHECK(store_reclaim_expired(&s, 2000, 20, buckets, &sample) == 1);
    CHECK(sample.with_ttl == 1 && sample.without_ttl < 2000);
    CHECK(s.volatile_keys == 0);
    CHECK(store_count(&s) == 2000);

    /* 2000 keys with a TTL, none expired: a sample of 20 stops at 20, or
     * a little past it if the last bucket held more than one. */
    store_clear(&s);
    for (int i = 0; i < 2000; i++) {
        key_of(i, key, sizeof key);
        set_str(&s, key, "v", 1000);
    }
    finish_rehash(&s);
    CHECK(s.expire_cursor == 0);
    CHECK(store_reclaim_expired(&s, 500, 20, 400, &sample) == 0);
    CHECK(sample.with_ttl >= 20 && sample.with_ttl < 30 && sample.without_ttl == 0);
    CHECK(s.expire_cursor > 0 && s.expire_cursor < 400);
    /* All expired: the same sample deletes what it looked at, and counts
     * them for INFO's expired_keys. */
    size_t removed = s.expired_removed;
    size_t got = store_reclaim_expired(&s, 2000, 20, 400, &sample);
    CHECK(got == sample.with_ttl && got >= 20 && got < 30);
    CHECK(s.expired_removed - removed == got);

    /* Mid-rehash, the buckets of the old table that the rehash has emptied
     * are skipped, not walked. */
    store_clear(&s);
    int i = 0;
    while (s.rehash_index == -1 || s.rehash_index < 100) {
        key_of(i++, key, sizeof key);
        set_str(&s, key, "v", 1000);
    }
    CHECK(s.expire_cursor == 0);
    store_reclaim_expired(&s, 500, 1, 1, &sample);
    CHECK(s.expire_cursor > 100);
}

/* ---- used_memory ---- */

/* What used_memory should be, counted the slow way: every entry's block
 * and every bucket array of the two tables. */
static size_t memory_by_walking(const struct store *s) {
    size_t total = 0;
    for (int t = 0; t < 2; t++) {
        const struct table *tab = &s->tables[t];
        total += tab->size * sizeof *tab->buckets;
        for (size_t i = 0; i < tab->size; i++) {
            for (const struct entry *e = tab->buckets[i]; e != NULL; e = e->next) {
                total += sizeof *e + e->key_len + e->value_len;
            }
        }
    }
    return total;
}

/* The running total must equal the walk after every kind of change: new
 * keys, replaced values (larger and smaller), appends, deletes, lazy and
 * active expiry, growing and shrinking with their rehashes, and a clear. */
static void test_used_memory(void) {
    struct store s;
    store_init(&s, seed);
    CHECK(s.used_memory == 0);
    int ok = 1;
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "key:%d", i);
        /* every third key expires at time 100 */
        set_str(&s, key, "value", i % 3 == 0 ? 100 : 0);
        ok &= s.used_memory == memory_by_walking(&s);
    }
    CHECK(ok);
    CHECK(s.used_memory > 1000 * (sizeof(struct entry) + 10)); /* entries and buckets */
    set_str(&s, "key:1", "a much longer value than before", 0);
    CHECK(s.used_memory == memory_by_walking(&s));
    set_str(&s, "key:1", "", 0);
    CHECK(s.used_memory == memory_by_walking(&s));
    size_t before = s.used_memory;
    CHECK(store_append(&s, "key:2", 5, "more", 4, 0) != NULL);
    CHECK(s.used_memory == before + 4);
    CHECK(store_append(&s, "new", 3, "abc", 3, 0) != NULL);
    CHECK(s.used_memory == memory_by_walking(&s));
    /* Lazy expiry, then the sweep. */
    CHECK(store_find(&s, "key:0", 5, 200) == NULL);
    CHECK(s.used_memory == memory_by_walking(&s));
    struct store_sample sample;
    while (store_reclaim_expired(&s, 200, 20, 100, &sample) > 0) {
    }
    CHECK(s.used_memory == memory_by_walking(&s));
    /* Deleting nearly everything shrinks the table. */
    ok = 1;
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "key:%d", i);
        store_delete(&s, key, strlen(key), 200);
        ok &= s.used_memory == memory_by_walking(&s);
    }
    CHECK(ok);
    finish_rehash(&s);
    CHECK(s.used_memory == memory_by_walking(&s));
    CHECK(s.tables[0].size < 1000);
    store_clear(&s);
    CHECK(s.used_memory == 0);
    store_free(&s);
}

static void test_visit(void) {
    struct store s;
    store_init(&s, seed);
    unsigned char *live = calloc(MANY, 1);
    CHECK(live != NULL);
    if (live == NULL) {
        return;
    }
    char key[32], value[32];
    for (int i = 0; i < 1000; i++) {
        key_of(i, key, sizeof key);
        value_of(i, value, sizeof value);
        set_str(&s, key, value, i % 2 == 0 ? 0 : 1000);
        live[i] = 1;
    }
    /* Before the expiry, all 1000 are visited once each. */
    struct seen seen = {calloc(MANY, 1), 0, 0};
    if (seen.times != NULL) {
        store_visit(&s, 1000, count_visit, &seen);
        int once = 1;
        for (int i = 0; i < 1000; i++) {
            once &= seen.times[i] == 1;
        }
        CHECK(once && seen.bad == 0 && seen.total == 1000);
        /* After it, only the even ones, and nothing is deleted. */
        memset(seen.times, 0, MANY);
        seen.total = 0;
        store_visit(&s, 1001, count_visit, &seen);
        once = 1;
        for (int i = 0; i < 1000; i++) {
            once &= seen.times[i] == (i % 2 == 0);
        }
        CHECK(once && seen.bad == 0 && seen.total == 500);
        CHECK(store_count(&s) == 1000);
        free(seen.times);
    }
    free(live);
    store_free(&s);
}

/* Replacing a key that has already expired counts as its expiry (INFO's
 * expired_keys), as Redis counts it; replacing a live key does not. */
static void test_set_over_expired(void) {
    struct store s;
    store_init(&s, seed);
    CHECK(store_set(&s, "k", 1, "old", 3, 1000, 0) != NULL);
    CHECK(store_set(&s, "k", 1, "new", 3, 0, 1000) != NULL); /* still live at 1000 */
    CHECK(s.expired_removed == 0);
    CHECK(store_set(&s, "k", 1, "again", 5, 1000, 1000) != NULL);
    CHECK(store_set(&s, "k", 1, "last", 4, 0, 1001) != NULL); /* expired at 1001 */
    CHECK(s.expired_removed == 1);
    CHECK(s.volatile_keys == 0);
    CHECK(store_count(&s) == 1);
    store_free(&s);
}

/* store_prefetch is a hint: on an empty store, mid-rehash, with more keys
 * than it takes, with absent and binary keys, it changes nothing. */
static void test_prefetch(void) {
    struct store s;
    store_init(&s, seed);
    struct store_key keys[40];
    char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "name:%d", i);
        keys[i].bytes = names[i];
        keys[i].len = strlen(names[i]);
    }
    store_prefetch(&s, keys, 40); /* no buckets at all yet */
    CHECK(store_count(&s) == 0);
    for (int i = 0; i < 20; i++) {
        set_str(&s, names[i], "v", 0);
    }
    /* Grow until a rehash is under way, so that both tables are read. */
    char key[32];
    int i = 20;
    while (s.rehash_index == -1) {
        key_of(i++, key, sizeof key);
        set_str(&s, key, "v", 0);
    }
    size_t count = store_count(&s);
    long rehash_index = s.rehash_index;
    store_prefetch(&s, keys, 40);
    struct store_key odd[2] = {{"", 0}, {"\0\r\n", 3}};
    store_prefetch(&s, odd, 2);
    CHECK(store_count(&s) == count);
    CHECK(s.rehash_index == rehash_index); /* not even a rehash step */
    CHECK(holds_str(&s, "name:0", "v", 0));
    CHECK(holds_str(&s, "name:19", "v", 0));
    CHECK(store_find(&s, "name:39", 7, 0) == NULL);
    store_free(&s);
}

int main(void) {
    test_set_over_expired();
    test_prefetch();
    test_basics();
    test_binary();
    test_replace();
    test_empty();
    test_append();
    test_grow_and_shrink();
    test_insert_during_rehash();
    test_bounded_step();
    test_expiry_basics();
    test_reclaim();
    test_reclaim_sample();
    test_visit();
    test_used_memory();
    return check_report("test_store");
}
