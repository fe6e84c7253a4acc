/* subscription: GET and POST /subscriptions/confirm/{token} and
 * /subscriptions/unsubscribe/{token}, the links of the mail a commenter
 * gets after ticking "Notify me of follow-up comments by email."
 * (src/notify/compose.c). Each token is signed for one comment and one
 * action. GET shows a button and changes nothing (mail scanners fetch
 * links); POST acts. The unsubscribe address is also the mail's
 * List-Unsubscribe: a POST of any body (RFC 8058's
 * "List-Unsubscribe=One-Click"), without cookies, ends the subscription. */
#include <string.h>
#include <time.h>

#include "core/signed.h"
#include "pages/pages.h"

struct wish {
    enum link_action action;    /* LINK_CONFIRM or LINK_UNSUBSCRIBE */
    int64_t comment_id;
    struct comment_view view;
};

static int notice(struct ctx *c, int status, const char *title, const char *message,
                  const struct wish *w, const char *button)
{
    resp_header(c->resp, "Cache-Control", "no-store");
    struct tval *data = page_data(c, title);
    tv_str(data, "title", title);
    tv_str(data, "message", message);
    if (w && w->view.c.id) {
        tv_str(data, "article_title", w->view.article_title);
        tv_str(data, "article_url", site_path(c, arena_printf(c->arena, "/articles/%s",
                                                              w->view.article_slug)));
    }
    if (button) {
        const char *what = w->action == LINK_CONFIRM ? "confirm" : "unsubscribe";
        tv_str(data, "action_url", site_path(c, arena_printf(c->arena, "/subscriptions/%s/%s",
                                                             what, c->params[0])));
        tv_str(data, "button", button);
    }
    return render_page(c, status, "subscription", data);
}

/* The token for `action` and its comment; 0, or the status of the page
 * that says why not (rendered). */
static int read_wish(struct ctx *c, enum link_action action, struct wish *w)
{
    memset(w, 0, sizeof *w);
    enum token_check t = link_token_read(c->app->secret, c->params[0], (int64_t)time(NULL),
                                         &w->action, &w->comment_id);
    if (t == TOKEN_EXPIRED && w->action == action)
        return notice(c, 410, "This link has expired",
                      "Confirmation links work for 7 days. To be told about follow-up "
                      "comments, tick the box again with your next comment.", NULL, NULL);
    if (t != TOKEN_OK || w->action != action)
        return notice(c, 403, "This link is not valid",
                      "It was not made by this site, or it was changed on the way. Nothing "
                      "was done.", NULL, NULL);
    int rc = store_comment_view(c->store, c->arena, w->comment_id, &w->view);
    if (rc == STORE_NOT_FOUND)
        return notice(c, 404, "This comment is gone",
                      "The comment was removed, and with it the subscription.", NULL, NULL);
    return rc == STORE_OK ? 0 : fail(c, 500, "The database could not answer.");
}

static bool is_post(struct ctx *c)
{
    return strcmp(c->req->method, "POST") == 0;
}

int page_subscription_confirm(struct ctx *c)
{
    struct wish w;
    int rc = read_wish(c, LINK_CONFIRM, &w);
    if (rc)
        return rc;
    struct subscription sub;
    rc = store_subscription_get(c->store, c->arena, w.comment_id, &sub);
    if (rc == STORE_OK && !sub.confirmed_at && !sub.ended_at && !is_post(c))
        return notice(c, 200, "Confirm your subscription",
                      "You will be mailed when your comment is approved and when someone "
                      "replies to it. Every mail has a link to stop them.", &w,
                      "Yes, mail me about follow-up comments");
    bool changed = false;
    if (rc == STORE_OK && is_post(c))
        rc = store_subscription_confirm(c->store, w.comment_id, &changed);
    if (rc == STORE_ERROR)
        return fail(c, 500, "The database could not answer.");
    if (!changed)
        return notice(c, 409, "Nothing to do",
                      "This subscription was confirmed or ended already; nothing was "
                      "changed.", &w, NULL);
    return notice(c, 200, "Subscribed",
                  "Thank you. You will be mailed when your comment is approved and when "
                  "someone replies to it.", &w, NULL);
}

int page_subscription_unsubscribe(struct ctx *c)
{
    struct wish w;
    int rc = read_wish(c, LINK_UNSUBSCRIBE, &w);
    if (rc)
        return rc;
    struct subscription sub;
    rc = store_subscription_get(c->store, c->arena, w.comment_id, &sub);
    if (rc == STORE_OK && !sub.ended_at && !is_post(c))
        return notice(c, 200, "Stop these mails?",
                      "You will no longer be mailed about follow-up comments to your "
                      "comment.", &w, "Unsubscribe");
    bool changed = false;
    if (rc == STORE_OK && is_post(c))
        rc = store_subscription_end(c->store, w.comment_id, &changed);
    if (rc == STORE_ERROR)
        return fail(c, 500, "The database could not answer.");
    /* Repeated (a mail client's one-click, then the reader's own): still a 2xx. */
    return notice(c, 200, changed ? "Unsubscribed" : "Already unsubscribed",
                  changed ? "You will get no more mail about this comment."
                          : "This subscription had ended already; nothing was changed.",
                  &w, NULL);
}
