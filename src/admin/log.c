/* log: GET /admin/log, every moderation action, newest first, by keyset. */
#include <string.h>

#include "admin/admin.h"
#include "store/store.h"

static const char *log_url(struct ctx *c, const char *key, int64_t id)
{
    return arena_printf(c->arena, "%s/admin/log?%s=%lld", c->app->cfg.base_path, key,
                        (long long)id);
}

/* Where the comment can be seen now: on the article when approved, else in
 * its view of the queue, at the top of the page. */
static const char *comment_url(struct ctx *c, const struct modlog_entry *e)
{
    enum comment_status status = e->comment_status;
    if (status == CS_NONE)
        return NULL;
    if (status == CS_APPROVED && *e->article_slug)
        return admin_comment_url(c, e->article_slug, e->comment_id, true);
    /* The queue runs oldest first, the other views newest first. */
    int64_t cursor = status == CS_PENDING ? e->comment_id - 1 : e->comment_id + 1;
    if (cursor == 0)
        return arena_printf(c->arena, "%s/admin/", c->app->cfg.base_path);
    return arena_printf(c->arena, "%s/admin/?status=%s&after=%lld", c->app->cfg.base_path,
                        comment_status_name(status), (long long)cursor);
}

static void add_entry(struct ctx *c, struct tval *list, const struct modlog_entry *e)
{
    struct tval *item = tv_push_obj(list);
    tv_int(item, "id", e->id);
    tv_str(item, "actor", e->actor);
    tv_bool(item, "by_token", e->token_id != 0);
    tv_int(item, "comment_id", e->comment_id);
    tv_str(item, "comment_url", comment_url(c, e));
    tv_str(item, "article_title", *e->article_title ? e->article_title : NULL);
    tv_str(item, "article_slug", *e->article_slug ? e->article_slug : NULL);
    tv_str(item, "old_status",
           e->old_status != CS_NONE ? comment_status_name(e->old_status) : "(none)");
    bool gone = e->event == LOG_DELETED || e->event == LOG_WITHDRAWN;
    tv_str(item, "new_status", e->event == LOG_DELETED     ? "deleted"
                               : e->event == LOG_WITHDRAWN ? "withdrawn"
                                                           : comment_status_name(e->new_status));
    tv_bool(item, "deleted", gone);
    /* A change of the text, not of the status (old_status: its status then). */
    tv_bool(item, "edited", e->event == LOG_EDITED);
    /* Neither an editor nor a token: the commenter, through their own
     * edit and withdraw forms (pages/comment_own.c). */
    tv_bool(item, "by_author", !e->editor_id && !e->token_id &&
                                   (e->event == LOG_EDITED || e->event == LOG_WITHDRAWN));
    admin_set_time(c, item, e->at);
}

int admin_log(struct ctx *c)
{
    const char *after_s = form_get(&c->query, "after"), *before_s = form_get(&c->query, "before");
    int64_t after = 0, before = 0;
    if ((after_s && !parse_id(after_s, &after)) || (before_s && !parse_id(before_s, &before)))
        return fail(c, 400, "after and before take the number of a log entry.");
    struct modlog_page page;
    if (store_modlog_page(c->store, c->arena, after, before, ADMIN_PAGE_SIZE, &page) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    struct tval *data = admin_page_data(c, "Moderation log");
    struct tval *list = tv_list(c->arena);
    for (size_t i = 0; i < page.count; i++)
        add_entry(c, list, &page.items[i]);
    tv_set(data, "entries", list);
    tv_bool(data, "empty", page.count == 0);
    tv_bool(data, "log_page", true);
    tv_bool(data, "paged", page.count && (page.has_prev || page.has_next));
    if (page.count && page.has_prev)
        tv_str(data, "prev_url", log_url(c, "before", page.items[0].id));
    if (page.count && page.has_next)
        tv_str(data, "next_url", log_url(c, "after", page.items[page.count - 1].id));
    return render_page(c, 200, "admin_log", data);
}
