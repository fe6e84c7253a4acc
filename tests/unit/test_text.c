/* Unit tests: slugs, dates, decimal numbers, front matter, buffers. */
#include "check.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/frontmatter.h"
#include "core/text.h"

static void test_slugs(void)
{
    struct arena a = {0};
    CHECK_STR(slugify(&a, "North Korea"), "north-korea");
    CHECK_STR(slugify(&a, "  C++ & Rust!  "), "c-rust");
    CHECK_STR(slugify(&a, "Café déjà"), "caf-d-j");
    CHECK_STR(slugify(&a, "---"), "");
    CHECK(slug_valid("harbour-bridge-2"));
    CHECK(!slug_valid("Harbour"));
    CHECK(!slug_valid("-x"));
    CHECK(!slug_valid(""));
    CHECK(!slug_valid("a/b"));
    arena_free(&a);
}

static void test_dates(void)
{
    int64_t t;
    char out[32];
    CHECK(parse_rfc3339("2026-03-14T08:30:00Z", &t) && t == 1773477000);
    CHECK(parse_rfc3339("2026-03-14T10:30:00+02:00", &t) && t == 1773477000);
    CHECK(parse_rfc3339("2026-03-14T08:30:00.123Z", &t) && t == 1773477000);
    CHECK(parse_rfc3339("2026-03-14", &t) && t == 1773446400);
    CHECK(!parse_rfc3339("2026-02-30T00:00:00Z", &t));
    CHECK(!parse_rfc3339("2026-13-01", &t));
    CHECK(!parse_rfc3339("yesterday", &t));
    CHECK(!parse_rfc3339("2026-03-14T08:30:00", &t));   /* no zone */
    format_rfc3339(1773477000, out, sizeof out);
    CHECK_STR(out, "2026-03-14T08:30:00Z");
    format_human_date(1773477000, out, sizeof out);
    CHECK_STR(out, "14 March 2026");
}

static void test_frontmatter(void)
{
    struct article_file f;
    int line;
    char reason[256];
    const char *good = "---\ntitle: Harbour bridge reopens\nauthor: A. Reporter\n"
                       "date: 2026-03-14T08:30:00Z\ntags: transport, city\nstatus: published\n"
                       "comments: closed\n---\nBody *text*.\n";
    CHECK(frontmatter_parse(good, 0, &f, &line, reason, sizeof reason));
    CHECK_STR(f.slug, "harbour-bridge-reopens");
    CHECK_STR(f.status, "published");
    CHECK_STR(f.tags, "transport, city");
    CHECK(f.date == 1773477000);
    CHECK(!f.comments_open);
    CHECK_STR(f.body, "Body *text*.\n");
    article_file_free(&f);

    CHECK(frontmatter_parse("---\ntitle: T\n---\n", 42, &f, &line, reason, sizeof reason));
    CHECK_STR(f.status, "draft");
    CHECK(f.date == 42 && f.comments_open);
    article_file_free(&f);

    CHECK(!frontmatter_parse("---\ntitle: T\ncolour: red\n---\n", 0, &f, &line, reason,
                             sizeof reason));
    CHECK(line == 3 && strstr(reason, "unknown key 'colour'"));
    CHECK(!frontmatter_parse("---\ntitle: T\n\ndate: soon\n---\n", 0, &f, &line, reason,
                             sizeof reason));
    CHECK(line == 4 && strstr(reason, "bad date"));
    CHECK(!frontmatter_parse("---\ntitle: T\nstatus: live\n---\n", 0, &f, &line, reason,
                             sizeof reason));
    CHECK(line == 3 && strstr(reason, "bad status"));
    CHECK(!frontmatter_parse("---\nauthor: A\n---\n", 0, &f, &line, reason, sizeof reason));
    CHECK(strstr(reason, "title"));
    CHECK(!frontmatter_parse("title: T\n", 0, &f, &line, reason, sizeof reason));
    CHECK(line == 1);
    CHECK(!frontmatter_parse("---\ntitle: T\n", 0, &f, &line, reason, sizeof reason));
    CHECK(strstr(reason, "never closed"));
    CHECK(!frontmatter_parse("---\ntitle: T\nslug: Bad Slug\n---\n", 0, &f, &line, reason,
                             sizeof reason));
    CHECK(strstr(reason, "bad slug") && line == 3);
}

/* A buffer in an arena grows past its first block and keeps every byte. */
static void test_arena_buf(void)
{
    struct arena a = {0};
    struct buf b;
    buf_init_arena(&b, &a);
    CHECK(strcmp(buf_cstr(&b), "") == 0);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%03d,", i);
    CHECK(!b.failed && b.len == 4000);
    const char *s = buf_cstr(&b);
    CHECK(strncmp(s, "000,001,", 8) == 0 && strcmp(s + 3996, "999,") == 0);
    buf_free(&b);           /* forgets it; the arena still holds the text */
    CHECK(strncmp(s, "000,", 4) == 0);
    arena_free(&a);
}

/* Collects the tags into "name|name|", stopping after `stop_after` when nonzero. */
struct tag_seen {
    char text[128];
    int count, stop_after;
};

static bool see_tag(const char *name, void *ctx)
{
    struct tag_seen *t = ctx;
    strncat(t->text, name, sizeof t->text - strlen(t->text) - 2);
    strcat(t->text, "|");
    return ++t->count != t->stop_after;
}

static void test_tags_each(void)
{
    struct tag_seen t = { .text = "" };
    CHECK(tags_each(" North Korea , city,, ,x", see_tag, &t));
    CHECK_STR(t.text, "North Korea|city|x|");
    struct tag_seen none = { .text = "" };
    CHECK(tags_each("", see_tag, &none) && tags_each(NULL, see_tag, &none) && none.count == 0);
    struct tag_seen stopped = { .text = "", .stop_after = 1 };
    CHECK(!tags_each("a, b", see_tag, &stopped));
    CHECK_STR(stopped.text, "a|");
}

/* Each number as snprintf writes it, and not a byte past its digits. */
static void check_decimal(unsigned long long n)
{
    char want[32], got[DECIMAL_MAX + 1];
    snprintf(want, sizeof want, "%llu", n);
    memset(got, '#', sizeof got);
    size_t len = format_decimal(n, got);
    CHECK(len == strlen(want) && memcmp(got, want, len) == 0);
    CHECK(len == DECIMAL_MAX || got[len] == '#');
}

static void test_decimal(void)
{
    /* every length, at both of its ends */
    for (unsigned long long p = 1; p <= 1000000000000000000ULL; p *= 10) {
        check_decimal(p - 1);
        check_decimal(p);
        check_decimal(p * 3 + 7);
    }
    check_decimal(ULLONG_MAX);
    check_decimal(ULLONG_MAX / 10);
    char out[DECIMAL_MAX];
    CHECK(format_decimal(ULLONG_MAX, out) == DECIMAL_MAX);
    CHECK(format_decimal(0, out) == 1 && out[0] == '0');
}

int main(void)
{
    test_decimal();
    test_tags_each();
    test_slugs();
    test_dates();
    test_frontmatter();
    test_arena_buf();
    return check_result("test_text");
}
