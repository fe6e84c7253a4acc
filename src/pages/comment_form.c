/* comment_form: the "Leave a Reply" form as a page shows it. */
#include <string.h>

#include "pages/comment_form.h"

size_t own_pending_comments(struct ctx *c, int64_t article_id, int64_t *ids, size_t max)
{
    (void)c;
    (void)article_id;
    (void)ids;
    (void)max;
    return 0;
}

bool comment_form_is_personal(struct ctx *c, const struct comment_form *form)
{
    (void)c;
    (void)form;
    return false;
}

/* The approved comment ?replytocom= names, when it is shown on this page. */
static const struct comment *reply_target(struct ctx *c, const struct comment_list *shown,
                                          int64_t parent)
{
    int64_t id = parent;
    if (!id && !parse_id(form_get(&c->query, "replytocom"), &id))
        return NULL;
    for (size_t i = 0; i < shown->count; i++)
        if (shown->items[i].id == id && strcmp(shown->items[i].status, "approved") == 0)
            return &shown->items[i];
    return NULL;
}

struct tval *comment_form_object(struct ctx *c, const struct article *a,
                                 const struct comment_form *form,
                                 const struct comment_list *shown)
{
    static const struct comment_form empty = {0};
    if (!form)
        form = &empty;
    const char *path = site_path(c, arena_printf(c->arena, "/articles/%s", a->slug));
    struct tval *obj = tv_obj(c->arena);
    tv_str(obj, "action", arena_printf(c->arena, "%s/comments", path));
    tv_str(obj, "author", form->author ? form->author : "");
    tv_str(obj, "email", form->email ? form->email : "");
    tv_str(obj, "url", form->url ? form->url : "");
    tv_str(obj, "comment", form->comment ? form->comment : "");
    tv_bool(obj, "save", form->save);
    tv_str(obj, "hp_name", "hp");
    tv_str(obj, "message", form->message);
    struct tval *errors = tv_obj(c->arena);
    tv_str(errors, "author", form->errors_author);
    tv_str(errors, "email", form->errors_email);
    tv_str(errors, "url", form->errors_url);
    tv_str(errors, "comment", form->errors_comment);
    tv_set(obj, "errors", errors);
    const struct comment *target = reply_target(c, shown, form->parent);
    tv_int(obj, "parent", target ? target->id : 0);
    if (target) {
        struct tval *reply = tv_obj(c->arena);
        tv_int(reply, "id", target->id);
        tv_str(reply, "author", target->author);
        tv_str(reply, "cancel_url", arena_printf(c->arena, "%s#respond", path));
        tv_set(obj, "reply_to", reply);
    }
    tv_str(obj, "token", "");
    return obj;
}
