/*
 * step04_epoll/server.c - step03's loop on epoll: the same one thread and
 * the same per-connection state machine, with a readiness mechanism whose
 * cost grows with the number of *ready* connections, not open ones.
 *
 * poll() is handed the whole list of descriptors on every call and the
 * kernel checks each one. epoll keeps the list in the kernel instead: a
 * descriptor is registered once (epoll_ctl), the kernel notes it as ready
 * when data arrives, and epoll_wait returns only the ready ones. The loop,
 * its functions and their order are step03's; `diff -u` shows the change.
 *
 * Everything about the protocol and the data lives in common/: this file
 * only moves bytes between a socket and a session's buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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

#define STEP_NAME "step04_epoll"

/* The timer: ten ticks a second, as Redis's default "hz 10". */
enum { TICK_MS = 100 };

/* One read per wake-up: epoll is level-triggered here, so a client with
 * more bytes waiting is simply reported ready again on the next turn,
 * after every other ready client has had its turn. */
enum { READS_PER_WAKEUP = 1 };

/* How many ready descriptors one epoll_wait call may return. More wait for
 * the next call; none is lost. */
enum { MAX_EVENTS = 1024 };

/* One connected client: its socket and its protocol state. */
struct conn {
    int fd;
    struct session s;
    uint32_t registered; /* the events epoll watches for it now */
};

/* The one server. A step's server.c may keep its state in one global: the
 * signal handler must reach the stop flag, and nothing else is shared. */
static struct server {
    struct options opts;
    int listen_fd;
    struct core core;
    volatile sig_atomic_t stop; /* set by SIGINT or SIGTERM */

    struct conn **conns;   /* conns[fd]: the client on fd, or NULL */
    int epoll_fd;          /* the kernel's list of what we watch */
    int max_fds;           /* size of conns: the open-files limit */
    int spare_fd;          /* held in reserve for EMFILE; -1 if spent */
    int64_t listen_paused_until; /* ignore the listener until then (ms) */
} server;

/* Setting the flag is enough here, unlike in steps 01 and 02: a signal
 * that lands between the loop's check of the flag and its wait for
 * readiness is not lost, because that wait ends at the next tick at the
 * latest, and the loop then sees the flag. */
static void on_stop_signal(int signo) {
    (void)signo;
    server.stop = 1;
}

/*
 * SIGPIPE: writing to a socket whose peer has gone raises SIGPIPE, whose
 * default action kills the process. One client hanging up mid-reply must
 * not take the server down, so we ignore it and handle the EPIPE that
 * send() then returns instead.
 *
 * SIGINT and SIGTERM: installed without SA_RESTART, so the loop's one
 * blocking call, its wait for readiness, returns EINTR when they arrive, and
 * the loop sees the stop flag.
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

/* Write as much of the output as the socket takes now. A non-blocking
 * send() takes what fits in the socket's send buffer and returns; EAGAIN
 * means the buffer is full, and epoll will say when it has room (EPOLLOUT).
 * What was written is dropped from the front of the buffer; the rest waits.
 * Returns 0, or -1 if the client is gone (EPIPE, ECONNRESET).
 *
 * send() and recv(), not step02's write() and read(): on a socket they do
 * the same, but read() and write() first pass through the kernel's file
 * layer, written for every kind of file, and recv() and send() go straight
 * to the socket. Two such calls a request make that worth a little. */
static int write_pending(struct conn *c) {
    struct buf *out = &c->s.out;
    while (out->len > 0) {
        ssize_t n = send(c->fd, out->data, out->len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n < 0) return -1;
        buf_consume(out, (size_t)n);
    }
    buf_shrink_if_empty(out, BUFFER_KEEP_MAX);
    return 0;
}

/* Close a client's socket and free all it holds. conns[fd] forgets it at
 * once, so the loop, which looks clients up there, cannot serve it again. */
static void close_client(struct conn *c) {
    server.conns[c->fd] = NULL;
    /* close() also removes the descriptor from the epoll set (once no other
     * descriptor refers to the same socket, which is the case here). */
    if (close(c->fd) < 0) perror("close");
    session_unregister(&c->s, &server.core);
    session_free(&c->s);
    free(c);
    server.core.connected_clients--;
    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client disconnected\n");
    /* A descriptor is free again. If shed_connection could not take its
     * spare back (the limit fell, or ENFILE: another process took the
     * slot), take it now, or every later shortage would leave clients
     * waiting in silence instead of refused. Failing again is harmless:
     * the next client to leave tries again. */
    if (server.spare_fd < 0) server.spare_fd = open("/dev/null", O_RDONLY);
}

/* What to ask epoll about for this client. EPOLLIN only while there is
 * room for more output (backpressure); EPOLLOUT only while output is
 * pending, or epoll_wait would return at once forever: a socket with room
 * in its send buffer is always writable. */
static uint32_t wanted_events(const struct conn *c) {
    uint32_t events = 0;
    if (c->s.out.len < LIMIT_PENDING_OUTPUT && !c->s.closing) events |= EPOLLIN;
    if (c->s.out.len > 0) events |= EPOLLOUT;
    return events;
}

/* Tell epoll what this client wants now, but only if that changed: each
 * change is an epoll_ctl system call. A client whose replies always fit in
 * the socket buffer wants EPOLLIN and nothing else, forever, and costs no
 * epoll_ctl after the first. */
static void update_interest(struct conn *c) {
    uint32_t wanted = wanted_events(c);
    if (wanted == c->registered) return;
    struct epoll_event ev = {.events = wanted, .data.ptr = c};
    if (epoll_ctl(server.epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        perror("epoll_ctl MOD"); /* cannot happen for a registered socket */
        return;
    }
    c->registered = wanted;
}

/* Serve what is ready on one client: read what has arrived, execute it,
 * write what the socket takes. Never waits. Backpressure: while
 * LIMIT_PENDING_OUTPUT of replies is unwritten, the client's further
 * commands are not executed and nothing more is read from it (see
 * wanted_events), so a client that sends but never reads costs a bounded
 * amount of memory, and its unread requests stay in the kernel's buffers. */
static void serve_client(struct conn *c, uint32_t revents) {
    if (revents & EPOLLOUT) {
        if (write_pending(c) < 0) {
            close_client(c);
            return;
        }
    }
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (int reads = 0; reads < READS_PER_WAKEUP; reads++) {
            if (c->s.out.len >= LIMIT_PENDING_OUTPUT || c->s.closing) break;
            size_t room;
            char *space = session_read_space(&c->s, &room);
            if (space == NULL) { /* over LIMIT_QUERY_BUFFER: drop the client */
                close_client(c);
                return;
            }
            ssize_t n = recv(c->fd, space, room, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break; /* all read */
            if (n <= 0) {
                /* 0: the client closed its side, perhaps right after its
                 * last request ("printf 'PING\r\n' | nc"): send what is
                 * already answered, if it still listens, then close.
                 * < 0: reset or another error; the write just fails. */
                write_pending(c);
                close_client(c);
                return;
            }
            session_bytes_read(&c->s, (size_t)n);
            session_run_commands(&c->s, &server.core, LIMIT_PENDING_OUTPUT, NULL);
        }
    }
    /* Output may have drained below the limit above: run what was held
     * back, then write. Again and again while the socket takes it all:
     * commands held back were read already, so no event will come for
     * them, and stopping here would leave them unanswered for good.
     * Writing here, before going back to epoll_wait, is what Redis does
     * too (handleClientsWithPendingWrites, called just before it sleeps):
     * the reply usually fits in the socket's buffer, so there is no need to
     * ask for EPOLLOUT and wait for another wake-up to send it. */
    for (;;) {
        session_run_commands(&c->s, &server.core, LIMIT_PENDING_OUTPUT, NULL);
        int held_back = c->s.out.len >= LIMIT_PENDING_OUTPUT;
        if (write_pending(c) < 0 || (c->s.closing && c->s.out.len == 0)) {
            close_client(c); /* gone, or QUIT / protocol error fully answered */
            return;
        }
        if (!held_back || c->s.out.len > 0) break; /* all run, or the socket is full */
    }
    update_interest(c);
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

/* From now on recv(), send() and accept() on fd return EAGAIN instead of
 * waiting. */
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
    if (write(fd, bytes.data, bytes.len) < 0 && server.opts.verbose)
        perror("write"); /* the client may already be gone; nothing to do */
    buf_free(&bytes);
    if (close(fd) < 0) perror("close");
}

/* Register a new client. */
static void add_client(int fd) {
    if (server.core.connected_clients >= server.opts.maxclients || fd >= server.max_fds) {
        server.core.rejected_connections++;
        reject_client(fd);
        return;
    }
    if (set_nonblocking(fd) < 0) {
        if (close(fd) < 0) perror("close");
        return;
    }
    struct conn *c = mem_alloc(sizeof *c);
    c->fd = fd;
    session_init(&c->s);
    /* Registered once, here; after this only changes of interest cost a
     * system call. data.ptr takes us straight to the connection. */
    c->registered = EPOLLIN;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(server.epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        perror("epoll_ctl ADD"); /* ENOMEM, or ENOSPC past max_user_watches */
        session_free(&c->s);
        free(c);
        if (close(fd) < 0) perror("close");
        return;
    }
    session_register(&c->s, &server.core, fd, clock_now_ms());
    server.conns[fd] = c;
    server.core.connected_clients++;
    server.core.total_connections_received++;
    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client connected (fd %d)\n", fd);
}

/* Stop watching the listener for a tick, and start again. With poll() that
 * was leaving it out of the list; with epoll it is a change of interest. */
static void pause_listener(void) {
    struct epoll_event ev = {.events = 0, .data.ptr = NULL};
    if (epoll_ctl(server.epoll_fd, EPOLL_CTL_MOD, server.listen_fd, &ev) < 0)
        perror("epoll_ctl MOD listener");
    server.listen_paused_until = monotonic_ms() + TICK_MS;
}

/* Watch the listener again, once its pause is over (event_loop checks). */
static void resume_listener(void) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(server.epoll_fd, EPOLL_CTL_MOD, server.listen_fd, &ev) < 0)
        perror("epoll_ctl MOD listener");
    server.listen_paused_until = 0;
}

/* Out of file descriptors (EMFILE, or ENFILE system-wide). The pending
 * connection stays in the listen queue, so the listener stays readable and
 * a naive loop would call accept() again at once, failing again: 100% CPU.
 * The way out: close the spare descriptor we kept for this, accept the
 * connection into it and close it at once (the client sees the connection
 * close), then take the spare back. If even that fails, stop watching the
 * listener for a while; clients leaving will free descriptors, and the
 * first to leave gives the spare back (close_client). */
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

/* Accept every connection waiting in the queue: the listener is readable
 * while at least one is, and waiting for the next epoll_wait to take each
 * of the rest would cost one wake-up per client. */
static void accept_clients(void) {
    for (;;) {
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd < 0) {
            /* EINTR: a signal; try again. ECONNABORTED: the client gave up
             * while queued; harmless. */
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return; /* queue empty */
            if (errno == EMFILE || errno == ENFILE) {
                shed_connection();
                return;
            }
            perror("accept"); /* ENOBUFS, ENOMEM: try again next turn */
            return;
        }
        set_nodelay(fd);
        add_client(fd);
    }
}

/* The timer's work: reclaim expired keys with bounded effort. */
static void on_tick(void) {
    core_reclaim_expired(&server.core, clock_now_ms());
}

/* The loop: ask epoll which sockets are ready, serve those, repeat.
 * epoll_wait sleeps until a socket is ready or the next tick is due, so an
 * idle server wakes only ten times a second. */
static void event_loop(void) {
    struct epoll_event events[MAX_EVENTS];
    int64_t next_tick = monotonic_ms() + TICK_MS;
    while (!server.stop) {
        /* Nothing to rebuild: the kernel keeps the list. epoll_wait costs
         * time for the ready descriptors it returns, not for the idle ones. */
        int64_t now = monotonic_ms();
        if (server.listen_paused_until != 0 && now >= server.listen_paused_until)
            resume_listener();

        int timeout = next_tick > now ? (int)(next_tick - now) : 0;
        int ready = epoll_wait(server.epoll_fd, events, MAX_EVENTS, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue; /* a signal: recheck server.stop */
            perror("epoll_wait");
            return;
        }
        for (int i = 0; i < ready; i++) {
            if (events[i].data.ptr == NULL) {
                accept_clients(); /* the listener is registered with NULL */
            } else {
                serve_client(events[i].data.ptr, events[i].events);
            }
        }

        now = monotonic_ms();
        if (now >= next_tick) {
            on_tick();
            next_tick = now + TICK_MS;
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

/* At shutdown: close every client still connected, then free what
 * alloc_conn_table made. */
static void close_all_clients(void) {
    for (int fd = 0; fd < server.max_fds; fd++) {
        if (server.conns[fd] != NULL) close_client(server.conns[fd]);
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

    /* One descriptor per client, all in this one process. */
    net_raise_fd_limit(server.opts.maxclients, STEP_NAME);
    if (alloc_conn_table() < 0) return 1;

    int port;
    server.listen_fd = net_listen(server.opts.bind, server.opts.port, 511, &port);
    if (server.listen_fd < 0) return 1;
    if (set_nonblocking(server.listen_fd) < 0) return 1;
    /* EPOLL_CLOEXEC: were we ever to exec another program, it should not
     * inherit our epoll set. */
    server.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (server.epoll_fd < 0) {
        perror("epoll_create1");
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(server.epoll_fd, EPOLL_CTL_ADD, server.listen_fd, &ev) < 0) {
        perror("epoll_ctl ADD listener");
        return 1;
    }
    server.spare_fd = open("/dev/null", O_RDONLY);
    if (server.spare_fd < 0) perror("open /dev/null"); /* EMFILE then pauses instead */

    core_init(&server.core, &server.opts, STEP_NAME, "epoll", port, NULL);
    fprintf(stderr, STEP_NAME ": listening on %s:%d\n", server.opts.bind, port);

    event_loop();

    fprintf(stderr, STEP_NAME ": shutting down\n");
    close_all_clients();
    if (server.spare_fd >= 0 && close(server.spare_fd) < 0) perror("close");
    if (close(server.epoll_fd) < 0) perror("close");
    if (close(server.listen_fd) < 0) perror("close");
    core_free(&server.core);
    return 0;
}
