/*
 * step05_io_uring/server.c - step04's one thread, told when work is *done*
 * instead of when it is *ready*. Steps 03 and 04 ask the kernel which
 * sockets are ready, then make every recv() and send() themselves: at
 * least two system calls a request, plus the wait. Here the server hands
 * the kernel the receives and sends it wants done, as entries in a ring of
 * memory shared with the kernel, and later reads their results from a
 * second ring. One io_uring_enter per turn of the loop submits everything
 * the turn produced and waits for the next results, for every client at
 * once (step05_io_uring/uring.c sets the rings up).
 *
 * What changes with that: a buffer handed to the kernel is the kernel's
 * until its completion arrives. So each client has one request in flight,
 * a receive or a send, or a send with the next receive linked behind it
 * (write_pending): while the kernel fills the input buffer nothing else
 * touches it, and while it sends from the output buffer no command runs
 * that could append to it (and move it). A client
 * is closed only when it has nothing in flight; at shutdown, what is in
 * flight is cancelled, and everything is freed only once every request's
 * completion has arrived.
 *
 * Everything about the protocol and the data lives in common/: this file
 * only moves bytes between a socket and a session's buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "mem.h"
#include "net.h"
#include "options.h"
#include "server_limits.h"
#include "session.h"
#include "uring.h"

/* valgrind follows every byte a system call writes into our memory, but
 * it cannot see the kernel write into a buffer through the ring, long
 * after the io_uring_enter that submitted the receive: it would report
 * every byte received as uninitialised. memcheck.h's client request tells
 * it those bytes are defined; it is a header (a few instructions valgrind
 * recognises, doing nothing otherwise), not a library. The Makefile
 * defines HAVE_VALGRIND_MEMCHECK_H where it is installed. */
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

#define STEP_NAME "step05_io_uring"

/* The timer: ten ticks a second, as Redis's default "hz 10". */
enum { TICK_MS = 100 };

/* The rings' sizes. A turn of the loop queues at most one request per
 * client whose request completed, plus the listener's and the timer's;
 * more than SQ_ENTRIES in one turn are submitted in several calls (see
 * get_sqe). A client has one completion to come (a linked send posts one
 * only if it fails), and at shutdown a cancel or two, so with the default
 * --maxclients (10,000) the completion ring fills only in the rarest
 * case: its pages are only touched as it is used. When it does, the
 * kernel keeps the completions that do not fit (IORING_FEAT_NODROP) and
 * delivers them as we make room. */
enum { SQ_ENTRIES = 1024, CQ_ENTRIES = 32768 };

/* What a completion is for, in its user_data. A client's requests carry
 * the address of its struct conn, which is never this small. */
enum { UD_ACCEPT = 1, UD_LISTEN_POLL = 2, UD_TICK = 3, UD_CANCEL = 4 };

/* What the kernel holds for a client: nothing, a receive, a send, or a
 * send linked to the receive after it (see write_pending). */
enum op { OP_NONE, OP_RECV, OP_SEND, OP_SEND_RECV };

/* A linked send's user_data: its client's address with the lowest bit
 * set (a struct conn is aligned, so that bit is otherwise 0). */
enum { LINKED_SEND = 1 };

/* One connected client: its socket and its protocol state. */
struct conn {
    int fd;
    struct session s;
    enum op op;      /* what the kernel holds for it */
    int send_failed; /* its linked send failed: the receive is cancelled */
    int held_back;   /* commands wait for the output to drain (backpressure) */
};

/* The one server. A step's server.c may keep its state in one global: the
 * signal handler must reach the stop flag, and nothing else is shared. */
static struct server {
    struct options opts;
    int listen_fd;
    struct core core;
    volatile sig_atomic_t stop; /* set by SIGINT or SIGTERM, and at shutdown */

    struct conn **conns;   /* conns[fd]: the client on fd, or NULL */
    struct uring ring;     /* the submission and completion rings */
    unsigned in_flight;    /* requests submitted and not yet completed */
    uint64_t accepting;    /* the listener's request in flight: UD_ACCEPT,
                            * UD_LISTEN_POLL, or 0 for none */
    int ticking;           /* the timer's timeout request is in flight */
    int max_fds;           /* size of conns: the open-files limit */
    int spare_fd;          /* held in reserve for EMFILE; -1 if spent */
    int64_t listen_paused_until; /* no accept request until then (ms) */
    int link_sends;        /* link each reply's send to the next receive */
} server;

/* Setting the flag is enough here, as in steps 03 and 04: a signal that
 * lands between the loop's check of the flag and its wait in
 * io_uring_enter is not lost, because that wait ends at the next tick at
 * the latest (the timer is a request on the ring), and the loop then sees
 * the flag. */
static void on_stop_signal(int signo) {
    (void)signo;
    server.stop = 1;
}

/*
 * SIGPIPE: sending to a socket whose peer has gone raises SIGPIPE, whose
 * default action kills the process. Our sends carry MSG_NOSIGNAL, which
 * suppresses it for them; ignoring it as well keeps any other write (the
 * refusal in reject_client) from taking the server down.
 *
 * SIGINT and SIGTERM: installed without SA_RESTART, so the loop's one
 * blocking call, its wait in io_uring_enter, returns EINTR when they
 * arrive, and the loop sees the stop flag.
 */
static int install_signal_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) < 0) return -1;
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = 0; /* no SA_RESTART: blocked calls must return EINTR */
    if (sigaction(SIGINT, &sa, NULL) < 0) return -1;
    if (sigaction(SIGTERM, &sa, NULL) < 0) return -1;
    return 0;
}

/* Monotonic milliseconds for the timer: unlike the wall clock, it never
 * jumps when the system time is changed. */
static int64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A free submission entry. If this turn has filled the whole ring, submit
 * what is there first (without waiting): the kernel copies entries out as
 * it takes them, so the ring is empty again after. Every entry becomes
 * one completion, which in_flight counts; a linked send that succeeds
 * posts none, and write_pending counts it out. */
static struct io_uring_sqe *get_sqe(void) {
    struct io_uring_sqe *sqe = uring_get_sqe(&server.ring);
    while (sqe == NULL) {
        if (uring_submit_and_wait(&server.ring, 0) < 0 && errno != EINTR && errno != EAGAIN &&
            errno != EBUSY) {
            perror("io_uring_enter");
            exit(1); /* the ring is broken: nothing sensible is left to do */
        }
        sqe = uring_get_sqe(&server.ring);
    }
    server.in_flight++;
    return sqe;
}

/* Ask the kernel to receive into the input buffer, at its end. The same
 * rule: the buffer is the kernel's until the completion. Returns -1 if the
 * client already holds LIMIT_QUERY_BUFFER of unexecuted input. */
static int read_more(struct conn *c) {
    size_t room;
    char *space = session_read_space(&c->s, &room);
    if (space == NULL) return -1;
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = c->fd;
    sqe->addr = (uintptr_t)space;
    sqe->len = (unsigned)room;
    sqe->user_data = (uintptr_t)c;
    c->op = OP_RECV;
    return 0;
}

/* Ask the kernel to send the whole output buffer. The kernel sends from
 * it while the request is in flight, so until its completion the buffer
 * must not move or grow: no command runs for this client meanwhile (see
 * serve_client). A send to a socket whose buffer is full simply waits in
 * the kernel, costing us nothing.
 *
 * Usually the client's next request is all that can follow the reply, so
 * the receive is asked for at once, linked behind the send (IOSQE_IO_LINK:
 * it starts when the send has completed): one submission, and one
 * completion instead of two, since a send that succeeds posts none
 * (IOSQE_CQE_SKIP_SUCCESS). MSG_WAITALL makes "succeeds" mean "sent it
 * all": the kernel keeps sending until done, and a send that cannot
 * finish fails, which cancels the receive behind it. Not when commands
 * are held back (backpressure: they run once the send is done, not once
 * the client speaks again), nor for a closing client, nor on a kernel
 * before 6.1 (see link_sends in main). */
static void write_pending(struct conn *c) {
    size_t room;
    int then_read = server.link_sends && !c->held_back && !c->s.closing &&
                    session_read_space(&c->s, &room) != NULL;
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = c->fd;
    sqe->addr = (uintptr_t)c->s.out.data;
    sqe->len = (unsigned)c->s.out.len;
    sqe->msg_flags = MSG_NOSIGNAL;
    sqe->user_data = (uintptr_t)c;
    c->op = OP_SEND;
    if (!then_read) return;
    sqe->msg_flags |= MSG_WAITALL;
    sqe->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    sqe->user_data = (uintptr_t)c | LINKED_SEND;
    /* The pair ends in exactly one completion, the receive's: count that.
     * A failed send's completion comes in addition (see complete). */
    server.in_flight--;
    c->send_failed = 0;
    read_more(c); /* cannot fail: session_read_space said there is room */
    c->op = OP_SEND_RECV;
}

/* Close a client's socket and free all it holds. Only once the kernel
 * holds no request of its: a buffer freed under a pending recv would be
 * written into after free. conns[fd] forgets it at once. */
static void close_client(struct conn *c) {
    server.conns[c->fd] = NULL;
    if (close(c->fd) < 0) perror("close");
    session_unregister(&c->s, &server.core);
    session_free(&c->s);
    free(c);
    server.core.connected_clients--;
    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client disconnected\n");
    /* A descriptor is free again: take the spare back if it was spent
     * (see shed_connection). */
    if (server.spare_fd < 0) server.spare_fd = open("/dev/null", O_RDONLY);
}

/* What a client needs next, now that it has no request in flight: its
 * replies sent, if any wait (a QUIT's too); else, if it is closing, to be
 * closed; else more input. The same decision as step04's wanted_events,
 * made once per completion instead of per wake-up. */
static void submit_next(struct conn *c) {
    if (c->s.out.len > 0) {
        write_pending(c);
    } else if (c->s.closing) {
        close_client(c); /* QUIT or a protocol error, fully answered */
    } else if (read_more(c) < 0) {
        close_client(c); /* over LIMIT_QUERY_BUFFER: drop the client */
    }
}

/* A client's request has completed, with result res: bytes received or
 * sent, or -errno. Execute what arrived, and ask for what comes next.
 * Backpressure: session_run_commands stops once LIMIT_PENDING_OUTPUT of
 * replies is waiting; those are sent, and only when the send has completed
 * are the held-back commands run, and only when all are answered is more
 * input asked for. A client that sends but never reads has one send
 * pending for ever, costs a bounded amount of memory, and its unread
 * requests stay in the kernel's buffers. */
static void serve_client(struct conn *c, int res) {
    enum op done = c->op;
    c->op = OP_NONE;
    if (done == OP_SEND_RECV) {
        /* The receive's completion. The send before it was sent whole, or
         * it failed and this receive was cancelled. */
        if (c->send_failed) {
            close_client(c);
            return;
        }
        buf_consume(&c->s.out, c->s.out.len);
        buf_shrink_if_empty(&c->s.out, BUFFER_KEEP_MAX);
        done = OP_RECV;
    }
    if (done == OP_RECV) {
        /* 0: the client closed its side; < 0: reset or another error. Its
         * earlier replies were all sent before this receive was asked for. */
        if (res <= 0) {
            close_client(c);
            return;
        }
        VALGRIND_MAKE_MEM_DEFINED(c->s.in.data + c->s.in.len, (size_t)res);
        session_bytes_read(&c->s, (size_t)res);
    } else {
        if (res <= 0) { /* EPIPE, ECONNRESET: gone (0 bytes of a nonempty buffer: likewise) */
            close_client(c);
            return;
        }
        /* A send may take less than it was given, like send(): the rest
         * goes in the next request. */
        buf_consume(&c->s.out, (size_t)res);
        if (c->s.out.len > 0) {
            write_pending(c);
            return;
        }
        buf_shrink_if_empty(&c->s.out, BUFFER_KEEP_MAX);
    }
    /* Nothing of this client's is in flight: its buffers are ours. */
    session_run_commands(&c->s, &server.core, LIMIT_PENDING_OUTPUT, NULL);
    /* Stopped at the output limit: commands may be left, to run once the
     * output has drained, whatever the client does meanwhile. */
    c->held_back = c->s.out.len >= LIMIT_PENDING_OUTPUT;
    submit_next(c);
}

/* Nagle's algorithm holds back a small segment while earlier data is
 * unacknowledged, hoping to merge it with more. A server that has written
 * its whole reply has nothing more to merge, so the wait (up to 40 ms with
 * delayed ACKs) would be pure latency. Redis disables it too. */
static void set_nodelay(int fd) {
    int yes = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes) < 0 && server.opts.verbose)
        perror("setsockopt TCP_NODELAY"); /* harmless: replies are only slower */
}

/* From now on accept() on fd returns EAGAIN instead of waiting: only
 * shed_connection calls it directly, and it must not wait. The kernel's
 * own accept requests on the ring wait, in the kernel, either way. */
static int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        perror("fcntl O_NONBLOCK");
        return -1;
    }
    return 0;
}

/* Redis refuses a client past maxclients with this reply, then closes. */
static void reject_client(int fd) {
    struct buf bytes;
    buf_init(&bytes);
    struct reply reply = {.buf = &bytes, .proto = 2}; /* it has sent no HELLO */
    resp_add_error(&reply, "ERR max number of clients reached");
    /* MSG_DONTWAIT: a new socket's buffer has room for this short reply;
     * if not, the client loses only the explanation. */
    if (send(fd, bytes.data, bytes.len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && server.opts.verbose)
        perror("send"); /* the client may already be gone; nothing to do */
    buf_free(&bytes);
    if (close(fd) < 0) perror("close");
}

/* Register a new client, and ask for its first request. */
static void add_client(int fd) {
    if (server.core.connected_clients >= server.opts.maxclients || fd >= server.max_fds) {
        server.core.rejected_connections++;
        reject_client(fd);
        return;
    }
    struct conn *c = mem_alloc(sizeof *c);
    c->fd = fd;
    c->op = OP_NONE;
    c->send_failed = 0;
    c->held_back = 0;
    session_init(&c->s);
    session_register(&c->s, &server.core, fd, clock_now_ms());
    server.conns[fd] = c;
    server.core.connected_clients++;
    server.core.total_connections_received++;
    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client connected (fd %d)\n", fd);
    if (read_more(c) < 0) close_client(c); /* cannot happen with an empty buffer */
}

/* Stop accepting for a tick: simply ask for no accept until then
 * (event_loop checks). */
static void pause_listener(void) {
    server.listen_paused_until = monotonic_ms() + TICK_MS;
}

/* Ask the kernel to accept the next connection. One accept request is in
 * flight at a time; its completion asks for the next. */
static void resume_listener(void) {
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_ACCEPT;
    sqe->fd = server.listen_fd;
    sqe->user_data = UD_ACCEPT;
    server.accepting = UD_ACCEPT;
    server.listen_paused_until = 0;
}

/* Out of descriptors, an accept request fails at once, before it even
 * looks for a connection: the kernel reserves the new descriptor first.
 * Asked again straight away, it would fail again, round and round: 100%
 * CPU through the ring. So wait, instead, until a connection is waiting
 * (a poll request on the listener), and only then try again. */
static void wait_for_listener(void) {
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = server.listen_fd;
    sqe->poll32_events = POLLIN;
    sqe->user_data = UD_LISTEN_POLL;
    server.accepting = UD_LISTEN_POLL;
}

/* Out of file descriptors (EMFILE, or ENFILE system-wide). The connection
 * stays in the listen queue, and a new accept request would fail at once
 * again: 100% CPU, through the ring. The way out is step04's: close the
 * spare descriptor kept for this, accept the connection into it and close
 * it at once (the client sees the connection close), then take the spare
 * back. If even that fails, stop accepting for a while; clients leaving
 * will free descriptors, and the first to leave gives the spare back
 * (close_client). */
static void shed_connection(void) {
    if (server.spare_fd >= 0) {
        close(server.spare_fd);
        server.spare_fd = -1;
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd >= 0) {
            server.core.rejected_connections++;
            reject_client(fd);
        }
        server.spare_fd = open("/dev/null", O_RDONLY);
    }
    if (server.spare_fd < 0) pause_listener();
}

/* The accept request completed: res is the new client's descriptor, or
 * -errno. Ask for the next one, unless the shortage of descriptors says
 * to pause. */
static void accept_clients(int res) {
    server.accepting = 0;
    if (res >= 0 && server.stop) {
        /* Accepted just as the cancel came: do not start a receive that
         * nothing would cancel, and that would hold the shutdown until
         * this client spoke. */
        if (close(res) < 0) perror("close");
    } else if (res >= 0) {
        set_nodelay(res);
        add_client(res);
    } else if (res == -EMFILE || res == -ENFILE) {
        shed_connection();
        if (server.listen_paused_until == 0 && !server.stop) wait_for_listener();
        return;
    } else if (res != -EINTR && res != -ECONNABORTED && res != -EAGAIN && res != -ECANCELED) {
        /* ECONNABORTED: the client gave up while queued; harmless.
         * ECANCELED: cancelled at shutdown. ENOBUFS, ENOMEM: try again
         * after a tick. */
        errno = -res;
        perror("accept");
        pause_listener();
    }
    if (server.listen_paused_until == 0 && !server.stop) resume_listener();
}

/* The timer, as a request on the ring: a timeout that completes (with
 * -ETIME) TICK_MS from now. The kernel copies the timespec when it takes
 * the request (IORING_FEAT_SUBMIT_STABLE), but a static one is simpler to
 * reason about. */
static void start_tick(void) {
    static struct __kernel_timespec tick = {.tv_sec = 0, .tv_nsec = TICK_MS * 1000000L};
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_TIMEOUT;
    sqe->addr = (uintptr_t)&tick;
    sqe->len = 1;
    sqe->off = 0; /* complete on the timeout alone, not after n completions */
    sqe->user_data = UD_TICK;
    server.ticking = 1;
}

/* The timer's work: reclaim expired keys with bounded effort. */
static void on_tick(void) {
    core_reclaim_expired(&server.core, clock_now_ms());
}

/* Route one completion to whoever asked for it. */
static void complete(uint64_t user_data, int res) {
    if (user_data > UD_CANCEL && (user_data & LINKED_SEND)) {
        /* A linked send reports only its failure (IOSQE_CQE_SKIP_SUCCESS);
         * the receive linked to it is cancelled, and its completion, which
         * is the one counted in in_flight, then closes the client. */
        struct conn *c = (struct conn *)(uintptr_t)(user_data & ~(uint64_t)LINKED_SEND);
        c->send_failed = 1;
        return;
    }
    server.in_flight--;
    if (user_data == UD_ACCEPT) {
        accept_clients(res);
    } else if (user_data == UD_LISTEN_POLL) {
        server.accepting = 0; /* a connection waits (or the poll was cancelled) */
        if (server.listen_paused_until == 0 && !server.stop) resume_listener();
    } else if (user_data == UD_TICK) {
        server.ticking = 0;
        /* -ETIME: the time is up. -ECANCELED: cancelled at shutdown. */
        if (res == -ETIME && !server.stop) {
            on_tick();
            start_tick();
        }
    } else if (user_data == UD_CANCEL) {
        /* The result of a cancel request: whether it found its target.
         * Either way the target's own completion follows or has come. */
    } else {
        struct conn *c = (struct conn *)(uintptr_t)user_data;
        if (server.stop) {
            c->op = OP_NONE; /* cancelled or finished: close_all_clients frees it */
        } else {
            serve_client(c, res);
        }
    }
}

/* The loop: submit what the last turn asked for and wait for completions,
 * in one io_uring_enter; then handle every completion that has arrived.
 * The timer's request completes every TICK_MS, so an idle server wakes
 * only ten times a second. */
static void event_loop(void) {
    resume_listener();
    start_tick();
    while (!server.stop) {
        if (server.listen_paused_until != 0 && !server.accepting &&
            monotonic_ms() >= server.listen_paused_until)
            resume_listener();

        if (uring_submit_and_wait(&server.ring, 1) < 0) {
            if (errno == EINTR) continue; /* a signal: recheck server.stop */
            if (errno != EAGAIN && errno != EBUSY) { /* EAGAIN, EBUSY: try again */
                perror("io_uring_enter");
                return;
            }
        }
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek_cqe(&server.ring)) != NULL) {
            uint64_t user_data = cqe->user_data;
            int res = cqe->res;
            uring_cqe_seen(&server.ring); /* the slot is free; we copied it */
            complete(user_data, res);
        }
    }
}

/* Size the per-descriptor array by the open-files limit: a descriptor
 * number is always below it, so conns[fd] needs no search. */
static int alloc_conn_table(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("getrlimit");
        return -1;
    }
    server.max_fds = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ? 1048576
                                                                          : (int)rl.rlim_cur;
    server.conns = mem_calloc((size_t)server.max_fds, sizeof *server.conns);
    return 0;
}

/* Ask the kernel to cancel the request whose user_data is target. */
static void cancel_request(uint64_t target) {
    struct io_uring_sqe *sqe = get_sqe();
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->addr = target;
    sqe->user_data = UD_CANCEL;
}

/* At shutdown: cancel every request in flight (the accept, the timer's,
 * each client's), wait until every one has completed, cancelled or not,
 * so that the kernel holds no buffer of ours; then close every client and
 * free what alloc_conn_table made. */
static void close_all_clients(void) {
    /* Also when the loop ended on an error, not a signal: from here on a
     * completion (complete) starts nothing new, which nothing would cancel. */
    server.stop = 1;
    if (server.accepting) cancel_request(server.accepting);
    if (server.ticking) cancel_request(UD_TICK);
    for (int fd = 0; fd < server.max_fds; fd++) {
        struct conn *c = server.conns[fd];
        if (c != NULL && c->op == OP_SEND_RECV) cancel_request((uintptr_t)c | LINKED_SEND);
        if (c != NULL && c->op != OP_NONE) cancel_request((uintptr_t)c);
    }
    while (server.in_flight > 0) {
        if (uring_submit_and_wait(&server.ring, 1) < 0 && errno != EINTR) {
            perror("io_uring_enter");
            break; /* cannot wait: leak rather than free under the kernel */
        }
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek_cqe(&server.ring)) != NULL) {
            uint64_t user_data = cqe->user_data;
            int res = cqe->res;
            uring_cqe_seen(&server.ring);
            complete(user_data, res);
        }
    }
    for (int fd = 0; fd < server.max_fds; fd++) {
        struct conn *c = server.conns[fd];
        if (c != NULL && c->op == OP_NONE) close_client(c);
    }
    free(server.conns);
}

/*
 * Set up, serve, tear down. The options come first (--help ends here with
 * 0, a bad flag with 2), then the signal handlers, whatever this step's
 * loop needs, the listening socket and the core; a failure to start exits
 * with 1. Once the listener is ready, one line on stderr says so:
 * "<step>: listening on HOST:PORT". The tests start a server with --port 0
 * and learn from that line which port the kernel picked. Then the loop
 * runs until SIGINT or SIGTERM, and what was set up is freed, so that a
 * leak checker finds nothing at exit.
 */
int main(int argc, char **argv) {
    int parsed = options_parse(&server.opts, argc, argv, STEP_NAME);
    if (parsed != 0) return parsed > 0 ? 0 : 2;
    if (install_signal_handlers() < 0) {
        perror("sigaction");
        return 1;
    }

    /* No io_uring, no server: say why in one line, and exit 2, which the
     * tests read as "skip this step here, and say why". */
    const char *why = NULL;
    if (uring_init(&server.ring, SQ_ENTRIES, CQ_ENTRIES, &why) < 0) {
        fprintf(stderr, STEP_NAME ": io_uring unavailable: %s (%s)\n", why, strerror(errno));
        return 2;
    }

    /* One descriptor per client, all in this one process. */
    net_raise_fd_limit(server.opts.maxclients, STEP_NAME);
    if (alloc_conn_table() < 0) return 1;

    int port;
    server.listen_fd = net_listen(server.opts.bind, server.opts.port, 511, &port);
    if (server.listen_fd < 0) return 1;
    if (set_nonblocking(server.listen_fd) < 0) return 1;
    server.spare_fd = open("/dev/null", O_RDONLY);
    if (server.spare_fd < 0) perror("open /dev/null"); /* EMFILE then pauses instead */

    /* Linked sends need IOSQE_CQE_SKIP_SUCCESS (5.17) and a send that
     * retries until MSG_WAITALL is met (5.19): take them where the ring
     * has 6.1's DEFER_TASKRUN, and send and receive in turn elsewhere. */
    server.link_sends = (server.ring.setup_flags & IORING_SETUP_DEFER_TASKRUN) &&
                        (server.ring.features & IORING_FEAT_CQE_SKIP);

    core_init(&server.core, &server.opts, STEP_NAME, "io_uring", port, NULL);
    fprintf(stderr, STEP_NAME ": listening on %s:%d\n", server.opts.bind, port);

    event_loop();

    fprintf(stderr, STEP_NAME ": shutting down\n");
    close_all_clients();
    uring_free(&server.ring);
    if (server.spare_fd >= 0 && close(server.spare_fd) < 0) perror("close");
    if (close(server.listen_fd) < 0) perror("close");
    core_free(&server.core);
    return 0;
}
