/* fuzz_form: libFuzzer target for the strict decoders (form_parse,
 * url_decode, utf8_valid, cookie_get) and the signed values read from
 * forms and cookies. Aborts when a decoder breaks its own promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/signed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[SIGN_KEY_BYTES] = "fuzzing key, not a secret......";

/* Every decoded name and value is valid UTF-8 without NUL. */
static void check_form(const struct form *f)
{
    for (size_t i = 0; i < f->count; i++) {
        const char *n = f->fields[i].name, *v = f->fields[i].value;
        if (!utf8_valid(n, strlen(n)) || !utf8_valid(v, strlen(v)))
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->fields[j].name, n) == 0)
                abort();    /* a repeated name must have been refused */
    }
}

static void decode_both_ways(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return;
    for (int plus = 0; plus < 2; plus++) {
        long n = url_decode(s, len, out, plus != 0);
        if (n > (long)len || (n >= 0 && out[n] != '\0'))
            abort();
    }
    free(out);
}

static void cookies(struct arena *a, const char *header)
{
    static const char *const names[] = { "folio_pending", "comment_author",
                                         "comment_author_email", "a", "" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = cookie_get(a, header, names[i]);
        struct pending_entry own[PENDING_COOKIE_MAX_IDS];
        if (v && pending_list_read(key, v, 1773480000, own, PENDING_COOKIE_MAX_IDS) > 0)
            abort();    /* nobody but us can sign a list */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a = {0};
    struct form f;
    const char *s = (const char *)data;
    enum form_error strict = form_parse(&a, s, size, &f);
    if (strict == FORM_OK)
        check_form(&f);
    /* Repairing: every value comes out valid UTF-8, and only a body the
     * strict parser took (nothing repaired) or refused for its UTF-8 is
     * taken. */
    struct form r;
    enum form_error repairing = form_parse_repairing(&a, s, size, &r);
    if (repairing == FORM_OK) {
        check_form(&r);
        if (strict != FORM_OK && strict != FORM_BAD_UTF8)
            abort();
        if (strict == FORM_OK && r.repaired != 0)
            abort();
    } else if (repairing != FORM_NO_MEMORY && strict == FORM_OK) {
        abort();
    }
    decode_both_ways(s, size);
    (void)utf8_valid(s, size);
    char *z = arena_strndup(&a, s, size);   /* headers arrive NUL-terminated */
    if (z) {
        cookies(&a, z);
        int64_t issued;
        if (form_token_check(key, z, 1, 1773480000, 0, &issued) == TOKEN_OK)
            abort();
    }
    arena_free(&a);
    return 0;
}
