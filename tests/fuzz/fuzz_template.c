/* fuzz_template: libFuzzer target for the template engine: a set of
 * templates from the input is loaded and each one rendered with values
 * that hold markup. run.sh gives every input 2 s (-timeout=2, as does the
 * ctest replay), so a template whose render blows up counts as a failure.
 *
 * Input: the first template ("page"), then any number of
 *   \n%%NAME\n
 * lines, each starting the next template, named NAME (at most 8).
 *
 * Aborts when the loader refuses without a reason, or when a value reaches
 * the output unescaped (only tv_trusted_html may write markup). The values'
 * lists of several items shadow their own name in each item, so nesting a
 * section inside itself does not multiply the work: a blow-up is the
 * engine's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEMPLATES 8
/* In the values, each markup character is followed by \x01, a byte the
 * templates may not hold: so wherever \x01 stands in the output, the byte
 * before it came from a value, and must not be markup. */
#define MARKUP "a<\x01" "b\"\x01" "c'\x01" "d`\x01" "e>\x01" "f&\x01"

/* The values every template is rendered with. */
static struct tval *values(struct arena *a)
{
    struct tval *root = tv_obj(a);
    tv_str(root, "title", "A title " MARKUP);
    tv_str(root, "empty", "");
    tv_str(root, "url", "https://example.org/?q=" MARKUP);
    tv_int(root, "count", 42);
    tv_bool(root, "yes", true);
    tv_bool(root, "no", false);
    tv_trusted_html(root, "html", "<p>trusted</p>");
    struct tval *obj = tv_obj(a);
    tv_str(obj, "name", "nested " MARKUP);
    tv_set(obj, "words", tv_list(a));
    tv_set(root, "obj", obj);
    tv_set(root, "none", tv_list(a));
    struct tval *list = tv_list(a);
    for (int i = 0; i < 3; i++) {
        struct tval *item = tv_push_obj(list);
        tv_int(item, "id", i);
        tv_str(item, "name", MARKUP);
        tv_set(item, "items", tv_list(a));   /* shadows the list inside an item */
        tv_bool(item, "first", i == 0);
    }
    tv_set(root, "items", list);
    struct tval *words = tv_list(a);
    tv_push_str(words, MARKUP);
    tv_set(root, "words", words);   /* one item: "." is the string */
    return root;
}

static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || len > 32)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* Splits the input into names and sources (malloc'd); the count, or 0 when
 * it is not a set of templates. */
static size_t split(const char *in, size_t size, char **names, char **sources)
{
    size_t n = 0;
    const char *name = "page", *p = in, *end = in + size;
    size_t name_len = 4;
    while (n < MAX_TEMPLATES) {
        const char *mark = NULL;
        for (const char *q = p; q + 3 <= end; q++)
            if (q[0] == '\n' && q[1] == '%' && q[2] == '%') {
                mark = q;
                break;
            }
        const char *stop = mark ? mark : end;
        names[n] = strndup(name, name_len);
        sources[n] = strndup(p, (size_t)(stop - p));
        n++;
        if (!mark)
            return n;
        name = mark + 3;
        const char *nl = memchr(name, '\n', (size_t)(end - name));
        name_len = (size_t)((nl ? nl : end) - name);
        for (size_t i = 0; i < n; i++)
            if (strlen(names[i]) == name_len && memcmp(names[i], name, name_len) == 0)
                name_len = 0;   /* each name once */
        if (!valid_name(name, name_len))
            break;
        p = nl ? nl + 1 : end;
    }
    while (n > 0) {
        n--;
        free(names[n]);
        free(sources[n]);
    }
    return 0;
}

/* The templates may write any markup themselves; the values may not. */
static void check_output(struct buf *out)
{
    const char *s = buf_cstr(out);
    for (const char *p = strchr(s, '\x01'); p; p = strchr(p + 1, '\x01'))
        if (p > s && strchr("<>\"'`&", p[-1]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size) || memchr(data, '\x01', size))
        return 0;   /* templates hold no NUL (they are text), and \x01 is the values' */
    char *names[MAX_TEMPLATES], *sources[MAX_TEMPLATES];
    size_t count = split((const char *)data, size, names, sources);
    if (count == 0)
        return 0;
    char err[512];
    struct tmpl_set *set = tmpl_load_strings((const char *const *)names,
                                             (const char *const *)sources, count, err, sizeof err);
    if (!set && err[0] == '\0')
        abort();
    if (set) {
        /* Each template of the set is a page someone may render. A render
         * that hits the engine's bound on work returns false; what it wrote
         * until then must still be escaped. */
        struct arena a = {0};
        struct tval *data_root = values(&a);
        for (size_t i = 0; i < count; i++) {
            struct buf out = {0};
            if (!tmpl_exists(set, names[i]))
                abort();
            (void)tmpl_render(set, names[i], data_root, &out);
            if (!out.failed)
                check_output(&out);
            buf_free(&out);
        }
        arena_free(&a);
        tmpl_free(set);
    }
    for (size_t i = 0; i < count; i++) {
        free(names[i]);
        free(sources[i]);
    }
    return 0;
}
