/* Unit tests: URL and form decoding, cookies, UTF-8 validation. */
#include "check.h"
#include "core/form.h"

static void test_url_decode(void)
{
    char out[64];
    CHECK(url_decode("a%20b+c", 7, out, true) == 5);
    CHECK_STR(out, "a b c");
    CHECK(url_decode("a%20b+c", 7, out, false) == 5);
    CHECK_STR(out, "a b+c");
    CHECK(url_decode("%zz", 3, out, false) == -1);
    CHECK(url_decode("%2", 2, out, false) == -1);
    CHECK(url_decode("%", 1, out, false) == -1);
    CHECK(url_decode("ab%4", 4, out, false) == -1);
    CHECK(url_decode("%C3%A9", 6, out, false) == 2);
}

static void test_utf8(void)
{
    CHECK(utf8_valid("plain", 5));
    CHECK(utf8_valid("\xc3\xa9t\xc3\xa9", 5));
    CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));
    CHECK(!utf8_valid("\xc3", 1));              /* truncated */
    CHECK(!utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
    CHECK(!utf8_valid("\xe0\x80\xaf", 3));      /* overlong */
    CHECK(!utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));  /* past U+10FFFF */
    CHECK(!utf8_valid("\xff", 1));
    CHECK(!utf8_valid("a\x80", 2));
}

static void test_form_parse(void)
{
    struct arena a = {0};
    struct form f;
    const char *body = "author=Ann+Lee&email=a%40b.c&empty=&flag&comment=l%C3%A9";
    CHECK(form_parse(&a, body, strlen(body), &f) == FORM_OK);
    CHECK(f.count == 5);
    CHECK_STR(form_get(&f, "author"), "Ann Lee");
    CHECK_STR(form_get(&f, "email"), "a@b.c");
    CHECK_STR(form_get(&f, "empty"), "");
    CHECK_STR(form_get(&f, "flag"), "");
    CHECK_STR(form_get(&f, "comment"), "l\xc3\xa9");
    CHECK(form_get(&f, "missing") == NULL);
    CHECK(form_parse(&a, "a=1&a=2", 7, &f) == FORM_REPEATED);
    CHECK(form_parse(&a, "a=%ZZ", 5, &f) == FORM_BAD_ENCODING);
    CHECK(form_parse(&a, "a=%00", 5, &f) == FORM_NUL_BYTE);
    CHECK(form_parse(&a, "a=%FF", 5, &f) == FORM_BAD_UTF8);
    CHECK(form_parse(&a, "%FF=1", 5, &f) == FORM_BAD_UTF8);
    CHECK(form_parse(&a, "", 0, &f) == FORM_OK && f.count == 0);
    CHECK(form_parse(&a, "&&a=1&", 6, &f) == FORM_OK && f.count == 1);
    /* more fields than the limit */
    char many[FORM_MAX_FIELDS * 8 + 16];
    size_t o = 0;
    for (int i = 0; i <= FORM_MAX_FIELDS; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, "f%d=&", i);
    CHECK(form_parse(&a, many, o, &f) == FORM_TOO_MANY);
    arena_free(&a);
}

/* Invalid UTF-8 in a value: kept, each maximal invalid subpart as one
 * U+FFFD (as browsers decode), the field marked; a bad name still refused. */
static void test_form_parse_repairing(void)
{
    struct arena a = {0};
    struct form f;
    static const struct {
        const char *body, *want;
    } cases[] = {
        { "c=caf%E9", "caf\xEF\xBF\xBD" },
        { "c=%C0%AF", "\xEF\xBF\xBD\xEF\xBF\xBD" },                 /* overlong '/' */
        { "c=%ED%A0%80x", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx" }, /* surrogate */
        { "c=%E2%82+", "\xEF\xBF\xBD " },                               /* cut short */
        { "c=%F4%90%80%80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
        { "c=%F0%9F%98", "\xEF\xBF\xBD" },                              /* emoji cut */
        { "c=%E2%82%AC", "\xE2\x82\xAC" },                              /* valid: kept */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *body = cases[i].body;
        CHECK(form_parse_repairing(&a, body, strlen(body), &f) == FORM_OK);
        CHECK_STR(form_get(&f, "c"), cases[i].want);
        CHECK(form_repaired(&f, "c") == (strcmp(body, "c=%E2%82%AC") != 0));
    }
    CHECK(form_parse_repairing(&a, "a=1&b=%FF&c=2", 13, &f) == FORM_OK);
    CHECK(!form_repaired(&f, "a") && form_repaired(&f, "b") && !form_repaired(&f, "c"));
    CHECK(!form_repaired(&f, "missing"));
    CHECK(form_parse_repairing(&a, "%FF=1", 5, &f) == FORM_BAD_UTF8);
    CHECK(form_parse_repairing(&a, "a=%00", 5, &f) == FORM_NUL_BYTE);
    arena_free(&a);
}

static void test_cookies(void)
{
    struct arena a = {0};
    const char *h = "a=1; folio_pending=abc.def;  b=\"quoted\"; c=";
    CHECK_STR(cookie_get(&a, h, "a"), "1");
    CHECK_STR(cookie_get(&a, h, "folio_pending"), "abc.def");
    CHECK_STR(cookie_get(&a, h, "b"), "quoted");
    CHECK_STR(cookie_get(&a, h, "c"), "");
    CHECK(cookie_get(&a, h, "folio") == NULL);  /* a prefix is not a name */
    CHECK(cookie_get(&a, NULL, "a") == NULL);
    arena_free(&a);
}

int main(void)
{
    test_url_decode();
    test_utf8();
    test_form_parse();
    test_form_parse_repairing();
    test_cookies();
    return check_result("test_form");
}
