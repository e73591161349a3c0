/*
 * server_limits.h - every limit the server enforces, in one place.
 *
 * A server that accepts bytes from strangers must bound everything a
 * stranger controls: how long a value may be, how many arguments a command
 * may have, how long a line may run before its end, how much unexecuted
 * input one connection may hold. README.md lists these same numbers.
 */
#ifndef SERVER_LIMITS_H
#define SERVER_LIMITS_H

enum {
    /* Longest bulk string a client may send: Redis's proto-max-bulk-len. */
    LIMIT_BULK_LEN = 512 * 1024 * 1024,

    /* Most arguments in one command. Redis 7.0 allows up to INT_MAX; we keep
     * the older 1024*1024 limit so that a header like *2000000000 cannot make
     * us plan for billions of arguments. */
    LIMIT_ARGS = 1024 * 1024,

    /* Longest inline command line, or multibulk header line, without its
     * newline: Redis's PROTO_INLINE_MAX_SIZE. */
    LIMIT_INLINE_LEN = 64 * 1024,

    /* Most unexecuted input one connection may hold: Redis's
     * client-query-buffer-limit. Past it the connection is closed. */
    LIMIT_QUERY_BUFFER = 1024 * 1024 * 1024,

    /* Stop executing a client's pipelined commands while this much of its
     * output is unwritten, and resume when it drains. This is what bounds
     * the memory of a client that sends requests and never reads replies. */
    LIMIT_PENDING_OUTPUT = 256 * 1024,

    /* How much to read per read() call at least: Redis's PROTO_IOBUF_LEN. */
    READ_CHUNK = 16 * 1024,

    /* Buffers larger than this are freed when they empty, so one big request
     * or reply does not keep its memory for the life of the connection. */
    BUFFER_KEEP_MAX = 64 * 1024,

    /* Default for --maxclients, as in Redis. */
    DEFAULT_MAXCLIENTS = 10000,
};

#endif
