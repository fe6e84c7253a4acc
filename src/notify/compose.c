/* compose: the webhook's JSON and the mails' words and links. */
#include "notify/compose.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "core/json.h"
#include "store/comment_json.h"

#define DAY (24 * 60 * 60)

static const char *article_url(const struct site *site, struct arena *a,
                               const struct comment_view *v)
{
    struct buf slug;
    buf_init_arena(&slug, a);
    esc_url_component(&slug, v->article_slug, strlen(v->article_slug));
    return arena_printf(a, "%s/articles/%s", site->base, buf_cstr(&slug));
}

static const char *comment_url(const struct site *site, struct arena *a,
                               const struct comment_view *v)
{
    return arena_printf(a, "%s#comment-%lld", article_url(site, a, v), (long long)v->c.id);
}

/* base/PATH/TOKEN for a signed action on a comment. */
static const char *link_url(const struct site *site, struct arena *a, const char *path,
                            enum link_action action, int64_t comment_id, int64_t expires)
{
    const char *token = link_token_make(a, site->secret, action, comment_id, expires);
    return token ? arena_printf(a, "%s%s/%s", site->base, path, token) : NULL;
}

/* The comment and its article, or why not. */
static enum composed load_comment(struct store *s, struct arena *a, int64_t id,
                                  struct comment_view *v)
{
    int rc = store_comment_view(s, a, id, v);
    return rc == STORE_OK ? COMPOSED : rc == STORE_NOT_FOUND ? COMPOSE_NOTHING : COMPOSE_ERROR;
}

enum composed compose_webhook(const struct site *site, struct store *s, struct arena *a,
                              const struct outbox_item *it, const char **body)
{
    struct comment_view v;
    enum composed rc = load_comment(s, a, it->comment_id, &v);
    if (rc != COMPOSED)
        return rc;
    json_t *obj = json_object(), *article = json_object();
    bool ok = true;
    json_put(article, "slug", json_text(v.article_slug), &ok);
    json_put(article, "title", json_text(v.article_title), &ok);
    json_put(article, "url", json_text(article_url(site, a, &v)), &ok);
    json_put(obj, "id", json_text(it->event_id), &ok);
    json_put(obj, "event", json_text(it->event), &ok);
    json_put(obj, "created_at", json_time(it->created_at), &ok);
    json_put(obj, "comment", comment_view_json(&v), &ok);
    json_put(obj, "article", article, &ok);
    struct buf out;
    buf_init_arena(&out, a);
    ok = ok && json_write(&out, obj);
    json_decref(obj);
    *body = ok ? buf_cstr(&out) : NULL;
    return ok ? COMPOSED : COMPOSE_ERROR;
}

/* ---- mail ---- */

static void held_mail(const struct site *site, struct arena *a, const struct comment_view *v,
                      int64_t now, struct mail *m)
{
    int64_t expires = now + MAIL_LINK_DAYS * DAY;
    const char *c_url = v->c.url[0] ? v->c.url : "(none)";
    const char *approve = link_url(site, a, "/admin/mail", LINK_APPROVE, v->c.id, expires);
    const char *trash = link_url(site, a, "/admin/mail", LINK_TRASH, v->c.id, expires);
    if (!approve || !trash)
        return;
    m->to = site->cfg->notify_email;
    m->subject = arena_printf(a, "[%s] A comment waits for moderation: \"%s\"",
                              site->cfg->site_title, v->article_title);
    m->body = arena_printf(
        a,
        "A new comment on \"%s\" waits for moderation.\n\n"
        "Author: %s\nEmail: %s\nWebsite: %s\nAddress: %s\n\n%s\n\n"
        "Approve it: %s\n"
        "Trash it: %s\n"
        "(Each link shows the comment and asks once more before it acts; it works for %d days.)\n\n"
        "The article: %s\nThe queue: %s/admin/\n",
        v->article_title, v->c.author, v->c.email, c_url, v->c.ip[0] ? v->c.ip : "(not kept)",
        v->c.body, approve, trash, MAIL_LINK_DAYS,
        article_url(site, a, v), site->base);
}

static void confirm_mail(const struct site *site, struct arena *a, const struct comment_view *v,
                         const struct subscription *sub, int64_t now, struct mail *m)
{
    const char *confirm = link_url(site, a, "/subscriptions/confirm", LINK_CONFIRM, v->c.id,
                                   now + MAIL_LINK_DAYS * DAY);
    if (!confirm)
        return;
    m->subject = arena_printf(a, "Please confirm: follow-up comments on \"%s\"", v->article_title);
    m->body = arena_printf(
        a,
        "Someone, most likely you, left a comment on \"%s\" at %s and asked to be told\n"
        "by mail (at %s) when it is approved and when someone replies to it.\n\n"
        "To confirm, open this link (it works for %d days):\n%s\n\n"
        "If it was not you, ignore this mail: nothing more will be sent.\n\n"
        "-- \nTo refuse these mails now: %s\n",
        v->article_title, site->cfg->site_title, sub->email, MAIL_LINK_DAYS, confirm,
        m->unsubscribe_url);
}

static void approved_mail(const struct site *site, struct arena *a,
                          const struct comment_view *v, struct mail *m)
{
    m->subject = arena_printf(a, "Your comment on \"%s\" is published", v->article_title);
    m->body = arena_printf(a,
                           "Your comment on \"%s\" has been approved and is on the site:\n%s\n\n"
                           "-- \nTo stop these mails: %s\n",
                           v->article_title, comment_url(site, a, v),
                           m->unsubscribe_url);
}

static void reply_mail(const struct site *site, struct arena *a, const struct comment_view *v,
                       struct mail *m)
{
    m->subject = arena_printf(a, "%s replied to your comment on \"%s\"", v->c.author,
                              v->article_title);
    m->body = arena_printf(a,
                           "%s replied to your comment on \"%s\":\n\n%s\n\n"
                           "Read it and answer: %s\n\n"
                           "-- \nTo stop these mails: %s\n",
                           v->c.author, v->article_title, v->c.body, comment_url(site, a, v),
                           m->unsubscribe_url);
}

/* The subscription a reader's mail goes to; COMPOSE_NOTHING when it is
 * gone or ended (or, for a confirmation, done already, and otherwise not
 * yet confirmed). */
static enum composed load_subscription(struct store *s, struct arena *a,
                                       const struct outbox_item *it, struct subscription *sub)
{
    int rc = store_subscription_get(s, a, it->subscriber_of, sub);
    if (rc != STORE_OK)
        return rc == STORE_NOT_FOUND ? COMPOSE_NOTHING : COMPOSE_ERROR;
    bool confirming = strcmp(it->event, "subscription.confirm") == 0;
    if (sub->ended_at || (confirming ? sub->confirmed_at != 0 : sub->confirmed_at == 0))
        return COMPOSE_NOTHING;
    return COMPOSED;
}

void compose_host_of(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    size_t n = 0;
    if (p) {
        p += 3;
        n = strcspn(p, *p == '[' ? "]/?#" : ":/?#");
        if (*p == '[')          /* "[::1]:8080": the brackets and what they hold */
            n = p[n] == ']' ? n + 1 : 0;
    }
    if (n == 0 || n >= len) {
        snprintf(out, len, "localhost");
        return;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

/* The site as a subscriber's mail names it: at --base-url, or without it at
 * the address they posted to (sql/017), which the worker cannot learn
 * otherwise (it has no request). */
static struct site reader_site(const struct site *site, struct arena *a,
                               const struct subscription *sub)
{
    struct site out = *site;
    if (site->cfg->base_url[0] || !sub->link_base || !sub->link_base[0])
        return out;
    char *host = arena_alloc(a, 256);
    if (!host)
        return out;
    compose_host_of(sub->link_base, host, 256);
    out.base = sub->link_base;
    out.host = host;
    if (!site->cfg->mail_from[0])
        out.from = arena_printf(a, "folio@%s", host);
    return out;
}

static void start_mail(const struct site *site, struct arena *a, const struct outbox_item *it,
                       struct mail *m)
{
    *m = (struct mail){ .from = site->from, .date = (int64_t)time(NULL),
                        .message_id = arena_printf(a, "%s@%s", it->event_id, site->host) };
}

enum composed compose_mail(const struct site *editors_site, struct store *s, struct arena *a,
                           const struct outbox_item *it, struct mail *out)
{
    struct comment_view v;
    enum composed rc = load_comment(s, a, it->comment_id, &v);
    if (rc != COMPOSED)
        return rc;
    int64_t now = it->created_at;   /* a link's week runs from the event */
    if (it->subscriber_of == 0) {
        start_mail(editors_site, a, it, out);
        held_mail(editors_site, a, &v, now, out);
        return out->body ? COMPOSED : COMPOSE_ERROR;
    }
    struct subscription sub;
    if ((rc = load_subscription(s, a, it, &sub)) != COMPOSED)
        return rc;
    struct site reader = reader_site(editors_site, a, &sub);
    const struct site *site = &reader;
    start_mail(site, a, it, out);
    out->to = sub.email;
    out->unsubscribe_url = link_url(site, a, "/subscriptions/unsubscribe", LINK_UNSUBSCRIBE,
                                    it->subscriber_of, 0);
    if (!out->unsubscribe_url)
        return COMPOSE_ERROR;
    if (strcmp(it->event, "subscription.confirm") == 0)
        confirm_mail(site, a, &v, &sub, now, out);
    else if (strcmp(it->event, "comment.reply") == 0)
        reply_mail(site, a, &v, out);
    else
        approved_mail(site, a, &v, out);
    return out->body && out->subject ? COMPOSED : COMPOSE_ERROR;
}
