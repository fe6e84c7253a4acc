/* comments: readers' comments and their statuses. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "store/db.h"
#include "store/group_commit.h"
#include "store/outbox.h"

static void read_comment_row(struct arena *a, struct db_query *st, void *item)
{
    db_read_comment(a, st, item);
}

static int read_comments(struct store *s, struct arena *a, struct db_query *st,
                         struct comment_list *out)
{
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_comment_row, &items, &out->count,
                        "reading comments");
    out->items = items;
    return rc;
}

int store_comments_recent(struct store *s, struct arena *a, int64_t article_id, int limit,
                          struct comment_list *out)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_RECENT);
    if (!st || !db_bind_int(st, ":article", article_id) || !db_bind_int(st, ":limit", limit))
        return STORE_ERROR;
    return read_comments(s, a, st, out);
}

int store_comment_insert(struct store *s, const struct comment_input *in, int64_t *id)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_INSERT);
    if (!st || !db_bind_int(st, ":article", in->article_id) ||
        !db_bind_int(st, ":parent", in->parent_id) || !db_bind_text(st, ":status", comment_status_name(in->status)) ||
        !db_bind_text(st, ":author", in->author) || !db_bind_text(st, ":email", in->email) ||
        !db_bind_text(st, ":url", in->url) || !db_bind_text(st, ":body", in->body) ||
        !db_bind_text(st, ":ip", in->ip) || !db_bind_text(st, ":user_agent", in->user_agent) ||
        !db_bind_int(st, ":now", in->created_at))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc == STORE_OK)
        *id = db_last_id(s);
    return rc;
}

/* Runs a statement whose first row's first column answers a question:
 * *yes is true when there is a row. */
static int query_exists(struct store *s, struct db_query *st, bool *yes)
{
    int rc = db_one_row(s, NULL, st, NULL, NULL, "checking a comment");
    *yes = rc == STORE_OK;
    return rc == STORE_ERROR ? STORE_ERROR : STORE_OK;
}

static void read_two_ints(struct arena *a, struct db_query *st, void *item)
{
    (void)a;
    int64_t *pair = item;
    pair[0] = db_col_int(st, 0);
    pair[1] = db_col_int(st, 1);
}

/* How many comments came from ip since `since`, and the oldest one's time. */
static int count_recent(struct store *s, const char *ip, int64_t since, int64_t *count,
                        int64_t *oldest)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_RATE);
    if (!st || !db_bind_text(st, ":ip", ip) || !db_bind_int(st, ":since", since))
        return STORE_ERROR;
    int64_t pair[2] = {0, 0};
    int rc = db_one_row(s, NULL, st, read_two_ints, pair, "counting recent comments");
    *count = pair[0];
    *oldest = pair[1];
    /* an aggregate always has its row */
    return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

static int check_rate(struct store *s, const struct comment_post *in,
                      struct comment_post_result *out)
{
    if (in->rate_limit <= 0)
        return STORE_OK;
    int64_t now = in->c.created_at, count = 0, oldest = 0;
    int rc = count_recent(s, in->c.ip, now - in->rate_window, &count, &oldest);
    if (rc == STORE_OK && count >= in->rate_limit) {
        out->verdict = COMMENT_RATE_LIMITED;
        out->retry_after = oldest + in->rate_window - now;
        if (out->retry_after < 1)
            out->retry_after = 1;
    }
    return rc;
}

static int check_duplicate(struct store *s, const struct comment_input *c,
                           struct comment_post_result *out)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_DUPLICATE);
    bool dup = false;
    if (!st || !db_bind_int(st, ":article", c->article_id) ||
        !db_bind_text(st, ":email", c->email) || !db_bind_text(st, ":body", c->body))
        return STORE_ERROR;
    int rc = query_exists(s, st, &dup);
    if (dup)
        out->verdict = COMMENT_DUPLICATE;
    return rc;
}

static int check_parent(struct store *s, const struct comment_input *c,
                        struct comment_post_result *out)
{
    if (c->parent_id == 0)
        return STORE_OK;
    struct db_query *st = db_stmt(s, STMT_COMMENT_PARENT_OK);
    bool ok = false;
    if (!st || !db_bind_int(st, ":id", c->parent_id) ||
        !db_bind_int(st, ":article", c->article_id))
        return STORE_ERROR;
    int rc = query_exists(s, st, &ok);
    if (!ok)
        out->verdict = COMMENT_BAD_PARENT;
    return rc;
}

static int commenter_known(struct store *s, const struct comment_input *c, bool *known)
{
    struct db_query *st = db_stmt(s, STMT_COMMENT_KNOWN);
    if (!st || !db_bind_text(st, ":author", c->author) || !db_bind_text(st, ":email", c->email))
        return STORE_ERROR;
    return query_exists(s, st, known);
}

/* The notifications a stored comment causes, in its own transaction:
 * spam causes none. */
static int comment_events(struct store *s, const struct comment_post *in,
                          const struct comment_post_result *out)
{
    if (out->status == CS_SPAM)
        return STORE_OK;
    int64_t now = in->c.created_at;
    int rc = out->status == CS_APPROVED ? outbox_comment_approved(s, out->id, now)
                                        : outbox_comment_held(s, out->id, now);
    if (rc == STORE_OK && in->subscribe)
        rc = outbox_subscribe(s, out->id, in->c.email, in->link_base, now);
    return rc;
}

/* The page of the stored comment, for its 303: found here, on the
 * connection that wrote it (group_commit.c), whose pages are cached,
 * rather than afterwards on the request's own, whose cache the commit has
 * made stale. The comments written after it in the same batch have higher
 * ids and cannot move it. Not found, the page stays 0. */
static void place_stored(struct store *s, const struct comment_post *in,
                         struct comment_post_result *out)
{
    int64_t article_id = 0, page = 0;
    if (store_comment_page(s, out->id, in->per_page, &article_id, &page) == STORE_OK &&
        article_id == in->c.article_id)
        out->page = page;
}

/* The article, read in the batch that writes the comment (its pages are
 * cached on that connection: group_commit.c), so that the request needs no
 * read of its own on the way to its 303: its id came from the form's
 * signed token (comment_post.c). It also makes sure that comments were
 * still open when this one was written. */
static int check_target(struct store *s, const struct comment_post *in,
                        struct comment_post_result *out)
{
    int64_t id = 0;
    bool open = false;
    int rc = store_article_post_target(s, in->slug, &id, &open);
    if (rc == STORE_NOT_FOUND || (rc == STORE_OK && (id != in->c.article_id || !open))) {
        out->verdict = COMMENT_NO_TARGET;
        return STORE_OK;
    }
    return rc;
}

/* The checks and the insert; the caller owns the transaction. */
static int post_in_transaction(struct store *s, const struct comment_post *in,
                               struct comment_post_result *out)
{
    int rc = check_target(s, in, out);
    if (rc == STORE_OK && out->verdict == COMMENT_STORED)
        rc = check_rate(s, in, out);
    if (rc == STORE_OK && out->verdict == COMMENT_STORED)
        rc = check_duplicate(s, &in->c, out);
    if (rc == STORE_OK && out->verdict == COMMENT_STORED)
        rc = check_parent(s, &in->c, out);
    if (rc != STORE_OK || out->verdict != COMMENT_STORED)
        return rc;
    struct comment_input c = in->c;
    bool known = false;
    if (in->approve_known && (rc = commenter_known(s, &c, &known)) != STORE_OK)
        return rc;
    c.status = known ? CS_APPROVED : c.status;
    rc = store_comment_insert(s, &c, &out->id);
    if (rc == STORE_CONFLICT) {     /* the article (a foreign key) is gone */
        out->verdict = COMMENT_NO_TARGET;
        return STORE_OK;
    }
    if (rc == STORE_OK && known)
        rc = store_article_touch(s, c.article_id);
    out->status = c.status;
    if (rc == STORE_OK)
        rc = comment_events(s, in, out);
    if (rc == STORE_OK)
        place_stored(s, in, out);
    return rc;
}

struct post_job {
    const struct comment_post *in;
    struct comment_post_result *out;
};

static int post_job(struct store *s, void *arg, bool *keep)
{
    struct post_job *job = arg;
    memset(job->out, 0, sizeof *job->out);     /* (a batch may run it again) */
    job->out->verdict = COMMENT_STORED;
    int rc = post_in_transaction(s, job->in, job->out);
    *keep = rc == STORE_OK && job->out->verdict == COMMENT_STORED;
    return rc;
}

/* Through group_write: comments posted at the same moment share one commit
 * (one fsync); each 303 still waits until its comment is on disk. */
int store_comment_post(struct store *s, const struct comment_post *in,
                       struct comment_post_result *out)
{
    memset(out, 0, sizeof *out);    /* (what a batch that never ran it leaves) */
    struct post_job job = { in, out };
    int rc = group_write(s, post_job, &job);
    return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}
