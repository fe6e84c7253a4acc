/* fuzz_signed: libFuzzer target for the values folio signs and later
 * believes (src/core/signed.c) and for the Cookie header they travel in.
 *
 * The input is taken three ways at once:
 *  - as values to sign: what sign_encode makes, sign_decode must give back
 *    exactly, for the same purpose only, and not once a byte is changed;
 *    form tokens and pending-comment lists must read back as the clock
 *    says, and a pending entry's tag changes with any of its inputs (the times are kept to this millennium, as time() gives them);
 *  - as a forged value: nothing the fuzzer writes may pass as ours;
 *  - as a Cookie header, with a genuine list put in among the fuzzer's
 *    cookies: cookie_get must find exactly that value.
 * Aborts on any broken promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/signed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[SIGN_KEY_BYTES] = "fuzzing key, not a secret......";
static const unsigned char other_key[SIGN_KEY_BYTES] = "another key, not a secret......";

#define YEAR3000 32503680000LL

/* Reads the input as little fixed-size fields, zeros past its end. */
struct reader {
    const uint8_t *p;
    size_t left;
};

static uint64_t take_u64(struct reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | (r->left ? *r->p : 0);
        if (r->left) {
            r->p++;
            r->left--;
        }
    }
    return v;
}

static int64_t take_time(struct reader *r)
{
    return (int64_t)(take_u64(r) % (uint64_t)YEAR3000);
}

/* A genuine value must decode to its payload, and to nothing else. */
static void check_round_trip(struct arena *a, const uint8_t *payload, size_t len, size_t flip)
{
    char *v = sign_encode(a, key, "fuzz", payload, len);
    if (len > 192) {
        if (v)
            abort();    /* payloads are at most 192 bytes */
        return;
    }
    if (!v)
        abort();
    unsigned char out[192];
    size_t out_len = 0;
    if (!sign_decode(key, "fuzz", v, out, sizeof out, &out_len) || out_len != len ||
        (len && memcmp(out, payload, len) != 0))
        abort();
    if (sign_decode(key, "fuzz2", v, out, sizeof out, &out_len) ||
        sign_decode(other_key, "fuzz", v, out, sizeof out, &out_len) ||
        (len && sign_decode(key, "fuzz", v, out, len - 1, &out_len)))
        abort();
    /* Any other character at any place spoils it (base64url's last
     * character may carry unused bits, so a change there must still not
     * give a different payload). */
    size_t vlen = strlen(v), at = flip % vlen;
    char was = v[at];
    v[at] = was == 'A' ? 'B' : 'A';
    bool passed = sign_decode(key, "fuzz", v, out, sizeof out, &out_len);
    if (passed && (at != vlen - 1 || out_len != len || (len && memcmp(out, payload, len) != 0)))
        abort();
    v[at] = was;
}

static void check_form_token(struct arena *a, struct reader *r)
{
    int64_t article = (int64_t)take_u64(r), issued = take_time(r), now = take_time(r);
    int min_seconds = (int)(take_u64(r) % 100);
    char *t = form_token_make(a, key, article, issued);
    if (!t)
        abort();
    int64_t got = 0;
    enum token_check want;
    int64_t age = now > issued ? now - issued : 0;
    if (issued > now + FORM_TOKEN_CLOCK_SKEW)
        want = TOKEN_FORGED;
    else if (age > FORM_TOKEN_MAX_AGE)
        want = TOKEN_EXPIRED;
    else if (age < min_seconds)
        want = TOKEN_TOO_FAST;
    else
        want = TOKEN_OK;
    if (form_token_check(key, t, article, now, min_seconds, &got) != want ||
        got != (want == TOKEN_FORGED ? 0 : issued))
        abort();
    if (form_token_check(key, t, article ^ 1, now, min_seconds, &got) != TOKEN_FORGED ||
        form_token_check(other_key, t, article, now, min_seconds, &got) != TOKEN_FORGED)
        abort();
}

/* A genuine list, hidden among the input's own cookies, reads back. */
static void check_pending_list(struct arena *a, struct reader *r, const char *cookies)
{
    struct pending_entry in[PENDING_COOKIE_MAX_IDS + 4];
    size_t count = (size_t)(take_u64(r) % (sizeof in / sizeof in[0] + 1));
    for (size_t i = 0; i < count; i++) {
        in[i].id = (int64_t)take_u64(r);
        in[i].tag = take_u64(r);
    }
    int64_t signed_at = take_time(r), now = take_time(r);
    char *v = pending_list_make(a, key, in, count, signed_at);
    if (!v)
        abort();
    /* "; " between cookies; none of the input's cookies is named folio_pending. */
    const char *header = arena_printf(a, "%s; folio_pending=%s; x=\"%s\"", cookies, v, v);
    const char *found = header ? cookie_get(a, header, "folio_pending") : NULL;
    if (header && strstr(cookies, "folio_pending") == NULL && (!found || strcmp(found, v) != 0))
        abort();
    struct pending_entry back[PENDING_COOKIE_MAX_IDS];
    size_t n = pending_list_read(key, v, now, back, PENDING_COOKIE_MAX_IDS);
    bool fresh = now - signed_at <= PENDING_COOKIE_MAX_AGE &&
                 signed_at <= now + FORM_TOKEN_CLOCK_SKEW;
    size_t want = 0;
    size_t skip = count > PENDING_COOKIE_MAX_IDS ? count - PENDING_COOKIE_MAX_IDS : 0;
    for (size_t i = skip; fresh && i < count; i++) {
        if (in[i].id <= 0)
            continue;       /* never an id of ours */
        if (want >= n || back[want].id != in[i].id || back[want].tag != in[i].tag)
            abort();
        want++;
    }
    if (n != want || pending_list_read(other_key, v, now, back, PENDING_COOKIE_MAX_IDS) != 0)
        abort();
    /* A tag binds the entry to one comment: its id, time and email. */
    int64_t id = in[0].id, made = signed_at;
    uint64_t tag = pending_tag(key, id, made, cookies);
    if (tag != pending_tag(key, id, made, cookies) || tag == pending_tag(other_key, id, made, cookies) ||
        tag == pending_tag(key, id ^ 1, made, cookies) ||
        tag == pending_tag(key, id, made ^ 1, cookies))
        abort();
}

/* Whatever the input says, it is not signed by us. */
static void check_forgery(struct arena *a, const char *s)
{
    unsigned char out[192];
    size_t len;
    struct pending_entry own[PENDING_COOKIE_MAX_IDS];
    int64_t issued;
    if (sign_decode(key, "pending-comments", s, out, sizeof out, &len) ||
        sign_decode(key, "form-token", s, out, sizeof out, &len) ||
        pending_list_read(key, s, 1773480000, own, PENDING_COOKIE_MAX_IDS) != 0 ||
        form_token_check(key, s, 1, 1773480000, 0, &issued) == TOKEN_OK)
        abort();
    static const char *const names[] = { "folio_pending", "folio_session", "comment_author",
                                         "comment_author_email", "comment_author_url", "x", "" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = cookie_get(a, s, names[i]);
        if (v && (strlen(v) > strlen(s) || strchr(v, ';')))
            abort();
        if (v && pending_list_read(key, v, 1773480000, own, PENDING_COOKIE_MAX_IDS) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a = {0};
    char *s = arena_strndup(&a, (const char *)data, size);  /* up to a NUL, as headers */
    if (!s) {
        arena_free(&a);
        return 0;
    }
    check_forgery(&a, s);
    struct reader r = { data, size };
    size_t len = (size_t)(take_u64(&r) % 224), flip = (size_t)take_u64(&r);
    check_round_trip(&a, r.p, len < r.left ? len : r.left, flip);
    check_form_token(&a, &r);
    check_pending_list(&a, &r, s);
    arena_free(&a);
    return 0;
}
