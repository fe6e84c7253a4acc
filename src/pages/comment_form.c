/* comment_form: the "Leave a Reply" form as a page shows it, and what the
 * reader's own cookies say: their pending comments, their saved details. */
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/signed.h"
#include "core/text.h"
#include "core/validate.h"
#include "pages/comment_form.h"

#define SAVED_AUTHOR_MAX 100

/* The Cookie header's value of `name`, or NULL. */
static const char *cookie(struct ctx *c, const char *name)
{
    return cookie_get(c->arena, req_header(c->req, "cookie"), name);
}

size_t own_pending_comments(struct ctx *c, struct pending_entry *own, size_t max)
{
    const char *value = cookie(c, COOKIE_PENDING);
    if (!value)
        return 0;
    return pending_list_read(c->app->secret, value, (int64_t)time(NULL), own, max);
}

uint64_t own_comment_tag(struct ctx *c, int64_t id, int64_t created_at, const char *email)
{
    return pending_tag(c->app->secret, id, created_at, email);
}

/* True when the reader's list names this very comment: its id, with the
 * tag of its time and email. */
static bool listed_as_own(struct ctx *c, const struct pending_entry *own, size_t own_count,
                          const struct comment *cm)
{
    for (size_t i = 0; i < own_count; i++)
        if (own[i].id == cm->id)
            return own[i].tag == own_comment_tag(c, cm->id, cm->created_at, cm->email);
    return false;
}

void keep_own_comments(struct ctx *c, const struct pending_entry *own, size_t own_count,
                       struct comment_list *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct comment *cm = &list->items[i];
        if (cm->status == CS_APPROVED || listed_as_own(c, own, own_count, cm))
            list->items[kept++] = *cm;
    }
    list->count = kept;
}

int64_t own_comment_deadline(struct ctx *c, const struct comment *cm)
{
    return cm->created_at + (int64_t)c->app->cfg.edit_minutes * 60;
}

/* Pending and inside --edit-minutes: approved, spam and trash are the
 * editors' now. */
static enum own_right changeable_now(struct ctx *c, const struct comment *cm)
{
    if (cm->status != CS_PENDING)
        return OWN_RIGHT_MODERATED;
    if (c->app->cfg.edit_minutes <= 0 || (int64_t)time(NULL) >= own_comment_deadline(c, cm))
        return OWN_RIGHT_EXPIRED;
    return OWN_RIGHT_OK;
}

bool own_comment_changeable(struct ctx *c, const struct comment *cm)
{
    return changeable_now(c, cm) == OWN_RIGHT_OK;
}

enum own_right own_comment_right(struct ctx *c, const struct comment *cm, uint64_t *tag)
{
    struct pending_entry own[PENDING_COOKIE_MAX_IDS];
    size_t n = own_pending_comments(c, own, PENDING_COOKIE_MAX_IDS);
    if (!listed_as_own(c, own, n, cm))
        return OWN_RIGHT_NOT_THEIRS;
    *tag = own_comment_tag(c, cm->id, cm->created_at, cm->email);
    return changeable_now(c, cm);
}

/* A saved-details cookie, percent-decoded; NULL when absent or not clean
 * one-line UTF-8 text. */
static const char *saved_value(struct ctx *c, const char *name)
{
    const char *raw = cookie(c, name);
    if (!raw || !*raw)
        return NULL;
    size_t len = strlen(raw);
    char *out = arena_alloc(c->arena, len + 1);
    long n = out ? url_decode(raw, len, out, false) : -1;
    if (n <= 0 || memchr(out, '\0', (size_t)n) || !utf8_valid(out, (size_t)n) ||
        !text_is_clean(out, false))
        return NULL;
    return out;
}

/* The reader's saved name, email and website; false when there are none. */
static bool saved_details(struct ctx *c, struct comment_form *out)
{
    memset(out, 0, sizeof *out);
    out->author = saved_value(c, COOKIE_AUTHOR);
    out->email = saved_value(c, COOKIE_EMAIL);
    out->url = saved_value(c, COOKIE_URL);
    if (out->author && utf8_length(out->author) > SAVED_AUTHOR_MAX)
        out->author = NULL;
    if (out->email && !email_valid(out->email))
        out->email = NULL;
    if (out->url && !http_url_valid(out->url))
        out->url = NULL;
    out->save = out->author || out->email || out->url;
    return out->save;
}

bool comment_form_is_personal(struct ctx *c, const struct comment_form *form)
{
    struct comment_form saved;
    return form != NULL || saved_details(c, &saved);
}

/* The approved comment ?replytocom= names, when it is shown on this page. */
static const struct comment *reply_target(struct ctx *c, const struct comment_list *shown,
                                          int64_t parent)
{
    int64_t id = parent;
    if (!id && !parse_id(form_get(&c->query, "replytocom"), &id))
        return NULL;
    for (size_t i = 0; i < shown->count; i++)
        if (shown->items[i].id == id && shown->items[i].status == CS_APPROVED)
            return &shown->items[i];
    return NULL;
}

/* A per-process value in every ETag, so that a restart (perhaps with new
 * templates) never vouches for pages an older process rendered. */
static uint64_t process_nonce(void)
{
    static _Atomic uint64_t nonce;
    uint64_t n = atomic_load(&nonce);
    if (n == 0) {
        uint64_t fresh, expected = 0;
        randombytes_buf(&fresh, sizeof fresh);
        fresh |= 1;
        n = atomic_compare_exchange_strong(&nonce, &expected, fresh) ? fresh : expected;
    }
    return n;
}

/* The page embeds a token that changes every second, so a hash of the body
 * would never match twice. Instead the ETag names everything else the
 * public page depends on: the article's version (bumped by every change to
 * it or to its approved comments), the page of comments asked for (its
 * path), the reply target, the address links are made with, the year in
 * the footer and the process. */
static void set_page_etag(struct ctx *c, const struct article *a, int64_t reply_to)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    const char *key = arena_printf(c->arena, "%lld|%lld|%lld|%d|%s|%lld|%s|%d|%llu",
                                   (long long)a->id, (long long)a->version,
                                   (long long)a->updated_at, a->comments_open,
                                   c->req->path ? c->req->path : "", (long long)reply_to,
                                   absolute_url(c, "/"), tm.tm_year,
                                   (unsigned long long)process_nonce());
    unsigned char hash[16];
    if (!key)
        return;
    crypto_generichash(hash, sizeof hash, (const unsigned char *)key, strlen(key), NULL, 0);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    resp_header(c->resp, "ETag", arena_printf(c->arena, "W/\"%s\"", hex));
}

/* True when the page shows the reader's own held comment. */
static bool shows_pending(const struct comment_list *shown)
{
    for (size_t i = 0; i < shown->count; i++)
        if (shown->items[i].status != CS_APPROVED)
            return true;
    return false;
}

static struct tval *errors_object(struct ctx *c, const struct comment_form *form)
{
    struct tval *errors = tv_obj(c->arena);
    tv_str(errors, "author", form->errors_author);
    tv_str(errors, "email", form->errors_email);
    tv_str(errors, "url", form->errors_url);
    tv_str(errors, "comment", form->errors_comment);
    return errors;
}

struct tval *comment_form_object(struct ctx *c, const struct article *a,
                                 const struct comment_form *form,
                                 const struct comment_list *shown)
{
    struct comment_form saved;
    bool sent = form != NULL;
    bool prefilled = !form && saved_details(c, &saved);
    bool public_page = !form && !prefilled && !shows_pending(shown);
    if (!form)
        form = &saved;      /* zeroed by saved_details when there is nothing saved */
    const char *path = site_path(c, arena_printf(c->arena, "/articles/%s", a->slug));
    struct tval *obj = tv_obj(c->arena);
    /* A refused form comes back as the answer to this address; browsers
     * keep the fragment across the POST, so the reader lands at the form,
     * its message and the fields at fault, not at the top of the article. */
    tv_str(obj, "action", arena_printf(c->arena, "%s/comments#respond", path));
    /* Closed comments show no form, except to give back what a reader sent. */
    tv_bool(obj, "shown", a->comments_open || sent);
    tv_str(obj, "author", form->author ? form->author : "");
    tv_str(obj, "email", form->email ? form->email : "");
    tv_str(obj, "url", form->url ? form->url : "");
    tv_str(obj, "comment", form->comment ? form->comment : "");
    tv_bool(obj, "save", form->save);
    tv_bool(obj, "subscribe", form->subscribe);
    tv_str(obj, "hp_name", "hp");
    tv_str(obj, "message", form->message);
    tv_set(obj, "errors", errors_object(c, form));
    const struct comment *target = reply_target(c, shown, form->parent);
    tv_int(obj, "parent", target ? target->id : 0);
    if (target) {
        struct tval *reply = tv_obj(c->arena);
        tv_int(reply, "id", target->id);
        tv_str(reply, "author", target->author);
        int64_t page = comment_page_of(c, a, target->id);
        tv_str(reply, "cancel_url",
               site_path(c, arena_printf(c->arena, "%s#respond",
                                         comment_page_path(c, a->slug, page ? page : 1))));
        tv_set(obj, "reply_to", reply);
    }
    int64_t issued = form->token_issued ? form->token_issued : (int64_t)time(NULL);
    tv_str(obj, "token", form->token_returned
                             ? form_token_make_returned(c->arena, c->app->secret, a->id, issued)
                             : form_token_make(c->arena, c->app->secret, a->id, issued));
    if (public_page)
        set_page_etag(c, a, target ? target->id : 0);
    return obj;
}
