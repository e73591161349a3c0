/*
 * step05_io_uring/uring.h - the smallest io_uring a server needs, on the
 * raw system calls: set a ring up, fill submission entries, submit them and
 * wait in one io_uring_enter, read the completions, tear the ring down.
 *
 * liburing does all of this and more; it is not used because this project
 * links libc alone, and because these ~200 lines are the lesson: two rings
 * in memory shared with the kernel, and who may write which index when.
 */
#ifndef URING_H
#define URING_H

#include <linux/io_uring.h>
#include <stddef.h>

struct uring {
    int fd;

    /* The submission queue: entries we fill (sqes), and a ring of their
     * indexes (sq_array) that the kernel consumes from *sq_head while we
     * produce at *sq_tail. sq_local_tail runs ahead of *sq_tail: entries
     * filled but not yet published to the kernel. */
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned sq_entries;
    unsigned sq_local_tail;
    struct io_uring_sqe *sqes;

    /* The completion queue: the kernel produces at *cq_tail, we consume
     * from *cq_head. */
    unsigned *cq_head, *cq_tail, *cq_mask;
    unsigned cq_entries;
    struct io_uring_cqe *cqes;

    /* The two mappings, for uring_free: both rings share one. */
    void *rings;
    size_t rings_size, sqes_size;

    unsigned setup_flags; /* what io_uring_setup accepted */
    unsigned features;    /* what the kernel offers (IORING_FEAT_*) */
};

/* Set up a ring of `entries` submission entries (a power of two) and
 * cq_entries completion entries. Tries SINGLE_ISSUER | DEFER_TASKRUN first
 * (Linux 6.1: completions are processed only when we ask for them, in
 * io_uring_enter, instead of interrupting the thread as they arrive), then
 * without them (5.6 has every operation this step uses). Returns 0, or -1
 * with errno set and *why a sentence for the user. */
int uring_init(struct uring *r, unsigned entries, unsigned cq_entries, const char **why);

/* The next free submission entry, zeroed, or NULL if every one is filled
 * and not yet submitted (the caller submits, then asks again). */
struct io_uring_sqe *uring_get_sqe(struct uring *r);

/* Publish the entries filled since the last call, submit them, and wait
 * until at least wait_nr completions are ready (0: do not wait). One
 * io_uring_enter. Returns how many entries the kernel took, or -1 with
 * errno (EINTR: a signal arrived while waiting). */
int uring_submit_and_wait(struct uring *r, unsigned wait_nr);

/* The oldest completion not yet seen, or NULL if there is none. */
struct io_uring_cqe *uring_peek_cqe(struct uring *r);

/* Hand the completion uring_peek_cqe returned back to the kernel. */
void uring_cqe_seen(struct uring *r);

/* Unmap the rings and close the ring's descriptor. */
void uring_free(struct uring *r);

#endif
