/*
 * wire.c - a raw RESP client for tests: send exact bytes, print exact bytes.
 *
 * The conformance suite must see precisely what a server puts on the wire,
 * so this tool does no protocol work of its own beyond counting complete
 * replies to know when to stop reading. Bytes are written as C-like escapes
 * on both sides:
 *
 *   wire -p 6379 -n 1 '*1\r\n$4\r\nPING\r\n'      prints  +PONG\r\n
 *
 * Options:
 *   -p PORT   server port (required); -h HOST, default 127.0.0.1
 *   -n N      stop after N complete replies (default: read until EOF or timeout)
 *   -t MS     give up reading after MS milliseconds in all (default 5000)
 *   -c BYTES  write the request in chunks of this many bytes ...
 *   -d USEC   ... sleeping this long between chunks
 *   -r COUNT  send the request COUNT times in one write (pipelining)
 *   -f FILE   append the raw bytes of FILE to the request
 *   -o FILE   write the raw reply bytes to FILE instead of printing escapes
 *   -w        after the replies, wait for the server to close the connection
 *   -q        print only "replies=N errors=E" instead of the bytes
 *   -R BYTES  once the request is sent and BYTES of reply have arrived (0: at
 *             once), abort the connection with a TCP reset, unread replies
 *             and all: a client that dies in the middle of a large reply
 *   -F        close politely (FIN) as soon as the request is sent, reading
 *             nothing: the server's later writes then meet a closed socket
 *
 * Exit status: 0 when the wanted replies (and, with -w, the close) arrived;
 * 1 when they did not before EOF or the timeout; 2 on a usage or I/O error.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct bytes {
    char *data;
    size_t len, cap;
};

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void bytes_add(struct bytes *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) die("realloc");
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Turn the escapes \r \n \t \0 \\ \" \' \xHH into bytes. */
static void unescape_into(struct bytes *out, const char *s) {
    while (*s) {
        char c = *s++;
        if (c != '\\' || *s == '\0') {
            bytes_add(out, &c, 1);
            continue;
        }
        char e = *s++;
        switch (e) {
        case 'r': c = '\r'; break;
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case '0': c = '\0'; break;
        case 'x':
            if (hex_value(s[0]) >= 0 && hex_value(s[1]) >= 0) {
                c = (char)(hex_value(s[0]) * 16 + hex_value(s[1]));
                s += 2;
                break;
            }
            c = 'x';
            break;
        default: c = e; break;
        }
        bytes_add(out, &c, 1);
    }
}

static void print_escaped(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r') fputs("\\r", stdout);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c == '\\') fputs("\\\\", stdout);
        else if (c >= 0x20 && c < 0x7f) putchar(c);
        else printf("\\x%02x", c);
    }
    putchar('\n');
}

/* Find the end of the line that starts at pos; returns the index just past
 * "\r\n", or 0 when the line is not complete yet. */
static size_t line_end(const char *p, size_t len, size_t pos) {
    for (size_t i = pos; i + 1 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n') return i + 2;
    }
    return 0;
}

/* If a complete reply starts at pos, return the index just past it;
 * return 0 when more bytes are needed. *is_error is set for '-' replies. */
static size_t reply_end(const char *p, size_t len, size_t pos, int depth, int *is_error) {
    if (pos >= len || depth > 64) return 0;
    size_t end = line_end(p, len, pos);
    if (end == 0) return 0;
    char type = p[pos];
    if (type == '-') *is_error = 1;
    if (type == '+' || type == '-' || type == ':') return end;
    long long n = strtoll(p + pos + 1, NULL, 10);
    if (type == '$') {
        if (n < 0) return end;
        if (len - end < (size_t)n + 2) return 0;
        return end + (size_t)n + 2;
    }
    if (type == '*') {
        int nested_error = 0;
        for (long long i = 0; i < n; i++) {
            end = reply_end(p, len, end, depth + 1, &nested_error);
            if (end == 0) return 0;
        }
        return end;
    }
    return end; /* not RESP: count the line so that the test shows it */
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0, opt, quiet = 0, wait_close = 0, close_after_send = 0;
    long wanted = -1, timeout_ms = 5000, chunk = 0, delay_us = 0, repeat = 1, reset_after = -1;
    const char *out_file = NULL;
    struct bytes request = {0}, one = {0}, reply = {0};

    while ((opt = getopt(argc, argv, "h:p:n:t:c:d:r:f:o:wqR:F")) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'n': wanted = atol(optarg); break;
        case 't': timeout_ms = atol(optarg); break;
        case 'c': chunk = atol(optarg); break;
        case 'd': delay_us = atol(optarg); break;
        case 'r': repeat = atol(optarg); break;
        case 'o': out_file = optarg; break;
        case 'w': wait_close = 1; break;
        case 'q': quiet = 1; break;
        case 'R': reset_after = atol(optarg); break;
        case 'F': close_after_send = 1; break;
        case 'f': {
            FILE *f = fopen(optarg, "rb");
            if (f == NULL) die(optarg);
            char tmp[65536];
            size_t n;
            while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) bytes_add(&one, tmp, n);
            fclose(f);
            break;
        }
        default:
            fprintf(stderr, "usage: wire -p PORT [-n N] [-t MS] [-c BYTES] [-d USEC] "
                            "[-r COUNT] [-f FILE] [-o FILE] [-w] [-q] [-R BYTES] [-F] [REQUEST...]\n");
            return 2;
        }
    }
    for (int i = optind; i < argc; i++) unescape_into(&one, argv[i]);
    for (long i = 0; i < repeat; i++) bytes_add(&request, one.data, one.len);
    if (port <= 0) {
        fprintf(stderr, "wire: -p PORT is required\n");
        return 2;
    }

    /* A server that closes on us while we still write must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) die("inet_pton");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    /* Each chunk must leave as its own segment for the split tests to mean anything. */
    int one_flag = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one_flag, sizeof one_flag);

    size_t sent = 0;
    size_t step = chunk > 0 ? (size_t)chunk : request.len;
    long long deadline = now_ms() + timeout_ms;
    long replies = 0, errors = 0;
    size_t parsed = 0;
    int closed = 0;
    char tmp[65536];

    /* Write and read together: a large request may not fit in the socket
     * buffers before the server's replies have been read. */
    while (!closed) {
        if (close_after_send && sent >= request.len) {
            close(fd);
            printf("closed after sending\n");
            return 0;
        }
        if (reset_after >= 0 && sent >= request.len && reply.len >= (size_t)reset_after) {
            /* SO_LINGER with a zero timeout makes close() send a reset and
             * drop whatever is unread, instead of closing politely. */
            struct linger abort_close = {.l_onoff = 1, .l_linger = 0};
            if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close) < 0)
                die("setsockopt SO_LINGER");
            close(fd);
            printf("reset after %zu reply bytes\n", reply.len);
            return 0;
        }
        int want_more_replies = wanted < 0 || replies < wanted;
        if (sent >= request.len && !want_more_replies && !wait_close) break;
        long long left = deadline - now_ms();
        if (left <= 0) break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (sent < request.len) pfd.events |= POLLOUT;
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("poll");
        if (pfd.revents & POLLOUT) {
            size_t n = request.len - sent < step ? request.len - sent : step;
            ssize_t w = write(fd, request.data + sent, n);
            if (w < 0 && errno != EINTR && errno != EAGAIN) {
                sent = request.len; /* the server closed; read what it said */
            } else if (w > 0) {
                sent += (size_t)w;
                if (chunk > 0 && delay_us > 0) usleep((useconds_t)delay_us);
            }
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(fd, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                closed = 1;
            } else {
                bytes_add(&reply, tmp, (size_t)n);
            }
            for (;;) {
                int is_error = 0;
                size_t end = reply_end(reply.data, reply.len, parsed, 0, &is_error);
                if (end == 0) break;
                parsed = end;
                replies++;
                errors += is_error;
            }
        }
    }

    if (out_file != NULL) {
        FILE *f = fopen(out_file, "wb");
        if (f == NULL) die(out_file);
        if (reply.len > 0 && fwrite(reply.data, 1, reply.len, f) != reply.len) die("fwrite");
        fclose(f);
    } else if (quiet) {
        printf("replies=%ld errors=%ld\n", replies, errors);
    } else {
        print_escaped(reply.data ? reply.data : "", reply.len);
    }
    close(fd);
    int ok = (wanted < 0 || replies >= wanted) && (!wait_close || closed);
    return ok ? 0 : 1;
}
