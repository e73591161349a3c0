/*
 * net.h - what every step does the same way before its loop starts:
 * read the command-line flags, open the listening socket, seed the hash.
 */
#ifndef NET_H
#define NET_H

struct options {
    int port;            /* --port / -p; 0 lets the kernel choose (tests use it) */
    const char *bind;    /* --bind; 127.0.0.1 unless asked otherwise */
    int maxclients;      /* --maxclients */
    int verbose;         /* --verbose: log connects and disconnects */
};

/* Parse argv. Returns 0 to run, 1 when --help was printed, -1 on a bad flag
 * (a message has been printed to stderr). */
int options_parse(struct options *opts, int argc, char **argv, const char *step_name);

/* Open a TCP socket listening on addr:port with the given backlog. On
 * success returns the socket and sets *bound_port to the port in use (the
 * kernel's choice when port is 0). On failure prints why and returns -1. */
int net_listen(const char *addr, int port, int backlog, int *bound_port);

/* Every client costs a file descriptor, and the default limit is often
 * 1024. Raise the soft limit to fit maxclients plus a few for the server's
 * own use, as far as the hard limit allows; print a warning if it falls
 * short. Returns how many clients fit. */
int net_raise_fd_limit(int maxclients, const char *step_name);

/* Fill seed with 16 random bytes for the store's hash function. */
void net_random_seed(unsigned char seed[16]);

#endif
