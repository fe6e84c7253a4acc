/* kept_page: a rendered response, read-only and shared (see kept_page.h). */
#include "core/kept_page.h"

#include <stdlib.h>
#include <string.h>

/* Copies s to *at and moves *at past it. */
static const char *put_string(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*at, s, n);
    *at += n;
    return copy;
}

static struct kept_page *make(const char *content_type, size_t header_count,
                              const char *const *names, const char *const *values,
                              const char *body, size_t body_len)
{
    size_t bytes = sizeof(struct kept_page) + body_len + 1 + strlen(content_type) + 1;
    for (size_t i = 0; i < header_count; i++)
        bytes += strlen(names[i]) + 1 + strlen(values[i]) + 1;
    struct kept_page *p = malloc(bytes);
    if (!p)
        return NULL;
    atomic_init(&p->holders, 1);
    atomic_init(&p->front, NULL);
    p->bytes = bytes;
    p->body = p->text;
    p->body_len = body_len;
    memcpy(p->body, body, body_len);
    p->body[body_len] = '\0';
    char *at = p->text + body_len + 1;
    p->content_type = put_string(&at, content_type);
    p->header_count = header_count;
    for (size_t i = 0; i < header_count; i++) {
        p->names[i] = put_string(&at, names[i]);
        p->values[i] = put_string(&at, values[i]);
    }
    return p;
}

struct kept_page *kept_page_make(const struct response *resp)
{
    const char *names[RESP_MAX_HEADERS], *values[RESP_MAX_HEADERS];
    for (size_t i = 0; i < resp->header_count; i++) {
        names[i] = resp->headers[i].name;
        values[i] = resp->headers[i].value;
    }
    size_t len;
    const char *body = resp_body(resp, &len);
    return make(resp->content_type ? resp->content_type : "text/html; charset=utf-8",
                resp->header_count, names, values, body, len);
}

struct kept_page *kept_page_copy(const struct kept_page *p)
{
    return make(p->content_type, p->header_count, p->names, p->values, p->body, p->body_len);
}

struct kept_page *kept_page_hold(struct kept_page *p)
{
    atomic_fetch_add_explicit(&p->holders, 1, memory_order_relaxed);
    return p;
}

static void (*free_front)(void *obj);

void kept_page_release(struct kept_page *p)
{
    /* acq_rel: every holder's reads of the page happen before the free */
    if (p && atomic_fetch_sub_explicit(&p->holders, 1, memory_order_acq_rel) == 1) {
        void *obj = atomic_load_explicit(&p->front, memory_order_acquire);
        if (obj && free_front)
            free_front(obj);
        free(p);
    }
}

void *kept_page_front(struct kept_page *p)
{
    return atomic_load_explicit(&p->front, memory_order_acquire);
}

bool kept_page_attach(struct kept_page *p, void *obj)
{
    void *none = NULL;
    return atomic_compare_exchange_strong_explicit(&p->front, &none, obj, memory_order_acq_rel,
                                                   memory_order_acquire);
}

void kept_page_front_free(void (*fn)(void *obj))
{
    free_front = fn;
}
