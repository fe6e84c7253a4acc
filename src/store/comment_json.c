/* comment_json: the contract's comment object (see comment_json.h). */
#include "store/comment_json.h"

#include "core/json.h"

json_t *comment_view_json(const struct comment_view *v)
{
    const struct comment *cm = &v->c;
    json_t *obj = json_object(), *article = json_object();
    bool ok = true;
    json_put(article, "slug", json_text(v->article_slug), &ok);
    json_put(article, "title", json_text(v->article_title), &ok);
    json_put(obj, "id", json_integer(cm->id), &ok);
    json_put(obj, "article", article, &ok);
    json_put(obj, "parent", cm->parent_id ? json_integer(cm->parent_id) : json_null(), &ok);
    json_put(obj, "author", json_text(cm->author), &ok);
    json_put(obj, "email", json_text(cm->email), &ok);
    json_put(obj, "url", json_text(cm->url), &ok);
    json_put(obj, "body", json_text(cm->body), &ok);
    json_put(obj, "status", json_text(comment_status_name(cm->status)), &ok);
    json_put(obj, "created_at", json_time(cm->created_at), &ok);
    json_put(obj, "ip", json_text(cm->ip), &ok);
    json_put(obj, "by_site", json_boolean(cm->by_site), &ok);
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}
