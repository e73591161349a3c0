/*
 * holdconns.c - open N idle connections to a server and hold them.
 *
 * Idle clients are what break a thread-per-client server (each one costs a
 * thread and its stack) and what make poll() slow (each one is scanned on
 * every call). This opens them, optionally checks each one with a PING so
 * that they are really being served, prints one line, and holds them until
 * it is killed or the time runs out.
 *
 * Usage: holdconns -p PORT -n COUNT [-t SECONDS] [-P] [-H]
 *   -t  hold for this long, then exit (default: until SIGTERM or SIGINT)
 *   -P  PING on every connection and wait for the reply before reporting
 *   -H  then send half a command on every connection, and stop there: the
 *       server must keep it, waiting for the rest, without waiting on it
 *
 * Prints "holding N connections" once all are open (with -P: the number
 * that answered).
 * Raises its own open-files limit as far as the hard limit allows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int signo) {
    (void)signo;
    stop = 1;
}

int main(int argc, char **argv) {
    int port = 0, count = 0, seconds = 0, ping = 0, half = 0, opt;
    while ((opt = getopt(argc, argv, "p:n:t:PH")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'n': count = atoi(optarg); break;
        case 't': seconds = atoi(optarg); break;
        case 'P': ping = 1; break;
        case 'H': half = 1; break;
        default:
            fprintf(stderr, "usage: holdconns -p PORT -n COUNT [-t SECONDS] [-P] [-H]\n");
            return 2;
        }
    }
    if (port <= 0 || count <= 0) {
        fprintf(stderr, "usage: holdconns -p PORT -n COUNT [-t SECONDS] [-P] [-H]\n");
        return 2;
    }

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)count + 16) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)count + 16 ? rl.rlim_max : (rlim_t)count + 16;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) perror("setrlimit");
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int *fds = calloc((size_t)count, sizeof *fds);
    if (fds == NULL) {
        perror("calloc");
        return 2;
    }
    /* Open them in batches; with -P, each batch is asked PING and answered
     * before the next is opened. A server that accepts more slowly than we
     * connect (a thread per client) would otherwise overflow its listen
     * backlog, and the kernel would drop our SYNs and retry them only after
     * a second or more: we would be timing TCP's retransmission, not the
     * server. */
    const int batch = 256;
    int opened = 0, answered = 0;
    while (opened < count && !stop) {
        int batch_start = opened;
        for (; opened < count && opened - batch_start < batch && !stop; opened++) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0) {
                fprintf(stderr, "holdconns: socket #%d: %s\n", opened + 1, strerror(errno));
                break;
            }
            if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
                fprintf(stderr, "holdconns: connect #%d: %s\n", opened + 1, strerror(errno));
                close(fd);
                break;
            }
            fds[opened] = fd;
        }
        if (ping) {
            /* Ask the whole batch first, then collect the answers, so that
             * a server slow to accept does not make this serial. */
            for (int i = batch_start; i < opened; i++) {
                if (write(fds[i], "PING\r\n", 6) != 6) perror("write");
            }
            for (int i = batch_start; i < opened && !stop; i++) {
                char reply[16];
                ssize_t n = read(fds[i], reply, sizeof reply);
                if (n >= 5 && memcmp(reply, "+PONG", 5) == 0) answered++;
            }
        }
        if (opened - batch_start < batch && opened < count) break; /* an error above */
    }
    if (ping && answered != opened) {
        fprintf(stderr, "holdconns: %d of %d connections answered PING\n", answered, opened);
    }
    if (half) {
        static const char part[] = "*2\r\n$3\r\nGET\r\n$5\r\nab";
        for (int i = 0; i < opened; i++) {
            if (write(fds[i], part, sizeof part - 1) != (ssize_t)(sizeof part - 1)) perror("write");
        }
    }
    int holding = ping ? answered : opened;
    printf("holding %d connections\n", holding);
    fflush(stdout);

    if (seconds > 0) alarm((unsigned)seconds);
    while (!stop) pause();
    for (int i = 0; i < opened; i++) close(fds[i]);
    free(fds);
    return holding == count ? 0 : 1;
}
