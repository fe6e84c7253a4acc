/* markdown: CommonMark to HTML through cmark, with raw HTML disabled. */
#include "core/markdown.h"

#include <cmark.h>

char *markdown_render(const char *markdown, size_t len)
{
    /* CMARK_OPT_UNSAFE is deliberately absent: cmark then replaces raw HTML
     * with a comment and drops dangerous link schemes. */
    return cmark_markdown_to_html(markdown, len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART |
                                                     CMARK_OPT_VALIDATE_UTF8);
}
