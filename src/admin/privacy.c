/* privacy: a commenter's data as JSON (the erase is store_commenter_erase). */
#include "admin/privacy.h"

#include <string.h>

#include "core/json.h"
#include "store/store.h"

bool privacy_email_ok(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return at && at > s && at[1] && strlen(s) <= 254;
}

static json_t *comment_json(const struct comment_view *v)
{
    bool ok = true;
    json_t *obj = json_object(), *article = json_object();
    json_put(article, "slug", json_text(v->article_slug), &ok);
    json_put(article, "title", json_text(v->article_title), &ok);
    json_put(obj, "id", json_integer(v->c.id), &ok);
    json_put(obj, "article", article, &ok);
    json_put(obj, "parent", v->c.parent_id ? json_integer(v->c.parent_id) : json_null(), &ok);
    json_put(obj, "author", json_text(v->c.author), &ok);
    json_put(obj, "email", json_text(v->c.email), &ok);
    json_put(obj, "url", json_text(v->c.url), &ok);
    json_put(obj, "body", json_text(v->c.body), &ok);
    json_put(obj, "status", json_text(comment_status_name(v->c.status)), &ok);
    json_put(obj, "created_at", json_time(v->c.created_at), &ok);
    json_put(obj, "ip", json_text(v->c.ip), &ok);
    json_put(obj, "user_agent", json_text(v->c.user_agent), &ok);
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

json_t *privacy_report(struct store *s, struct arena *a, const char *email)
{
    struct comment_view_list list;
    if (store_comments_by_email(s, a, email, &list) != STORE_OK)
        return NULL;
    bool ok = true;
    json_t *doc = json_object(), *items = json_array();
    for (size_t i = 0; i < list.count && ok; i++)
        ok = json_array_append_new(items, comment_json(&list.items[i])) == 0;
    json_put(doc, "email", json_text(email), &ok);
    json_put(doc, "comments", items, &ok);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
