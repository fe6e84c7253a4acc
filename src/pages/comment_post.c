/* comment_post: POST /articles/{slug}/comments, the "Leave a Reply" form. */
#include "core/routes.h"
#include "pages/pages.h"

int page_comment_post(struct ctx *c)
{
    return fail(c, 503, "Comments are not taken yet.");
}
