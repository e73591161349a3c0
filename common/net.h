/*
 * net.h - the socket work every step does the same way before its loop
 * starts: open the listening socket, and make room for the clients'
 * descriptors; and naming and ending a client's connection for CLIENT.
 * (Reading, writing and closing client sockets is each step's own
 * business, and its lesson.)
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>

/* Open a TCP socket listening on addr:port with the given backlog. On
 * success returns the socket and sets *bound_port to the port in use (the
 * kernel's choice when port is 0). On failure prints why and returns -1. */
int net_listen(const char *addr, int port, int backlog, int *bound_port);

/* Every client costs a file descriptor, and the default limit is often
 * 1024. Raise the soft limit to fit maxclients plus a few for the server's
 * own use, as far as the hard limit allows; print a warning if it falls
 * short. Returns how many clients fit. */
int net_raise_fd_limit(int maxclients, const char *step_name);

/* A connected socket's address as CLIENT LIST prints it, "127.0.0.1:50312":
 * the client's end (peer = 1) or ours (peer = 0). "?:0" if unknown. */
void net_address(int fd, int peer, char *out, size_t size);

/* End a connection that another part of the server owns (CLIENT KILL):
 * both directions are shut, so the owner's next read sees end-of-file and
 * it closes the socket in its usual way. Closing the descriptor here
 * instead would pull it from under its owner, which might then read from,
 * or close, a descriptor that by then names another client. */
void net_end_connection(int fd);

#endif
