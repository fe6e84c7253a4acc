/* login: GET/POST /admin/login (sign-in, its CSRF token, lockout and
 * throttle) and POST /admin/logout.
 *
 * Failed sign-ins are counted per address and per name (docs/editors.md,
 * "Signing in"): five from one address lock that address (and so every
 * name from it) for the window; five for one name from anywhere only slow
 * that name down to one check a minute, except from a browser the editor
 * has signed in with before (its device cookie), so that guessing a known
 * name from many addresses cannot lock its editor out. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "admin/admin.h"
#include "admin/passwords.h"
#include "core/log.h"
#include "core/signed.h"
#include "store/store.h"

#define NAME_MAX_CHARS 100
#define PASSWORD_MAX_CHARS 1024

/* The login form's CSRF token is bound to this cookie: a random nonce the
 * token signs, so a token fetched by another site is worthless here. */
#define LOGIN_COOKIE "folio_login"
#define LOGIN_NONCE_BYTES 16
/* Set by a right password: this browser has signed in as this name. */
#define DEVICE_COOKIE "folio_device"
#define DEVICE_MAX_AGE (180L * 24 * 60 * 60)
/* A name with LOGIN_MAX_FAILURES failures in the window is checked at most
 * this often, except from a browser with its device cookie. */
#define NAME_THROTTLE_SECONDS 60

/* One sign-in at a time per process, from the lockout check to recording
 * the failure: parallel guesses cannot slip past the lockout count between
 * its check and its update, and a burst of sign-ins costs one password
 * check's memory at a time (a second sign-in meanwhile is asked to try
 * again). */
static pthread_mutex_t sign_in_lock = PTHREAD_MUTEX_INITIALIZER;

static bool fresh(int64_t issued, int64_t now, int64_t max_age)
{
    return issued <= now + FORM_TOKEN_CLOCK_SKEW && now - issued <= max_age;
}

/* ---- the form's token ---- */

/* The nonce of the browser's login cookie; false when it has none. */
static bool login_nonce(struct ctx *c, unsigned char nonce[LOGIN_NONCE_BYTES])
{
    const char *value = cookie_get(c->arena, req_header(c->req, "cookie"), LOGIN_COOKIE);
    size_t len = 0;
    return value &&
           sodium_base642bin(nonce, LOGIN_NONCE_BYTES, value, strlen(value), NULL, &len, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
           len == LOGIN_NONCE_BYTES;
}

/* A token for the form, signing the browser's nonce (a new one, with its
 * cookie, when it has none) and the time. */
static const char *login_token(struct ctx *c)
{
    unsigned char payload[LOGIN_NONCE_BYTES + 8];
    if (!login_nonce(c, payload)) {
        char text[sodium_base64_ENCODED_LEN(LOGIN_NONCE_BYTES,
                                            sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
        randombytes_buf(payload, LOGIN_NONCE_BYTES);
        sodium_bin2base64(text, sizeof text, payload, LOGIN_NONCE_BYTES,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        admin_set_cookie(c, LOGIN_COOKIE, arena_strdup(c->arena, text), "/admin/login", -1);
    }
    admin_put_u64(payload + LOGIN_NONCE_BYTES, (int64_t)time(NULL));
    return sign_encode(c->arena, c->app->secret, "login", payload, sizeof payload);
}

/* True when the form carries a token this server signed for this browser's
 * nonce within FORM_TOKEN_MAX_AGE. */
static bool login_token_ok(struct ctx *c)
{
    unsigned char nonce[LOGIN_NONCE_BYTES], payload[LOGIN_NONCE_BYTES + 8];
    size_t len = 0;
    return login_nonce(c, nonce) &&
           sign_decode(c->app->secret, "login", form_get(&c->form, "login_token"), payload,
                       sizeof payload, &len) &&
           len == sizeof payload && sodium_memcmp(payload, nonce, LOGIN_NONCE_BYTES) == 0 &&
           fresh(admin_get_u64(payload + LOGIN_NONCE_BYTES), (int64_t)time(NULL), FORM_TOKEN_MAX_AGE);
}

/* ---- the device cookie ---- */

static void set_device_cookie(struct ctx *c, const char *key)
{
    unsigned char payload[LOGIN_KEY_CHARS - 1 + 8];
    memcpy(payload, key, LOGIN_KEY_CHARS - 1);
    admin_put_u64(payload + LOGIN_KEY_CHARS - 1, (int64_t)time(NULL));
    const char *value = sign_encode(c->arena, c->app->secret, "device", payload, sizeof payload);
    if (value)
        admin_set_cookie(c, DEVICE_COOKIE, value, "/admin/login", DEVICE_MAX_AGE);
}

/* True when this browser signed in as the name counted under `key`. */
static bool known_device(struct ctx *c, const char *key)
{
    const char *value = cookie_get(c->arena, req_header(c->req, "cookie"), DEVICE_COOKIE);
    unsigned char payload[LOGIN_KEY_CHARS - 1 + 8];
    size_t len = 0;
    return value && sign_decode(c->app->secret, "device", value, payload, sizeof payload, &len) &&
           len == sizeof payload && memcmp(payload, key, LOGIN_KEY_CHARS - 1) == 0 &&
           fresh(admin_get_u64(payload + LOGIN_KEY_CHARS - 1), (int64_t)time(NULL), DEVICE_MAX_AGE);
}

/* ---- the page ---- */

/* The `next` to go to after signing in: a safe path under /admin other
 * than the login page itself, or NULL. */
static const char *next_path(const char *next)
{
    if (!next || !*next || !admin_safe_path(next) || strncmp(next, "/admin/login", 12) == 0)
        return NULL;
    return next;
}

static int login_form(struct ctx *c, int status, const char *username, const char *next,
                      const char *message)
{
    struct tval *data = admin_page_data(c, "Sign in");
    tv_str(data, "username", username);
    tv_str(data, "next", next_path(next));
    tv_str(data, "message", message);
    tv_str(data, "login_token", login_token(c));
    tv_bool(data, "login_page", true);
    return render_page(c, status, "admin_login", data);
}

/* 429 with Retry-After: the lock or the throttle holds until `until`. */
static int refused_until(struct ctx *c, int64_t until, const char *why, const char *username,
                         const char *next)
{
    int64_t wait = until - (int64_t)time(NULL);
    if (wait < 1)
        wait = 1;
    resp_header(c->resp, "Retry-After", arena_printf(c->arena, "%lld", (long long)wait));
    const char *when = wait < 60 ? arena_printf(c->arena, "%lld seconds", (long long)wait)
                                 : arena_printf(c->arena, "%lld minute%s",
                                                (long long)(wait + 59) / 60, wait > 60 ? "s" : "");
    return login_form(c, 429, username, next, arena_printf(c->arena, "%s Try again in %s.", why,
                                                           when));
}

/* ---- signing in ---- */

/* A hash at other limits than today's is replaced while the password is at
 * hand; a failure only means it is tried again next time. */
static void rehash_if_needed(struct ctx *c, const struct editor *e, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (!password_needs_rehash(e->password_hash))
        return;
    if (!password_hash(hash, password) ||
        store_editor_rehash(c->store, e->id, e->password_hash, hash) != STORE_OK)
        log_error("sign-in: could not rehash the password of %s", e->name);
}

static int signed_in(struct ctx *c, const struct editor *e, const char *key, const char *ip,
                     const char *password, const char *next)
{
    /* Only this address's failures are forgiven: a name being guessed from
     * elsewhere stays throttled. */
    store_login_failures_clear(c->store, key, ip, NULL);
    rehash_if_needed(c, e, password);
    int status = admin_session_start(c, e->id, e->name);
    if (status)
        return status;
    set_device_cookie(c, key);
    const char *to = next_path(next);
    return redirect(c, to ? to : "/admin/");
}

/* Checks the name and password; the right ones start a session. Called
 * with sign_in_lock held. */
static int check_sign_in(struct ctx *c, const char *username, const char *password,
                         const char *next)
{
    const char *ip = c->req->client_addr ? c->req->client_addr : "";
    char key[LOGIN_KEY_CHARS];
    login_name_key(key, username);
    struct login_state st;
    if (store_login_state(c->store, key, ip, &st) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    if (st.address_locked_until)
        return refused_until(c, st.address_locked_until,
                             "Too many failed sign-ins from this address.", username, next);
    int64_t throttle_until = st.name_last_failure + NAME_THROTTLE_SECONDS;
    if (st.name_failures >= LOGIN_MAX_FAILURES && throttle_until > (int64_t)time(NULL) &&
        !known_device(c, key))
        return refused_until(c, throttle_until, "Too many failed sign-ins for this name.",
                             username, next);
    struct editor e;
    int rc = store_editor_by_name(c->store, c->arena, username, &e);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return fail(c, 503, "The database is not answering; try again.");
    bool known = rc == STORE_OK;
    if (password_matches(known ? e.password_hash : password_dummy_hash, password) && known)
        return signed_in(c, &e, key, ip, password, next);
    if (store_login_failure_add(c->store, key, ip) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    return login_form(c, 401, username, next, "The name or the password is wrong.");
}

static int sign_in(struct ctx *c, const char *username, const char *password, const char *next)
{
    if (pthread_mutex_trylock(&sign_in_lock) != 0) {
        resp_header(c->resp, "Retry-After", "1");
        return login_form(c, 503, username, next,
                          "Another sign-in is being checked just now. Please try again in a "
                          "moment.");
    }
    int status = check_sign_in(c, username, password, next);
    pthread_mutex_unlock(&sign_in_lock);
    return status;
}

static int login_post(struct ctx *c)
{
    int status = admin_parse_form(c);
    if (status)
        return status;
    const char *username = form_get(&c->form, "username");
    const char *password = form_get(&c->form, "password");
    const char *next = form_get(&c->form, "next");
    if (username && strlen(username) > NAME_MAX_CHARS)
        username = NULL;
    /* Before anything is counted: a form another site made signs nobody in
     * and cannot spend an editor's failed sign-ins. */
    if (!login_token_ok(c))
        return login_form(c, 403, username, next,
                          "This sign-in form has expired or did not come from this site. "
                          "Sign in again.");
    if (!username || !*username || !password || !*password)
        return login_form(c, 401, username, next, "Enter your name and your password.");
    if (strlen(password) > PASSWORD_MAX_CHARS)
        return login_form(c, 401, NULL, next, "The name or the password is wrong.");
    return sign_in(c, username, password, next);
}

int admin_login(struct ctx *c)
{
    if (strcmp(c->req->method, "POST") == 0)
        return login_post(c);
    const char *next = form_get(&c->query, "next");
    if (admin_session_load(c)) {
        const char *to = next_path(next);
        return redirect(c, to ? to : "/admin/");
    }
    return login_form(c, 200, NULL, next, NULL);
}

int admin_logout(struct ctx *c)
{
    admin_session_end(c);
    return redirect(c, "/admin/login");
}

/* GET /admin: the queue lives at /admin/. */
int admin_root(struct ctx *c)
{
    return redirect(c, "/admin/");
}
