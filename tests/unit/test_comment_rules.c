/* test_comment_rules: the comment form's token and pending-comments list
 * (on an injected clock), the field validators and the key lists. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/signed.h"
#include "core/validate.h"
#include "core/wordlist.h"

static int failures;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);   \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static unsigned char key[SIGN_KEY_BYTES], other_key[SIGN_KEY_BYTES];

static void test_token(struct arena *a)
{
    const int64_t t0 = 1773480000;   /* any fixed "now" */
    int64_t issued;
    char *tok = form_token_make(a, key, 7, t0);
    CHECK(tok && strlen(tok) > 20);
    CHECK(form_token_check(key, tok, 7, t0 + 3, 3, &issued) == TOKEN_OK && issued == t0);
    CHECK(form_token_check(key, tok, 7, t0 + 2, 3, &issued) == TOKEN_TOO_FAST && issued == t0);
    CHECK(form_token_check(key, tok, 7, t0, 0, &issued) == TOKEN_OK);
    CHECK(form_token_check(key, tok, 7, t0 + FORM_TOKEN_MAX_AGE, 3, &issued) == TOKEN_OK);
    CHECK(form_token_check(key, tok, 7, t0 + FORM_TOKEN_MAX_AGE + 1, 3, &issued) ==
          TOKEN_EXPIRED);
    /* another article, another key, from the future, garbage, nothing */
    CHECK(form_token_check(key, tok, 8, t0 + 10, 3, &issued) == TOKEN_FORGED && issued == 0);
    CHECK(form_token_check(other_key, tok, 7, t0 + 10, 3, &issued) == TOKEN_FORGED);
    CHECK(form_token_check(key, tok, 7, t0 - FORM_TOKEN_CLOCK_SKEW - 1, 0, &issued) ==
          TOKEN_FORGED);
    /* a little ahead (another process's clock) counts as just served */
    CHECK(form_token_check(key, tok, 7, t0 - 5, 0, &issued) == TOKEN_OK);
    CHECK(form_token_check(key, tok, 7, t0 - 5, 1, &issued) == TOKEN_TOO_FAST);
    CHECK(form_token_check(key, "", 7, t0, 0, &issued) == TOKEN_MISSING);
    CHECK(form_token_check(key, NULL, 7, t0, 0, &issued) == TOKEN_MISSING);
    /* the article a token names, when it is genuine, with the same verdicts */
    int64_t named;
    CHECK(form_token_read(key, tok, t0 + 3, 3, &named, &issued) == TOKEN_OK && named == 7 &&
          issued == t0);
    CHECK(form_token_read(key, tok, t0 + 2, 3, &named, &issued) == TOKEN_TOO_FAST && named == 7);
    CHECK(form_token_read(key, tok, t0 + FORM_TOKEN_MAX_AGE + 1, 3, &named, &issued) ==
              TOKEN_EXPIRED && named == 7);
    CHECK(form_token_read(key, form_token_make_returned(a, key, 9, t0), t0, 3, &named,
                          &issued) == TOKEN_OK && named == 9);
    CHECK(form_token_read(other_key, tok, t0 + 10, 3, &named, &issued) == TOKEN_FORGED &&
          named == 0 && issued == 0);
    CHECK(form_token_read(key, tok, t0 - FORM_TOKEN_CLOCK_SKEW - 1, 0, &named, &issued) ==
              TOKEN_FORGED && named == 0);
    CHECK(form_token_read(key, "", t0, 0, &named, &issued) == TOKEN_MISSING && named == 0);
    CHECK(form_token_check(key, "abc", 7, t0, 0, &issued) == TOKEN_FORGED);
    CHECK(form_token_check(key, "!!!!", 7, t0, 0, &issued) == TOKEN_FORGED);
    /* any changed character breaks it */
    for (size_t i = 0; tok[i]; i++) {
        char *copy = arena_strdup(a, tok);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        CHECK(form_token_check(key, copy, 7, t0 + 10, 3, &issued) == TOKEN_FORGED);
    }
    /* a token is no pending list, and the other way round */
    struct pending_entry own[4];
    CHECK(pending_list_read(key, tok, t0, own, 4) == 0);
    char *list = pending_list_make(a, key, &(struct pending_entry){ 5, 9 }, 1, t0);
    CHECK(form_token_check(key, list, 7, t0 + 10, 0, &issued) == TOKEN_FORGED);
}

/* sign_encode's MAC is crypto_auth's of "purpose\0payload" (HMAC-SHA-512-256),
 * though it starts from a keyed state kept per thread: also when the key
 * changes from one call to the next, and back. */
static void test_mac_is_crypto_auth(struct arena *a)
{
    const unsigned char payload[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const unsigned char *keys[] = { key, other_key, key, key, other_key };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *v = sign_encode(a, keys[i], "some-purpose", payload, sizeof payload);
        unsigned char raw[sizeof payload + crypto_auth_BYTES];
        size_t raw_len = 0;
        CHECK(v && sodium_base642bin(raw, sizeof raw, v, strlen(v), NULL, &raw_len, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
        CHECK(raw_len == sizeof raw && memcmp(raw, payload, sizeof payload) == 0);
        unsigned char msg[sizeof "some-purpose" + sizeof payload], mac[crypto_auth_BYTES];
        memcpy(msg, "some-purpose", sizeof "some-purpose");     /* with its NUL */
        memcpy(msg + sizeof "some-purpose", payload, sizeof payload);
        crypto_auth(mac, msg, sizeof msg, keys[i]);
        CHECK(memcmp(raw + sizeof payload, mac, sizeof mac) == 0);
        unsigned char back[sizeof payload];
        size_t back_len = 0;
        CHECK(sign_decode(keys[i], "some-purpose", v, back, sizeof back, &back_len) &&
              back_len == sizeof payload);
        CHECK(!sign_decode(keys[i] == key ? other_key : key, "some-purpose", v, back,
                           sizeof back, &back_len));
    }
}

static void test_pending_list(struct arena *a)
{
    const int64_t t0 = 1773480000;
    struct pending_entry many[15], out[PENDING_COOKIE_MAX_IDS + 5];
    for (int i = 0; i < 15; i++)
        many[i] = (struct pending_entry){ 100 + i, pending_tag(key, 100 + i, t0, "a@b.example") };
    char *v = pending_list_make(a, key, many, 3, t0);
    CHECK(pending_list_read(key, v, t0 + 60, out, 10) == 3 && out[0].id == 100 &&
          out[2].id == 102 && out[2].tag == many[2].tag);
    CHECK(pending_list_read(key, v, t0 + 60, out, 2) == 2);
    CHECK(pending_list_read(other_key, v, t0, out, 10) == 0);
    CHECK(pending_list_read(key, v, t0 + PENDING_COOKIE_MAX_AGE + 1, out, 10) == 0);
    /* only the newest PENDING_COOKIE_MAX_IDS are kept */
    v = pending_list_make(a, key, many, 15, t0);
    CHECK(pending_list_read(key, v, t0, out, 15) == PENDING_COOKIE_MAX_IDS);
    CHECK(out[0].id == 105 && out[PENDING_COOKIE_MAX_IDS - 1].id == 114);
    CHECK(pending_list_read(key, NULL, t0, out, 10) == 0);
    CHECK(pending_list_read(key, "", t0, out, 10) == 0);
    /* the tag tells apart two comments that had the same id */
    uint64_t tag = pending_tag(key, 12, t0, "a@b.example");
    CHECK(tag == pending_tag(key, 12, t0, "a@b.example"));
    CHECK(tag != pending_tag(key, 12, t0 + 1, "a@b.example"));
    CHECK(tag != pending_tag(key, 12, t0, "b@b.example"));
    CHECK(tag != pending_tag(key, 13, t0, "a@b.example"));
    CHECK(tag != pending_tag(other_key, 12, t0, "a@b.example"));
}

/* The edit and withdraw forms' token: bound to the comment, the reader's
 * cookie entry and the time; 24 hours at most. */
static void test_own_token(struct arena *a)
{
    const int64_t t0 = 1773480000;
    char *tok = own_token_make(a, key, 42, 0x1122334455667788u, t0);
    CHECK(tok != NULL);
    CHECK(own_token_check(key, tok, 42, 0x1122334455667788u, t0));
    CHECK(own_token_check(key, tok, 42, 0x1122334455667788u, t0 + FORM_TOKEN_MAX_AGE));
    CHECK(!own_token_check(key, tok, 42, 0x1122334455667788u, t0 + FORM_TOKEN_MAX_AGE + 1));
    CHECK(!own_token_check(key, tok, 42, 0x1122334455667788u, t0 - FORM_TOKEN_CLOCK_SKEW - 1));
    CHECK(!own_token_check(key, tok, 43, 0x1122334455667788u, t0));       /* another comment */
    CHECK(!own_token_check(key, tok, 42, 0x1122334455667789u, t0));       /* another entry */
    CHECK(!own_token_check(other_key, tok, 42, 0x1122334455667788u, t0)); /* not ours */
    CHECK(!own_token_check(key, NULL, 42, 0x1122334455667788u, t0));
    CHECK(!own_token_check(key, "", 42, 0x1122334455667788u, t0));
    /* a comment form token, or a pending list, is not one */
    CHECK(!own_token_check(key, form_token_make(a, key, 42, t0), 42, 0x1122334455667788u, t0));
    struct pending_entry e = { 42, 0x1122334455667788u };
    CHECK(!own_token_check(key, pending_list_make(a, key, &e, 1, t0), 42, 0x1122334455667788u,
                           t0));
}

static void test_email(void)
{
    CHECK(email_valid("a@b"));
    CHECK(email_valid("jane.doe+news@example.org"));
    CHECK(email_valid("jörg@bücher.example"));
    CHECK(!email_valid(""));
    CHECK(!email_valid("@example.org"));
    CHECK(!email_valid("jane@"));
    CHECK(!email_valid("jane"));
    CHECK(!email_valid("a@b@c"));
    CHECK(!email_valid("jane doe@example.org"));
    CHECK(!email_valid("jane@exa\tmple.org"));
    CHECK(!email_valid("jane@example.org\n"));
    char long_email[300];
    memset(long_email, 'x', sizeof long_email);
    long_email[0] = 'a';
    long_email[1] = '@';
    long_email[254] = '\0';
    CHECK(email_valid(long_email));
    long_email[254] = 'x';
    long_email[255] = '\0';
    CHECK(!email_valid(long_email));
}

static void test_url(void)
{
    CHECK(http_url_valid("http://example.org"));
    CHECK(http_url_valid("https://example.org/a?b=c#d"));
    CHECK(http_url_valid("HTTPS://Example.org/"));
    CHECK(!http_url_valid("example.org"));
    CHECK(!http_url_valid("ftp://example.org"));
    CHECK(!http_url_valid("javascript:alert(1)"));
    CHECK(!http_url_valid("JaVaScRiPt:alert(1)"));
    CHECK(!http_url_valid("data:text/html,<script>"));
    CHECK(!http_url_valid("http://"));
    CHECK(!http_url_valid("http:///path"));
    CHECK(!http_url_valid("https:example.org"));
    CHECK(!http_url_valid(" http://example.org"));
    CHECK(!http_url_valid("http://exa mple.org"));
    CHECK(!http_url_valid("http://example.org/\x01"));
    char u[260] = "http://";
    memset(u + 7, 'a', 193);
    u[200] = '\0';
    CHECK(http_url_valid(u));
    u[200] = 'a';
    u[201] = '\0';
    CHECK(!http_url_valid(u));
}

static void test_clean_text(void)
{
    CHECK(text_is_clean("plain text, tabs\tallowed", false));
    CHECK(!text_is_clean("line\nbreak", false));
    CHECK(text_is_clean("line\r\nbreak", true));
    CHECK(!text_is_clean("bell\a", true));
    CHECK(!text_is_clean("esc\x1b[0m", true));
    CHECK(!text_is_clean("non-character \xEF\xBF\xBF", true));
    CHECK(text_is_clean("\xEF\xBF\xBD replacement is fine", true));
    CHECK(text_is_clean("\xEF", true));  /* a truncated byte is not read past */
}

static void test_word_list(void)
{
    const char text[] = "  viagra  \n\n\r\nCheap Watches\r\n# not special\n192.0.2.\n\xC3\x9C" "ber\n";
    struct word_list *w = word_list_parse(text, sizeof text - 1);
    CHECK(w && word_list_count(w) == 5);
    CHECK(word_list_match(w, "Buy VIAGRA now") != NULL);
    CHECK(word_list_match(w, "cheap watches here") != NULL);
    CHECK(word_list_match(w, "cheap  watches") == NULL);
    CHECK(word_list_match(w, "from 192.0.2.7") != NULL);
    CHECK(word_list_match(w, "a # not special thing") != NULL);
    CHECK(word_list_match(w, "\xC3\x9C" "bersicht") != NULL);
    CHECK(word_list_match(w, "nothing to see") == NULL);
    CHECK(word_list_match(w, "") == NULL);
    CHECK(word_list_match(w, NULL) == NULL);
    CHECK(word_list_match(NULL, "viagra") == NULL);
    word_list_free(w);

    struct word_list *empty = word_list_parse("\n \n\t\n", 5);
    CHECK(empty && word_list_count(empty) == 0 && !word_list_match(empty, "anything"));
    word_list_free(empty);

    char err[256] = "";
    CHECK(word_list_load("/nonexistent/keys.txt", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/keys.txt") && strstr(err, "No such file"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    randombytes_buf(key, sizeof key);
    randombytes_buf(other_key, sizeof other_key);
    struct arena a = {0};
    test_token(&a);
    test_mac_is_crypto_auth(&a);
    test_pending_list(&a);
    test_own_token(&a);
    test_email();
    test_url();
    test_clean_text();
    test_word_list();
    arena_free(&a);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("ok");
    return 0;
}
