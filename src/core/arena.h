/* arena: a per-request bump allocator; everything a request allocates is
 * freed at once by arena_reset when the request ends. */
#ifndef FOLIO_ARENA_H
#define FOLIO_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;   /* the block being filled; older ones follow */
};

/* Returns zeroed memory, or NULL when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees everything but the first block, which is kept for the next request. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
