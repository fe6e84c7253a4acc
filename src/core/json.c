/* json: small helpers over jansson for the API's answers. */
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"

void json_error_field_body(struct buf *out, const char *message, const char *field)
{
    json_t *obj = json_object();
    bool ok = true;
    json_put(obj, "error", json_text(message), &ok);
    if (field)
        json_put(obj, "field", json_text(field), &ok);
    if (!ok || !json_write(out, obj))
        buf_puts(out, "{\"error\":\"internal error\"}\n");
    json_decref(obj);
}

void json_error_body(struct buf *out, const char *message)
{
    json_error_field_body(out, message, NULL);
}

static int append_to_buf(const char *data, size_t size, void *arg)
{
    struct buf *b = arg;
    buf_append(b, data, size);
    return b->failed ? -1 : 0;
}

bool json_write(struct buf *out, const json_t *v)
{
    if (!v || json_dump_callback(v, append_to_buf, out, JSON_COMPACT) != 0)
        return false;
    buf_putc(out, '\n');
    return !out->failed;
}

json_t *json_time(int64_t t)
{
    char text[40];
    format_rfc3339(t, text, sizeof text);
    return json_string(text);
}

json_t *json_text(const char *s)
{
    return json_string(s ? s : "");
}

void json_put(json_t *obj, const char *key, json_t *value, bool *ok)
{
    /* json_object_set_new releases value itself when it fails. */
    if (json_object_set_new(obj, key, value) != 0)
        *ok = false;
}

enum json_parse json_parse_object(const char *data, size_t len, json_t **out, char *err,
                                  size_t errlen)
{
    json_error_t e;
    *out = NULL;
    /* jansson refuses NUL escapes, invalid UTF-8 and nesting deeper than
     * 2048 on its own; a body with only white space is malformed too. */
    json_t *v = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &e);
    if (!v) {
        if (err)
            snprintf(err, errlen, "%s", e.text);
        return JSON_MALFORMED;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return JSON_NOT_OBJECT;
    }
    *out = v;
    return JSON_PARSED;
}
