/* mail_link: GET and POST /admin/mail/{token}, the approve and trash links
 * of the editors' mail about a held comment (src/notify/compose.c). The
 * token is signed for one comment, one action and an expiry; no session is
 * needed. GET shows the comment and a button, and changes nothing (mail
 * scanners fetch links); POST acts, once: only while the comment is still
 * pending, so the same link again, or the other link after it, changes
 * nothing. The log names the actor "by mail link". */
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "core/signed.h"
#include "store/store.h"

#define MAIL_LINK_ACTOR "by mail link"

struct mail_link {
    enum link_action action;
    int64_t comment_id;
    struct comment_view view;
};

static const char *action_verb(enum link_action action)
{
    return action == LINK_APPROVE ? "Approve" : "Trash";
}

/* The page: a title, a message, the comment when there is one, and the
 * button when it can still act. */
static int link_page(struct ctx *c, int status, const char *title, const char *message,
                     const struct mail_link *link, bool button)
{
    struct tval *data = page_data(c, title);
    tv_str(data, "title", title);
    tv_str(data, "message", message);
    if (link && link->view.c.id) {
        const struct comment_view *v = &link->view;
        struct tval *cm = tv_obj(c->arena);
        tv_str(cm, "article_title", v->article_title);
        tv_str(cm, "article_url", site_path(c, arena_printf(c->arena, "/articles/%s",
                                                            v->article_slug)));
        tv_str(cm, "author", v->c.author);
        tv_str(cm, "email", v->c.email);
        tv_str(cm, "url", v->c.url[0] ? v->c.url : NULL);
        tv_str(cm, "body", v->c.body);
        tv_str(cm, "status", comment_status_name(v->c.status));
        admin_set_time(c, cm, v->c.created_at);
        tv_set(data, "comment", cm);
    }
    if (button) {
        tv_str(data, "action_url", site_path(c, arena_printf(c->arena, "/admin/mail/%s",
                                                             c->params[0])));
        tv_str(data, "button", arena_printf(c->arena, "%s this comment",
                                            action_verb(link->action)));
    }
    return render_page(c, status, "admin_mail_link", data);
}

/* Reads the token and the comment; 0, or the status of the page that says
 * why not (rendered). */
static int read_link(struct ctx *c, struct mail_link *link)
{
    memset(link, 0, sizeof *link);
    enum token_check t = link_token_read(c->app->secret, c->params[0], (int64_t)time(NULL),
                                         &link->action, &link->comment_id);
    if (t == TOKEN_EXPIRED && (link->action == LINK_APPROVE || link->action == LINK_TRASH))
        return link_page(c, 410, "This link has expired",
                         "Links in the editors' mail work for 7 days. The comment is still in "
                         "the moderation queue, where it can be dealt with.", NULL, false);
    if (t != TOKEN_OK || (link->action != LINK_APPROVE && link->action != LINK_TRASH))
        return link_page(c, 403, "This link is not valid",
                         "It was not made by this site, or it was changed on the way. Nothing "
                         "was done. Open the moderation queue instead.", NULL, false);
    int rc = store_comment_view(c->store, c->arena, link->comment_id, &link->view);
    if (rc == STORE_NOT_FOUND)
        return link_page(c, 404, "This comment is gone",
                         "It was deleted after the mail was sent. Nothing was done.", NULL,
                         false);
    return rc == STORE_OK ? 0 : fail(c, 500, "The database could not answer.");
}

static int already_done(struct ctx *c, const struct mail_link *link)
{
    return link_page(c, 409, "Nothing to do",
                     arena_printf(c->arena, "This comment no longer waits for moderation: it "
                                            "is %s. The link has done its work; nothing "
                                            "was changed.",
                                  comment_status_name(link->view.c.status)),
                     link, false);
}

int admin_mail_link(struct ctx *c)
{
    struct mail_link link;
    int rc = read_link(c, &link);
    if (rc)
        return rc;
    if (strcmp(c->req->method, "POST") != 0) {
        if (link.view.c.status != CS_PENDING)
            return already_done(c, &link);
        return link_page(c, 200, arena_printf(c->arena, "%s this comment?",
                                              action_verb(link.action)),
                         "This comment waits for moderation.", &link, true);
    }
    struct actor who = { 0, 0, MAIL_LINK_ACTOR };
    bool changed = false;
    enum comment_action action = link.action == LINK_APPROVE ? CA_APPROVE : CA_TRASH;
    rc = store_moderate_pending(c->store, link.comment_id, action, &who, &changed);
    if (rc == STORE_CONFLICT || rc == STORE_NOT_FOUND || (rc == STORE_OK && !changed)) {
        store_comment_view(c->store, c->arena, link.comment_id, &link.view);
        return already_done(c, &link);
    }
    if (rc != STORE_OK)
        return fail(c, 500, "The database could not answer.");
    link.view.c.status = action == CA_APPROVE ? CS_APPROVED : CS_TRASH;
    return link_page(c, 200, action == CA_APPROVE ? "Approved" : "Moved to the trash",
                     action == CA_APPROVE ? "The comment is approved and shown on the site."
                                          : "The comment is in the trash; it can be restored "
                                            "from the queue.",
                     &link, false);
}
