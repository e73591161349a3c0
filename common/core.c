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
    /* CLOCK_REALTIME, not CLOCK_MONOTONIC: EXPIREAT and PXAT name Unix
     * times, so expiry must be measured on the same clock. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ns(void) {
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux; 0 makes
     * a measured duration 0 rather than garbage if it ever did. On Linux
     * it is read without entering the kernel (the vDSO), in some 20 ns. */
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

size_t core_reclaim_expired(struct core *core, int64_t now_ms) {
    /* 1000 buckets per call, ten calls a second: a table of a million keys
     * is swept in under two minutes, and no call takes more than a few
     * microseconds away from the clients. */
    return store_reclaim_expired(&core->store, now_ms, 1000);
}
