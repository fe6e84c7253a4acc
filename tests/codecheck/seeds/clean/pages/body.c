/* Clean: raw HTML with its reason, and a label that only looks like SQL. */
#include "core/log.h"
struct tval;
void tv_trusted_html(struct tval *obj, const char *key, const char *html);

static const char *const label = "Delete permanently";

void show_body(struct tval *obj, const char *html)
{
    tv_trusted_html(obj, "body_html", html);   /* cmark output, raw HTML disabled */
    (void)label;
}
