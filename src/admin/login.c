/* login: GET/POST /admin/login (sign-in with lockout) and POST /admin/logout. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "admin/admin.h"
#include "core/routes.h"
#include "store/store.h"

#define NAME_MAX_CHARS 100
#define PASSWORD_MAX_CHARS 1024

/* Checked when the name is unknown, so that the answer takes as long as
 * for a known name (an Argon2id hash at the moderate limits of an unknown
 * random password). */
const char admin_dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=262144,t=3,p=1$/+KKnqbdCak77ic0m4FT/A$"
    "GcHjS6N2nCmHwME/xDnoSpQvGUBsZT34kQBqR36dxx0";

/* One sign-in at a time per process, from the lockout check to recording
 * the failure: a password check takes 256 MiB for most of a second, so a
 * burst can neither exhaust memory nor tie up every worker (a second
 * sign-in meanwhile is asked to try again), and parallel guesses cannot
 * slip past the lockout count between its check and its update. */
static pthread_mutex_t sign_in_lock = PTHREAD_MUTEX_INITIALIZER;

static bool password_matches(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* What failed sign-ins are counted under: a hash of the name as typed, so
 * that a password typed into the name field is not kept in the database. */
static const char *failure_key(struct ctx *c, const char *username)
{
    unsigned char hash[16];
    char *hex = arena_alloc(c->arena, sizeof hash * 2 + 1);
    if (!hex)
        return "";
    crypto_generichash(hash, sizeof hash, (const unsigned char *)username, strlen(username),
                       NULL, 0);
    return sodium_bin2hex(hex, sizeof hash * 2 + 1, hash, sizeof hash);
}

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
    tv_bool(data, "login_page", true);
    return render_page(c, status, "admin_login", data);
}

static int locked_out(struct ctx *c, int64_t until, const char *username, const char *next)
{
    int64_t wait = until - (int64_t)time(NULL);
    if (wait < 1)
        wait = 1;
    resp_header(c->resp, "Retry-After", arena_printf(c->arena, "%lld", (long long)wait));
    const char *message = arena_printf(
        c->arena,
        "Too many failed sign-ins for this name or from this address. "
        "Try again in %lld minute%s.",
        (long long)(wait + 59) / 60, wait > 60 ? "s" : "");
    return login_form(c, 429, username, next, message);
}

/* Checks the name and password; the right ones start a session. Called
 * with sign_in_lock held. */
static int check_sign_in(struct ctx *c, const char *username, const char *password,
                         const char *next)
{
    const char *ip = c->req->client_addr ? c->req->client_addr : "";
    const char *key = failure_key(c, username);
    int64_t until;
    if (store_login_locked_until(c->store, key, ip, &until) != STORE_OK)
        return fail(c, 503, "The database is not answering; try again.");
    if (until)
        return locked_out(c, until, username, next);
    struct editor e;
    int rc = store_editor_by_name(c->store, c->arena, username, &e);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
        return fail(c, 503, "The database is not answering; try again.");
    bool known = rc == STORE_OK;
    bool right = password_matches(known ? e.password_hash : admin_dummy_hash, password) && known;
    if (!right) {
        if (store_login_failure_add(c->store, key, ip) != STORE_OK)
            return fail(c, 503, "The database is not answering; try again.");
        return login_form(c, 401, username, next, "The name or the password is wrong.");
    }
    store_login_failures_clear(c->store, key);
    int status = admin_session_start(c, e.id, e.name);
    if (status)
        return status;
    const char *to = next_path(next);
    return redirect(c, to ? to : "/admin/");
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
    if (!username || !*username || !password || !*password)
        return login_form(c, 401, username, next, "Enter your name and your password.");
    if (strlen(username) > NAME_MAX_CHARS || strlen(password) > PASSWORD_MAX_CHARS)
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
