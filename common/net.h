/*
 * net.h - the socket work every step does the same way before its loop
 * starts: open the listening socket, and make room for the clients'
 * descriptors. (Reading, writing and closing client sockets is each step's
 * own business, and its lesson.)
 */
#ifndef NET_H
#define NET_H

/* Open a TCP socket listening on addr:port with the given backlog. On
 * success returns the socket and sets *bound_port to the port in use (the
 * kernel's choice when port is 0). On failure prints why and returns -1. */
int net_listen(const char *addr, int port, int backlog, int *bound_port);

/* Every client costs a file descriptor, and the default limit is often
 * 1024. Raise the soft limit to fit maxclients plus a few for the server's
 * own use, as far as the hard limit allows; print a warning if it falls
 * short. Returns how many clients fit. */
int net_raise_fd_limit(int maxclients, const char *step_name);

#endif
