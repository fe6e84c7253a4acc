/* Unit tests: the comment form's handler in process, for what the
 * integration tests cannot reach over plain HTTP: cookies marked Secure over
 * HTTPS, cookie paths under a base path, and the answer when the database
 * stays locked (a 503 that keeps the text). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "app/app.h"
#include "core/signed.h"
#include "store/store.h"

static struct app app;
static struct worker *worker;
static struct response resp;

static int post(const char *target, const char *body, bool https)
{
    struct request req = { .method = "POST", .target = target, .query = "",
                           .peer_addr = "192.0.2.1", .https = https,
                           .body = body, .body_len = strlen(body) };
    req.headers[0] = (struct kv){ "content-type", "application/x-www-form-urlencoded" };
    req.headers[1] = (struct kv){ "host", "news.example.org" };
    req.header_count = 2;
    resp_reset(&resp);
    folio_handle(worker, &req, &resp);
    return resp.status;
}

/* The Set-Cookie header for cookie `name`, or NULL. */
static const char *set_cookie(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < resp.header_count; i++)
        if (strcasecmp(resp.headers[i].name, "Set-Cookie") == 0 &&
            strncmp(resp.headers[i].value, name, n) == 0 && resp.headers[i].value[n] == '=')
            return resp.headers[i].value;
    return NULL;
}

/* A valid body with a genuine token signed a minute ago. */
static const char *body_for(struct arena *a, int64_t article_id, const char *text)
{
    const char *token = form_token_make(a, app.secret, article_id, (int64_t)time(NULL) - 60);
    return arena_printf(a, "author=Jane&email=jane%%40example.org&comment=%s&token=%s"
                           "&wp-comment-cookies-consent=yes", text, token);
}

static int64_t make_article(void)
{
    struct article_input in = { .slug = "harbour", .title = "Harbour", .author = "A",
                                .body = "b", .body_html = "<p>b</p>", .tags = "",
                                .source = "", .status = AS_PUBLISHED, .published_at = 1000,
                                .comments_open = true };
    bool created;
    struct article a;
    struct arena ar = {0};
    CHECK(store_article_save(worker->store, &in, &created) == STORE_OK);
    CHECK(store_article_by_slug(worker->store, &ar, "harbour", true, &a) == STORE_OK);
    int64_t id = a.id;
    arena_free(&ar);
    return id;
}

int main(void)
{
    char db_path[] = "/tmp/folio-test-comment-post-XXXXXX";
    int fd = mkstemp(db_path);
    close(fd);
    unlink(db_path);
    config_defaults(&app.cfg);
    app.cfg.db_path = db_path;
    app.cfg.www_dir = FOLIO_SOURCE_DIR "/www";
    app.cfg.sql_dir = FOLIO_SOURCE_DIR "/sql";
    app.cfg.base_path = "/news";
    app.cfg.comment_rate = 0;
    CHECK(app_init(&app) == 0);
    worker = worker_new(&app);
    CHECK(worker != NULL);
    if (!worker)
        return check_result("test_comment_post");
    struct arena a = {0};
    int64_t id = make_article();

    /* Over HTTPS every cookie is Secure, and scoped to the base path. */
    CHECK(post("/news/articles/harbour/comments", body_for(&a, id, "first"), true) == 303);
    CHECK(strstr(resp_header_get(&resp, "Location"), "/news/articles/harbour#comment-") ==
          resp_header_get(&resp, "Location"));
    const char *names[] = { "folio_pending", "comment_author", "comment_author_email" };
    for (size_t i = 0; i < 3; i++) {
        const char *c = set_cookie(names[i]);
        CHECK(c != NULL);
        CHECK(c && strstr(c, "; Path=/news/;") != NULL);
        CHECK(c && strstr(c, "; HttpOnly") != NULL);
        CHECK(c && strstr(c, "; SameSite=Lax") != NULL);
        CHECK(c && strstr(c, "; Secure") != NULL);
    }
    CHECK(set_cookie("comment_author_url") == NULL);     /* no url given, none saved */

    /* Over plain HTTP, no Secure. */
    CHECK(post("/news/articles/harbour/comments", body_for(&a, id, "second"), false) == 303);
    CHECK(set_cookie("folio_pending") && !strstr(set_cookie("folio_pending"), "Secure"));

    /* Another connection holds the write lock past the busy timeout: 503
     * with Retry-After and the text kept, never 500. */
    char err[512];
    struct store *other = store_open(db_path, NULL, false, err, sizeof err);
    CHECK(other && store_begin(other) == STORE_OK);
    CHECK(post("/news/articles/harbour/comments", body_for(&a, id, "kept+text"), false) == 503);
    CHECK(resp_header_get(&resp, "Retry-After") != NULL);
    CHECK(strstr(buf_cstr(&resp.body), "kept text") != NULL);
    store_rollback(other);
    store_close(other);
    /* and once the lock is gone, the same post goes through */
    CHECK(post("/news/articles/harbour/comments", body_for(&a, id, "kept+text"), false) == 303);

    worker_free(worker);
    app_free(&app);
    unlink(db_path);
    unlink(arena_printf(&a, "%s-wal", db_path));
    unlink(arena_printf(&a, "%s-shm", db_path));
    arena_free(&a);
    return check_result("test_comment_post");
}
