/*
 * store.c - the key-value store: a hash table with incremental rehashing.
 *
 * Each bucket holds a singly linked chain of entries, and each entry is one
 * malloc'd block holding its key and value. The table doubles when it holds
 * as many keys as buckets and shrinks when it is less than 1/8 full. A
 * resize does not move every key at once: it opens a second table and each
 * later operation moves one bucket across, the way Redis's dict.c does.
 *
 * Expired keys are removed two ways, as in Redis: lazily, when an operation
 * meets one, and actively, by store_reclaim_expired looking at a few keys
 * at a time for the timer's expiry cycle (core_reclaim_expired, core.c).
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* The smallest table. Every table size is a power of two, so a hash maps to
 * a bucket with a mask instead of a division. */
enum { STORE_MIN_BUCKETS = 4 };

/* A rehash step may skip this many empty buckets before giving up. After a
 * big shrink most buckets of the old table are empty; without this bound one
 * step could walk millions of them looking for a key to move. */
enum { STORE_EMPTY_VISITS_PER_STEP = 10 };

/* ---- SipHash-1-2 ----
 *
 * Written from the description in Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF" (2012). Redis uses the 1-2 variant (one compression round
 * per word, two finalization rounds): it is still keyed, so a client that
 * does not know the seed cannot aim many keys at one bucket, and it is
 * faster than the 2-4 variant the paper recommends as a MAC. */

/* The helpers below are `inline`: every command hashes its key at least
 * once, and as separate calls (which GCC's -O2 left them) the four state
 * words went through memory on every round. Inlined, a 16-byte key costs
 * about 130 instructions instead of 210 (counted with callgrind). */

static inline uint64_t rotl64(uint64_t x, int bits) {
    return (x << bits) | (x >> (64 - bits));
}

/* Bytes from the network have no alignment, and the hash is defined on
 * little-endian words whatever the machine's byte order, so build each word
 * a byte at a time. Compilers turn this into one load where that is safe. */
static inline uint64_t load_le64(const unsigned char *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *st) {
    st->v0 += st->v1;
    st->v1 = rotl64(st->v1, 13);
    st->v1 ^= st->v0;
    st->v0 = rotl64(st->v0, 32);
    st->v2 += st->v3;
    st->v3 = rotl64(st->v3, 16);
    st->v3 ^= st->v2;
    st->v0 += st->v3;
    st->v3 = rotl64(st->v3, 21);
    st->v3 ^= st->v0;
    st->v2 += st->v1;
    st->v1 = rotl64(st->v1, 17);
    st->v1 ^= st->v2;
    st->v2 = rotl64(st->v2, 32);
}

static inline void sip_absorb(struct sip_state *st, uint64_t m) {
    st->v3 ^= m;
    sip_round(st); /* the "1" of SipHash-1-2 */
    st->v0 ^= m;
}

static uint64_t siphash_1_2(const unsigned char seed[16], const void *data, size_t len) {
    const unsigned char *p = data;
    uint64_t k0 = load_le64(seed);
    uint64_t k1 = load_le64(seed + 8);
    /* The constants spell "somepseudorandomlygeneratedbytes"; they only make
     * the four state words start out different from each other. */
    struct sip_state st = {
        k0 ^ 0x736f6d6570736575ULL,
        k1 ^ 0x646f72616e646f6dULL,
        k0 ^ 0x6c7967656e657261ULL,
        k1 ^ 0x7465646279746573ULL,
    };

    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        sip_absorb(&st, load_le64(p + i));
    }

    /* The last word carries the 0-7 leftover bytes and, in its top byte, the
     * length, so "a" and "a\0" hash differently. */
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < len % 8; i++) {
        last |= (uint64_t)p[whole + i] << (8 * i);
    }
    sip_absorb(&st, last);

    st.v2 ^= 0xff;
    sip_round(&st); /* the "2" of SipHash-1-2 */
    sip_round(&st);
    return st.v0 ^ st.v1 ^ st.v2 ^ st.v3;
}

static uint64_t hash_key(const struct store *s, const char *key, size_t key_len) {
    return siphash_1_2(s->hash_seed, key, key_len);
}

/* ---- entries ---- */

const char *entry_key(const struct entry *e) {
    return e->bytes;
}

const char *entry_value(const struct entry *e) {
    return e->bytes + e->key_len;
}

/* used_memory, INFO's used_memory, is a running total kept where blocks
 * are allocated and freed: each entry's block (header, key and value) and
 * each bucket array, at the sizes we ask malloc for. Adding it up by
 * walking the table would cost a full scan per INFO; the total costs an
 * addition per change. It leaves out malloc's own overhead (a header of 8
 * to 16 bytes a block, and rounding up), the connections' buffers and
 * everything else the process holds. Redis counts all it allocates, at the
 * sizes its allocator really gave, so its used_memory starts near 900 KB
 * where ours starts at 0; used_memory_rss, from the kernel, is the whole
 * process for both. */
static size_t entry_size(const struct entry *e) {
    return sizeof *e + e->key_len + e->value_len;
}

static int is_expired(const struct entry *e, int64_t now_ms) {
    /* Redis treats a key as live during the millisecond it expires at, and
     * gone only after it; we match that so PEXPIREAT behaves the same. */
    return e->expire_at_ms != 0 && now_ms > e->expire_at_ms;
}

/* The size of the one block holding an entry, or 0 if the lengths do not
 * fit the entry's 32-bit fields or the sum would overflow size_t (possible
 * only where size_t is 32 bits). The server never gets near either: the
 * parser refuses arguments over 512 MiB (LIMIT_BULK_LEN). */
static size_t entry_block_size(size_t key_len, size_t value_len) {
    if (key_len > UINT32_MAX || value_len > UINT32_MAX) {
        return 0;
    }
    size_t header = sizeof(struct entry);
    if (key_len > SIZE_MAX - header || value_len > SIZE_MAX - header - key_len) {
        return 0;
    }
    return header + key_len + value_len;
}

/* memcpy with a NULL pointer is undefined even for zero bytes, and callers
 * may pass NULL for an empty key or value. */
static void copy_bytes(char *dst, const char *src, size_t n) {
    if (n > 0) {
        memcpy(dst, src, n);
    }
}

/* Why one block per key: memory per key is what decides how many keys fit.
 * Every malloc'd block carries the allocator's own header and rounding, and
 * separate key and value blocks would also need two pointers to reach them.
 * As one block, a 16-byte key with a 3-byte value costs a 64-byte block
 * plus its share of the bucket array: make bench measures 84 bytes of RSS
 * per key, where Redis, which keeps the table entry, key and value in
 * separate blocks, uses 124 (TUTORIAL.md, chapter 9). */
static struct entry *entry_new(const char *key, size_t key_len, const char *value,
                               size_t value_len, int64_t expire_at_ms) {
    size_t block = entry_block_size(key_len, value_len);
    if (block == 0) {
        return NULL;
    }
    struct entry *e = mem_alloc(block);
    e->next = NULL;
    e->expire_at_ms = expire_at_ms;
    e->key_len = (uint32_t)key_len;
    e->value_len = (uint32_t)value_len;
    copy_bytes(e->bytes, key, key_len);
    copy_bytes(e->bytes + key_len, value, value_len);
    return e;
}

/* ---- tables and resizing ---- */

void store_init(struct store *s, const unsigned char seed[16]) {
    memset(s, 0, sizeof *s);
    s->rehash_index = -1;
    memcpy(s->hash_seed, seed, sizeof s->hash_seed);
}

static int is_rehashing(const struct store *s) {
    return s->rehash_index != -1;
}

static void free_table(struct table *t) {
    for (size_t i = 0; i < t->size; i++) {
        struct entry *e = t->buckets[i];
        while (e != NULL) {
            struct entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = NULL;
    t->size = 0;
    t->used = 0;
}

void store_free(struct store *s) {
    free_table(&s->tables[0]);
    free_table(&s->tables[1]);
    s->rehash_index = -1;
    s->volatile_keys = 0;
    s->expire_cursor = 0;
    s->used_memory = 0;
    /* hash_seed is kept, so the store is an empty store ready for use. */
}

void store_clear(struct store *s) {
    store_free(s);
}

size_t store_count(const struct store *s) {
    return s->tables[0].used + s->tables[1].used;
}

/* Start moving the keys into a table of new_size buckets. The move itself
 * happens a bucket at a time in store_rehash_step.
 *
 * The calloc is the one cost here proportional to the table size. For a
 * big table the C library gets fresh zeroed pages from the kernel, which
 * are touched only as buckets fill, so in practice it is cheap. */
static void start_resize(struct store *s, size_t new_size) {
    struct entry **buckets = mem_calloc(new_size, sizeof *buckets);
    s->used_memory += new_size * sizeof *buckets;
    if (s->tables[0].buckets == NULL) {
        /* The first insert: there is nothing to move. */
        s->tables[0].buckets = buckets;
        s->tables[0].size = new_size;
        s->tables[0].used = 0;
        return;
    }
    s->tables[1].buckets = buckets;
    s->tables[1].size = new_size;
    s->tables[1].used = 0;
    s->rehash_index = 0;
}

/* Called before an insert. Growing at one key per bucket keeps chains about
 * one entry long, so a lookup is a hash and one or two key compares. */
static void grow_if_needed(struct store *s) {
    struct table *t = &s->tables[0];
    if (is_rehashing(s)) {
        return; /* one resize at a time; this one finishes soon */
    }
    if (t->size == 0) {
        start_resize(s, STORE_MIN_BUCKETS);
    } else if (t->used >= t->size && t->size <= SIZE_MAX / 2) {
        start_resize(s, t->size * 2);
    }
}

/* Called after deletes. A mostly empty table wastes 8 bytes per bucket; we
 * shrink only below 1/8 full so that a key count hovering near a boundary
 * does not make the table grow and shrink over and over. */
static void shrink_if_needed(struct store *s) {
    struct table *t = &s->tables[0];
    if (is_rehashing(s) || t->size <= STORE_MIN_BUCKETS || t->used >= t->size / 8) {
        return;
    }
    size_t new_size = STORE_MIN_BUCKETS;
    while (new_size < t->used) {
        new_size *= 2;
    }
    start_resize(s, new_size);
}

/* Move the chain of one bucket of tables[0] into tables[1]. */
static void move_bucket(struct store *s, size_t index) {
    struct table *from = &s->tables[0];
    struct table *to = &s->tables[1];
    struct entry *e = from->buckets[index];
    while (e != NULL) {
        struct entry *next = e->next;
        /* The hash is not stored in the entry (8 more bytes per key), so
         * it is computed again; SipHash on a short key is quick. */
        size_t slot = (size_t)hash_key(s, e->bytes, e->key_len) & (to->size - 1);
        e->next = to->buckets[slot];
        to->buckets[slot] = e;
        from->used--;
        to->used++;
        e = next;
    }
    from->buckets[index] = NULL;
}

/* Why two tables: moving a million keys into a new table in one go took
 * about a third of a second when we measured it, and a server with one
 * thread would answer nobody meanwhile.
 * With two tables, a lookup checks both, new keys go to the new one, and
 * the move is spread over the next operations, a bucket each. */
int store_rehash_step(struct store *s, int n) {
    if (!is_rehashing(s)) {
        return 0;
    }
    struct table *from = &s->tables[0];
    size_t empty_visits = (n > 0 ? (size_t)n : 0) * STORE_EMPTY_VISITS_PER_STEP;
    size_t i = (size_t)s->rehash_index;

    while (n-- > 0 && from->used > 0) {
        /* from->used > 0 means a non-empty bucket lies at or after i, since
         * every bucket before rehash_index has already been emptied. */
        while (from->buckets[i] == NULL) {
            i++;
            if (--empty_visits == 0) {
                s->rehash_index = (long)i;
                return 1;
            }
        }
        move_bucket(s, i);
        i++;
    }
    s->rehash_index = (long)i;

    if (from->used == 0) {
        /* Done: the new table becomes the only table. */
        s->used_memory -= from->size * sizeof *from->buckets;
        free(from->buckets);
        s->tables[0] = s->tables[1];
        s->tables[1].buckets = NULL;
        s->tables[1].size = 0;
        s->tables[1].used = 0;
        s->rehash_index = -1;
        return 0;
    }
    return 1;
}

/* ---- lookup and removal ---- */

/* Where a key is linked: the address of the pointer that points at its
 * entry (a bucket slot or the previous entry's next). Holding that address
 * lets the caller unlink or replace the entry without walking the chain
 * again. Sets *table to the table it is in. NULL when the key is absent. */
static struct entry **find_link(struct store *s, const char *key, size_t key_len,
                                struct table **table) {
    if (store_count(s) == 0) {
        return NULL; /* also covers a store with no buckets yet */
    }
    uint64_t hash = hash_key(s, key, key_len);
    for (int t = 0; t < 2; t++) {
        struct table *tab = &s->tables[t];
        if (tab->size == 0) {
            continue; /* tables[1] outside a rehash */
        }
        struct entry **link = &tab->buckets[(size_t)hash & (tab->size - 1)];
        while (*link != NULL) {
            struct entry *e = *link;
            /* memcmp, like memcpy, wants real pointers even for 0 bytes. */
            if (e->key_len == key_len && (key_len == 0 || memcmp(e->bytes, key, key_len) == 0)) {
                *table = tab;
                return link;
            }
            link = &e->next;
        }
    }
    return NULL;
}

/* Unlink the entry *link points at, free it, and keep the counts right. */
static void remove_entry(struct store *s, struct table *t, struct entry **link) {
    struct entry *e = *link;
    *link = e->next;
    t->used--;
    if (e->expire_at_ms != 0) {
        s->volatile_keys--;
    }
    s->used_memory -= entry_size(e);
    free(e);
}

/* find_link, but an expired key is removed and reported absent. */
static struct entry **find_live_link(struct store *s, const char *key, size_t key_len,
                                     int64_t now_ms, struct table **table) {
    struct entry **link = find_link(s, key, key_len, table);
    if (link != NULL && is_expired(*link, now_ms)) {
        remove_entry(s, *table, link);
        s->expired_removed++;
        shrink_if_needed(s);
        return NULL;
    }
    return link;
}

/* Link a new entry (the key known to be absent) into the table that takes
 * new keys: tables[1] while rehashing, so that tables[0] only ever empties
 * and the rehash is sure to finish. */
static void insert_entry(struct store *s, struct entry *e) {
    grow_if_needed(s);
    struct table *t = is_rehashing(s) ? &s->tables[1] : &s->tables[0];
    size_t slot = (size_t)hash_key(s, e->bytes, e->key_len) & (t->size - 1);
    e->next = t->buckets[slot];
    t->buckets[slot] = e;
    t->used++;
    if (e->expire_at_ms != 0) {
        s->volatile_keys++;
    }
    s->used_memory += entry_size(e);
}

/* Start loading the cache line at p without waiting for it. GCC and clang
 * have a builtin for the CPU's prefetch instruction; elsewhere this does
 * nothing, which is always correct, since a prefetch changes no result. */
static void prefetch(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

void store_prefetch(const struct store *s, const struct store_key *keys, int n) {
    uint64_t hashes[STORE_PREFETCH_MAX];
    if (n > STORE_PREFETCH_MAX) n = STORE_PREFETCH_MAX;
    if (store_count(s) == 0) return;
    /* A lookup waits twice on memory: for its bucket, then for the entry
     * the bucket points to. First ask for every key's bucket ... */
    for (int i = 0; i < n; i++) {
        hashes[i] = hash_key(s, keys[i].bytes, keys[i].len);
        for (int t = 0; t < 2; t++) {
            const struct table *tab = &s->tables[t];
            if (tab->size > 0) prefetch(&tab->buckets[(size_t)hashes[i] & (tab->size - 1)]);
        }
    }
    /* ... then, with those loads under way or done, for every first entry. */
    for (int i = 0; i < n; i++) {
        for (int t = 0; t < 2; t++) {
            const struct table *tab = &s->tables[t];
            if (tab->size == 0) continue;
            const struct entry *e = tab->buckets[(size_t)hashes[i] & (tab->size - 1)];
            if (e != NULL) prefetch(e);
        }
    }
}

struct entry *store_find(struct store *s, const char *key, size_t key_len, int64_t now_ms) {
    store_rehash_step(s, 1);
    struct table *t;
    struct entry **link = find_live_link(s, key, key_len, now_ms, &t);
    return link != NULL ? *link : NULL;
}

int store_delete(struct store *s, const char *key, size_t key_len, int64_t now_ms) {
    store_rehash_step(s, 1);
    struct table *t;
    struct entry **link = find_live_link(s, key, key_len, now_ms, &t);
    if (link == NULL) {
        return 0;
    }
    remove_entry(s, t, link);
    shrink_if_needed(s);
    return 1;
}

/* ---- writes ---- */

/* store_set without the rehash step, so store_append can use it too
 * without doing two steps. */
static struct entry *set_entry(struct store *s, const char *key, size_t key_len,
                               const char *value, size_t value_len, int64_t expire_at_ms,
                               int64_t now_ms) {
    /* Build the new entry before touching the old one: if its lengths are
     * refused the store is unchanged, and a value that points into the old
     * entry is still readable while we copy it. */
    struct entry *e = entry_new(key, key_len, value, value_len, expire_at_ms);
    if (e == NULL) {
        return NULL;
    }
    struct table *t;
    struct entry **link = find_link(s, key, key_len, &t);
    if (link == NULL) {
        insert_entry(s, e);
        return e;
    }

    /* Replace in place: same chain position, same table. A replaced expired
     * key needs no special case, the new entry simply takes its place. */
    struct entry *old = *link;
    e->next = old->next;
    *link = e;
    if (is_expired(old, now_ms)) {
        s->expired_removed++;
    }
    if (old->expire_at_ms != 0) {
        s->volatile_keys--;
    }
    if (e->expire_at_ms != 0) {
        s->volatile_keys++;
    }
    s->used_memory = s->used_memory - entry_size(old) + entry_size(e);
    free(old);
    return e;
}

struct entry *store_set(struct store *s, const char *key, size_t key_len,
                        const char *value, size_t value_len, int64_t expire_at_ms,
                        int64_t now_ms) {
    store_rehash_step(s, 1);
    return set_entry(s, key, key_len, value, value_len, expire_at_ms, now_ms);
}

struct entry *store_append(struct store *s, const char *key, size_t key_len,
                           const char *more, size_t more_len, int64_t now_ms) {
    store_rehash_step(s, 1);
    struct table *t;
    struct entry **link = find_live_link(s, key, key_len, now_ms, &t);
    if (link == NULL) {
        return set_entry(s, key, key_len, more, more_len, 0, now_ms);
    }

    struct entry *old = *link;
    if (more_len > UINT32_MAX - old->value_len) {
        return NULL; /* the value would outgrow its 32-bit length */
    }
    size_t new_len = old->value_len + more_len;
    size_t block = entry_block_size(old->key_len, new_len);
    if (block == 0) {
        return NULL;
    }
    /* realloc keeps the bytes and may move the block. The pointer to it
     * lives in the bucket or in the previous entry, never in the entry
     * itself, so `link` is still valid and relinking is one store.
     *
     * We grow to the exact size, keeping no spare room as Redis's strings
     * do, to save memory on every key. Many small appends to one big value
     * still go fast, because the C library grows a big block in place by
     * remapping pages rather than copying. */
    struct entry *e = mem_realloc(old, block);
    *link = e;
    copy_bytes(e->bytes + e->key_len + e->value_len, more, more_len);
    e->value_len = (uint32_t)new_len;
    s->used_memory += more_len;
    return e;
}

void store_set_expire(struct store *s, struct entry *e, int64_t expire_at_ms) {
    if (e->expire_at_ms == 0 && expire_at_ms != 0) {
        s->volatile_keys++;
    } else if (e->expire_at_ms != 0 && expire_at_ms == 0) {
        s->volatile_keys--;
    }
    e->expire_at_ms = expire_at_ms;
}

/* ---- walking the table ---- */

void store_visit(const struct store *s, int64_t now_ms, store_visit_fn fn, void *arg) {
    /* No rehash step here: the store is const, and callers rely on a walk
     * not changing which table a key is in while they go. */
    for (int t = 0; t < 2; t++) {
        const struct table *tab = &s->tables[t];
        for (size_t i = 0; i < tab->size; i++) {
            for (const struct entry *e = tab->buckets[i]; e != NULL; e = e->next) {
                if (!is_expired(e, now_ms)) {
                    fn(e, arg);
                }
            }
        }
    }
}

/* ---- SCAN: a cursor that survives resizing ----
 *
 * SCAN hands a client a number, the cursor, and the client hands it back
 * to get the next few keys; between calls the table can grow, shrink or be
 * half way through a rehash. The promise, as in Redis: a key present from
 * the first call to the last is returned at least once (a key added or
 * deleted meanwhile may or may not be). The cursor below is the one
 * Redis's dictScan uses.
 *
 * A bucket index cannot be the cursor. Say the scan has done buckets 0..99
 * of a 256-bucket table, and the table halves: new bucket b holds what was
 * in old buckets b and b+128. Carrying on at 100 skips old buckets 128..227,
 * now in new buckets 0..99, which the scan thinks are done.
 *
 * Instead, read a key's hash backwards, lowest bit first, as a binary
 * fraction: a hash ending in the bits 0011 is the point 0.1100... in
 * [0, 1). A table of 2^n buckets puts a key in the bucket named by the
 * hash's n lowest bits, which are the fraction's first n digits: each
 * bucket is one interval of width 2^-n, holding the keys whose points fall
 * in it.
 * Resizing only cuts [0, 1) finer or coarser: doubling splits every
 * interval in two (bucket b becomes b and b + 2^n), halving joins
 * neighbours. The intervals never move.
 *
 * The cursor is such a point too, read the same way, and the scan walks
 * the intervals left to right. With 8 buckets that is buckets 0 4 2 6 1 5
 * 3 7, whose indexes backwards read .000 .001 .010 .011 .100 ... .111:
 * counting in binary with the carry running from the mask's high bit
 * down (reverse_increment). What the cursor promises is: every key whose
 * point lies left of it has been returned. That survives resizing:
 *   - After doubling, the cursor is on a boundary of the old intervals, so
 *     on one of the new, finer ones: nothing is missed, nothing repeated.
 *   - After halving (or shrinking by more), the cursor may fall inside a
 *     wider interval. Masking it with the new mask rounds it down to that
 *     interval's start, so the interval is walked whole: some keys come
 *     back a second time, none is missed.
 * When the carry runs off the top the point has reached 1: the scan is
 * over, and the cursor is 0 again.
 *
 * During a rehash a key may be in either table, and may move between calls.
 * So one call walks one interval of the smaller table and, in the same call
 * (nothing moves during it), every bucket of the larger table inside that
 * interval: the interval's keys are all seen wherever they are. The next
 * cursor is the end of that interval, a boundary in both tables. */

/* The 64 bits of v in the opposite order. One bit at a time: 64 steps per
 * bucket visited is nothing beside following the bucket's chain. */
static uint64_t reverse_bits(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/* The next cursor after v in a table whose bucket mask is `mask`: add one
 * to the bits under the mask, counting the highest of them as the lowest.
 * The bits above the mask are set first so that the carry runs through
 * them and off the end: they come out 0, and the cursor is within the
 * mask, or 0 when the last bucket has been visited. */
static uint64_t reverse_increment(uint64_t v, uint64_t mask) {
    v |= ~mask;
    v = reverse_bits(v);
    v++;
    return reverse_bits(v);
}

static void scan_bucket(const struct table *t, uint64_t index, int64_t now_ms, store_scan_fn fn,
                        void *arg) {
    for (const struct entry *e = t->buckets[index]; e != NULL; e = e->next) {
        fn(e, is_expired(e, now_ms), arg);
    }
}

uint64_t store_scan(const struct store *s, uint64_t cursor, int64_t now_ms, store_scan_fn fn,
                    void *arg) {
    if (store_count(s) == 0) {
        return 0; /* also covers a store with no buckets yet */
    }
    /* No rehash step here: keys must stay put while one call walks both
     * tables (and the store is const). */
    if (!is_rehashing(s)) {
        const struct table *t = &s->tables[0];
        uint64_t mask = (uint64_t)t->size - 1;
        scan_bucket(t, cursor & mask, now_ms, fn, arg);
        return reverse_increment(cursor, mask);
    }

    /* tables[0] is the old table, tables[1] the new one: which is smaller
     * depends on whether this rehash grows or shrinks the store. */
    const struct table *small = &s->tables[0];
    const struct table *large = &s->tables[1];
    if (small->size > large->size) {
        small = &s->tables[1];
        large = &s->tables[0];
    }
    uint64_t small_mask = (uint64_t)small->size - 1;
    uint64_t large_mask = (uint64_t)large->size - 1;

    scan_bucket(small, cursor & small_mask, now_ms, fn, arg);
    /* The large table's buckets inside that interval are the ones whose
     * low bits equal the small bucket's index: the bits only the large
     * mask covers take every value. Count through them, high bit first,
     * until the carry leaves them and they are all 0 again. */
    do {
        scan_bucket(large, cursor & large_mask, now_ms, fn, arg);
        cursor = reverse_increment(cursor, large_mask);
    } while ((cursor & (small_mask ^ large_mask)) != 0);
    return cursor;
}

/* The sweep's position is one number over both tables: 0 .. size0-1 are the
 * buckets of tables[0], and size0 .. size0+size1-1 those of tables[1].
 *
 * Resizing shifts what that number means, so a sweep can miss keys. When a
 * rehash ends, tables[1] becomes tables[0]: a cursor that was at bucket 100
 * of tables[1] (say 4196 with size0 = 4096) now points at bucket 4196 of
 * the new tables[0], and buckets 100 .. 4195 are skipped this time round.
 * Keys moved between tables mid-sweep may also be seen twice. Both are
 * fine: a skipped key is still expired on the next sweep, which finds it,
 * and any command that touches it meanwhile removes it lazily. Being exact
 * would mean restarting the sweep on every resize.
 *
 * There is no separate set of the keys that have a TTL (Redis keeps one,
 * its `expires` dict): it would cost every such key a second entry, and
 * every SET, EXPIRE, PERSIST and delete a second table to update. So a
 * sample walks the one table and counts the keys with a TTL apart from the
 * others, and max_buckets bounds the walk when they are few among many. */
size_t store_reclaim_expired(struct store *s, int64_t now_ms, size_t max_keys,
                             size_t max_buckets, struct store_sample *sample) {
    sample->with_ttl = 0;
    sample->without_ttl = 0;
    if (s->volatile_keys == 0) {
        return 0; /* nothing can expire; skip the walk entirely */
    }
    /* An idle server still gets its rehash finished by the timer. */
    store_rehash_step(s, 1);

    /* No bucket twice in one sample: in a small table, 20 keys may be more
     * than there are, and going round again would count the same ones. The
     * tables keep their sizes until the shrink at the end. */
    size_t size0 = s->tables[0].size;
    size_t total = size0 + s->tables[1].size;
    if (max_buckets > total) {
        max_buckets = total;
    }
    size_t deleted = 0;
    for (size_t visited = 0;
         visited < max_buckets && sample->with_ttl < max_keys && s->volatile_keys > 0; visited++) {
        if (s->expire_cursor >= total) {
            s->expire_cursor = 0; /* wrap around, or the table shrank */
        }
        if (is_rehashing(s) && s->expire_cursor < (size_t)s->rehash_index) {
            /* The rehash has emptied these buckets of tables[0]: skip them. */
            s->expire_cursor = (size_t)s->rehash_index;
        }
        struct table *t = &s->tables[0];
        size_t index = s->expire_cursor;
        if (index >= size0) {
            t = &s->tables[1];
            index -= size0;
        }
        /* The whole bucket, even past max_keys: stopping inside a chain
         * would need a cursor into it. */
        struct entry **link = &t->buckets[index];
        while (*link != NULL) {
            if ((*link)->expire_at_ms == 0) {
                sample->without_ttl++;
                link = &(*link)->next;
                continue;
            }
            sample->with_ttl++;
            if (is_expired(*link, now_ms)) {
                remove_entry(s, t, link); /* *link is now the next entry */
                deleted++;
                s->expired_removed++;
            } else {
                link = &(*link)->next;
            }
        }
        s->expire_cursor++;
    }
    /* Checked once after the sample, not per delete, so the tables keep
     * their sizes while the cursor walks them. */
    shrink_if_needed(s);
    return deleted;
}
