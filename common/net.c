/*
 * net.c - flags, the listening socket, the hash seed (see net.h).
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_limits.h"

static void print_usage(FILE *to, const char *step_name) {
    fprintf(to,
            "usage: %s/server [options]\n"
            "  -p, --port N        port to listen on (default 6379; 0 picks a free one)\n"
            "      --bind ADDR     IPv4 address to listen on (default 127.0.0.1)\n"
            "      --maxclients N  most clients served at once (default %d)\n"
            "      --verbose       log every connect and disconnect\n"
            "  -h, --help          show this help\n",
            step_name, DEFAULT_MAXCLIENTS);
}

/* A whole decimal number in [min, max], or -1. */
static long parse_number(const char *s, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) return -1;
    return v;
}

int options_parse(struct options *opts, int argc, char **argv, const char *step_name) {
    opts->port = 6379;
    opts->bind = "127.0.0.1";
    opts->maxclients = DEFAULT_MAXCLIENTS;
    opts->verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout, step_name);
            return 1;
        } else if (strcmp(arg, "--verbose") == 0) {
            opts->verbose = 1;
        } else if ((strcmp(arg, "-p") == 0 || strcmp(arg, "--port") == 0) && value != NULL) {
            long port = parse_number(value, 0, 65535);
            if (port < 0) {
                fprintf(stderr, "%s: bad port '%s'\n", step_name, value);
                return -1;
            }
            opts->port = (int)port;
            i++;
        } else if (strcmp(arg, "--bind") == 0 && value != NULL) {
            opts->bind = value;
            i++;
        } else if (strcmp(arg, "--maxclients") == 0 && value != NULL) {
            long n = parse_number(value, 1, 1000000);
            if (n < 0) {
                fprintf(stderr, "%s: bad --maxclients '%s'\n", step_name, value);
                return -1;
            }
            opts->maxclients = (int)n;
            i++;
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", step_name, arg);
            print_usage(stderr, step_name);
            return -1;
        }
    }
    return 0;
}

int net_listen(const char *addr, int port, int backlog, int *bound_port) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "--bind %s: not an IPv4 address\n", addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        return -1;
    }
    /* Without SO_REUSEADDR a restarted server cannot bind its port while
     * connections from the last run sit in TIME_WAIT (up to a minute). */
    int yes = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0) {
        perror("setsockopt SO_REUSEADDR");
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "bind %s:%d: %s\n", addr, port, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) < 0) {
        perror("listen");
        close(fd);
        return -1;
    }
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
        perror("getsockname");
        close(fd);
        return -1;
    }
    *bound_port = ntohs(sa.sin_port);
    return fd;
}

/* Descriptors the server needs besides its clients: stdin/out/err, the
 * listening socket, and slack for the C library. */
enum { RESERVED_FDS = 32 };

int net_raise_fd_limit(int maxclients, const char *step_name) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("getrlimit RLIMIT_NOFILE");
        return maxclients;
    }
    rlim_t wanted = (rlim_t)maxclients + RESERVED_FDS;
    if (rl.rlim_cur >= wanted) return maxclients;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= wanted ? wanted : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        perror("setrlimit RLIMIT_NOFILE");
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return maxclients;
    }
    if (rl.rlim_cur < wanted) {
        int fit = rl.rlim_cur > RESERVED_FDS ? (int)(rl.rlim_cur - RESERVED_FDS) : 1;
        fprintf(stderr,
                "%s: warning: the open-files limit is %llu, so only about %d of %d clients "
                "fit (raise it with ulimit -n)\n",
                step_name, (unsigned long long)rl.rlim_cur, fit, maxclients);
        return fit;
    }
    return maxclients;
}

void net_random_seed(unsigned char seed[16]) {
    /* /dev/urandom never blocks once the system has booted. If it cannot be
     * read (a chroot without /dev), fall back to the time and pid: weaker
     * against a client who wants to collide keys, but still working. */
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
