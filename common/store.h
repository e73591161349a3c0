/*
 * store.h - the key-value store: a hash table of binary-safe strings.
 *
 * Keys and values are arbitrary bytes (NUL and CR LF included). The table
 * grows and shrinks by incremental rehashing: while a resize is under way
 * there are two tables, and every operation moves a few buckets from the
 * old one to the new one, so no single command pays for the whole move.
 *
 * Expiry is by absolute time in milliseconds. The store never reads the
 * clock itself: every call that can meet an expired key takes `now_ms`
 * from the caller. That keeps the store deterministic and lets the unit
 * tests drive time by hand.
 *
 * The store does no locking; step02 puts one mutex around it.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

/* One key and its value, allocated as a single block: the header, then the
 * key bytes, then the value bytes. One allocation per key keeps memory per
 * key small (see TUTORIAL.md, chapter 9). */
struct entry {
    struct entry *next;   /* next entry in the same bucket */
    int64_t expire_at_ms; /* absolute expiry time; 0 means none */
    uint32_t key_len;
    uint32_t value_len;
    char bytes[];         /* key_len key bytes, then value_len value bytes */
};

struct table {
    struct entry **buckets; /* NULL when the table is unused */
    size_t size;            /* number of buckets: 0 or a power of two */
    size_t used;            /* number of entries */
};

struct store {
    struct table tables[2]; /* tables[1] is in use only while rehashing */
    long rehash_index;      /* next bucket of tables[0] to move; -1 when not rehashing */
    size_t volatile_keys;   /* entries with an expiry set (for INFO keyspace) */
    size_t expire_cursor;   /* where store_reclaim_expired resumes its sweep */
    size_t expired_removed; /* keys removed because they expired, lazily or
                               by the sweep: INFO's expired_keys */
    size_t used_memory;     /* bytes of the entries' blocks and the bucket
                               arrays: INFO's used_memory (store.c says
                               what it leaves out) */
    unsigned char hash_seed[16]; /* secret key of the hash function */
};

/* The seed keys the hash function (SipHash). A server passes random bytes,
 * so a client cannot choose keys that all land in one bucket; tests pass a
 * fixed seed to be repeatable. */
void store_init(struct store *s, const unsigned char seed[16]);
void store_free(struct store *s); /* frees every entry; the store is then empty */

/* Find a live key. An expired key is deleted on the way and NULL returned. */
struct entry *store_find(struct store *s, const char *key, size_t key_len, int64_t now_ms);

/* Accessors for an entry's bytes. */
const char *entry_key(const struct entry *e);
const char *entry_value(const struct entry *e);

/* Set key to value, replacing any old value. expire_at_ms is the new
 * absolute expiry (0 for none). An old value already expired at now_ms is
 * counted in expired_removed, as if it had expired first, as Redis counts
 * it. Pointers from earlier store_find calls are invalid afterwards.
 * Returns the new entry, or NULL, with the store unchanged, when the key
 * or the value is 4 GiB or more (an entry's lengths are 32 bits). Running
 * out of memory aborts, as everywhere in the server (mem.h). */
struct entry *store_set(struct store *s, const char *key, size_t key_len,
                        const char *value, size_t value_len, int64_t expire_at_ms,
                        int64_t now_ms);

/* Append bytes to a key's value, creating the key if absent (keeps any
 * expiry). The entry may move in memory, so pointers from earlier
 * store_find calls are invalid afterwards, and `more` must not point into
 * the store. Returns the entry, or NULL, with the store unchanged, when the
 * value would reach 4 GiB. */
struct entry *store_append(struct store *s, const char *key, size_t key_len,
                           const char *more, size_t more_len, int64_t now_ms);

/* Change the expiry of an existing entry (0 removes it). */
void store_set_expire(struct store *s, struct entry *e, int64_t expire_at_ms);

/* Delete a key. Returns 1 if a live key was deleted, 0 otherwise. */
int store_delete(struct store *s, const char *key, size_t key_len, int64_t now_ms);

/* A key to look for: len bytes at `bytes`. */
struct store_key {
    const char *bytes;
    size_t len;
};

/* The most keys store_prefetch uses; it ignores any beyond. */
enum { STORE_PREFETCH_MAX = 32 };

/* A hint, with no effect on the contents: the next lookups will be of these
 * n keys. Starts the memory loads they need now, all at once, so that their
 * cache misses overlap instead of each lookup waiting for its own. */
void store_prefetch(const struct store *s, const struct store_key *keys, int n);

/* Keys currently held, including expired keys not yet reclaimed (as Redis's
 * DBSIZE counts them). */
size_t store_count(const struct store *s);

/* Remove every key. */
void store_clear(struct store *s);

/* Visit every live key, in no particular order. The callback must not
 * change the store. */
typedef void (*store_visit_fn)(const struct entry *e, void *arg);
void store_visit(const struct store *s, int64_t now_ms, store_visit_fn fn, void *arg);

/* One step of SCAN: visit the bucket (or, mid-rehash, the buckets) at
 * `cursor` and return the cursor to pass next, 0 when the walk is done.
 * Start at 0. A key present throughout a walk is visited at least once,
 * however the table grows, shrinks or rehashes between steps; keys may be
 * visited twice after a shrink (store.c explains the cursor). Expired keys
 * are visited too, with expired set to 1: SCAN decides what to do with
 * them. The callback must not change the store. An empty store visits
 * nothing and returns 0. */
typedef void (*store_scan_fn)(const struct entry *e, int expired, void *arg);
uint64_t store_scan(const struct store *s, uint64_t cursor, int64_t now_ms, store_scan_fn fn,
                    void *arg);

/* What one sample of active expiry looked at. */
struct store_sample {
    size_t with_ttl;    /* keys with a TTL looked at (expired or not) */
    size_t without_ttl; /* keys without one, passed over */
};

/* Active expiry's one sample, for the cycle in core.c: walk buckets from
 * where the last call stopped, deleting the expired keys, until max_keys
 * keys with a TTL have been looked at (the bucket where that happens is
 * finished) or max_buckets buckets visited, and fill in *sample. Returns
 * the number deleted, each counted in expired_removed. With no key with a
 * TTL in the store it returns at once. */
size_t store_reclaim_expired(struct store *s, int64_t now_ms, size_t max_keys,
                             size_t max_buckets, struct store_sample *sample);

/* Do up to n steps of incremental rehashing (each moves one bucket, after
 * skipping at most 10 empty ones). Called by every operation above; exposed
 * for tests. Returns 1 while a rehash is still under way. */
int store_rehash_step(struct store *s, int n);

#endif
