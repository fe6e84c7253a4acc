/* comment_post: POST /articles/{slug}/comments, the "Leave a Reply" form:
 * decoding, validation, the anti-spam checks, storing, cookies, 303. */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/comment_format.h"
#include "core/escape.h"
#include "core/signed.h"
#include "core/text.h"
#include "core/validate.h"
#include "core/wordlist.h"
#include "pages/comment_form.h"
#include "pages/pages.h"

#define RATE_WINDOW (10 * 60)
#define SAVED_MAX_AGE (365 * 24 * 60 * 60)
#define USER_AGENT_MAX 512
#define ADDRESS_MAX 100

static const char MSG_FIELDS[] =
    "Your comment could not be posted. Please correct the fields marked below.";
static const char MSG_TOKEN[] =
    "This form had expired or could not be checked, so your comment was not posted. "
    "Please send it again.";
static const char MSG_TOO_FAST[] =
    "Your comment came back sooner than anyone could have written it, so it was not "
    "posted. Please check it and send it again.";
static const char MSG_CLOSED[] =
    "Comments are closed on this article, so your comment was not posted.";
static const char MSG_DUPLICATE[] =
    "Duplicate comment detected; it looks as though you've already said that!";
static const char MSG_RATE[] =
    "You are posting comments too quickly. Please wait a few minutes and send your comment "
    "again.";
static const char MSG_PARENT[] =
    "The comment you replied to is not available, so your reply was not posted. You can "
    "send it again as a new comment.";
static const char MSG_BUSY[] =
    "Your comment could not be stored just now. Please send it again in a moment.";

/* What the reader sent: the form as typed (to show it again) and the
 * cleaned values that are stored. */
struct submission {
    struct comment_form form;
    const char *author, *email, *url, *body;   /* trimmed; body with \n line ends */
    const char *token, *hp;
    int64_t parent;
    int64_t created_at;                         /* the time stored with the comment */
};

static void read_fields(struct ctx *c, const struct form *f, struct submission *s)
{
    memset(s, 0, sizeof *s);
    s->form.author = form_get(f, "author");
    s->form.email = form_get(f, "email");
    s->form.url = form_get(f, "url");
    s->form.comment = form_get(f, "comment");
    s->form.save = form_get(f, "wp-comment-cookies-consent") != NULL;
    s->form.subscribe = form_get(f, "subscribe") != NULL;
    s->token = form_get(f, "token");
    s->hp = form_get(f, "hp");
    s->author = trim_copy(c->arena, s->form.author ? s->form.author : "");
    s->email = trim_copy(c->arena, s->form.email ? s->form.email : "");
    s->url = trim_copy(c->arena, s->form.url ? s->form.url : "");
    s->body = comment_text_normalize(c->arena, s->form.comment ? s->form.comment : "");
}

/* ---- validation: a message at each bad field (core/validate.c) ---- */

/* comment_parent: absent, empty or 0 is top level; else a positive id. */
static bool read_parent(const struct form *f, int64_t *parent)
{
    const char *p = form_get(f, "comment_parent");
    *parent = 0;
    return !p || !*p || strcmp(p, "0") == 0 || parse_id(p, parent);
}

/* The message for a field that held bytes that are not UTF-8 (the form
 * shows them as U+FFFD), else the field's own error. */
static const char *text_error(const struct form *f, const char *name, const char *error)
{
    if (form_repaired(f, name))
        return "This held characters that could not be read; they are shown as \xEF\xBF\xBD. "
               "Please check it.";
    return error;
}

/* Fills the field messages; true when every field is valid. */
static bool validate_fields(const struct form *f, struct submission *s)
{
    s->form.errors_author = text_error(f, "author", comment_author_error(s->author));
    s->form.errors_email = text_error(f, "email", comment_email_error(s->email));
    s->form.errors_url = text_error(f, "url", comment_url_error(s->url));
    s->form.errors_comment = text_error(f, "comment", comment_body_error(s->body));
    bool ok = !s->form.errors_author && !s->form.errors_email && !s->form.errors_url &&
              !s->form.errors_comment;
    /* read even when a field is refused: the form comes back as a reply */
    bool parent_ok = read_parent(f, &s->parent);
    s->form.parent = s->parent;
    if (ok && !parent_ok) {
        s->form.message = MSG_PARENT;
        return false;
    }
    if (!ok)
        s->form.message = MSG_FIELDS;
    return ok;
}

/* The form token: NULL when it is genuine, fresh and not too fast, else the
 * message that asks to send again. A genuine token, however it fared, makes
 * the form shown again a returned one (form_token_make_returned): the
 * reader has waited once and is never held to --min-submit-seconds again.
 * It keeps the time the form was first served, unless that is past 24
 * hours. A token that is not ours gets a fresh form and a fresh clock:
 * anything can send one. */
static const char *token_outcome(struct submission *s, enum token_check t, int64_t issued,
                                 int64_t now)
{
    s->form.token_returned = issued != 0;
    s->form.token_issued = t == TOKEN_EXPIRED ? now : issued;
    if (t == TOKEN_OK)
        return NULL;
    return t == TOKEN_TOO_FAST ? MSG_TOO_FAST : MSG_TOKEN;
}

static const char *check_token(struct ctx *c, const struct article *a, struct submission *s)
{
    int64_t now = (int64_t)time(NULL), issued;
    enum token_check t = form_token_check(c->app->secret, s->token, a->id, now,
                                          c->app->cfg.min_submit_seconds, &issued);
    return token_outcome(s, t, issued, now);
}

/* ---- what happens to a valid comment ---- */

static bool any_key_matches(const struct word_list *keys, const struct comment_values *v,
                            const char *address)
{
    return word_list_match(keys, v->author) || word_list_match(keys, v->email) ||
           word_list_match(keys, v->url) || word_list_match(keys, v->body) ||
           word_list_match(keys, address);
}

enum comment_status comment_screen(struct ctx *c, const struct comment_values *v,
                                   const char *address, bool *approve_known)
{
    const struct config *cfg = &c->app->cfg;
    *approve_known = false;
    if (any_key_matches(c->app->disallowed_keys, v, address))
        return CS_SPAM;
    if (any_key_matches(c->app->moderation_keys, v, address) ||
        comment_count_links(v->body, strlen(v->body)) > (size_t)cfg->max_links)
        return CS_PENDING;
    *approve_known = cfg->moderation == MODERATION_FIRST;
    return CS_PENDING;
}

/* The status before the transaction: spam (honeypot, disallowed keys),
 * held (moderation keys, too many links), else pending, which the store
 * turns into approved for a known commenter under --moderation first. */
static enum comment_status initial_status(struct ctx *c, const struct submission *s,
                                          const char *address, bool *approve_known)
{
    struct comment_values v = { s->author, s->email, s->url, s->body };
    enum comment_status status = comment_screen(c, &v, address, approve_known);
    if (s->hp && *s->hp) {
        *approve_known = false;
        return CS_SPAM;
    }
    return status;
}

/* A header value for the database: printable ASCII, at most max bytes. */
static const char *header_text(struct arena *a, const char *s, size_t max)
{
    size_t len = s ? strlen(s) : 0;
    char *out = arena_strndup(a, s ? s : "", len < max ? len : max);
    for (char *p = out; p && *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    return out ? out : "";
}

/* The address as stored. Under --retain-addresses 0 it is never kept: a
 * keyed hash stands in for it, which the rate limit can still compare
 * (the same client gives the same hash) but nobody can turn back into the
 * address. */
static const char *stored_address(struct ctx *c, const char *ip)
{
    if (c->app->cfg.retain_addresses != 0 || !*ip)
        return ip;
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)ip, strlen(ip), c->app->secret,
                       sizeof c->app->secret);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return arena_printf(c->arena, "hash:%s", hex);
}

static int store_submission(struct ctx *c, const struct article *a, const struct submission *s,
                            struct comment_post_result *res)
{
    const char *ip = header_text(c->arena, c->req->client_addr, ADDRESS_MAX);
    bool keep = c->app->cfg.retain_addresses != 0;
    struct comment_post p = {
        .slug = a->slug,
        .c = { .article_id = a->id, .parent_id = s->parent, .author = s->author,
               .email = s->email, .url = s->url, .body = s->body,
               .ip = stored_address(c, ip),
               .user_agent = keep ? header_text(c->arena, req_header(c->req, "user-agent"),
                                                USER_AGENT_MAX)
                                  : "",
               .created_at = s->created_at },
        .rate_limit = c->app->cfg.comment_rate,
        .rate_window = RATE_WINDOW,
        .subscribe = s->form.subscribe,     /* the store mails only when it can */
        /* Without --base-url the links in the commenter's mail name the
         * address they posted to, as the page's own absolute links do. */
        .link_base = s->form.subscribe && !c->app->cfg.base_url[0] ? absolute_url(c, "") : "",
        .per_page = c->app->cfg.comments_per_page,
    };
    /* moderation keys see the address itself */
    p.c.status = initial_status(c, s, ip, &p.approve_known);
    return store_comment_post(c->store, &p, res);
}

/* ---- cookies ---- */

static void set_cookie(struct ctx *c, const char *name, const char *value, long max_age)
{
    resp_header(c->resp, "Set-Cookie",
                arena_printf(c->arena, "%s=%s; Path=%s/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
                             name, value, c->app->cfg.base_path, max_age,
                             c->req->https ? "; Secure" : ""));
}

static void set_saved_cookie(struct ctx *c, const char *name, const char *value)
{
    struct buf enc;
    buf_init_arena(&enc, c->arena);
    esc_url_component(&enc, value, strlen(value));
    if (!enc.failed)
        set_cookie(c, name, buf_cstr(&enc), SAVED_MAX_AGE);
}

/* Ticked: remember name, email and website for a year. Not ticked: forget
 * any that were remembered. */
static void saved_details_cookies(struct ctx *c, const struct submission *s)
{
    static const char *const names[] = { COOKIE_AUTHOR, COOKIE_EMAIL, COOKIE_URL };
    const char *values[] = { s->author, s->email, s->url };
    const char *header = req_header(c->req, "cookie");
    for (size_t i = 0; i < 3; i++) {
        if (s->form.save && *values[i])
            set_saved_cookie(c, names[i], values[i]);
        else if (cookie_get(c->arena, header, names[i]))
            set_cookie(c, names[i], "", 0);
    }
}

/* Adds the new comment to the reader's signed list of their own comments
 * awaiting moderation (the newest PENDING_COOKIE_MAX_IDS are kept), bound
 * to it by its time and email. */
static void pending_cookie(struct ctx *c, const struct submission *s, int64_t id)
{
    struct pending_entry own[PENDING_COOKIE_MAX_IDS + 1];
    size_t n = own_pending_comments(c, own, PENDING_COOKIE_MAX_IDS);
    own[n++] = (struct pending_entry){ id, own_comment_tag(c, id, s->created_at, s->email) };
    const char *value = pending_list_make(c->arena, c->app->secret, own, n, (int64_t)time(NULL));
    if (value)
        set_cookie(c, COOKIE_PENDING, value, PENDING_COOKIE_MAX_AGE);
}

/* ---- answers ---- */

/* A refused form, shown again on its article. Posting reads only the
 * article's id and whether it takes comments (post_target); the page needs
 * the whole article, read now. */
static int refuse(struct ctx *c, const struct article *target, struct submission *s,
                  int status, const char *message)
{
    if (message)
        s->form.message = message;
    struct article a;
    int rc = find_published_article(c, target->slug, &a);
    if (rc)
        return rc;
    return article_render(c, &a, &s->form, status);
}

static int accepted(struct ctx *c, const struct article *a, const struct submission *s,
                    const struct comment_post_result *res)
{
    if (res->status != CS_APPROVED)
        pending_cookie(c, s, res->id);
    saved_details_cookies(c, s);
    return redirect(c, comment_link(c, a->slug, res->page ? res->page : 1, res->id));
}

static int answer_verdict(struct ctx *c, const struct article *a, struct submission *s,
                          const struct comment_post_result *res)
{
    switch (res->verdict) {
    case COMMENT_STORED:
        return accepted(c, a, s, res);
    case COMMENT_RATE_LIMITED:
        resp_header(c->resp, "Retry-After",
                    arena_printf(c->arena, "%lld", (long long)res->retry_after));
        return refuse(c, a, s, 429, MSG_RATE);
    case COMMENT_DUPLICATE:
        return refuse(c, a, s, 409, MSG_DUPLICATE);
    case COMMENT_BAD_PARENT:
        s->form.parent = 0;
        return refuse(c, a, s, 422, MSG_PARENT);
    case COMMENT_NO_TARGET:
        break;
    }
    return fail(c, 404, "There is no article at this address.");
}

/* The article a comment is posted to, as far as posting needs it on the
 * way to its 303: its id, its slug and whether it takes comments (the whole
 * row, body and all, cost a tenth of a post's work). 0, or the status of
 * the answer made: as find_published_article's. */
static int post_target(struct ctx *c, const char *slug, struct article *out)
{
    memset(out, 0, sizeof *out);
    int rc = store_article_post_target(c->store, slug, &out->id, &out->comments_open);
    if (rc == STORE_NOT_FOUND)
        return fail(c, 404, "There is no article at this address.");
    if (rc != STORE_OK)
        return fail(c, 500, "The article could not be read.");
    out->slug = slug;
    out->status = AS_PUBLISHED;
    return 0;
}

/* Stores a form that passed every check; false, with nothing stored and
 * nothing answered, when the store finds that the address no longer leads
 * to the article a, published and taking comments. */
static bool store_form(struct ctx *c, const struct article *a, struct submission *s,
                       int *answer)
{
    struct comment_post_result res;
    s->created_at = (int64_t)time(NULL);
    if (store_submission(c, a, s, &res) != STORE_OK) {
        c->error_message = "the comment could not be stored";    /* for the log */
        resp_header(c->resp, "Retry-After", "5");
        *answer = refuse(c, a, s, 503, MSG_BUSY);
        return true;
    }
    if (res.verdict == COMMENT_NO_TARGET)
        return false;
    *answer = answer_verdict(c, a, s, &res);
    return true;
}

/* The article a form's genuine token names, taken on trust as the one at
 * the address (slug) when the whole form is in order: the store checks it
 * in the batch that writes the comment, so the request itself reads
 * nothing on the way to its 303. False for any other form. */
static bool form_in_order(struct ctx *c, const char *slug, const struct form *f,
                          struct submission *s, struct article *a)
{
    read_fields(c, f, s);
    memset(a, 0, sizeof *a);
    int64_t now = (int64_t)time(NULL), issued;
    enum token_check t = form_token_read(c->app->secret, s->token, now,
                                         c->app->cfg.min_submit_seconds, &a->id, &issued);
    a->slug = slug;
    a->comments_open = true;
    a->status = AS_PUBLISHED;
    return !token_outcome(s, t, issued, now) && validate_fields(f, s);
}

/* A form that decoded: in order and stored, or closed, invalid, or
 * gone, as the article at the address is found. */
static int post_form(struct ctx *c, const char *slug, const struct form *f)
{
    struct submission s;
    struct article a;
    int answer;
    if (form_in_order(c, slug, f, &s, &a) && store_form(c, &a, &s, &answer))
        return answer;
    /* Read the article and say what is wrong, from the form as sent. */
    int rc = post_target(c, slug, &a);
    if (rc)
        return rc;
    read_fields(c, f, &s);
    const char *token_message = check_token(c, &a, &s);
    if (!a.comments_open)
        return refuse(c, &a, &s, 403, MSG_CLOSED);
    bool fields_ok = validate_fields(f, &s);
    if (!fields_ok || token_message)    /* the token's message wins: send again */
        return refuse(c, &a, &s, 422, token_message);
    if (store_form(c, &a, &s, &answer))
        return answer;
    /* closed or gone since post_target read it, a moment ago */
    if ((rc = post_target(c, slug, &a)) != 0)
        return rc;
    if (!a.comments_open)
        return refuse(c, &a, &s, 403, MSG_CLOSED);
    resp_header(c->resp, "Retry-After", "5");
    return refuse(c, &a, &s, 503, MSG_BUSY);
}

int page_comment_post(struct ctx *c)
{
    if (!form_type_is_urlencoded(req_header(c->req, "content-type")))
        return fail(c, 415, "The comment form must be sent as application/x-www-form-urlencoded.");
    if (c->req->body_len > LIMIT_FORM_BYTES)
        return fail(c, 413, "The comment is too large to be sent (64 KiB at most).");
    /* Text that is not UTF-8 is shown again repaired, with a message at
     * its field (validate_fields), not refused with the reader's text lost. */
    enum form_error fe = form_parse_repairing(c->arena, c->req->body ? c->req->body : "",
                                              c->req->body_len, &c->form);
    if (fe == FORM_NO_MEMORY)
        return fail(c, 500, form_error_message(fe));
    if (fe != FORM_OK) {
        struct article a;
        int rc = post_target(c, c->params[0], &a);
        if (rc)
            return rc;
        struct comment_form empty = {
            .message = arena_printf(c->arena, "%s Your comment was not posted.",
                                    form_error_message(fe)) };
        return refuse(c, &a, &(struct submission){ .form = empty }, 400, NULL);
    }
    c->form_parsed = true;
    return post_form(c, c->params[0], &c->form);
}

/* GET or HEAD of the form's address: a refused form reloaded, or reached
 * again with the back button, or a reply link of the refused form's page
 * (?replytocom=ID, relative to that address). The form lives on the
 * article, which sends a reply on to the page of its thread. */
int page_comment_form_get(struct ctx *c)
{
    struct article a;
    int rc = find_published_article(c, c->params[0], &a);
    if (rc)
        return rc;
    int64_t parent;
    if (parse_id(form_get(&c->query, "replytocom"), &parent))
        return redirect(c, arena_printf(c->arena, "/articles/%s?replytocom=%lld#respond", a.slug,
                                        (long long)parent));
    return redirect(c, arena_printf(c->arena, "/articles/%s#respond", a.slug));
}
