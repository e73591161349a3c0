/*
 * mem.h - allocating memory, and the one rule for when there is none.
 *
 * Running out of memory is fatal, everywhere in this server: every
 * allocation in common/ and in the steps goes through these functions,
 * which print how much was wanted and abort instead of returning NULL.
 * Redis does the same (zmalloc's out-of-memory handler), for the same
 * reasons. A server half-way through a command or a reply cannot back out
 * of it cleanly, and an error reply would need memory too. And on Linux,
 * which overcommits, malloc seldom fails at all: a process short of memory
 * is far more likely to be killed when it touches the pages.
 *
 * So memory is not protected by checking malloc's result. What a client
 * can make the server hold is bounded by explicit limits instead
 * (server_limits.h), and what the keys hold by a limit on them (Redis's
 * maxmemory; the exercise at the end of chapter 7).
 */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>

/* malloc, calloc and realloc, which never return NULL. */
void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *ptr, size_t size);

/* Report that `wanted` bytes could not be had, and abort. For a size that
 * cannot even be computed (an overflow) as well as for a refusal. */
void out_of_memory(size_t wanted);

#endif
