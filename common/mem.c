/*
 * mem.c - allocation that aborts when memory runs out (see mem.h).
 *
 * A request for 0 bytes may rightly get NULL back (the C standard allows
 * either answer), so only a NULL for a real size is a failure.
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>

void out_of_memory(size_t wanted) {
    fprintf(stderr, "out of memory allocating %zu bytes\n", wanted);
    abort();
}

void *mem_alloc(size_t size) {
    void *p = malloc(size);
    if (p == NULL && size > 0) out_of_memory(size);
    return p;
}

void *mem_calloc(size_t count, size_t size) {
    void *p = calloc(count, size);
    /* calloc also refuses a count * size that overflows; the message then
     * shows the product wrapped around, which is only a message. */
    if (p == NULL && count > 0 && size > 0) out_of_memory(count * size);
    return p;
}

void *mem_realloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size);
    if (p == NULL && size > 0) out_of_memory(size);
    return p;
}
