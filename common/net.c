/*
 * net.c - the listening socket, and descriptors enough for the clients
 * (see net.h).
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_limits.h"

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

void net_address(int fd, int peer, char *out, size_t size) {
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    int rc = peer ? getpeername(fd, (struct sockaddr *)&sa, &len)
                  : getsockname(fd, (struct sockaddr *)&sa, &len);
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (rc == 0 && sa.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof host) == NULL) strcpy(host, "?");
        port = ntohs(in->sin_port);
    } else if (rc == 0 && sa.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
        if (inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host) == NULL) strcpy(host, "?");
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, size, "%s:%d", host, port);
}

void net_end_connection(int fd) {
    /* ENOTCONN: the client has gone already, and the owner will see it. */
    if (shutdown(fd, SHUT_RDWR) < 0 && errno != ENOTCONN) perror("shutdown");
}
