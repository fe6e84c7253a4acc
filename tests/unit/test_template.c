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

    buf_free(&out);
    arena_free(&a);
    return check_result("test_template");
}
