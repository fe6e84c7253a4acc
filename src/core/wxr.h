/* wxr: reading a WordPress export (WXR 1.0 to 1.2) as a stream. The file is
 * never held in memory: each post is handed over once its own fields are
 * read (at its first comment, or its end), each comment at its end. */
#ifndef FOLIO_WXR_H
#define FOLIO_WXR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A post (any post_type) as the export has it. Text is UTF-8, CDATA joined;
 * strings are never NULL and live until the callback returns. */
struct wxr_post {
    int64_t id;                 /* wp:post_id */
    const char *title, *link;
    const char *creator;                /* the author's display name (wp:author), else login */
    const char *content, *post_name, *status, *type;
    const char *date_gmt, *date;        /* "YYYY-MM-DD HH:MM:SS" or "" */
    const char *comment_status;         /* "open", "closed" or "" */
    const char *tags;                   /* categories and tags, ", "-joined, in order */
    int line;                           /* where the <item> starts */
};

struct wxr_comment {
    int64_t id, parent, post_id;
    const char *author, *email, *url, *ip, *date_gmt, *date, *content, *approved, *type;
    const char *user_agent;             /* not in WordPress's exports; "" */
    int line;
};

struct wxr_handler {
    void *ctx;
    /* The channel's base_site_url (else its <link>), once, before any post. */
    int (*site)(void *ctx, const char *site_url);
    int (*post)(void *ctx, const struct wxr_post *p);
    int (*comment)(void *ctx, const struct wxr_comment *c);
    /* Called now and then with the bytes read so far (progress). */
    void (*progress)(void *ctx, uint64_t bytes);
};

/* Reads the file at `path` (or the bytes of `data`/`len` when path is
 * NULL), calling the handler. A callback returning non-zero stops the
 * reading with that value. Returns 0 when the whole file was read; -1 when
 * it is not a WordPress export or is malformed, with "line N: reason" in err;
 * a callback's value when it stopped. */
int wxr_read(const char *path, const char *data, size_t len, const struct wxr_handler *h,
             char *err, size_t errlen);

/* "YYYY-MM-DD HH:MM:SS" as UTC Unix seconds; false when it is not one (or
 * is WordPress's "0000-00-00 00:00:00"). */
bool wxr_parse_date(const char *s, int64_t *out);

#endif
