/* json: small helpers over jansson for the API's answers. */
#include "core/json.h"

#include <jansson.h>
#include <stdlib.h>

void json_error_body(struct buf *out, const char *message)
{
    json_t *obj = json_pack("{s:s}", "error", message);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    if (text) {
        buf_puts(out, text);
        buf_putc(out, '\n');
    } else {
        buf_puts(out, "{\"error\":\"internal error\"}\n");
    }
    free(text);
    json_decref(obj);
}
