/* auth: editors' sessions and CSRF checks for the admin area. */
#include "core/routes.h"

/* Until sign-in exists, nothing under /admin is let through. */
int admin_check_session(struct ctx *c)
{
    return fail(c, 403, "Sign-in is not available yet.");
}

int admin_check_csrf(struct ctx *c)
{
    return fail(c, 403, "Sign-in is not available yet.");
}
