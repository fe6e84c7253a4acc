/* Unit tests: a page kept in memory (core/response_cache.c, core/kept_page.c)
 * is sent from where it is kept, so a response being sent must see the same
 * bytes to its end, whatever the cache does meanwhile: a new form token
 * every second, the page replaced by a newer edition. Run under the
 * sanitizers, a page freed while still held is an error here. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/kept_page.h"
#include "core/response_cache.h"

#define TOKEN_AT 11
#define TOKEN_LEN 12

static const char *const page_text = "<p>Edition 1 <token here> of the page</p>";

/* The fresh part's value: the second, as 12 digits. */
static const char *token_of(struct ctx *c, int64_t owner, time_t now)
{
    (void)owner;
    return arena_printf(c->arena, "%012lld", (long long)now);
}

static char *body_of(const struct response *resp)
{
    size_t len;
    const char *data = resp_body(resp, &len);
    char *copy = malloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

/* Renders `text` into scratch and keeps it under "page", version v,
 * with a token at TOKEN_AT made long ago (so the next serve makes one). */
static void keep(struct ctx *c, struct response *scratch, const char *text, int64_t v)
{
    c->resp = scratch;
    resp_reset(c->resp);
    buf_puts(&c->resp->body, text);
    c->resp->content_type = "text/html; charset=utf-8";
    c->resp->cacheable = true;
    resp_header(c->resp, "ETag", v == 1 ? "\"one\"" : "\"two\"");
    struct fresh_part token = { .off = TOKEN_AT, .len = TOKEN_LEN, .owner = 1, .second = 1,
                                .make = token_of };
    response_cache_keep(c, "page", v, 0, time(NULL) + 3600, &token);
    resp_reset(c->resp);
}

static bool serve(struct ctx *c, struct response *into, int64_t v)
{
    c->resp = into;
    return response_cache_serve(c, "page", v, 0, false);
}

int main(void)
{
    struct arena arena = { 0 };
    struct response scratch = { 0 }, first = { 0 }, second = { 0 }, third = { 0 };
    struct request req = { .method = "GET", .target = "/", .query = "" };
    struct ctx c = { .arena = &arena, .req = &req, .resp = &scratch };
    resp_reset(&scratch);
    resp_reset(&first);
    resp_reset(&second);
    resp_reset(&third);

    keep(&c, &scratch, page_text, 1);
    CHECK(serve(&c, &first, 1));
    CHECK(first.kept != NULL && first.body.len == 0);     /* served without a copy */
    CHECK_STR(resp_header_get(&first, "ETag"), "\"one\"");
    CHECK_STR(first.content_type, "text/html; charset=utf-8");
    char *sent = body_of(&first);
    CHECK(strlen(sent) == strlen(page_text));
    CHECK(strncmp(sent + TOKEN_AT, token_of(&c, 1, time(NULL)), TOKEN_LEN) == 0 ||
          strncmp(sent + TOKEN_AT, token_of(&c, 1, time(NULL) - 1), TOKEN_LEN) == 0);

    /* a front end holds the page past the response, as libmicrohttpd does */
    struct kept_page *in_flight = kept_page_hold(first.kept);

    /* the next second: a new token, in a new page; the one being sent keeps its own */
    time_t then = time(NULL);
    while (time(NULL) == then)
        usleep(20 * 1000);
    CHECK(serve(&c, &second, 1));
    CHECK(second.kept != first.kept);
    CHECK(strncmp(in_flight->body, sent, in_flight->body_len) == 0);
    char *later = body_of(&second);
    CHECK(strncmp(later + TOKEN_AT, sent + TOKEN_AT, TOKEN_LEN) != 0);
    CHECK(strcmp(later + TOKEN_AT + TOKEN_LEN, sent + TOKEN_AT + TOKEN_LEN) == 0);

    /* a new edition replaces the entry: both pages being sent stay whole */
    keep(&c, &scratch, "<p>Edition 2 <token here> of the page, longer</p>", 2);
    CHECK(!serve(&c, &third, 1));
    CHECK(serve(&c, &third, 2));
    CHECK_STR(resp_header_get(&third, "ETag"), "\"two\"");
    CHECK(strncmp(in_flight->body, sent, in_flight->body_len) == 0);
    CHECK(strncmp(resp_body(&second, &(size_t){ 0 }), later, strlen(later)) == 0);
    CHECK_STR(resp_header_get(&second, "ETag"), "\"one\"");

    /* each holder lets go; the last frees (the sanitizers see any leak) */
    resp_reset(&first);
    CHECK(strncmp(in_flight->body, sent, in_flight->body_len) == 0);
    kept_page_release(in_flight);
    resp_reset(&second);
    resp_reset(&third);
    free(sent);
    free(later);
    buf_free(&scratch.body);
    buf_free(&first.body);
    buf_free(&second.body);
    buf_free(&third.body);
    arena_free(&arena);
    return check_result("test_response_cache");
}
