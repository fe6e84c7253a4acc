/* Unit tests: routing, decoding and the answers the core gives on its own
 * (400, 404, 405, 413, 414, HEAD, 304), without a network. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "app/app.h"
#include "store/store.h"

static struct app app;
static struct worker *worker;
static struct response resp;

static int get(const char *method, const char *target, const char *query)
{
    struct request req = { .method = method, .target = target, .query = query,
                           .peer_addr = "127.0.0.1" };
    resp_reset(&resp);
    folio_handle(worker, &req, &resp);
    return resp.status;
}

/* GET target with If-None-Match: inm; returns the status. */
static int get_if_none_match(const char *target, const char *inm)
{
    struct request req = { .method = "GET", .target = target, .query = "", .peer_addr = "::1" };
    req.headers[0].name = "if-none-match";
    req.headers[0].value = inm;
    req.header_count = 1;
    resp_reset(&resp);
    folio_handle(worker, &req, &resp);
    return resp.status;
}

static const char *header(const char *name)
{
    return resp_header_get(&resp, name);
}

int main(void)
{
    char db_path[] = "/tmp/folio-test-router-XXXXXX";
    int fd = mkstemp(db_path);
    close(fd);
    unlink(db_path);
    config_defaults(&app.cfg);
    app.cfg.db_path = db_path;
    app.cfg.www_dir = FOLIO_SOURCE_DIR "/www";
    app.cfg.sql_dir = FOLIO_SOURCE_DIR "/sql";
    CHECK(app_init(&app) == 0);
    worker = worker_new(&app);
    CHECK(worker != NULL);
    if (!worker)
        return check_result("test_router");

    CHECK(get("GET", "/", "") == 200);
    CHECK_STR(resp.content_type, "text/html; charset=utf-8");
    CHECK(header("ETag") != NULL);
    CHECK_STR(header("X-Content-Type-Options"), "nosniff");
    CHECK(get("GET", "/healthz", "") == 200);
    CHECK(get("GET", "/nowhere", "") == 404);
    CHECK(get("GET", "/articles/missing", "") == 404);
    CHECK(get("GET", "/articles/", "") == 404);
    CHECK(get("DELETE", "/", "") == 405);
    CHECK_STR(header("Allow"), "GET, HEAD");
    CHECK(get("PUT", "/articles/x/comments", "") == 405);
    CHECK_STR(header("Allow"), "GET, HEAD, POST");
    CHECK(get("GET", "/articles/missing/comments", "") == 404);
    CHECK(get("GET", "/articles/%zz", "") == 400);
    CHECK(get("GET", "/articles/a%00b", "") == 400);
    CHECK(get("GET", "/articles/%ff", "") == 400);
    CHECK(get("GET", "relative", "") == 400);
    CHECK(get("GET", "/", "page=0") == 400);
    CHECK(get("GET", "/", "page=x") == 400);
    CHECK(get("GET", "/", "page=%zz") == 400);
    CHECK(get("GET", "/", "page=2") == 200);
    CHECK(get("GET", "/static/../sql/001_initial.sql", "") == 404);
    CHECK(get("GET", "/static/%2e%2e/sql/001_initial.sql", "") == 404);
    CHECK(get("GET", "/static/folio.css", "") == 200);
    CHECK(resp.file_path != NULL);

    char *long_target = malloc(LIMIT_TARGET_BYTES + 16);
    memset(long_target, 'a', LIMIT_TARGET_BYTES + 15);
    long_target[0] = '/';
    long_target[LIMIT_TARGET_BYTES + 15] = '\0';
    CHECK(get("GET", long_target, "") == 414);
    free(long_target);

    /* A conditional GET with the ETag just served answers 304; the match is
     * weak (W/ ignored), within a list, and exact (no prefix matches). */
    CHECK(get("GET", "/", "") == 200);
    const char *etag = header("ETag");
    char saved[64], probe[160];
    snprintf(saved, sizeof saved, "%s", etag ? etag : "");
    CHECK(strcmp(header("Cache-Control"), "no-cache") == 0);
    CHECK(get_if_none_match("/", saved) == 304);
    CHECK(get_if_none_match("/", "*") == 304);
    snprintf(probe, sizeof probe, "W/%s", saved);
    CHECK(get_if_none_match("/", probe) == 304);
    snprintf(probe, sizeof probe, "\"other\", W/%s , \"zz\"", saved);
    CHECK(get_if_none_match("/", probe) == 304);
    snprintf(probe, sizeof probe, "%sx", saved);
    CHECK(get_if_none_match("/", probe) == 200);
    snprintf(probe, sizeof probe, "%.*s", (int)strlen(saved) - 2, saved);
    CHECK(get_if_none_match("/", probe) == 200);
    CHECK(get_if_none_match("/", "") == 200);

    /* The base path: only what lies under it is the site. */
    app.cfg.base_path = "/news";
    CHECK(get("GET", "/news", "") == 200);
    CHECK(get("GET", "/news/", "") == 200);
    CHECK(get("GET", "/newsroom", "") == 404);
    CHECK(get("GET", "/", "") == 404);
    CHECK(strstr(resp.body.data, "/news/static/folio.css") != NULL);

    worker_free(worker);
    app_free(&app);
    buf_free(&resp.body);
    unlink(db_path);
    return check_result("test_router");
}
