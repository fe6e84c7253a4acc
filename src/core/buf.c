/* buf: a growable byte buffer. */
#include "core/buf.h"

#include "core/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init_arena(struct buf *b, struct arena *a)
{
    *b = (struct buf){ .arena = a };
}

/* Grows the storage to cap bytes: realloc on the heap; in an arena a new
 * block and a copy (the old one goes when the arena is reset, and doubling
 * keeps what is left behind below the final size). */
static char *grow(struct buf *b, size_t cap)
{
    if (!b->arena)
        return realloc(b->data, cap);
    char *p = arena_alloc(b->arena, cap);
    if (p && b->len)
        memcpy(p, b->data, b->len + 1);
    return p;
}

bool buf_reserve(struct buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = grow(b, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
    if (len == 0 || !buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    if (!b->arena)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

const char *buf_cstr(struct buf *b)
{
    return b->data && b->len ? b->data : "";
}
