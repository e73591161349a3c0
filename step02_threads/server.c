/*
 * step02_threads/server.c - a thread per client: every client is served
 * at once, and the store is shared behind one lock.
 *
 * The main thread only accepts. Each client gets its own thread running
 * the same blocking read / execute / write loop as step01, so a client that
 * sits idle blocks only its own thread. The price is paid in two places:
 * every thread needs a stack, and every command must take the lock that
 * guards the shared store, so the threads queue up for it.
 *
 * Everything about the protocol and the data lives in common/: this file
 * only moves bytes between a socket and a session's buffers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "core.h"
#include "mem.h"
#include "net.h"
#include "options.h"
#include "server_limits.h"
#include "session.h"

#define STEP_NAME "step02_threads"

/* Each client thread gets a stack this big instead of the default 8 MiB.
 * The deepest call a command makes is KEYS with a pattern of 1000 nested
 * stars (see glob_match in common/glob.c), a few tens of KiB; 256 KiB
 * leaves room for that under the sanitizers too. The default would reserve
 * about 80 GiB of address space for 10,000 clients; this reserves 2.5 GiB. */
enum { CLIENT_STACK_SIZE = 256 * 1024 };

/* The timer: ten ticks a second, as Redis's default "hz 10". */
enum { TICK_MS = 100 };

/* One connected client, known to the main thread so that shutdown can wake
 * its thread. Linked in a list, so that leaving costs O(1). */
struct client {
    int fd;
    struct client *prev, *next;
};

/* The one server. A step's server.c may keep its state in one global: the
 * signal handler must reach the stop flag, and every thread shares it. */
static struct server {
    struct options opts;
    /* What on_stop_signal shuts down, or -1. A signal handler may read
     * only lock-free atomic variables (C11 7.14.1.1): atomic_int. */
    atomic_int listen_fd;
    struct core core;
    atomic_int stop; /* set by SIGINT or SIGTERM, read by every thread */

    /* One lock guards everything shared: the core (store and counters),
     * the client list and the timer thread's stop flag. Locking and
     * unlocking a default mutex we hold correctly cannot fail, so those
     * results are not checked. */
    pthread_mutex_t lock;
    pthread_cond_t client_left; /* signalled when a client leaves */
    struct client *clients;
    pthread_cond_t timer_wake; /* signalled to stop the timer thread; its
                                * clock is CLOCK_MONOTONIC (start_timer) */
    int stop_timer;
    pthread_t timer_thread;
} server = {
    .listen_fd = -1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .client_left = PTHREAD_COND_INITIALIZER,
};

/*
 * Setting the flag is not enough on its own. The loop checks it, then
 * blocks in accept(); a signal that lands between the check and the call
 * runs this handler before the call has started, so there is no wait for
 * EINTR to interrupt, and accept() blocks until a client connects, which
 * may be never. So the handler also shuts the listener down: after
 * shutdown(), accept() fails at once (EINVAL, on Linux), whether it was
 * already waiting or starts later.
 * The client threads never receive the signal: shutdown_clients wakes them.
 * shutdown() is async-signal-safe (man 7 signal-safety). Its result is not
 * checked: a handler can report nothing safely, and the server is stopping
 * anyway. errno is put back, as the interrupted code may be about to read it.
 */
static void on_stop_signal(int signo) {
    (void)signo;
    int saved_errno = errno;
    server.stop = 1;
    if (server.listen_fd >= 0) shutdown(server.listen_fd, SHUT_RDWR);
    errno = saved_errno;
}

/*
 * SIGPIPE: writing to a socket whose peer has gone raises SIGPIPE, whose
 * default action kills the process. One client hanging up mid-reply must
 * not take the server down, so we ignore it and handle the EPIPE that
 * write() then returns instead.
 *
 * SIGINT and SIGTERM: installed without SA_RESTART, so a blocking accept()
 * returns EINTR when they arrive. Only the main thread receives them: the
 * other threads block them (see start_thread), so it is accept() that is
 * interrupted, and the main thread then wakes every client thread.
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

/* Run one command with the core to ourselves: session_run_commands calls
 * this for each command, in place of cmd_execute. Only executing needs the
 * lock, because the store is shared; parsing does not, since the session
 * (input, parser, output) is this thread's own. The lock is taken per
 * command and never held across a read() or a write(): a client that
 * pipelines a thousand commands, or is slow to read its replies, must not
 * stop the other threads from running theirs.
 *
 * session_run_commands read the clock before its first command. Read it
 * again once the lock is ours: waiting for the lock behind a slow command
 * (a KEYS over millions of keys) must not make this one run at an old time. */
static void execute_locked(struct core *core, struct session *s, size_t argc,
                           const struct resp_arg *argv, int64_t now_ms) {
    (void)now_ms; /* read again below, under the lock */
    pthread_mutex_lock(&server.lock);
    cmd_execute(core, s, argc, argv, clock_now_ms());
    pthread_mutex_unlock(&server.lock);
}

/* Serve one client until it disconnects, breaks the protocol or QUITs. */
static void serve_client(int fd) {
    struct session s;
    session_init(&s);
    /* Other threads walk the list of clients (CLIENT LIST, CLIENT KILL):
     * join it, and leave it, under the lock. */
    pthread_mutex_lock(&server.lock);
    session_register(&s, &server.core, fd, clock_now_ms());
    pthread_mutex_unlock(&server.lock);
    while (!server.stop) {
        size_t room;
        char *space = session_read_space(&s, &room);
        if (space == NULL) break; /* over LIMIT_QUERY_BUFFER: drop the client */

        /* Blocks until the client sends something. Only this thread waits:
         * the other clients' threads carry on. */
        ssize_t n = read(fd, space, room);
        /* EINTR cannot happen here: this thread blocks SIGINT and SIGTERM.
         * The check stays, harmless, in case that ever changes. */
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* 0: the client closed, or shutdown; < 0: an error */
        session_bytes_read(&s, (size_t)n);

        /* Execute what arrived, writing whenever LIMIT_PENDING_OUTPUT of
         * replies has piled up, so that a client pipelining big GETs cannot
         * make us hold all of its replies at once. Each command runs under
         * the lock, in execute_locked. */
        for (;;) {
            session_run_commands(&s, &server.core, LIMIT_PENDING_OUTPUT, execute_locked);
            if (s.out.len == 0) break; /* no complete command left */
            if (write_pending(fd, &s.out) < 0) goto done;
        }
        if (s.closing) break; /* QUIT or a protocol error, reply sent */
    }
done:
    pthread_mutex_lock(&server.lock);
    session_unregister(&s, &server.core);
    pthread_mutex_unlock(&server.lock);
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

/* Start a thread with a small stack and with SIGINT and SIGTERM blocked, so
 * that those signals always go to the main thread. A new thread inherits
 * its creator's signal mask, so we block them, create, and restore. */
static int start_thread(pthread_t *thread, void *(*run)(void *), void *arg, int detached) {
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err != 0) return err;
    err = pthread_attr_setstacksize(&attr, CLIENT_STACK_SIZE);
    if (err == 0 && detached) err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (err != 0) {
        pthread_attr_destroy(&attr);
        return err;
    }

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    err = pthread_create(thread, &attr, run, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return err;
}

/* Leave the client list, under the lock. The socket is closed under the
 * lock too: shutdown_clients() may be calling shutdown() on it, and once
 * closed, its number could be reused by a new connection. The memory is
 * freed under the lock as well: once the list is empty, main() may free
 * everything and exit, and nothing of this client may be left by then. */
static void remove_client(struct client *c) {
    pthread_mutex_lock(&server.lock);
    if (c->prev != NULL) c->prev->next = c->next;
    else server.clients = c->next;
    if (c->next != NULL) c->next->prev = c->prev;
    if (close(c->fd) < 0) perror("close");
    free(c);
    server.core.connected_clients--;
    pthread_cond_broadcast(&server.client_left);
    pthread_mutex_unlock(&server.lock);
}

/* A client's own thread: serve it, then leave the list of clients. */
static void *client_thread(void *arg) {
    struct client *c = arg;
    serve_client(c->fd);
    remove_client(c);
    /* Logged once the descriptor is closed, so that the log never shows
     * a client gone whose descriptor number is not yet free again. */
    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client disconnected\n");
    return NULL;
}

/* The timer's work: reclaim expired keys with bounded effort. It runs on
 * the timer thread, under the lock (see timer_thread). */
static void on_tick(void) {
    core_reclaim_expired(&server.core, clock_now_ms());
}

/* The timer: a thread of its own that runs on_tick every TICK_MS, as steps
 * 03 and 04 do between the turns of their loop. Every client thread may be
 * blocked in read() for as long as its client is silent, so none of them
 * can be the one to do it. It runs on_tick under the lock: when many keys
 * expire at once, the expiry cycle goes on for up to 25 ms (common/core.c)
 * and every command waits that long, as Redis's clients wait for its one
 * thread, and steps 03 and 04's for theirs. Letting go of the lock between
 * samples would shorten the wait, but the cycle is the core's, the same in
 * every step, and knows of no lock. Between ticks,
 * pthread_cond_timedwait sleeps without holding
 * the lock until the deadline, or until shutdown signals timer_wake. */
static void *timer_thread(void *arg) {
    (void)arg;
    pthread_mutex_lock(&server.lock);
    int64_t next_tick = monotonic_ms() + TICK_MS;
    while (!server.stop_timer) {
        /* The deadline is a time on the condition variable's clock,
         * CLOCK_MONOTONIC, as a struct timespec. */
        struct timespec deadline = {.tv_sec = next_tick / 1000,
                                    .tv_nsec = (long)(next_tick % 1000) * 1000000};
        pthread_cond_timedwait(&server.timer_wake, &server.lock, &deadline);
        int64_t now = monotonic_ms();
        if (now >= next_tick) {
            on_tick();
            next_tick = now + TICK_MS;
        }
    }
    pthread_mutex_unlock(&server.lock);
    return NULL;
}

/* Start the timer thread. Its condition variable waits on CLOCK_MONOTONIC,
 * not on the default CLOCK_REALTIME: a deadline on the wall clock moves when
 * the system time is set, and a jump back of an hour would stop the ticks
 * for an hour. */
static int start_timer(void) {
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err != 0) return err;
    err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (err == 0) err = pthread_cond_init(&server.timer_wake, &attr);
    pthread_condattr_destroy(&attr);
    if (err != 0) return err;
    err = start_thread(&server.timer_thread, timer_thread, NULL, 0);
    if (err != 0) pthread_cond_destroy(&server.timer_wake);
    return err;
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

/* Register a new client and start its thread. */
static void add_client(int fd) {
    pthread_mutex_lock(&server.lock);
    if (server.core.connected_clients >= server.opts.maxclients) {
        server.core.rejected_connections++;
        pthread_mutex_unlock(&server.lock);
        reject_client(fd);
        return;
    }
    struct client *c = mem_alloc(sizeof *c);
    c->fd = fd;
    c->prev = NULL;
    c->next = server.clients;
    if (server.clients != NULL) server.clients->prev = c;
    server.clients = c;
    server.core.connected_clients++;
    server.core.total_connections_received++;
    pthread_mutex_unlock(&server.lock);

    if (server.opts.verbose) fprintf(stderr, STEP_NAME ": client connected (fd %d)\n", fd);
    pthread_t thread;
    int err = start_thread(&thread, client_thread, c, 1);
    if (err != 0) {
        /* EAGAIN: out of threads (ulimit -u, kernel.threads-max) or memory
         * for a stack. Turn the client away rather than fail. */
        fprintf(stderr, STEP_NAME ": cannot start a client thread: %s\n", strerror(err));
        remove_client(c);
    }
}

/* Accept clients and give each a thread of its own, until a signal sets
 * server.stop. */
static void accept_loop(void) {
    while (!server.stop) {
        int fd = accept(server.listen_fd, NULL, NULL);
        if (fd < 0) {
            /* EINTR: a signal; EINVAL: on_stop_signal shut the listener
             * down; loop to check server.stop. ECONNABORTED: the client
             * gave up while queued; harmless. */
            if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED) continue;
            /* EMFILE, ENFILE, ENOBUFS: out of descriptors or memory. Back
             * off instead of spinning on an accept() that fails at once;
             * clients leaving will free descriptors. */
            perror("accept");
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        set_nodelay(fd);
        add_client(fd);
    }
}

/* Wake every client thread and wait until all have left. shutdown() makes
 * a read() blocked on the socket return 0 and a blocked write() fail, in
 * whichever thread is waiting on it; close() would not wake them. */
static void shutdown_clients(void) {
    pthread_mutex_lock(&server.lock);
    for (struct client *c = server.clients; c != NULL; c = c->next) {
        if (shutdown(c->fd, SHUT_RDWR) < 0 && errno != ENOTCONN) perror("shutdown");
    }
    while (server.clients != NULL) pthread_cond_wait(&server.client_left, &server.lock);
    pthread_mutex_unlock(&server.lock);
}

/* Stop the timer thread: wake it, wait for it to end, and free what
 * start_timer made. */
static void stop_timer(void) {
    pthread_mutex_lock(&server.lock);
    server.stop_timer = 1;
    pthread_cond_signal(&server.timer_wake);
    pthread_mutex_unlock(&server.lock);
    pthread_join(server.timer_thread, NULL);
    pthread_cond_destroy(&server.timer_wake);
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

    /* A thread per client also means a descriptor per client. */
    net_raise_fd_limit(server.opts.maxclients, STEP_NAME);

    int port;
    server.listen_fd = net_listen(server.opts.bind, server.opts.port, 511, &port);
    if (server.listen_fd < 0) return 1;

    core_init(&server.core, &server.opts, STEP_NAME, "threads", port, NULL);
    int err = start_timer();
    if (err != 0) {
        fprintf(stderr, STEP_NAME ": cannot start the timer thread: %s\n", strerror(err));
        return 1;
    }
    fprintf(stderr, STEP_NAME ": listening on %s:%d\n", server.opts.bind, port);

    accept_loop();

    fprintf(stderr, STEP_NAME ": shutting down\n");
    shutdown_clients();
    stop_timer();
    if (close(server.listen_fd) < 0) perror("close");
    core_free(&server.core);
    return 0;
}
