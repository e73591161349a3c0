/*
 * step01_blocking/server.c - the simplest server that works: one thread,
 * blocking sockets, one client at a time.
 *
 * The loop is accept(), then read / execute / write with that client until
 * it leaves, then accept() the next. While one client is connected, every
 * other client waits in the kernel's accept queue: its connect() succeeds
 * (the kernel completes the handshake for us), but nobody reads what it
 * sends. That is the lesson of this step, and the reason for the next three.
 *
 * Everything about the protocol and the data lives in common/: this file
 * only moves bytes between a socket and a session's buffers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "net.h"
#include "options.h"
#include "server_limits.h"
#include "session.h"

#define STEP_NAME "step01_blocking"

/* The timer: ten ticks a second, as Redis's default "hz 10". */
enum { TICK_MS = 100 };

/* The one server. A step's server.c may keep its state in one global: the
 * signal handler must reach the stop flag, and nothing else is shared. */
static struct server {
    struct options opts;
    /* What on_stop_signal shuts down, or -1. A signal handler may read
     * only lock-free atomic variables (C11 7.14.1.1): atomic_int. */
    atomic_int listen_fd;
    atomic_int client_fd; /* the client being served */
    struct core core;
    volatile sig_atomic_t stop; /* set by SIGINT or SIGTERM */
    int64_t next_tick;          /* when on_tick is next due (monotonic_ms) */
} server = {.listen_fd = -1, .client_fd = -1};

/*
 * Setting the flag is not enough on its own. The loop checks it, then
 * blocks in accept(); a signal that lands between the check and the call
 * runs this handler before the call has started, so there is no wait for
 * EINTR to interrupt, and accept() blocks until a client connects, which
 * may be never. So the handler also shuts the listener down: after
 * shutdown(), accept() fails at once (EINVAL, on Linux), whether it was
 * already waiting or starts later.
 * The same goes for read() and write() on the client being served: after
 * shutdown(), read() returns 0 and write() fails.
 * shutdown() is async-signal-safe (man 7 signal-safety). Its result is not
 * checked: a handler can report nothing safely, and the server is stopping
 * anyway. errno is put back, as the interrupted code may be about to read it.
 */
static void on_stop_signal(int signo) {
    (void)signo;
    int saved_errno = errno;
    server.stop = 1;
    if (server.listen_fd >= 0) shutdown(server.listen_fd, SHUT_RDWR);
    if (server.client_fd >= 0) shutdown(server.client_fd, SHUT_RDWR);
    errno = saved_errno;
}

/*
 * SIGPIPE: writing to a socket whose peer has gone raises SIGPIPE, whose
 * default action kills the process. One client hanging up mid-reply must
 * not take the server down, so we ignore it and handle the EPIPE that
 * write() then returns instead.
 *
 * SIGINT and SIGTERM: installed without SA_RESTART, so a blocking accept(),
 * read() or write() returns EINTR when they arrive, and the loops below see
 * the stop flag and shut down cleanly.
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

/* The timer's work: reclaim expired keys with bounded effort. */
static void on_tick(void) {
    core_reclaim_expired(&server.core, clock_now_ms());
}

/* This step has no timer: its one thread sleeps in read() or accept() for
 * as long as nobody speaks. So the timer's work runs between commands:
 * before each read(), if a tick is due. Busy, this step expires keys as the
 * others do; idle, it reclaims none until a client speaks, and an expired
 * key nobody asks for holds its memory until then. A read() that gave up
 * every 100 ms (SO_RCVTIMEO) would wake it on time, but would make this a
 * loop that wakes on a timer, the next chapters' subject, and would take
 * the socket option chapter 1's --timeout exercise needs. */
static void tick_if_due(void) {
    int64_t now = monotonic_ms();
    if (now >= server.next_tick) {
        on_tick();
        server.next_tick = now + TICK_MS;
    }
}

/* Write the whole output buffer. write() on a blocking socket may still
 * write less than asked (a signal arrives mid-way, or the buffer is large),
 * so loop until it is all gone. Returns 0, or -1 if the client is gone
 * (EPIPE, ECONNRESET) or the server is stopping. */
static int write_pending(int fd, struct buf *out) {
    size_t written = 0;
    while (written < out->len) {
        ssize_t n = write(fd, out->data + written, out->len - written);
        if (n < 0 && errno == EINTR) {
            if (server.stop) return -1;
            continue;
        }
        if (n < 0) return -1;
        written += (size_t)n;
    }
    out->len = 0;
    buf_shrink_if_empty(out, BUFFER_KEEP_MAX);
    return 0;
}

/* Serve one client until it disconnects, breaks the protocol or QUITs. */
static void serve_client(int fd) {
    struct session s;
    session_init(&s);
    session_register(&s, &server.core, fd, clock_now_ms());
    while (!server.stop) {
        tick_if_due();
        size_t room;
        char *space = session_read_space(&s, &room);
        if (space == NULL) break; /* over LIMIT_QUERY_BUFFER: drop the client */

        /* Blocks until the client sends something. Nothing else can happen
         * meanwhile: no other client is served, no timer runs. */
        ssize_t n = read(fd, space, room);
        if (n < 0 && errno == EINTR) continue; /* a signal: recheck server.stop */
        if (n <= 0) break; /* 0: the client closed; < 0: reset or another error */
        session_bytes_read(&s, (size_t)n);

        /* Execute what arrived, writing whenever LIMIT_PENDING_OUTPUT of
         * replies has piled up, so that a client pipelining big GETs cannot
         * make us hold all of its replies at once. */
        for (;;) {
            session_run_commands(&s, &server.core, LIMIT_PENDING_OUTPUT, NULL);
            if (s.out.len == 0) break; /* no complete command left */
            if (write_pending(fd, &s.out) < 0) goto done;
        }
        if (s.closing) break; /* QUIT or a protocol error, reply sent */
    }
done:
    session_unregister(&s, &server.core);
    session_free(&s);
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

/* Accept a client and serve it until it leaves, then the next, until a
 * signal sets server.stop. */
static void accept_loop(void) {
    while (!server.stop) {
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd < 0) {
            /* EINTR: a signal; EINVAL: on_stop_signal shut the listener
             * down; loop to check server.stop. ECONNABORTED: the client
             * gave up while queued; harmless. */
            if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED) continue;
            /* EMFILE, ENFILE, ENOBUFS: out of descriptors or memory. With one
             * client at a time this should not happen; back off instead of
             * spinning on an accept() that fails at once. */
            perror("accept");
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        set_nodelay(fd);
        server.client_fd = fd; /* for on_stop_signal, until it is closed */
        server.core.connected_clients = 1;
        server.core.total_connections_received++;
        if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client connected (fd %d)\n", fd);

        serve_client(fd);

        server.client_fd = -1;
        if (close(fd) < 0) perror("close");
        server.core.connected_clients = 0;
        if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client disconnected\n");
    }
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

    int port;
    server.listen_fd = net_listen(server.opts.bind, server.opts.port, 511, &port);
    if (server.listen_fd < 0) return 1;

    core_init(&server.core, &server.opts, STEP_NAME, "blocking", port, NULL);
    fprintf(stderr, STEP_NAME ": listening on %s:%d\n", server.opts.bind, port);

    accept_loop();

    fprintf(stderr, STEP_NAME ": shutting down\n");
    if (close(server.listen_fd) < 0) perror("close");
    core_free(&server.core);
    return 0;
}
