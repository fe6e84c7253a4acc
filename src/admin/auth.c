/* auth: editors' sessions (the cookie, its hash in the database), the
 * guards for session and CSRF, the checks of `next` paths, and the values
 * every admin page gets. */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "admin/admin.h"
#include "core/escape.h"
#include "core/text.h"
#include "store/store.h"

#define TOKEN_BYTES 32
/* base64url without padding of TOKEN_BYTES, with its NUL. */
#define TOKEN_CHARS sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

/* A fresh random token, base64url, in the arena. */
static char *random_token(struct arena *a, unsigned char raw[TOKEN_BYTES])
{
    char *text = arena_alloc(a, TOKEN_CHARS);
    if (!text)
        return NULL;
    randombytes_buf(raw, TOKEN_BYTES);
    sodium_bin2base64(text, TOKEN_CHARS, raw, TOKEN_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return text;
}

static void hash_token(const unsigned char raw[TOKEN_BYTES], unsigned char out[SESSION_HASH_BYTES])
{
    crypto_generichash(out, SESSION_HASH_BYTES, raw, TOKEN_BYTES, NULL, 0);
}

/* The hash of a cookie's token; false when the value is not one. */
static bool cookie_token_hash(const char *value, unsigned char out[SESSION_HASH_BYTES])
{
    unsigned char raw[TOKEN_BYTES];
    size_t len = 0;
    if (!value || strlen(value) != TOKEN_CHARS - 1 ||
        sodium_base642bin(raw, sizeof raw, value, strlen(value), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != TOKEN_BYTES)
        return false;
    hash_token(raw, out);
    sodium_memzero(raw, sizeof raw);
    return true;
}

void admin_set_cookie(struct ctx *c, const char *name, const char *value, const char *path,
                      long max_age)
{
    const char *age = max_age >= 0 ? arena_printf(c->arena, "; Max-Age=%ld", max_age) : "";
    const char *cookie = arena_printf(c->arena, "%s=%s; Path=%s%s; HttpOnly; SameSite=Strict%s%s",
                                      name, value, c->app->cfg.base_path, path,
                                      c->req->https ? "; Secure" : "", age ? age : "");
    if (cookie)
        resp_header(c->resp, "Set-Cookie", cookie);
}

/* Set-Cookie for the session: value "" clears it. */
static void set_session_cookie(struct ctx *c, const char *value)
{
    admin_set_cookie(c, SESSION_COOKIE, value, "/admin", *value ? -1 : 0);
}

static const char *session_cookie(struct ctx *c)
{
    return cookie_get(c->arena, req_header(c->req, "cookie"), SESSION_COOKIE);
}

bool admin_session_load(struct ctx *c)
{
    unsigned char hash[SESSION_HASH_BYTES];
    struct session s;
    if (c->session_id)
        return true;
    if (!cookie_token_hash(session_cookie(c), hash) ||
        store_session_find(c->store, c->arena, hash, &s) != STORE_OK)
        return false;
    c->session_id = s.id;
    c->editor_id = s.editor_id;
    c->actor = s.editor_name;
    c->csrf_token = s.csrf_token;
    return true;
}

int admin_session_start(struct ctx *c, int64_t editor_id, const char *name)
{
    unsigned char raw[TOKEN_BYTES], csrf_raw[TOKEN_BYTES], hash[SESSION_HASH_BYTES];
    char *token = random_token(c->arena, raw);
    char *csrf = random_token(c->arena, csrf_raw);
    if (!token || !csrf)
        return fail(c, 500, "Out of memory.");
    hash_token(raw, hash);
    sodium_memzero(raw, sizeof raw);
    int64_t id;
    if (store_session_create(c->store, editor_id, hash, csrf, &id) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    set_session_cookie(c, token);
    c->session_id = id;
    c->editor_id = editor_id;
    c->actor = name;
    c->csrf_token = csrf;
    return 0;
}

void admin_session_end(struct ctx *c)
{
    if (c->session_id)
        store_session_delete(c->store, c->session_id);
    c->session_id = 0;
    c->editor_id = 0;
    c->csrf_token = NULL;
    set_session_cookie(c, "");
}

/* ---- the guards ---- */

/* "/admin/login?next=..." for the page the request asked for. */
static const char *login_path(struct ctx *c)
{
    const char *q = c->req->query;
    const char *next = arena_printf(c->arena, "%s%s%s", c->req->path, *q ? "?" : "", q);
    struct buf b;
    buf_init_arena(&b, c->arena);
    buf_puts(&b, "/admin/login");
    if (next && admin_safe_path(next) && strcmp(next, "/admin/") != 0) {
        buf_puts(&b, "?next=");
        esc_url_component(&b, next, strlen(next));
    }
    return b.failed ? "/admin/login" : buf_cstr(&b);
}

int admin_check_session(struct ctx *c)
{
    if (admin_session_load(c))
        return 0;
    /* A cookie that names no live session is cleared. */
    if (session_cookie(c))
        set_session_cookie(c, "");
    if (strcmp(c->req->method, "GET") == 0 || strcmp(c->req->method, "HEAD") == 0)
        return redirect(c, login_path(c));
    return fail(c, 403, "Your session has ended or you are not signed in. Sign in and try again.");
}

int admin_parse_form(struct ctx *c)
{
    if (c->form_parsed)
        return 0;
    if (c->req->body_len > LIMIT_FORM_BYTES)
        return fail(c, 413, "The form is too large.");
    if (c->req->body_len && !form_type_is_urlencoded(req_header(c->req, "content-type")))
        return fail(c, 415, "The form must be sent as application/x-www-form-urlencoded.");
    enum form_error fe = form_parse_multi(c->arena, c->req->body ? c->req->body : "",
                                          c->req->body_len, &c->form, ADMIN_REPEATABLE_FIELD);
    if (fe != FORM_OK)
        return fail(c, 400, form_error_message(fe));
    c->form_parsed = true;
    return 0;
}

int admin_check_csrf(struct ctx *c)
{
    int status = admin_parse_form(c);
    if (status)
        return status;
    const char *sent = form_get(&c->form, "csrf_token");
    const char *want = c->csrf_token;
    if (!sent || !want || strlen(sent) != strlen(want) ||
        sodium_memcmp(sent, want, strlen(want)) != 0)
        return fail(c, 403, "This form has expired or did not come from this site. "
                            "Go back, reload the page and try again.");
    return 0;
}

/* ---- paths ---- */

static bool path_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '/' || ch == '-' || ch == '_' || ch == '.';
}

static bool query_char(char ch)
{
    return path_char(ch) || ch == '=' || ch == '&' || ch == '%' || ch == '+' || ch == '~';
}

bool admin_safe_path(const char *s)
{
    if (!s || strncmp(s, "/admin", 6) != 0 || (s[6] != '/' && s[6] != '?' && s[6] != '\0'))
        return false;
    const char *q = strchr(s, '?');
    size_t path_len = q ? (size_t)(q - s) : strlen(s);
    for (size_t i = 0; i < path_len; i++) {
        if (!path_char(s[i]) || (s[i] == '/' && s[i + 1] == '/'))
            return false;
        /* a "." or ".." segment */
        if (s[i] == '/' && s[i + 1] == '.' &&
            (s[i + 2] == '/' || i + 2 == path_len ||
             (s[i + 2] == '.' && (s[i + 3] == '/' || i + 3 == path_len))))
            return false;
    }
    for (const char *p = q ? q + 1 : ""; *p; p++)
        if (!query_char(*p))
            return false;
    return strlen(s) <= 1024;
}

struct tval *admin_page_data(struct ctx *c, const char *page_title)
{
    struct tval *data = page_data(c, page_title);
    tv_str(data, "editor", c->session_id ? c->actor : NULL);
    tv_str(data, "csrf_token", c->session_id ? c->csrf_token : NULL);
    return data;
}

void admin_set_time(struct ctx *c, struct tval *obj, int64_t t)
{
    char iso[32], human[48];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    format_rfc3339(t, iso, sizeof iso);
    strftime(human, sizeof human, "%-d %b %Y, %H:%M UTC", &tm);
    tv_str(obj, "date_iso", arena_strdup(c->arena, iso));
    tv_str(obj, "date_human", arena_strdup(c->arena, human));
}
