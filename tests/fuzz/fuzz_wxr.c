/* fuzz_wxr: libFuzzer target for the streamed WordPress export reader
 * (wxr.c): any bytes are read to the end or refused with a line and a
 * reason, and every string handed over is a string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/wxr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_site(void *ctx, const char *site)
{
    (void)ctx;
    return strlen(site) > (size_t)-2;     /* reads the whole string */
}

static int on_post(void *ctx, const struct wxr_post *p)
{
    *(size_t *)ctx += strlen(p->title) + strlen(p->content) + strlen(p->tags) +
                      strlen(p->creator) + strlen(p->link) + strlen(p->type);
    return 0;
}

static int on_comment(void *ctx, const struct wxr_comment *c)
{
    *(size_t *)ctx += strlen(c->author) + strlen(c->content) + strlen(c->approved) +
                      strlen(c->type) + strlen(c->email);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    struct wxr_handler h = { .ctx = &total, .site = on_site, .post = on_post,
                             .comment = on_comment };
    char err[256] = "";
    int rc = wxr_read(NULL, (const char *)data, size, &h, err, sizeof err);
    if (rc < 0 && strncmp(err, "line ", 5) != 0)
        abort();            /* a refusal always names its line */
    return 0;
}
