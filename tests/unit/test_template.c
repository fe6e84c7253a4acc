/* Unit tests: the template engine parses, escapes and refuses what it must. */
#include "check.h"
#include "core/template.h"

static char err[512];

static struct tmpl_set *load1(const char *src)
{
    const char *names[] = { "t", "p" };
    const char *sources[] = { src, "[{{name}}]" };
    return tmpl_load_strings(names, sources, 2, err, sizeof err);
}

static const char *render(const char *src, const struct tval *data, struct buf *out)
{
    struct tmpl_set *set = load1(src);
    buf_reset(out);
    if (!set)
        return err;
    tmpl_render(set, "t", data, out);
    tmpl_free(set);
    return buf_cstr(out);
}

int main(void)
{
    struct arena a = {0};
    struct buf out = {0};
    struct tval *d = tv_obj(&a);
    tv_str(d, "name", "<b>\"Ann\"</b>");
    tv_str(d, "q", "a b&c");
    tv_trusted_html(d, "html", "<em>ok</em>");
    tv_bool(d, "yes", true);
    tv_bool(d, "no", false);
    struct tval *list = tv_list(&a);
    struct tval *item = tv_push_obj(list);
    tv_str(item, "name", "one");
    item = tv_push_obj(list);
    tv_str(item, "name", "two");
    tv_set(d, "items", list);
    struct tval *obj = tv_obj(&a);
    tv_str(obj, "inner", "deep");
    tv_set(d, "obj", obj);
    struct tval *strings = tv_list(&a);
    tv_push_str(strings, "x");
    tv_push_str(strings, "<y>");
    tv_set(d, "strings", strings);

    CHECK_STR(render("Hi {{name}}!", d, &out), "Hi &lt;b&gt;&quot;Ann&quot;&lt;/b&gt;!");
    CHECK_STR(render("{{html}}", d, &out), "<em>ok</em>");
    CHECK_STR(render("?q={{q|url}}", d, &out), "?q=a%20b%26c");
    CHECK_STR(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}", d, &out), "Yn");
    CHECK_STR(render("{{#items}}<{{name}}>{{/items}}", d, &out), "<one><two>");
    CHECK_STR(render("{{obj.inner}} {{#obj}}{{inner}}{{/obj}}", d, &out), "deep deep");
    CHECK_STR(render("{{#strings}}{{.}},{{/strings}}", d, &out), "x,&lt;y&gt;,");
    CHECK_STR(render("{{missing}}{{#missing}}x{{/missing}}{{^missing}}none{{/missing}}", d, &out),
              "none");
    CHECK_STR(render("{{#items}}{{>p}}{{/items}}", d, &out), "[one][two]");
    CHECK_STR(render("a{{! a comment }}b", d, &out), "ab");

    /* What must not parse, with the line of the fault. */
    CHECK(load1("{{{name}}}") == NULL && strstr(err, "unescaped"));
    CHECK(load1("{{&name}}") == NULL && strstr(err, "unescaped"));
    CHECK(load1("x\n{{#a}}") == NULL && strstr(err, "t.html:2"));
    CHECK(load1("{{#a}}{{/b}}") == NULL && strstr(err, "does not match"));
    CHECK(load1("{{name") == NULL && strstr(err, "closing"));
    CHECK(load1("{{name|raw}}") == NULL && strstr(err, "filter"));
    CHECK(load1("{{>nope}}") == NULL && strstr(err, "nope.html"));
    CHECK(load1("{{a b}}") == NULL);

    /* Partials that include themselves, directly or through others, outside
     * any {{#section}} are refused at load, naming the file; they once hung
     * the render. */
    {
        const char *names[] = { "page", "a", "b" };
        const char *self[] = { "{{>a}}", "x{{>a}}{{>a}}", "" };
        CHECK(tmpl_load_strings(names, self, 3, err, sizeof err) == NULL);
        CHECK(strstr(err, "a.html: includes itself") != NULL);
        const char *pair[] = { "{{>a}}", "{{^s}}{{>b}}{{/s}}", "{{>a}}" };
        CHECK(tmpl_load_strings(names, pair, 3, err, sizeof err) == NULL);
        CHECK(strstr(err, "a.html > b.html > a.html") != NULL);
        const char *shared[] = { "{{>a}}{{>b}}{{>b}}", "{{>b}}", "B" };   /* no cycle */
        struct tmpl_set *set = tmpl_load_strings(names, shared, 3, err, sizeof err);
        CHECK(set != NULL);
        buf_reset(&out);
        CHECK(set && tmpl_render(set, "page", d, &out));
        CHECK_STR(buf_cstr(&out), "BBB");
        tmpl_free(set);
    }
    /* Inside a {{#section}} a partial may include itself (a comment and its
     * replies): the data ends it. Where the data does not move on (the same
     * object found again and again, a flag, a string), the partial renders
     * nothing inside itself: at once, not at the render's bound. */
    {
        const char *names[] = { "a" };
        const char *tree[] = { "({{name}}{{#kids}}{{>a}}{{/kids}})" };
        struct tmpl_set *set = tmpl_load_strings(names, tree, 1, err, sizeof err);
        CHECK(set != NULL);
        struct tval *root = tv_obj(&a), *kids = tv_list(&a);
        tv_str(root, "name", "r");
        tv_set(root, "kids", kids);
        struct tval *k1 = tv_push_obj(kids);
        tv_str(k1, "name", "k");
        tv_set(k1, "kids", tv_list(&a));
        buf_reset(&out);
        CHECK(set && tmpl_render(set, "a", root, &out));
        CHECK_STR(buf_cstr(&out), "(r(k))");
        tmpl_free(set);
        const char *forever[] = { "x{{#obj}}{{>a}}{{>a}}{{/obj}}",
                                  "x{{#flag}}{{>a}}{{>a}}{{/flag}}",
                                  "x{{#name}}{{>a}}{{>a}}{{/name}}" };
        for (size_t i = 0; i < 3; i++) {
            set = tmpl_load_strings(names, &forever[i], 1, err, sizeof err);
            CHECK(set != NULL);
            struct tval *loop = tv_obj(&a);
            tv_set(loop, "obj", tv_obj(&a));
            tv_bool(loop, "flag", true);
            tv_str(loop, "name", "n");
            buf_reset(&out);
            CHECK(set && tmpl_render(set, "a", loop, &out));
            CHECK(out.len < 8);
            tmpl_free(set);
        }
    }
    /* No cycle, but each level includes the next ten times: 10^9 steps.
     * The render stops at its bound and fails instead of running for hours. */
    {
        static char level[10][96];
        const char *names[10], *sources[10];
        static const char *const level_names[] = { "l0", "l1", "l2", "l3", "l4",
                                                   "l5", "l6", "l7", "l8", "l9" };
        for (int i = 0; i < 10; i++) {
            names[i] = level_names[i];
            if (i == 9)
                snprintf(level[i], sizeof level[i], "x");
            else
                snprintf(level[i], sizeof level[i], "%s", "");
            for (int k = 0; i < 9 && k < 10; k++) {
                size_t len = strlen(level[i]);
                snprintf(level[i] + len, sizeof level[i] - len, "{{>l%d}}", i + 1);
            }
            sources[i] = level[i];
        }
        struct tmpl_set *set = tmpl_load_strings(names, sources, 10, err, sizeof err);
        CHECK(set != NULL);
        buf_reset(&out);
        CHECK(set && !tmpl_render(set, "l0", d, &out));
        tmpl_free(set);
    }

    buf_free(&out);
    arena_free(&a);
    return check_result("test_template");
}
