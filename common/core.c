/*
 * core.c - starting and stopping the core, its clock, and its timer's
 * work (see core.h).
 */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t clock_now_ms(void) {
    struct timespec ts;
    /* CLOCK_REALTIME, not CLOCK_MONOTONIC: SET's EXAT and PXAT name Unix
     * times, so expiry must be measured on the same clock. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ns(void) {
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux; 0 makes
     * a measured duration 0 rather than garbage if it ever did. On Linux
     * it is usually read without entering the kernel (the vDSO): some 20 ns
     * with the TSC as clock source, about 65 ns on the kvm-clock VM the
     * tutorial measured. */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Fill seed with 16 random bytes. /dev/urandom never blocks once the
 * system has booted. If it cannot be read (a chroot without /dev), fall
 * back to the time and pid: weaker against a client who wants to collide
 * keys, but still working. */
static void random_seed(unsigned char seed[16]) {
    int fd = open("/dev/urandom", O_RDONLY);
    size_t got = 0;
    if (fd >= 0) {
        while (got < 16) {
            ssize_t n = read(fd, seed + got, 16 - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        close(fd);
    }
    if (got < 16) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long mix = (unsigned long long)ts.tv_nsec ^
                                 ((unsigned long long)ts.tv_sec << 20) ^
                                 ((unsigned long long)getpid() << 40);
        for (int i = 0; i < 16; i++) seed[i] = (unsigned char)(mix >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
}

void core_init(struct core *core, const struct options *opts, const char *step_name,
               const char *io_model, int port, const unsigned char *seed) {
    memset(core, 0, sizeof *core);
    unsigned char random[16];
    if (seed == NULL) {
        random_seed(random);
        seed = random;
    }
    store_init(&core->store, seed);
    core->opts = *opts;
    core->step_name = step_name;
    core->io_model = io_model;
    core->port = port;
    core->started_ms = clock_now_ms();
}

void core_free(struct core *core) {
    store_free(&core->store);
}

/* Active expiry, paced as Redis's expire.c paces its "slow" cycle
 * (activeExpireCycle, run by its timer ten times a second). A fixed
 * amount of work per tick is wrong both ways: more than needed where no
 * key has expired, and far too little when many expire together (a sweep
 * of 1,000 buckets a tick left 20,000 keys set with PX 200 in memory for
 * about 5 s, 200,000 for 40). So the work follows what it finds: look at
 * 20 keys with a TTL; if more than 10% of them had expired, many more
 * probably have, so look at 20 more, and so on, until a sample comes back
 * mostly live or the tick's time is spent.
 *
 * The time: at most 25 ms a call, a quarter of the steps' 100-ms tick
 * (TICK_MS in each server.c), as Redis allows its slow cycle 25% of its
 * period (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). The clock is read once every
 * 16 samples, as Redis does: a sample takes microseconds, and reading the
 * clock after each would add to that for nothing. So a call can run past
 * its budget by at most 15 samples.
 *
 * A sample visits at most 1,000 buckets: where keys with a TTL are rare,
 * 20 of them may be spread over many buckets. Redis allows 400 (20 per
 * key), but its buckets hold only keys with a TTL (store.c says why ours do
 * not); 1,000 is what the old fixed sweep did a tick, so such a store is
 * swept no slower than before. */
enum {
    EXPIRE_KEYS_PER_SAMPLE = 20,      /* keys with a TTL looked at per sample */
    EXPIRE_BUCKETS_PER_SAMPLE = 1000, /* ... visiting at most this many buckets */
    EXPIRE_STALE_PERCENT = 10,        /* go on while more than this % had expired */
    EXPIRE_SAMPLES_PER_CLOCK = 16,    /* samples between two looks at the clock */
    EXPIRE_BUDGET_US = 25000,         /* a quarter of the 100-ms tick */
};

size_t core_expire_cycle(struct core *core, int64_t now_ms, int64_t budget_us) {
    struct store *s = &core->store;
    if (s->volatile_keys == 0) {
        return 0; /* the idle case: no walk, not even a clock read */
    }
    /* The one clock the core reads by itself for expiry (core.h says why
     * the time is passed in everywhere else). That is safe here: it never
     * decides whether a key has expired (the caller's now_ms does), only
     * how many samples one call may take, so a test that sets the time by
     * hand still sees exactly the keys it expects expire, perhaps over more
     * calls. Monotonic, because a wall clock set back an hour mid-cycle
     * would give the cycle an hour. */
    int64_t start_ns = clock_monotonic_ns();
    size_t reclaimed = 0;
    int go_on = 0;
    for (unsigned samples = 1;; samples++) {
        struct store_sample sample;
        size_t expired = store_reclaim_expired(s, now_ms, EXPIRE_KEYS_PER_SAMPLE,
                                               EXPIRE_BUCKETS_PER_SAMPLE, &sample);
        reclaimed += expired;
        if (sample.with_ttl > 0) {
            go_on = expired * 100 / sample.with_ttl > EXPIRE_STALE_PERCENT;
        } else if (sample.without_ttl == 0) {
            /* Only empty buckets, as in a table that many deletes have
             * left sparse: they cost a read of a pointer each, so walk on
             * to the keys, as Redis does; the budget bounds it. */
            go_on = 1;
        }
        /* Else it met keys, none with a TTL: that says nothing of the keys
         * with one, so the last verdict stands. On the first sample that is
         * to stop: where such keys are rare, looking on for them each tick
         * could walk the whole table, a cache miss a key. */
        if (!go_on || s->volatile_keys == 0) {
            break;
        }
        if (samples % EXPIRE_SAMPLES_PER_CLOCK == 0) {
            if (clock_monotonic_ns() - start_ns >= budget_us * 1000) {
                break; /* time spent */
            }
        }
    }
    return reclaimed;
}

size_t core_reclaim_expired(struct core *core, int64_t now_ms) {
    return core_expire_cycle(core, now_ms, EXPIRE_BUDGET_US);
}
