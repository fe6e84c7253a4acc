/* queue: GET /admin/ (the moderation queue and the other views) and
 * POST /admin/comments (the actions, one comment or many). */
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "core/escape.h"
#include "core/text.h"
#include "store/store.h"

/* What an action is called on a button and in the message after it (its
 * name, in forms, is comment_action_name's). */
struct action_info {
    const char *button, *done;
};

static const struct action_info actions[CA_COUNT] = {
    [CA_APPROVE] = { "Approve", "approved" },
    [CA_UNAPPROVE] = { "Unapprove", "returned to the queue" },
    [CA_SPAM] = { "Spam", "marked as spam" },
    [CA_TRASH] = { "Trash", "moved to the trash" },
    [CA_RESTORE] = { "Restore", "restored" },
    [CA_DELETE] = { "Delete permanently", "deleted permanently" },
};

/* The flash's kinds besides the actions (which are their enum comment_action)
 * and the comment page's (admin.h). */
enum { FLASH_NONE_TICKED = 100, FLASH_UNDONE = 101 };

/* The longest search the queue takes (in bytes, as /search). */
#define QUEUE_SEARCH_MAX 200

/* The actions offered in each view, by status, up to CA_COUNT. */
static const enum comment_action view_actions[CS_COUNT][5] = {
    [CS_PENDING] = { CA_APPROVE, CA_SPAM, CA_TRASH, CA_COUNT },
    [CS_APPROVED] = { CA_UNAPPROVE, CA_SPAM, CA_TRASH, CA_COUNT },
    [CS_SPAM] = { CA_RESTORE, CA_APPROVE, CA_TRASH, CA_DELETE, CA_COUNT },
    [CS_TRASH] = { CA_RESTORE, CA_SPAM, CA_DELETE, CA_COUNT },
};

static const char *const view_labels[CS_COUNT] = { "Pending", "Approved", "Spam", "Trash" };

/* A view: which status, narrowed to an article (its slug) and a search,
 * and where in it (keyset cursors). */
struct view {
    enum comment_status status;
    const char *article, *q;        /* "" for none */
    int64_t after, before;
};

/* Reads status/article/q/after/before from a query; false when one is
 * malformed. */
static bool view_from_form(struct ctx *c, const struct form *f, struct view *v)
{
    const char *status = form_get(f, "status");
    const char *after = form_get(f, "after"), *before = form_get(f, "before");
    const char *article = form_get(f, "article"), *q = form_get(f, "q");
    *v = (struct view){ .status = CS_PENDING, .article = "", .q = "" };
    if (status && *status && !comment_status_parse(status, &v->status))
        return false;
    if (after && *after && !parse_id(after, &v->after))
        return false;
    if (before && *before && !parse_id(before, &v->before))
        return false;
    v->article = trim_copy(c->arena, article ? article : "");
    v->q = trim_copy(c->arena, q ? q : "");
    return v->article && v->q && strlen(v->article) <= QUEUE_SEARCH_MAX &&
           strlen(v->q) <= QUEUE_SEARCH_MAX;
}

static void query_part(struct buf *b, const char *name, const char *value)
{
    buf_printf(b, "%s%s=", b->len ? "&" : "", name);
    esc_url_component(b, value, strlen(value));
}

/* The view's query ("status=spam&article=x&q=y&after=5"), "" for the first
 * page of the whole queue. */
static const char *view_query(struct ctx *c, const struct view *v)
{
    struct buf b;
    buf_init_arena(&b, c->arena);
    if (v->status != CS_PENDING)
        query_part(&b, "status", comment_status_name(v->status));
    if (*v->article)
        query_part(&b, "article", v->article);
    if (*v->q)
        query_part(&b, "q", v->q);
    if (v->after)
        buf_printf(&b, "%safter=%lld", b.len ? "&" : "", (long long)v->after);
    else if (v->before)
        buf_printf(&b, "%sbefore=%lld", b.len ? "&" : "", (long long)v->before);
    return b.failed ? "" : buf_cstr(&b);
}

static const char *view_url(struct ctx *c, const struct view *v)
{
    const char *q = view_query(c, v);
    return arena_printf(c->arena, "%s/admin/%s%s", c->app->cfg.base_path, *q ? "?" : "", q);
}

/* ---- the page ---- */

static const char *plural(struct ctx *c, long long n, const char *what)
{
    return arena_printf(c->arena, "%lld comment%s %s", n, n == 1 ? "" : "s", what);
}

/* Adds "N comments were not deleted..." and the like to msg. */
static const char *with_count(struct ctx *c, const char *msg, int64_t n, const char *one,
                              const char *many)
{
    if (!n || !msg)
        return msg;
    return arena_printf(c->arena, "%s %s.", msg, plural(c, n, n == 1 ? one : many));
}

/* The message after the comment page's edit or reply (comment.c). */
static const char *comment_page_message(const struct flash *f)
{
    if (f->kind == FLASH_TEXT_EDITED)
        return f->changed ? "The comment's text was changed." : "The text was the same; "
                                                                 "nothing changed.";
    return f->refused ? "The comment was approved and your reply posted."
                      : "Your reply was posted.";
}

/* The message after an action, from the flash its redirect left. */
static const char *flash_message(struct ctx *c, const struct flash *f)
{
    if (f->kind == FLASH_TEXT_EDITED || f->kind == FLASH_REPLIED)
        return comment_page_message(f);
    if (f->kind == FLASH_NONE_TICKED)
        return "Tick at least one comment, then choose what to do with the ticked ones.";
    if (f->kind == FLASH_UNDONE) {
        const char *back = f->changed == 1 ? "put back as it was" : "put back as they were";
        const char *msg = f->changed ? arena_printf(c->arena, "%s.", plural(c, f->changed, back))
                                     : "Nothing was undone.";
        return with_count(c, msg, f->refused, "was changed again since and was left as it is",
                          "were changed again since and were left as they are");
    }
    if (f->kind < 0 || f->kind >= CA_COUNT)
        return NULL;
    const char *msg = f->changed ? arena_printf(c->arena, "%s.",
                                                plural(c, f->changed, actions[f->kind].done))
                                 : "No comment changed.";
    if (f->refused && msg)
        msg = arena_printf(c->arena, "%s %s: only comments in spam or trash can be deleted.",
                           msg, plural(c, f->refused, f->refused == 1 ? "was not deleted"
                                                                      : "were not deleted"));
    return with_count(c, msg, f->missing, "no longer exists", "no longer exist");
}

/* The flash for this page, if the last action left one; with the Undo
 * button's token when the action can be undone. */
static void add_flash(struct ctx *c, struct tval *data)
{
    struct flash f;
    if (!admin_flash_take(c, &f))
        return;
    tv_str(data, "flash", flash_message(c, &f));
    if (f.undo_from && f.undo_to >= f.undo_from)
        tv_str(data, "undo_token", admin_undo_token(c, f.undo_from, f.undo_to));
}

static struct tval *action_list(struct ctx *c, enum comment_status status)
{
    struct tval *list = tv_list(c->arena);
    for (const enum comment_action *a = view_actions[status]; *a != CA_COUNT; a++) {
        struct tval *item = tv_push_obj(list);
        tv_str(item, "action", comment_action_name(*a));
        tv_str(item, "label", actions[*a].button);
        tv_bool(item, "danger", *a == CA_DELETE);
    }
    return list;
}

const char *admin_comment_url(struct ctx *c, const char *slug, int64_t comment_id, bool shown)
{
    int64_t article_id, page = 1;
    if (store_comment_page(c->store, comment_id, c->app->cfg.comments_per_page, &article_id,
                           &page) != STORE_OK)
        page = 1;   /* gone meanwhile: the article */
    return site_path(c, shown ? comment_link(c, slug, page, comment_id)
                              : comment_page_path(c, slug, page));
}

/* A comment's page (edit its text, reply), which leads back to view v. */
static const char *comment_page_url(struct ctx *c, int64_t id, const struct view *v)
{
    const char *back = view_query(c, v);
    struct buf b;
    buf_init_arena(&b, c->arena);
    buf_printf(&b, "%s/admin/comments/%lld", c->app->cfg.base_path, (long long)id);
    if (*back) {
        buf_puts(&b, "?return=");
        esc_url_component(&b, back, strlen(back));
    }
    return b.failed ? NULL : buf_cstr(&b);
}

static void add_comment(struct ctx *c, struct tval *list, const struct mod_comment *m,
                        const struct view *v)
{
    struct tval *item = tv_push_obj(list);
    struct view one_article = { .status = v->status, .article = m->article_slug, .q = v->q };
    tv_str(item, "page_url", comment_page_url(c, m->c.id, v));
    tv_str(item, "article_filter_url", view_url(c, &one_article));
    const struct comment *cm = &m->c;
    tv_int(item, "id", cm->id);
    tv_str(item, "author", cm->author);
    tv_str(item, "email", cm->email);
    tv_str(item, "url", *cm->url ? cm->url : NULL);
    tv_str(item, "ip", cm->ip);
    tv_str(item, "body", cm->body);
    tv_str(item, "status", comment_status_name(cm->status));
    tv_str(item, "previous_status", m->previous_status != CS_NONE
                                        ? comment_status_name(m->previous_status)
                                        : NULL);
    if (cm->parent_id) {
        tv_int(item, "parent", cm->parent_id);
        tv_str(item, "parent_url", admin_comment_url(c, m->article_slug, cm->parent_id, true));
        tv_str(item, "parent_author", *m->parent_author ? m->parent_author : NULL);
        tv_str(item, "parent_excerpt", *m->parent_excerpt ? m->parent_excerpt : NULL);
    }
    tv_str(item, "article_title", m->article_title);
    tv_str(item, "article_slug", m->article_slug);
    tv_bool(item, "approved", cm->status == CS_APPROVED);
    tv_str(item, "article_url", admin_comment_url(c, m->article_slug, cm->id,
                                                  cm->status == CS_APPROVED));
    tv_bool(item, "by_site", cm->by_site);
    admin_set_time(c, item, cm->created_at);
}

static struct tval *view_tabs(struct ctx *c, const struct view *current,
                              const int64_t counts[CS_COUNT])
{
    struct tval *list = tv_list(c->arena);
    for (int i = 0; i < CS_COUNT; i++) {
        /* the other statuses, narrowed the same way */
        struct view v = { .status = (enum comment_status)i, .article = current->article,
                          .q = current->q };
        struct tval *tab = tv_push_obj(list);
        tv_str(tab, "label", view_labels[i]);
        tv_int(tab, "count", counts[i]);
        tv_str(tab, "url", view_url(c, &v));
        tv_bool(tab, "current", v.status == current->status);
    }
    return list;
}

static void add_paging(struct ctx *c, struct tval *data, const struct view *v,
                       const struct mod_comment_page *page)
{
    if (page->count == 0)
        return;
    tv_bool(data, "paged", page->has_prev || page->has_next);
    if (page->has_prev) {
        struct view prev = *v;
        prev.after = 0;
        prev.before = page->items[0].c.id;
        tv_str(data, "prev_url", view_url(c, &prev));
    }
    if (page->has_next) {
        struct view next = *v;
        next.before = 0;
        next.after = page->items[page->count - 1].c.id;
        tv_str(data, "next_url", view_url(c, &next));
    }
}

/* "Tick all on this page" without script: the same page again with every
 * box ticked (?tick=all), and the way back. */
static void add_tick_all(struct ctx *c, struct tval *data, const struct view *v)
{
    const char *here = view_url(c, v);
    bool all = form_get(&c->query, "tick") && strcmp(form_get(&c->query, "tick"), "all") == 0;
    tv_bool(data, "all_ticked", all);
    tv_str(data, "tick_all_url",
           arena_printf(c->arena, "%s%stick=all", here, strchr(here, '?') ? "&" : "?"));
    tv_str(data, "untick_url", here);
}

/* The filter form's values, and what the view is narrowed to. */
static void add_filter(struct ctx *c, struct tval *data, const struct view *v,
                       const struct article *narrowed)
{
    struct tval *filter = tv_obj(c->arena);
    tv_str(filter, "status", v->status != CS_PENDING ? comment_status_name(v->status) : "");
    tv_str(filter, "article", v->article);
    tv_str(filter, "q", v->q);
    if (narrowed)
        tv_str(filter, "article_title", narrowed->title);
    struct view all = { .status = v->status, .article = "", .q = "" };
    tv_bool(filter, "active", *v->article || *v->q);
    tv_str(filter, "clear_url", view_url(c, &all));
    tv_set(data, "filter", filter);
}

static int render_queue(struct ctx *c, const struct view *v, const int64_t counts[CS_COUNT],
                        const struct mod_comment_page *page, const struct article *narrowed)
{
    struct tval *data = admin_page_data(c, arena_printf(c->arena, "%s comments",
                                                        view_labels[v->status]));
    tv_set(data, "views", view_tabs(c, v, counts));
    add_filter(c, data, v, narrowed);
    tv_str(data, "view_label", view_labels[v->status]);
    tv_bool(data, "pending_view", v->status == CS_PENDING);
    tv_str(data, "return", view_query(c, v));
    add_flash(c, data);
    /* The comments' own buttons use the same list, found outwards. */
    tv_set(data, "actions", action_list(c, v->status));
    struct tval *list = tv_list(c->arena);
    for (size_t i = 0; i < page->count; i++)
        add_comment(c, list, &page->items[i], v);
    tv_set(data, "comments", list);
    tv_bool(data, "empty", page->count == 0);
    tv_bool(data, "skip_to_queue", page->count > 0);
    add_paging(c, data, v, page);
    add_tick_all(c, data, v);
    return render_page(c, 200, "admin_queue", data);
}

int admin_queue(struct ctx *c)
{
    struct view v;
    if (!view_from_form(c, &c->query, &v))
        return fail(c, 400, "This view does not exist: status must be pending, approved, spam "
                            "or trash, after or before a comment's number, and article and q "
                            "at most 200 characters.");
    struct comment_filter filter = { .text = v.q };
    struct article narrowed;
    if (*v.article) {
        int rc = store_article_by_slug(c->store, c->arena, v.article, false, &narrowed);
        if (rc == STORE_NOT_FOUND)
            return fail(c, 404, "There is no article with that slug to show the comments of.");
        if (rc != STORE_OK)
            return fail(c, 503, "The database is not answering; try again.");
        filter.article_id = narrowed.id;
    }
    int64_t counts[CS_COUNT];
    struct mod_comment_page page;
    if (store_comment_counts(c->store, counts) != STORE_OK ||
        store_comments_by_status(c->store, c->arena, v.status, &filter, v.after, v.before,
                                 ADMIN_PAGE_SIZE, &page) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    return render_queue(c, &v, counts, &page, *v.article ? &narrowed : NULL);
}

/* ---- the actions ---- */

/* Applies the action to every id in one transaction; `out` gets the counts
 * and the log rows it wrote (for Undo). */
static int apply_action(struct ctx *c, enum comment_action action, const char **ids,
                        size_t count, struct flash *out)
{
    struct actor who = { .editor_id = c->editor_id, .name = c->actor };
    int64_t last_before = 0;
    if (store_begin(c->store) != STORE_OK)
        return STORE_ERROR;
    int rc = store_modlog_last_id(c->store, &last_before);
    for (size_t i = 0; rc == STORE_OK && i < count; i++) {
        int64_t id = 0;
        bool changed = false;
        int one = parse_id(ids[i], &id) ? store_moderate(c->store, id, action, &who, &changed)
                                        : STORE_NOT_FOUND;
        rc = one == STORE_ERROR ? STORE_ERROR : STORE_OK;
        out->changed += changed;
        out->refused += one == STORE_CONFLICT;
        out->missing += one == STORE_NOT_FOUND;
    }
    /* A deletion cannot be undone: the comment is gone. */
    if (rc == STORE_OK && out->changed && action != CA_DELETE) {
        out->undo_from = last_before + 1;
        rc = store_modlog_last_id(c->store, &out->undo_to);
    }
    if (rc != STORE_OK || store_commit(c->store) != STORE_OK) {
        store_rollback(c->store);
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* The view `ret` names (a form's hidden `return`, a view's query), or the
 * queue. */
static struct view return_view(struct ctx *c, const char *ret)
{
    struct view v = { .status = CS_PENDING, .article = "", .q = "" };
    struct form q;
    if (ret && form_parse(c->arena, ret, strlen(ret), &q) == FORM_OK &&
        !view_from_form(c, &q, &v))
        v = (struct view){ .status = CS_PENDING, .article = "", .q = "" };
    return v;
}

/* Back to the view, where the flash says what happened. */
static int back_to_view(struct ctx *c, const struct view *v, const struct flash *f)
{
    admin_flash_set(c, f);
    const char *q = view_query(c, v);
    return redirect(c, arena_printf(c->arena, "/admin/%s%s", *q ? "?" : "", q));
}

int admin_back_to_view(struct ctx *c, const char *ret, const struct flash *f)
{
    struct view v = return_view(c, ret);
    return back_to_view(c, &v, f);
}

const char *admin_view_url(struct ctx *c, const char *ret)
{
    struct view v = return_view(c, ret);
    return view_url(c, &v);
}

/* POST action=undo: puts back what the session's last action changed. */
static int undo_post(struct ctx *c, const struct view *v)
{
    int64_t from, to;
    if (!admin_undo_token_read(c, form_get(&c->form, "undo"), &from, &to))
        return fail(c, 400, "This Undo belongs to another session or was not made here; "
                            "nothing was changed.");
    struct actor who = { .editor_id = c->editor_id, .name = c->actor };
    struct undo_result r;
    if (store_moderation_undo(c->store, c->arena, from, to, &who, &r) != STORE_OK)
        return fail(c, 503, "The database is not answering; nothing was changed. Try again.");
    struct flash f = { .kind = FLASH_UNDONE, .changed = r.undone, .refused = r.skipped };
    return back_to_view(c, v, &f);
}

int admin_comments_post(struct ctx *c)
{
    const char *name = form_get(&c->form, "action");
    struct view v = return_view(c, form_get(&c->form, "return"));
    if (name && strcmp(name, "undo") == 0)
        return undo_post(c, &v);
    enum comment_action action;
    if (!comment_action_parse(name, &action))
        return fail(c, 400, "Choose an action: approve, unapprove, spam, trash, restore or "
                            "delete.");
    const char *ids[FORM_MAX_FIELDS];
    size_t count = form_get_all(&c->form, "id", ids, FORM_MAX_FIELDS);
    struct flash f = { .kind = (int)action };
    if (count == 0) {
        f.kind = FLASH_NONE_TICKED;
        return back_to_view(c, &v, &f);
    }
    if (apply_action(c, action, ids, count, &f) != STORE_OK)
        return fail(c, 503, "The database is not answering; nothing was changed. Try again.");
    return back_to_view(c, &v, &f);
}
