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

/* ---- writing (wxr_write.c): WXR 1.2 as WordPress's importer reads it ---- */

#include "core/buf.h"

/* The channel's opening: title, site, and the authors (display names; each
 * gets a login made from its name, which items' creators use too). */
void wxr_write_head(struct buf *out, const char *title, const char *site_url,
                    const char *const *authors, size_t author_count);
/* An item's opening and every field but its comments. p->status is
 * WordPress's ("publish", "draft"); p->tags the names, ", "-joined;
 * p->date_gmt is ignored in favour of `published_at`. */
void wxr_write_item(struct buf *out, const struct wxr_post *p, int64_t published_at);
/* A comment; c->approved is WordPress's ("1", "0", "spam", "trash"). */
void wxr_write_comment(struct buf *out, const struct wxr_comment *c, int64_t created_at);
void wxr_write_item_end(struct buf *out);
void wxr_write_tail(struct buf *out);
/* Text as CDATA: "]]>" split as WordPress splits it, and the characters
 * XML 1.0 cannot hold left out. */
void wxr_write_cdata(struct buf *out, const char *s);
/* An author's login, made from the display name: lower-case ASCII letters,
 * digits and hyphens ("folio" when none is left). */
void wxr_author_login(struct buf *out, const char *name);

#endif
