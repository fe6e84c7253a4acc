/* frontmatter: article files for `folio article import`. */
#include "core/frontmatter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/text.h"

static char *dup_trimmed(const char *s, size_t len)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    /* "quoted values" lose their quotes */
    if (len >= 2 && ((s[0] == '"' && s[len - 1] == '"') || (s[0] == '\'' && s[len - 1] == '\''))) {
        s++;
        len -= 2;
    }
    return strndup(s, len);
}

static bool is_fence(const char *line, size_t len)
{
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    return len == 3 && memcmp(line, "---", 3) == 0;
}

/* Applies one `key: value`; false with reason when the key or value is bad. */
static bool set_field(struct article_file *f, const char *key, char *value, char *reason,
                      size_t reason_len)
{
    char **slot = NULL;
    if (strcmp(key, "title") == 0)
        slot = &f->title;
    else if (strcmp(key, "slug") == 0)
        slot = &f->slug;
    else if (strcmp(key, "author") == 0)
        slot = &f->author;
    else if (strcmp(key, "tags") == 0)
        slot = &f->tags;
    else if (strcmp(key, "source") == 0)
        slot = &f->source;
    else if (strcmp(key, "summary") == 0)
        slot = &f->summary;
    else if (strcmp(key, "image") == 0)
        slot = &f->image;
    else if (strcmp(key, "image_alt") == 0)
        slot = &f->image_alt;
    if (slot) {
        free(*slot);
        *slot = value;
        return true;
    }
    bool ok = true;
    if (strcmp(key, "date") == 0) {
        ok = parse_rfc3339(value, &f->date);
        if (!ok)
            snprintf(reason, reason_len, "bad date '%s' (want RFC 3339, e.g. 2026-03-14T08:30:00Z)",
                     value);
    } else if (strcmp(key, "status") == 0) {
        ok = strcmp(value, "draft") == 0 || strcmp(value, "published") == 0;
        if (ok) {
            free(f->status);
            f->status = value;
            return true;
        }
        snprintf(reason, reason_len, "bad status '%s' (want draft or published)", value);
    } else if (strcmp(key, "comments") == 0) {
        ok = strcmp(value, "open") == 0 || strcmp(value, "closed") == 0;
        f->comments_open = strcmp(value, "open") == 0;
        if (!ok)
            snprintf(reason, reason_len, "bad comments '%s' (want open or closed)", value);
    } else {
        ok = false;
        snprintf(reason, reason_len, "unknown key '%s'", key);
    }
    free(value);
    return ok;
}

bool frontmatter_parse(const char *text, int64_t now, struct article_file *out, int *line,
                       char *reason, size_t reason_len)
{
    memset(out, 0, sizeof *out);
    out->date = now;
    out->comments_open = true;
    *line = 1;
    if (!utf8_valid(text, strlen(text))) {
        snprintf(reason, reason_len, "the file is not valid UTF-8");
        return false;
    }
    const char *p = text;
    const char *nl = strchr(p, '\n');
    if (!is_fence(p, nl ? (size_t)(nl - p) : strlen(p))) {
        snprintf(reason, reason_len, "expected '---' to open the front matter");
        return false;
    }
    bool closed = false;
    int slug_line = 0, title_line = 1;    /* where a bad slug is reported */
    while (nl) {
        p = nl + 1;
        (*line)++;
        nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (is_fence(p, len)) {
            closed = true;
            out->body = nl ? nl + 1 : p + len;
            break;
        }
        const char *s = p;
        while (s < p + len && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == p + len || *s == '#')
            continue;    /* blank lines and comments */
        const char *colon = memchr(p, ':', len);
        if (!colon) {
            snprintf(reason, reason_len, "expected 'key: value'");
            goto fail;
        }
        char *key = dup_trimmed(p, (size_t)(colon - p));
        char *value = dup_trimmed(colon + 1, len - (size_t)(colon - p) - 1);
        bool ok = key && value && set_field(out, key, value, reason, reason_len);
        if (ok && strcmp(key, "slug") == 0)
            slug_line = *line;
        if (ok && strcmp(key, "title") == 0)
            title_line = *line;
        free(key);
        if (!ok)
            goto fail;
    }
    if (!closed) {
        snprintf(reason, reason_len, "the front matter is never closed with '---'");
        goto fail;
    }
    if (!out->title || !*out->title) {
        *line = 1;
        snprintf(reason, reason_len, "'title' is required");
        goto fail;
    }
    if (!out->slug || !*out->slug) {
        free(out->slug);
        out->slug = slugify_dup(out->title);
    }
    if (!out->slug || !*out->slug || !slug_valid(out->slug)) {
        *line = slug_line ? slug_line : title_line;
        snprintf(reason, reason_len, "bad slug '%s' (lower-case letters, digits and hyphens)",
                 out->slug ? out->slug : "");
        goto fail;
    }
    if (!out->status)
        out->status = strdup("draft");
    return true;
fail:
    article_file_free(out);
    return false;
}

void article_file_free(struct article_file *f)
{
    free(f->title);
    free(f->slug);
    free(f->author);
    free(f->tags);
    free(f->source);
    free(f->summary);
    free(f->image);
    free(f->image_alt);
    free(f->status);
    memset(f, 0, sizeof *f);
}
