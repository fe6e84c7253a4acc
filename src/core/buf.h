/* buf: a growable byte buffer; every append is checked, a failed
 * allocation sets `failed` and later appends do nothing.
 *
 * A zeroed buf lives on the heap (buf_free frees it). One made by
 * buf_init_arena grows in the arena instead: its contents are already
 * where a request's strings live, with no copy and nothing to free. */
#ifndef FOLIO_BUF_H
#define FOLIO_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

struct buf {
    char *data;     /* always NUL-terminated when len > 0 or after buf_cstr */
    size_t len;
    size_t cap;
    bool failed;    /* an allocation failed; contents are incomplete */
    struct arena *arena;    /* NULL: on the heap */
};

/* An empty buffer that grows in `a`; buf_cstr stays valid until the arena
 * is reset, and buf_free only forgets it. */
void buf_init_arena(struct buf *b, struct arena *a);

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Empties the buffer, keeping its allocation. */
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* The contents as a C string ("" when empty). */
const char *buf_cstr(struct buf *b);
/* Makes room for `extra` more bytes; false when allocation fails. */
bool buf_reserve(struct buf *b, size_t extra);

#endif
