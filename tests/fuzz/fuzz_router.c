/* fuzz_router: libFuzzer target for a whole request. The input is read as
 * a request (the format below), handed to folio_handle and so to the real
 * route table, guards and handlers, on a database that the migrations made
 * and that holds a few articles, comments, an editor's session and an API
 * token. Aborts when folio answers client input with a 5xx, writes a
 * header that could split the response, redirects off the site, or lets a
 * byte of the input reach an HTML or XML page unescaped (the markers
 * <fz, z"fz and z'fz).
 *
 * Input (text; the last part may be anything):
 *
 *   @base                  optional first line: the site is under /news
 *   METHOD TARGET          TARGET is the path, with ?query when there is one
 *   Name: value            headers, one a line (names lower-cased, as the
 *   ...                    front ends hand them over)
 *                          an empty line
 *   body
 *
 * In header values and the body, {session} {csrf} {token} {form} {pending}
 * {login-cookie} {login} are replaced with a live editor session cookie, its
 * CSRF token, an API token, a fresh comment form token for
 * /articles/hello-folio, a signed list naming its pending comment, and the
 * sign-in form's cookie and token, so the fuzzer gets past the signatures.
 * The editor is "editor", password "editor-password".
 *
 * Every input starts from the same database: after a request that wrote
 * to it, the worker is closed and the file put back. The page cache is off (FOLIO_PAGE_CACHE=0), so an input's
 * answer does not depend on the ones before it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/app.h"
#include "core/markdown.h"
#include "core/signed.h"
#include <sqlite3.h>

#include "store/db_sqlite.h"    /* the worker's connection: did a request write? */
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE_PATH "/news"

static struct app app;
static char dir[256], db_path[300];
static unsigned char *pristine;         /* the database file as set up */
static size_t pristine_len;
static char session_cookie[64], login_cookie[32], api_token[] = "fuzz-api-token-0123456789abcdef0123456789abcdef";
static const char csrf_token[] = "fuzz-csrf-token-0123456789abcdef0123456789abcd";
static int64_t hello_id, pending_id;
static int64_t comments_made;         /* every seeded comment's created_at */
static struct worker *worker;           /* kept while requests write nothing */
static sqlite3_int64 changes_before;

/* What the worker's connection can see of the writes so far: its own
 * changes, and SQLite's data_version, which moves when another connection
 * (the one group commit keeps for its batches) has committed. */
static sqlite3_int64 writes_seen(void)
{
    sqlite3 *db = db_sqlite_handle(worker->store);
    sqlite3_stmt *st = NULL;
    sqlite3_int64 version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return sqlite3_total_changes64(db) + (version << 32);
}

/* Closes every connection to the database, the batches' one included. */
static void close_connections(void)
{
    worker_free(worker);
    worker = NULL;
    store_group_commit_close();
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_router: setting up: %s\n", what);
    abort();
}

/* ---- the database every input starts from ---- */

static void add_article(struct store *s, const char *slug, const char *title, const char *md,
                        const char *tags, enum article_status status, bool open, int64_t *id)
{
    char *html = markdown_render(md, strlen(md));
    struct article_input in = {
        .slug = slug, .title = title, .author = "Ada Reporter", .body = md,
        .body_html = html ? html : "", .tags = tags, .source = "Folio Wire",
        .status = status, .published_at = (int64_t)time(NULL) - 3600, .comments_open = open,
    };
    bool created;
    if (!html || store_article_save(s, &in, &created) != STORE_OK)
        die("an article");
    free(html);
    struct arena a = {0};
    struct article got;
    if (store_article_by_slug(s, &a, slug, false, &got) != STORE_OK)
        die("reading an article back");
    *id = got.id;
    arena_free(&a);
}

static int64_t add_comment(struct store *s, int64_t article, int64_t parent,
                           enum comment_status status,
                           const char *author, const char *body)
{
    struct comment_input in = {
        .article_id = article, .parent_id = parent, .status = status, .author = author,
        .email = "reader@example.org", .url = "https://example.org/", .body = body,
        .ip = "192.0.2.7", .user_agent = "fuzz", .created_at = comments_made,
    };
    int64_t id;
    if (store_comment_insert(s, &in, &id) != STORE_OK)
        die("a comment");
    return id;
}

/* An editor with a live session (the cookie auth.c would have set) and an
 * API token; the password hash is a cheap one (sign-in replaces it). */
static void add_editor(struct store *s)
{
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, "editor-password", 15, crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0 ||
        store_editor_add(s, "editor", hash) != STORE_OK)
        die("the editor");
    struct arena a = {0};
    struct editor e;
    if (store_editor_by_name(s, &a, "editor", &e) != STORE_OK)
        die("reading the editor back");
    unsigned char raw[32], token_hash[SESSION_HASH_BYTES];
    memset(raw, 0x5a, sizeof raw);
    sodium_bin2base64(session_cookie, sizeof session_cookie, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_bin2base64(login_cookie, sizeof login_cookie, raw, 16,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(token_hash, sizeof token_hash, raw, sizeof raw, NULL, 0);
    int64_t id;
    if (store_session_create(s, e.id, token_hash, csrf_token, &id) != STORE_OK ||
        store_token_add(s, "fuzz", api_token, &id) != STORE_OK)
        die("the session or the token");
    arena_free(&a);
}

static void seed_database(void)
{
    char err[512];
    struct store *s = store_open(db_path, NULL, false, err, sizeof err);
    if (!s)
        die(err);
    int64_t closed_id, draft_id;
    comments_made = (int64_t)time(NULL) - 60;
    add_article(s, "hello-folio", "Hello, \"folio\" & <friends>",
                "A first paragraph with a [link](https://example.org/a?b=1&c=2).\n\n"
                "Read This: [the other one](/articles/closed-thread)\n\n*Emphasis*, `code`.\n",
                "Politics, North Korea, C&C", AS_PUBLISHED, true, &hello_id);
    add_article(s, "closed-thread", "Comments closed", "Short.\n", "Politics", AS_PUBLISHED,
                false, &closed_id);
    add_article(s, "a-draft", "Not yet", "Draft text.\n", "", AS_DRAFT, true, &draft_id);
    int64_t top = add_comment(s, hello_id, 0, CS_APPROVED, "Reader One", "First!\n\nhttps://x.example/");
    add_comment(s, hello_id, top, CS_APPROVED, "Reader Two", "A reply <b>bold</b>");
    pending_id = add_comment(s, hello_id, 0, CS_PENDING, "Waiting", "Held for moderation");
    add_comment(s, hello_id, 0, CS_SPAM, "Spammer", "buy now");
    add_comment(s, closed_id, 0, CS_TRASH, "Trashed", "gone");
    add_editor(s);
    store_close(s);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0)
        die(path);
    unsigned char *p = malloc((size_t)st.st_size);
    if (!p || fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die(path);
    fclose(f);
    *len = (size_t)st.st_size;
    return p;
}

/* Puts the database file back as it was set up (no connection is open). */
static void restore_database(void)
{
    char side[320];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    int fd = open(db_path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
    if (fd < 0 || write(fd, pristine, pristine_len) != (ssize_t)pristine_len)
        die("restoring the database");
    close(fd);
}

static void remove_files(void)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char path[320];
    close_connections();
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        unlink(path);
    }
    rmdir(dir);
    app_free(&app);
    free(pristine);
}

static void setup(void)
{
    /* tmpfs when there is one: the store syncs every commit. */
    struct stat st;
    const char *tmp = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                    : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/folio-fuzz-router.XXXXXX", tmp);
    if (!mkdtemp(dir))
        die(dir);
    snprintf(db_path, sizeof db_path, "%s/folio.db", dir);
    atexit(remove_files);
    setenv("FOLIO_PAGE_CACHE", "0", 1);
    if (sodium_init() < 0)
        die("libsodium");
    config_defaults(&app.cfg);
    app.cfg.db_path = db_path;
    app.cfg.www_dir = FOLIO_SOURCE_DIR "/www";
    app.cfg.sql_dir = FOLIO_SOURCE_DIR "/sql";
    app.cfg.min_submit_seconds = 0;     /* {form} is a second old at most */
    app.cfg.trusted_proxy = "192.0.2.1";
    if (app_init(&app) != 0)
        die("app_init");
    seed_database();
    pristine = read_all(db_path, &pristine_len);
}

/* ---- the request ---- */

/* The sign-in form's token for login_cookie, as login.c signs it: the
 * cookie's nonce and the time. */
static const char *login_token(struct arena *a, int64_t now)
{
    unsigned char payload[16 + 8];
    size_t len = 0;
    if (sodium_base642bin(payload, 16, login_cookie, strlen(login_cookie), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || len != 16)
        die("the login cookie");
    for (int i = 7; i >= 0; i--, now >>= 8)
        payload[16 + i] = (unsigned char)(now & 0xff);
    return sign_encode(a, app.secret, "login", payload, sizeof payload);
}

/* s with the placeholders replaced, NUL-terminated, in the arena; *len
 * gets its length. */
static char *expand(struct arena *a, const char *s, size_t n, size_t *len)
{
    int64_t now = (int64_t)time(NULL);
    struct pending_entry own = {
        pending_id, pending_tag(app.secret, pending_id, comments_made, "reader@example.org") };
    const struct { const char *name, *value; } subst[] = {
        { "{session}", session_cookie },
        { "{csrf}", csrf_token },
        { "{token}", api_token },
        { "{form}", form_token_make(a, app.secret, hello_id, now - 1) },
        { "{pending}", pending_list_make(a, app.secret, &own, 1, now) },
        { "{own}", own_token_make(a, app.secret, own.id, own.tag, now) },
        { "{login-cookie}", login_cookie },
        { "{login}", login_token(a, now) },
    };
    struct buf b = {0};
    for (size_t i = 0; i < n;) {
        size_t k = 0, count = sizeof subst / sizeof subst[0];
        for (; k < count; k++) {
            size_t nl = strlen(subst[k].name);
            if (subst[k].value && n - i >= nl && memcmp(s + i, subst[k].name, nl) == 0)
                break;
        }
        if (k < count) {
            buf_puts(&b, subst[k].value);
            i += strlen(subst[k].name);
        } else {
            buf_append(&b, s + i, 1);
            i++;
        }
    }
    char *out = arena_alloc(a, b.len + 1);
    if (out) {
        if (b.len)
            memcpy(out, b.data, b.len);
        out[b.len] = '\0';
        *len = b.len;
    }
    buf_free(&b);
    return out;
}

/* The next line of the input (without its \n, \r\n tolerated). */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end)
        return false;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    *line = *p;
    *len = (size_t)(stop - *p);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    *p = nl ? nl + 1 : end;
    return true;
}

/* Fills req from the input; false when it is not a request at all. */
static bool read_request(struct arena *a, const char *in, size_t size, struct request *req,
                         bool *under_base)
{
    const char *p = in, *end = in + size, *line;
    size_t len;
    if (!next_line(&p, end, &line, &len))
        return false;
    *under_base = len == 5 && memcmp(line, "@base", 5) == 0;
    if (*under_base && !next_line(&p, end, &line, &len))
        return false;
    const char *sp = memchr(line, ' ', len);
    if (!sp || memchr(line, '\0', len))
        return false;
    req->method = arena_strndup(a, line, (size_t)(sp - line));
    const char *target = sp + 1, *q = memchr(target, '?', (size_t)(line + len - target));
    const char *target_end = q ? q : line + len;
    req->target = arena_strndup(a, target, (size_t)(target_end - target));
    req->query = q ? arena_strndup(a, q + 1, (size_t)(line + len - q - 1)) : "";
    while (next_line(&p, end, &line, &len) && len > 0) {
        const char *colon = memchr(line, ':', len);
        if (!colon || req->header_count == REQ_MAX_HEADERS || memchr(line, '\0', len))
            continue;
        char *name = arena_strndup(a, line, (size_t)(colon - line));
        for (char *c = name; c && *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        const char *v = colon + 1;
        while (v < line + len && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen;
        req->headers[req->header_count].name = name;
        req->headers[req->header_count].value = expand(a, v, (size_t)(line + len - v), &vlen);
        req->header_count++;
    }
    size_t body_len = 0;
    req->body = expand(a, p, (size_t)(end - p), &body_len);
    req->body_len = body_len;
    req->peer_addr = "192.0.2.1";       /* the trusted proxy: X-Forwarded-For counts */
    return req->method && req->target && req->query && req->body;
}

/* ---- what must hold for every answer ---- */

static void check_headers(const struct response *resp)
{
    for (size_t i = 0; i < resp->header_count; i++) {
        const char *n = resp->headers[i].name, *v = resp->headers[i].value;
        if (!n || !v || strpbrk(n, "\r\n: ") || strpbrk(v, "\r\n"))
            abort();    /* a header that could split the response */
        if (strcasecmp(n, "Location") == 0 &&
            (v[0] != '/' || v[1] == '/' || v[1] == '\\'))
            abort();    /* redirects stay on the site */
    }
    if (resp->content_type && strpbrk(resp->content_type, "\r\n"))
        abort();
}

/* Markup the input may carry: it must reach HTML and XML escaped. The
 * templates and the seeded articles hold none of these (a quote alone may
 * open an attribute whose value starts "fz", hence the z before it). */
static void check_escaped(const struct response *resp)
{
    static const char *const raw[] = { "<fz", "z\"fz", "z'fz", "<script>alert" };
    const char *type = resp->content_type ? resp->content_type : "";
    if (resp->body.len == 0 || strncmp(type, "application/json", 16) == 0 ||
        strncmp(type, "text/plain", 10) == 0)
        return;
    const char *body = buf_cstr((struct buf *)&resp->body);
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strstr(body, raw[i]))
            abort();
}

static void check_response(const struct request *req, const struct response *resp)
{
    (void)req;
    if (resp->status < 200 || resp->status > 599 || resp->status >= 500)
        abort();        /* no 5xx on client input */
    check_headers(resp);
    if (resp->body.len && !resp->content_type)
        abort();
    check_escaped(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    struct arena a = {0};
    struct request req = {0};
    bool under_base = false;
    if (!read_request(&a, (const char *)data, size, &req, &under_base)) {
        arena_free(&a);
        return 0;
    }
    req.body_too_large = req.body_len > LIMIT_BODY_BYTES;
    app.cfg.base_path = under_base ? BASE_PATH : "";
    if (!worker) {
        restore_database();
        worker = worker_new(&app);
        if (!worker)
            die("worker_new");
        changes_before = writes_seen();
    }
    struct response resp = {0};
    folio_handle(worker, &req, &resp);
    if (getenv("FOLIO_FUZZ_VERBOSE"))     /* for writing seeds */
        fprintf(stderr, "%s %s?%s: %d\n", req.method, req.target, req.query,
                resp.status);
    check_response(&req, &resp);
    buf_free(&resp.body);
    arena_reset(&worker->arena);
    if (writes_seen() != changes_before)
        close_connections();    /* the next input starts from the database as set up */
    arena_free(&a);
    return 0;
}
