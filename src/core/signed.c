/* signed: HMAC-signed values (form tokens, the pending-comments cookie). */
#include "core/signed.h"

#include <sodium.h>
#include <string.h>

#define PAYLOAD_MAX 192
#define PURPOSE_MAX 32

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* HMAC's first step, hashing the key padded with ipad and with opad, is
 * the same for every message under one key: two SHA-512 blocks, half the
 * work of a short message's HMAC. Each thread keeps that state for the last
 * key it used and starts every MAC from a copy. */
static _Thread_local struct {
    bool set;
    unsigned char key[SIGN_KEY_BYTES];
    crypto_auth_hmacsha512256_state keyed;
} keyed_state;

static void keyed_copy(const unsigned char key[SIGN_KEY_BYTES],
                       crypto_auth_hmacsha512256_state *st)
{
    if (!keyed_state.set || memcmp(keyed_state.key, key, SIGN_KEY_BYTES) != 0) {
        memcpy(keyed_state.key, key, SIGN_KEY_BYTES);
        crypto_auth_hmacsha512256_init(&keyed_state.keyed, key, SIGN_KEY_BYTES);
        keyed_state.set = true;
    }
    *st = keyed_state.keyed;
}

/* The HMAC of purpose, a NUL, then the payload: crypto_auth's
 * (HMAC-SHA-512-256) from the thread's keyed state. */
static bool mac_of(const unsigned char key[SIGN_KEY_BYTES], const char *purpose,
                   const void *payload, size_t len, unsigned char mac[crypto_auth_BYTES])
{
    unsigned char msg[PURPOSE_MAX + 1 + PAYLOAD_MAX];
    size_t plen = strlen(purpose);
    if (plen > PURPOSE_MAX || len > PAYLOAD_MAX)
        return false;
    memcpy(msg, purpose, plen);
    msg[plen] = '\0';
    memcpy(msg + plen + 1, payload, len);
    crypto_auth_hmacsha512256_state st;
    keyed_copy(key, &st);
    crypto_auth_hmacsha512256_update(&st, msg, plen + 1 + len);
    crypto_auth_hmacsha512256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    return true;
}

char *sign_encode(struct arena *a, const unsigned char key[SIGN_KEY_BYTES], const char *purpose,
                  const void *payload, size_t len)
{
    unsigned char raw[PAYLOAD_MAX + crypto_auth_BYTES];
    if (!mac_of(key, purpose, payload, len, raw + len))
        return NULL;
    memcpy(raw, payload, len);
    size_t total = len + crypto_auth_BYTES;
    size_t out_len = sodium_base64_ENCODED_LEN(total, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, out_len);
    if (!out)
        return NULL;
    sodium_bin2base64(out, out_len, raw, total, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

bool sign_decode(const unsigned char key[SIGN_KEY_BYTES], const char *purpose, const char *value,
                 void *out, size_t max, size_t *len)
{
    unsigned char raw[PAYLOAD_MAX + crypto_auth_BYTES];
    size_t raw_len = 0;
    const char *end = NULL;
    if (!value || strlen(value) > sodium_base64_ENCODED_LEN(sizeof raw,
                                                             sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return false;
    if (sodium_base642bin(raw, sizeof raw, value, strlen(value), NULL, &raw_len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        *end != '\0' || raw_len < crypto_auth_BYTES)
        return false;
    size_t plen = raw_len - crypto_auth_BYTES;
    unsigned char mac[crypto_auth_BYTES];
    if (plen > max || !mac_of(key, purpose, raw, plen, mac) ||
        sodium_memcmp(mac, raw + plen, crypto_auth_BYTES) != 0)
        return false;
    memcpy(out, raw, plen);
    *len = plen;
    return true;
}

/* ---- form tokens ---- */

/* The payload: the article's id and the time, then for a form that has
 * already come back once a single byte 1. */
#define TOKEN_FRESH_BYTES 16
#define TOKEN_RETURNED_BYTES 17

static char *token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                        int64_t article_id, int64_t issued, bool returned)
{
    unsigned char p[TOKEN_RETURNED_BYTES];
    put_u64(p, (uint64_t)article_id);
    put_u64(p + 8, (uint64_t)issued);
    p[16] = 1;
    return sign_encode(a, key, "form-token", p, returned ? TOKEN_RETURNED_BYTES
                                                         : TOKEN_FRESH_BYTES);
}

char *form_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                      int64_t article_id, int64_t issued)
{
    return token_make(a, key, article_id, issued, false);
}

char *form_token_make_returned(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                               int64_t article_id, int64_t issued)
{
    return token_make(a, key, article_id, issued, true);
}

/* A token of ours, fresh or returned: its payload into p. */
static bool token_decode(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                         unsigned char p[TOKEN_RETURNED_BYTES], size_t *len)
{
    return sign_decode(key, "form-token", token, p, TOKEN_RETURNED_BYTES, len) &&
           (*len == TOKEN_FRESH_BYTES || (*len == TOKEN_RETURNED_BYTES && p[16] == 1));
}

enum token_check form_token_read(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                 int64_t now, int min_seconds, int64_t *article_id,
                                 int64_t *issued)
{
    unsigned char p[TOKEN_RETURNED_BYTES];
    size_t len = 0;
    *article_id = 0;
    *issued = 0;
    if (!token || !*token)
        return TOKEN_MISSING;
    if (!token_decode(key, token, p, &len))
        return TOKEN_FORGED;
    int64_t t = (int64_t)get_u64(p + 8);
    /* Another process's clock may run a little ahead; far ahead is not ours. */
    if (t > now + FORM_TOKEN_CLOCK_SKEW)
        return TOKEN_FORGED;
    *article_id = (int64_t)get_u64(p);
    *issued = t;
    int64_t age = now > t ? now - t : 0;
    if (age > FORM_TOKEN_MAX_AGE)
        return TOKEN_EXPIRED;
    if (age < min_seconds && len == TOKEN_FRESH_BYTES)
        return TOKEN_TOO_FAST;
    return TOKEN_OK;
}

enum token_check form_token_check(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                  int64_t article_id, int64_t now, int min_seconds,
                                  int64_t *issued)
{
    int64_t named;
    enum token_check t = form_token_read(key, token, now, min_seconds, &named, issued);
    if (named != article_id && t != TOKEN_MISSING) {
        *issued = 0;
        return TOKEN_FORGED;
    }
    return t;
}

/* ---- the reader's pending comments ---- */

#define PENDING_ENTRY_BYTES 16
#define PENDING_LIST_MAX (8 + PENDING_ENTRY_BYTES * PENDING_COOKIE_MAX_IDS)
_Static_assert(PENDING_LIST_MAX <= PAYLOAD_MAX, "the pending list fits a signed value");

uint64_t pending_tag(const unsigned char key[SIGN_KEY_BYTES], int64_t id, int64_t created_at,
                     const char *email)
{
    unsigned char head[16], hash[crypto_generichash_BYTES_MIN];
    put_u64(head, (uint64_t)id);
    put_u64(head + 8, (uint64_t)created_at);
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, SIGN_KEY_BYTES, sizeof hash);
    crypto_generichash_update(&st, head, sizeof head);
    crypto_generichash_update(&st, (const unsigned char *)email, strlen(email));
    crypto_generichash_final(&st, hash, sizeof hash);
    return get_u64(hash);
}

char *pending_list_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                        const struct pending_entry *entries, size_t count, int64_t now)
{
    unsigned char p[PENDING_LIST_MAX];
    size_t skip = count > PENDING_COOKIE_MAX_IDS ? count - PENDING_COOKIE_MAX_IDS : 0;
    put_u64(p, (uint64_t)now);
    size_t len = 8;
    for (size_t i = skip; i < count; i++, len += PENDING_ENTRY_BYTES) {
        put_u64(p + len, (uint64_t)entries[i].id);
        put_u64(p + len + 8, entries[i].tag);
    }
    return sign_encode(a, key, "pending-comments", p, len);
}

size_t pending_list_read(const unsigned char key[SIGN_KEY_BYTES], const char *value, int64_t now,
                         struct pending_entry *out, size_t max)
{
    unsigned char p[PENDING_LIST_MAX];
    size_t len = 0;
    if (!sign_decode(key, "pending-comments", value, p, sizeof p, &len) || len < 8 ||
        (len - 8) % PENDING_ENTRY_BYTES != 0)
        return 0;
    int64_t signed_at = (int64_t)get_u64(p);
    if (now - signed_at > PENDING_COOKIE_MAX_AGE || signed_at > now + FORM_TOKEN_CLOCK_SKEW)
        return 0;
    size_t n = 0;
    for (size_t off = 8; off < len && n < max; off += PENDING_ENTRY_BYTES) {
        int64_t id = (int64_t)get_u64(p + off);
        if (id > 0)
            out[n++] = (struct pending_entry){ id, get_u64(p + off + 8) };
    }
    return n;
}

/* ---- the reader's own comment: edit and withdraw forms ---- */

#define OWN_TOKEN_BYTES 24

char *own_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES], int64_t id,
                     uint64_t tag, int64_t issued)
{
    unsigned char p[OWN_TOKEN_BYTES];
    put_u64(p, (uint64_t)id);
    put_u64(p + 8, tag);
    put_u64(p + 16, (uint64_t)issued);
    return sign_encode(a, key, "own-comment", p, sizeof p);
}

bool own_token_check(const unsigned char key[SIGN_KEY_BYTES], const char *token, int64_t id,
                     uint64_t tag, int64_t now)
{
    unsigned char p[OWN_TOKEN_BYTES];
    size_t len = 0;
    if (!token || !sign_decode(key, "own-comment", token, p, sizeof p, &len) ||
        len != OWN_TOKEN_BYTES || (int64_t)get_u64(p) != id || get_u64(p + 8) != tag)
        return false;
    int64_t issued = (int64_t)get_u64(p + 16);
    return issued <= now + FORM_TOKEN_CLOCK_SKEW && now - issued <= FORM_TOKEN_MAX_AGE;
}

/* ---- links in mail ---- */

#define LINK_PAYLOAD (8 + 8 + 1)    /* comment id, expiry, action */

char *link_token_make(struct arena *a, const unsigned char key[SIGN_KEY_BYTES],
                      enum link_action action, int64_t comment_id, int64_t expires)
{
    unsigned char p[LINK_PAYLOAD];
    put_u64(p, (uint64_t)comment_id);
    put_u64(p + 8, (uint64_t)expires);
    p[16] = (unsigned char)action;
    return sign_encode(a, key, "mail-link", p, sizeof p);
}

enum token_check link_token_read(const unsigned char key[SIGN_KEY_BYTES], const char *token,
                                 int64_t now, enum link_action *action, int64_t *comment_id)
{
    unsigned char p[LINK_PAYLOAD];
    size_t len = 0;
    if (!token || !*token)
        return TOKEN_MISSING;
    if (!sign_decode(key, "mail-link", token, p, sizeof p, &len) || len != sizeof p ||
        p[16] >= LINK_ACTION_COUNT)
        return TOKEN_FORGED;
    *comment_id = (int64_t)get_u64(p);
    *action = (enum link_action)p[16];
    int64_t expires = (int64_t)get_u64(p + 8);
    return expires != 0 && now > expires ? TOKEN_EXPIRED : TOKEN_OK;
}
