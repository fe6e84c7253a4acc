/* flash: the message after an action, shown once. It travels in a signed
 * cookie bound to the session (not in the address, where a reload or a
 * bookmark would repeat it), and the page that shows it clears it. The same
 * file signs the Undo button's range of log rows. */
#include <string.h>

#include "admin/admin.h"
#include "core/form.h"
#include "core/signed.h"

#define FLASH_COOKIE "folio_flash"
/* Long enough for the redirect to be followed, short enough that a
 * message never turns up on a page opened much later. */
#define FLASH_MAX_AGE 60
#define FLASH_FIELDS 7
#define UNDO_FIELDS 3

void admin_put_u64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)(u & 0xff);
}

int64_t admin_get_u64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

/* Signs `n` numbers for `purpose`. */
static const char *sign_numbers(struct ctx *c, const char *purpose, const int64_t *v, int n)
{
    unsigned char payload[8 * FLASH_FIELDS];
    for (int i = 0; i < n; i++)
        admin_put_u64(payload + 8 * i, v[i]);
    return sign_encode(c->arena, c->app->secret, purpose, payload, (size_t)n * 8);
}

/* Reads exactly `n` numbers signed for `purpose`. */
static bool read_numbers(struct ctx *c, const char *purpose, const char *value, int64_t *v,
                         int n)
{
    unsigned char payload[8 * FLASH_FIELDS];
    size_t len = 0;
    if (!value || !sign_decode(c->app->secret, purpose, value, payload, sizeof payload, &len) ||
        len != (size_t)n * 8)
        return false;
    for (int i = 0; i < n; i++)
        v[i] = admin_get_u64(payload + 8 * i);
    return true;
}

void admin_flash_set(struct ctx *c, const struct flash *f)
{
    int64_t v[FLASH_FIELDS] = { c->session_id, f->kind,      f->changed, f->refused,
                                f->missing,    f->undo_from, f->undo_to };
    const char *value = sign_numbers(c, "flash", v, FLASH_FIELDS);
    if (value)
        admin_set_cookie(c, FLASH_COOKIE, value, "/admin", FLASH_MAX_AGE);
}

bool admin_flash_take(struct ctx *c, struct flash *out)
{
    const char *value = cookie_get(c->arena, req_header(c->req, "cookie"), FLASH_COOKIE);
    if (!value)
        return false;
    /* A HEAD shows nothing, so it leaves the message for the GET. */
    if (strcmp(c->req->method, "HEAD") == 0)
        return false;
    admin_set_cookie(c, FLASH_COOKIE, "", "/admin", 0);
    int64_t v[FLASH_FIELDS];
    if (!read_numbers(c, "flash", value, v, FLASH_FIELDS) || v[0] != c->session_id)
        return false;
    *out = (struct flash){ .kind = (int)v[1], .changed = v[2], .refused = v[3],
                           .missing = v[4], .undo_from = v[5], .undo_to = v[6] };
    return true;
}

const char *admin_undo_token(struct ctx *c, int64_t from, int64_t to)
{
    int64_t v[UNDO_FIELDS] = { c->session_id, from, to };
    return sign_numbers(c, "undo", v, UNDO_FIELDS);
}

bool admin_undo_token_read(struct ctx *c, const char *token, int64_t *from, int64_t *to)
{
    int64_t v[UNDO_FIELDS];
    if (!read_numbers(c, "undo", token, v, UNDO_FIELDS) || v[0] != c->session_id ||
        v[1] < 1 || v[2] < v[1])
        return false;
    *from = v[1];
    *to = v[2];
    return true;
}
