/* comment_own: a commenter's own pending comment, changed from the browser
 * that sent it, within --edit-minutes: GET and POST
 * /articles/{slug}/comments/{id}/edit and /articles/{slug}/comments/{id}/withdraw.
 * The right is the reader's signed folio_pending cookie naming the comment
 * (comment_form.c); each form carries a token bound to that entry. */
#include <string.h>
#include <time.h>

#include "core/comment_format.h"
#include "core/signed.h"
#include "core/text.h"
#include "core/validate.h"
#include "pages/comment_form.h"
#include "pages/pages.h"

static const char MSG_NO_COMMENT[] = "There is no such comment on this article. It may have "
                                     "been withdrawn or removed.";
static const char MSG_NOT_THEIRS[] =
    "Only the person who wrote this comment can change it, from the browser they sent it from.";
static const char MSG_MODERATED[] =
    "This comment has already been moderated, so it can no longer be changed or withdrawn.";
static const char MSG_EXPIRED[] =
    "The time for changing or withdrawing this comment has passed; it now waits for the "
    "editors as it is.";
static const char MSG_TOKEN[] =
    "This form had expired or could not be checked, so nothing was changed. Please send it "
    "again.";
static const char MSG_FIELDS[] =
    "Your changes could not be saved. Please correct the fields marked below.";
static const char MSG_CLOSED[] =
    "Comments are closed on this article, so your comment can no longer be changed.";
static const char MSG_DUPLICATE[] =
    "Duplicate comment detected; it looks as though you've already said that!";
static const char MSG_BUSY[] = "Your comment could not be changed just now. Please try again in "
                               "a moment.";

/* The article, the comment, and the reader's right to it. */
struct own {
    struct article a;
    struct comment_view v;
    uint64_t tag;           /* the reader's cookie entry for it */
    enum own_right right;
};

/* What the edit form shows: the values and the messages. */
struct edit_form {
    const char *author, *url, *comment;
    const char *message, *error_author, *error_url, *error_comment;
};

/* Nothing here may be kept by any cache: it is one reader's comment. */
static void private_answer(struct ctx *c)
{
    resp_header(c->resp, "Cache-Control", "private, no-store");
}

static int right_refused(struct ctx *c, enum own_right right)
{
    switch (right) {
    case OWN_RIGHT_NOT_THEIRS:
        return fail(c, 403, MSG_NOT_THEIRS);
    case OWN_RIGHT_MODERATED:
        return fail(c, 409, MSG_MODERATED);
    case OWN_RIGHT_EXPIRED:
        return fail(c, 403, MSG_EXPIRED);
    case OWN_RIGHT_OK:
        break;
    }
    return 0;
}

/* Finds the published article and its comment {id}, and what the reader
 * may do with it. Returns 0, or the status answered. */
static int load_own(struct ctx *c, struct own *o)
{
    private_answer(c);
    int rc = find_published_article(c, c->params[0], &o->a);
    if (rc)
        return rc;
    int64_t id;
    if (!parse_id(c->params[1], &id))
        return fail(c, 404, MSG_NO_COMMENT);
    rc = store_comment_view(c->store, c->arena, id, &o->v);
    if (rc == STORE_NOT_FOUND || (rc == STORE_OK && o->v.c.article_id != o->a.id))
        return fail(c, 404, MSG_NO_COMMENT);
    if (rc != STORE_OK)
        return fail(c, 503, "The comment could not be read just now. Please try again.");
    o->tag = 0;
    o->right = own_comment_right(c, &o->v.c, &o->tag);
    return 0;
}

static const char *article_path(struct ctx *c, const struct own *o)
{
    return site_path(c, arena_printf(c->arena, "/articles/%s", o->a.slug));
}

/* The values every page here shows: the article, the comment, the time left. */
static struct tval *own_page_data(struct ctx *c, const struct own *o, const char *title)
{
    struct tval *data = page_data(c, title);
    const char *path = article_path(c, o);
    const char *own = arena_printf(c->arena, "%s/comments/%lld", path, (long long)o->v.c.id);
    tv_str(data, "story_title", o->a.title);
    tv_str(data, "story_url", path);
    /* on the page of comments that holds its thread */
    int64_t page = comment_page_of(c, &o->a, o->v.c.id);
    tv_str(data, "comment_url", site_path(c, comment_link(c, o->a.slug, page ? page : 1,
                                                          o->v.c.id)));
    tv_str(data, "edit_action", arena_printf(c->arena, "%s/edit", own));
    tv_str(data, "withdraw_action", arena_printf(c->arena, "%s/withdraw", own));
    tv_str(data, "token", own_token_make(c->arena, c->app->secret, o->v.c.id, o->tag,
                                         (int64_t)time(NULL)));
    int64_t left = own_comment_deadline(c, &o->v.c) - (int64_t)time(NULL);
    long long minutes = left > 0 ? (left + 59) / 60 : 0;
    tv_str(data, "time_left", arena_printf(c->arena, "%lld minute%s", minutes,
                                           minutes == 1 ? "" : "s"));
    set_dates(c, data, own_comment_deadline(c, &o->v.c));
    /* a refused form's rules and the held comment's colour: header.html
     * links states.css */
    tv_bool(data, "states_css", true);
    return data;
}

/* ---- edit ---- */

static int render_edit(struct ctx *c, const struct own *o, const struct edit_form *f,
                       int status)
{
    struct tval *data = own_page_data(c, o, "Edit your comment");
    struct tval *form = tv_obj(c->arena);
    tv_str(form, "author", f->author);
    tv_str(form, "email", o->v.c.email);
    tv_str(form, "url", f->url);
    tv_str(form, "comment", f->comment);
    tv_str(form, "message", f->message);
    struct tval *errors = tv_obj(c->arena);
    tv_str(errors, "author", f->error_author);
    tv_str(errors, "url", f->error_url);
    tv_str(errors, "comment", f->error_comment);
    tv_set(form, "errors", errors);
    tv_set(data, "form", form);
    /* A refusal still gives the reader back what they typed, to keep. */
    tv_bool(data, "editable", o->right == OWN_RIGHT_OK && o->a.comments_open);
    return render_page(c, status, "comment_edit", data);
}

int page_comment_edit_form(struct ctx *c)
{
    struct own o;
    int rc = load_own(c, &o);
    if (rc)
        return rc;
    if ((rc = right_refused(c, o.right)))
        return rc;
    if (!o.a.comments_open)
        return fail(c, 403, MSG_CLOSED);
    const struct comment *cm = &o.v.c;
    struct edit_form f = { .author = cm->author, .url = cm->url, .comment = cm->body };
    return render_edit(c, &o, &f, 200);
}

/* The message for a field whose bytes were not UTF-8 (shown repaired). */
static const char *text_error(const struct form *form, const char *name, const char *error)
{
    if (form_repaired(form, name))
        return "This held characters that could not be read; they are shown as \xEF\xBF\xBD. "
               "Please check it.";
    return error;
}

/* Reads and checks the form as the comment form does; true when valid. */
static bool read_edit(struct ctx *c, const struct form *form, struct edit_form *f,
                      struct own_edit *e)
{
    memset(f, 0, sizeof *f);
    f->author = form_get(form, "author");
    f->url = form_get(form, "url");
    f->comment = form_get(form, "comment");
    e->author = trim_copy(c->arena, f->author ? f->author : "");
    e->url = trim_copy(c->arena, f->url ? f->url : "");
    e->body = comment_text_normalize(c->arena, f->comment ? f->comment : "");
    if (!e->author || !e->url)
        e->author = e->url = "";
    f->error_author = text_error(form, "author", comment_author_error(e->author));
    f->error_url = text_error(form, "url", comment_url_error(e->url));
    f->error_comment = text_error(form, "comment", comment_body_error(e->body));
    bool ok = !f->error_author && !f->error_url && !f->error_comment;
    if (!ok)
        f->message = MSG_FIELDS;
    return ok;
}

static int refuse_edit(struct ctx *c, struct own *o, struct edit_form *f, int status,
                       const char *message)
{
    f->message = message;
    return render_edit(c, o, f, status);
}

static int save_edit(struct ctx *c, struct own *o, struct edit_form *f, struct own_edit *e)
{
    const struct comment *cm = &o->v.c;
    struct comment_values v = { e->author, cm->email, e->url, e->body };
    e->id = cm->id;
    e->created_at = cm->created_at;
    e->status = comment_screen(c, &v, c->req->client_addr ? c->req->client_addr : "",
                               &e->approve_known);
    enum own_change done;
    enum comment_status status;
    if (store_comment_own_edit(c->store, c->arena, e, &done, &status) != STORE_OK) {
        c->error_message = "the comment could not be changed";    /* for the log */
        resp_header(c->resp, "Retry-After", "5");
        return refuse_edit(c, o, f, 503, MSG_BUSY);
    }
    switch (done) {
    case OWN_CHANGED: {
        int64_t page = comment_page_of(c, &o->a, cm->id);
        return redirect(c, comment_link(c, o->a.slug, page ? page : 1, cm->id));
    }
    case OWN_DUPLICATE:
        return refuse_edit(c, o, f, 409, MSG_DUPLICATE);
    case OWN_MODERATED:
        o->right = OWN_RIGHT_MODERATED;
        return refuse_edit(c, o, f, 409, MSG_MODERATED);
    case OWN_GONE:
        break;
    }
    return fail(c, 404, MSG_NO_COMMENT);
}

/* Parses the urlencoded body into c->form, repairing text that is not
 * UTF-8 (each field says so). Returns 0 or the status answered. */
static int parse_body(struct ctx *c)
{
    if (!form_type_is_urlencoded(req_header(c->req, "content-type")))
        return fail(c, 415, "The form must be sent as application/x-www-form-urlencoded.");
    if (c->req->body_len > LIMIT_FORM_BYTES)
        return fail(c, 413, "The form is too large to be sent (64 KiB at most).");
    enum form_error fe = form_parse_repairing(c->arena, c->req->body ? c->req->body : "",
                                              c->req->body_len, &c->form);
    if (fe != FORM_OK)
        return fail(c, fe == FORM_NO_MEMORY ? 500 : 400, form_error_message(fe));
    c->form_parsed = true;
    return 0;
}

int page_comment_edit_post(struct ctx *c)
{
    struct own o;
    int rc = load_own(c, &o);
    if (!rc)
        rc = parse_body(c);
    if (rc)
        return rc;
    /* Someone else's comment: nothing of it is shown. */
    if (o.right == OWN_RIGHT_NOT_THEIRS)
        return right_refused(c, o.right);
    struct edit_form f;
    struct own_edit e;
    bool valid = read_edit(c, &c->form, &f, &e);
    /* Their own, but too late: the page still gives back what they typed. */
    if (o.right != OWN_RIGHT_OK)
        return refuse_edit(c, &o, &f, o.right == OWN_RIGHT_MODERATED ? 409 : 403,
                           o.right == OWN_RIGHT_MODERATED ? MSG_MODERATED : MSG_EXPIRED);
    if (!o.a.comments_open)
        return refuse_edit(c, &o, &f, 403, MSG_CLOSED);
    if (!own_token_check(c->app->secret, form_get(&c->form, "token"), o.v.c.id, o.tag,
                         (int64_t)time(NULL)))
        return refuse_edit(c, &o, &f, 403, MSG_TOKEN);
    if (!valid)
        return render_edit(c, &o, &f, 422);
    return save_edit(c, &o, &f, &e);
}

/* ---- withdraw ---- */

static int render_withdraw(struct ctx *c, const struct own *o, bool done, int status)
{
    struct tval *data = own_page_data(c, o, done ? "Comment withdrawn" : "Withdraw your comment");
    struct buf html;
    buf_init_arena(&html, c->arena);
    comment_format(&html, o->v.c.body, strlen(o->v.c.body));
    tv_trusted_html(data, "body_html", buf_cstr(&html)); /* escaped by comment_format */
    tv_bool(data, "done", done);
    return render_page(c, status, "comment_withdraw", data);
}

int page_comment_withdraw_form(struct ctx *c)
{
    struct own o;
    int rc = load_own(c, &o);
    if (rc || (rc = right_refused(c, o.right)))
        return rc;
    return render_withdraw(c, &o, false, 200);
}

int page_comment_withdraw_post(struct ctx *c)
{
    struct own o;
    int rc = load_own(c, &o);
    if (rc || (rc = right_refused(c, o.right)) || (rc = parse_body(c)))
        return rc;
    if (!own_token_check(c->app->secret, form_get(&c->form, "token"), o.v.c.id, o.tag,
                         (int64_t)time(NULL)))
        return fail(c, 403, MSG_TOKEN);
    enum own_change done;
    if (store_comment_withdraw(c->store, c->arena, o.v.c.id, o.v.c.created_at, &done) !=
        STORE_OK) {
        resp_header(c->resp, "Retry-After", "5");
        return fail(c, 503, MSG_BUSY);
    }
    if (done == OWN_MODERATED)
        return fail(c, 409, MSG_MODERATED);
    if (done != OWN_CHANGED)
        return fail(c, 404, MSG_NO_COMMENT);
    return render_withdraw(c, &o, true, 200);
}
