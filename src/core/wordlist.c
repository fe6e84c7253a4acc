/* wordlist: loading and matching the comment key lists. */
#include "core/wordlist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"

#define WORD_LIST_MAX_BYTES (4 * 1024 * 1024)

struct word_list {
    char **keys;        /* each a NUL-terminated string; all live in `text` */
    size_t count;
    char *text;
};

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/* Keys are kept in lower case and texts lowered once, so that matching is
 * a plain strstr (fast even for lists of thousands of keys). */
static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

struct word_list *word_list_parse(const char *text, size_t len)
{
    struct word_list *list = calloc(1, sizeof *list);
    if (!list || !(list->text = malloc(len + 1)) ||
        !(list->keys = calloc(len / 2 + 1, sizeof *list->keys))) {
        word_list_free(list);
        return NULL;
    }
    memcpy(list->text, text, len);
    list->text[len] = '\0';
    char *p = list->text, *end = list->text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        while (p < line_end && is_blank(*p))
            p++;
        char *q = line_end;
        while (q > p && is_blank(q[-1]))
            q--;
        if (q > p) {
            *q = '\0';
            lower_ascii(p);
            list->keys[list->count++] = p;
        }
        p = line_end + 1;
    }
    return list;
}

struct word_list *word_list_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *data = malloc(WORD_LIST_MAX_BYTES + 1);
    size_t len = data ? fread(data, 1, WORD_LIST_MAX_BYTES + 1, f) : 0;
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    struct word_list *list = NULL;
    if (!data)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (read_errno)
        snprintf(err, errlen, "%s: %s", path, strerror(read_errno));
    else if (len > WORD_LIST_MAX_BYTES)
        snprintf(err, errlen, "%s: larger than %d bytes", path, WORD_LIST_MAX_BYTES);
    else if (memchr(data, '\0', len) || !utf8_valid(data, len))
        snprintf(err, errlen, "%s: not a text file in UTF-8", path);
    else if (!(list = word_list_parse(data, len)))
        snprintf(err, errlen, "%s: out of memory", path);
    free(data);
    return list;
}

void word_list_free(struct word_list *list)
{
    if (!list)
        return;
    free(list->keys);
    free(list->text);
    free(list);
}

size_t word_list_count(const struct word_list *list)
{
    return list ? list->count : 0;
}

const char *word_list_match(const struct word_list *list, const char *text)
{
    if (!list || !text || list->count == 0)
        return NULL;
    char *low = strdup(text);
    if (!low)
        return NULL;
    lower_ascii(low);
    const char *found = NULL;
    for (size_t i = 0; i < list->count && !found; i++)
        if (strstr(low, list->keys[i]))
            found = list->keys[i];
    free(low);
    return found;
}
