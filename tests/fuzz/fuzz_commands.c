/*
 * fuzz_commands.c - a libFuzzer target for the whole core: bytes from a
 * client go through a session (parser and commands) to the store.
 *
 * The input is one client's byte stream. It is fed in pieces whose sizes
 * come from the input itself, and run the way every step runs it, with
 * session_run_commands (which parses commands in batches and prefetches
 * their keys); replies are dropped whenever they pass the output bound, as
 * if written. After every piece the store reclaims expired keys, as a
 * step's timer does. Keys set with a TTL of a millisecond or two really
 * expire while it runs.
 *
 * Besides crashes, leaks and undefined behaviour (the sanitizers' reports),
 * it checks one invariant of its own: the store's count of keys equals the
 * number of keys a full visit finds. A violation aborts.
 *
 * Build and run: make fuzz (needs clang).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "server_limits.h"
#include "session.h"

static void count_key(const struct entry *e, void *arg) {
    (void)e;
    (*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const unsigned char seed[16] = "fuzz-fixed-seed";
    struct options opts;
    options_init(&opts);
    struct core core;
    struct session s;
    core_init(&core, &opts, "fuzz", "none", 0, seed);
    session_init(&s);

    /* The first byte chooses the piece size: below 128, 1 to 64 bytes (a
     * slow client); from 128, a server's whole read of READ_CHUNK bytes (a
     * pipelining one, with many commands per read). */
    size_t piece = 1;
    if (size > 0) piece = data[0] < 128 ? (size_t)(data[0] % 64) + 1 : READ_CHUNK;
    /* Bit 6 of the first byte, unused above: run one command per piece, as
     * an output limit of 1 byte makes session_run_commands do, so that the
     * rest of a batch is still waiting when the next piece is read (the
     * case where session_read_space must drop it). */
    int one_per_piece = size > 0 && (data[0] & 64) != 0;
    size_t fed = size > 0 ? 1 : 0;
    while (fed < size && !s.closing) {
        size_t room, n = size - fed < piece ? size - fed : piece;
        char *space = session_read_space(&s, &room);
        if (space == NULL) break; /* the query-buffer limit: a server closes */
        if (n > room) n = room;
        memcpy(space, data + fed, n);
        session_bytes_read(&s, n);
        fed += n;
        /* The output bound stops a run early: "write" it and go on. */
        if (one_per_piece) {
            session_run_commands(&s, &core, 1, NULL);
            s.out.len = 0;
        } else {
            size_t pending;
            do {
                session_run_commands(&s, &core, LIMIT_PENDING_OUTPUT, NULL);
                pending = s.out.len;
                s.out.len = 0;
            } while (pending >= LIMIT_PENDING_OUTPUT && !s.closing);
        }
        core_reclaim_expired(&core, clock_now_ms());
    }
    /* One command per piece leaves commands behind: run them, one at a time.
     * Every command replies, so a run with no output found none. */
    if (one_per_piece) {
        size_t pending;
        do {
            session_run_commands(&s, &core, 1, NULL);
            pending = s.out.len;
            s.out.len = 0;
        } while (pending > 0 && !s.closing);
    }

    size_t visited = 0;
    store_visit(&core.store, 0, count_key, &visited);
    if (visited != store_count(&core.store)) {
        fprintf(stderr, "store_count says %zu keys, a visit finds %zu\n",
                store_count(&core.store), visited);
        abort();
    }
    session_free(&s);
    core_free(&core);
    return 0;
}
