/*
 * step05_io_uring/uring.c - io_uring on its three system calls, for one
 * thread: io_uring_setup makes the ring, mmap shares its memory, and
 * io_uring_enter submits and waits. (The third, io_uring_register, is not
 * needed here.) glibc has no wrappers for them, so they go through
 * syscall(2).
 *
 * The memory the kernel shares with us holds two rings. In each, one side
 * only ever writes the tail (it produces) and the other only the head (it
 * consumes); both only ever increase, wrapping at 2^32, and an index into
 * the ring is the counter masked with (size - 1). That is the whole
 * protocol, and the one subtlety is ordering, where a ring's counter is
 * read or written:
 *   - we fill a submission entry, then move the SQ tail: the store to the
 *     tail must be a release, or the kernel, seeing the new tail, could
 *     read the entry before our writes to it land;
 *   - the kernel writes a completion entry, then moves the CQ tail: our
 *     load of the tail must be an acquire, or we could read the entry's
 *     old contents;
 *   - we move the CQ head when we are done with an entry: a release, so
 *     the kernel cannot reuse the slot before we have read it.
 * The kernel's side of the SQ head is read with an acquire for the same
 * reason. C11's atomics express exactly this on any CPU; on x86 the
 * acquire and release cost nothing beyond stopping the compiler from
 * reordering.
 */
#define _GNU_SOURCE /* syscall() */
#include "uring.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_io_uring_setup(unsigned entries, struct io_uring_params *p) {
    return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
    return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, NULL, 0);
}

/* The shared counters, read and written as C11 atomics (see above). */
static unsigned load_acquire(const unsigned *p) {
    return atomic_load_explicit((const _Atomic unsigned *)p, memory_order_acquire);
}

static void store_release(unsigned *p, unsigned v) {
    atomic_store_explicit((_Atomic unsigned *)p, v, memory_order_release);
}

/* io_uring_setup with these flags; on success, the ring's descriptor. */
static int try_setup(unsigned entries, unsigned cq_entries, unsigned flags,
                     struct io_uring_params *p) {
    memset(p, 0, sizeof *p);
    p->flags = flags | IORING_SETUP_CQSIZE;
    p->cq_entries = cq_entries;
    return sys_io_uring_setup(entries, p);
}

int uring_init(struct uring *r, unsigned entries, unsigned cq_entries, const char **why) {
    memset(r, 0, sizeof *r);
    r->fd = -1;
    struct io_uring_params p;
    unsigned flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int fd = try_setup(entries, cq_entries, flags, &p);
    if (fd < 0 && errno == EINVAL) { /* a kernel before 6.1 */
        flags = 0;
        fd = try_setup(entries, cq_entries, flags, &p);
    }
    if (fd < 0) {
        if (errno == ENOSYS)
            *why = "this kernel has no io_uring (Linux 5.6 or later is needed)";
        else if (errno == EPERM)
            *why = "io_uring is not permitted here (sysctl kernel.io_uring_disabled, "
                   "or a seccomp filter such as Docker's default profile)";
        else
            *why = "io_uring_setup failed";
        return -1;
    }
    r->fd = fd;
    r->setup_flags = flags;
    r->features = p.features;
    /* Every feature this file relies on: one mapping for both rings (5.4),
     * completions kept rather than dropped when the CQ ring is full (5.5),
     * and submissions the kernel has copied by the time io_uring_enter
     * returns, so that an entry's memory (a timespec) may change after. */
    unsigned needed = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE;
    if ((p.features & needed) != needed) {
        *why = "this kernel's io_uring is too old (Linux 5.6 or later is needed)";
        uring_free(r);
        errno = ENOSYS;
        return -1;
    }

    /* The SQ and CQ rings share one mapping (FEAT_SINGLE_MMAP): map the
     * larger of the two sizes once, at the SQ ring's offset. */
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    r->rings_size = sq_size > cq_size ? sq_size : cq_size;
    r->rings = mmap(NULL, r->rings_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                    IORING_OFF_SQ_RING);
    if (r->rings == MAP_FAILED) {
        r->rings = NULL;
        *why = "mmap of the io_uring rings failed";
        uring_free(r);
        return -1;
    }
    r->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
    r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) {
        r->sqes = NULL;
        *why = "mmap of the io_uring submission entries failed";
        uring_free(r);
        return -1;
    }

    char *sq = r->rings, *cq = r->rings;
    r->sq_head = (unsigned *)(sq + p.sq_off.head);
    r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    r->sq_array = (unsigned *)(sq + p.sq_off.array);
    r->sq_entries = p.sq_entries;
    r->sq_local_tail = *r->sq_tail;
    r->cq_head = (unsigned *)(cq + p.cq_off.head);
    r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    r->cq_entries = p.cq_entries;
    return 0;
}

struct io_uring_sqe *uring_get_sqe(struct uring *r) {
    /* Full when the entries filled but not yet consumed by the kernel
     * would exceed the ring: the kernel's head is where it reads next. */
    if (r->sq_local_tail - load_acquire(r->sq_head) >= r->sq_entries) return NULL;
    unsigned index = r->sq_local_tail & *r->sq_mask;
    struct io_uring_sqe *sqe = &r->sqes[index];
    memset(sqe, 0, sizeof *sqe);
    /* The array is an indirection (a ring of indexes into sqes) that this
     * step does not use: slot i always names entry i. */
    r->sq_array[index] = index;
    r->sq_local_tail++;
    return sqe;
}

int uring_submit_and_wait(struct uring *r, unsigned wait_nr) {
    /* Publish what we filled: the release orders every write to those
     * entries before the new tail. */
    store_release(r->sq_tail, r->sq_local_tail);
    unsigned to_submit = r->sq_local_tail - load_acquire(r->sq_head);
    unsigned flags = 0;
    /* With DEFER_TASKRUN completions are only processed when we ask, so
     * ask every time, even when not waiting. */
    if (wait_nr > 0 || (r->setup_flags & IORING_SETUP_DEFER_TASKRUN))
        flags |= IORING_ENTER_GETEVENTS;
    if (to_submit == 0 && flags == 0) return 0;
    return sys_io_uring_enter(r->fd, to_submit, wait_nr, flags);
}

struct io_uring_cqe *uring_peek_cqe(struct uring *r) {
    unsigned head = *r->cq_head; /* only we write it */
    if (head == load_acquire(r->cq_tail)) return NULL;
    return &r->cqes[head & *r->cq_mask];
}

void uring_cqe_seen(struct uring *r) {
    store_release(r->cq_head, *r->cq_head + 1);
}

void uring_free(struct uring *r) {
    if (r->sqes != NULL) munmap(r->sqes, r->sqes_size);
    if (r->rings != NULL) munmap(r->rings, r->rings_size);
    if (r->fd >= 0) close(r->fd);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
