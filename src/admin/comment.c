/* comment: one comment from the queue: GET /admin/comments/{id} (the
 * comment, a form to change its text, a form to reply as the site),
 * POST /admin/comments/{id}/edit and POST /admin/comments/{id}/reply. Each
 * POST leads back to the queue's view it came from (its hidden `return`). */
#include <string.h>

#include "admin/admin.h"
#include "core/validate.h"
#include "store/store.h"

static const char MSG_NO_COMMENT[] = "There is no comment with that number.";
static const char MSG_BUSY[] = "The database is not answering; nothing was changed. Try again.";
static const char MSG_NO_REPLY[] =
    "This comment is in spam or trash: restore it before replying to it.";

/* What the page's two forms show again after a refusal. */
struct comment_forms {
    const char *text, *text_error;      /* the edit form */
    const char *reply, *reply_error;    /* the reply form */
    const char *message;                /* above both */
};

static bool comment_number(struct ctx *c, int64_t *id)
{
    return parse_id(c->params[0], id);
}

/* The view to go back to: the form's `return`, or the page's ?return=. */
static const char *return_query(struct ctx *c)
{
    const char *ret = c->form_parsed ? form_get(&c->form, "return") : NULL;
    return ret ? ret : form_get(&c->query, "return");
}

static int render_comment(struct ctx *c, const struct comment_view *v,
                          const struct comment_forms *forms, int status)
{
    const struct comment *cm = &v->c;
    struct tval *data = admin_page_data(c, arena_printf(c->arena, "Comment #%lld",
                                                        (long long)cm->id));
    struct tval *item = tv_obj(c->arena);
    tv_int(item, "id", cm->id);
    tv_str(item, "author", cm->author);
    tv_str(item, "email", cm->email);
    tv_str(item, "url", *cm->url ? cm->url : NULL);
    tv_str(item, "status", comment_status_name(cm->status));
    tv_str(item, "article_title", v->article_title);
    tv_str(item, "article_url", admin_comment_url(c, v->article_slug, cm->id,
                                                  cm->status == CS_APPROVED));
    tv_bool(item, "by_site", cm->by_site);
    admin_set_time(c, item, cm->created_at);
    tv_set(data, "comment", item);
    const char *ret = return_query(c);
    tv_str(data, "return", ret ? ret : "");
    tv_str(data, "back_url", admin_view_url(c, ret));
    tv_str(data, "message", forms->message);
    tv_str(data, "text", forms->text ? forms->text : cm->body);
    tv_str(data, "text_error", forms->text_error);
    /* Spam and trash get no reply: it would be published under them. */
    tv_bool(data, "can_reply", cm->status == CS_PENDING || cm->status == CS_APPROVED ||
                                   forms->reply);  /* a refused reply is given back */
    tv_bool(data, "approves", cm->status == CS_PENDING);
    tv_str(data, "reply", forms->reply ? forms->reply : "");
    tv_str(data, "reply_error", forms->reply_error);
    return render_page(c, status, "admin_comment", data);
}

/* Loads comment {id}: 0, or the status answered. */
static int load(struct ctx *c, struct comment_view *v)
{
    int64_t id;
    if (!comment_number(c, &id))
        return fail(c, 404, MSG_NO_COMMENT);
    int rc = store_comment_view(c->store, c->arena, id, v);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, MSG_NO_COMMENT);
    return rc == STORE_OK ? 0 : fail(c, 503, MSG_BUSY);
}

int admin_comment_page(struct ctx *c)
{
    struct comment_view v;
    int rc = load(c, &v);
    if (rc)
        return rc;
    struct comment_forms none = {0};
    return render_comment(c, &v, &none, 200);
}

/* The text of a form's field as stored, and its error (NULL when valid). */
static const char *read_text(struct ctx *c, const char *field, const char **error)
{
    const char *typed = form_get(&c->form, field);
    const char *text = comment_text_normalize(c->arena, typed ? typed : "");
    *error = comment_body_error(text);
    return text;
}

int admin_comment_edit(struct ctx *c)
{
    struct comment_view v;
    int rc = load(c, &v);
    if (rc)
        return rc;
    struct comment_forms forms = { .text = form_get(&c->form, "text") };
    const char *text = read_text(c, "text", &forms.text_error);
    if (forms.text_error) {
        forms.message = "The text was not changed. Please correct it below.";
        return render_comment(c, &v, &forms, 422);
    }
    struct actor who = { .editor_id = c->editor_id, .name = c->actor };
    bool changed = false;
    rc = store_comment_set_text(c->store, v.c.id, text, &who, &changed);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, MSG_NO_COMMENT);
    if (rc != STORE_OK)
        return fail(c, 503, MSG_BUSY);
    struct flash f = { .kind = FLASH_TEXT_EDITED, .changed = changed };
    return admin_back_to_view(c, return_query(c), &f);
}

int admin_comment_reply(struct ctx *c)
{
    struct comment_view v;
    int rc = load(c, &v);
    if (rc)
        return rc;
    struct comment_forms forms = { .reply = form_get(&c->form, "reply") };
    const char *text = read_text(c, "reply", &forms.reply_error);
    if (forms.reply_error) {
        forms.message = "Your reply was not posted. Please correct it below.";
        return render_comment(c, &v, &forms, 422);
    }
    struct actor who = { .editor_id = c->editor_id, .name = c->actor };
    int64_t reply_id;
    bool approved;
    rc = store_comment_site_reply(c->store, v.c.id, c->actor, text, &who, &reply_id, &approved);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, MSG_NO_COMMENT);
    if (rc == STORE_CONFLICT) {
        forms.message = MSG_NO_REPLY;
        return render_comment(c, &v, &forms, 409);
    }
    if (rc != STORE_OK)
        return fail(c, 503, MSG_BUSY);
    struct flash f = { .kind = FLASH_REPLIED, .changed = 1, .refused = approved };
    return admin_back_to_view(c, return_query(c), &f);
}
