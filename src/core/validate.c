/* validate: rules for readers' form values. */
#include "core/validate.h"

#include <string.h>
#include <strings.h>

#include "core/text.h"

#define EMAIL_MAX_CHARS 254
#define URL_MAX_CHARS 200

static bool is_space_or_control(unsigned char c)
{
    return c <= ' ' || c == 0x7f;
}

bool email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || at[1] == '\0' || strchr(at + 1, '@'))
        return false;
    for (const char *p = s; *p; p++)
        if (is_space_or_control((unsigned char)*p))
            return false;
    return utf8_length(s) <= EMAIL_MAX_CHARS;
}

bool http_url_valid(const char *s)
{
    size_t scheme;
    if (strncasecmp(s, "http://", 7) == 0)
        scheme = 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        scheme = 8;
    else
        return false;
    const char *host = s + scheme;
    if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
        return false;
    for (const char *p = s; *p; p++)
        if (is_space_or_control((unsigned char)*p))
            return false;
    return utf8_length(s) <= URL_MAX_CHARS;
}

bool text_is_clean(const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 && *p != '\t' && !(multiline && (*p == '\n' || *p == '\r')))
            return false;
        /* U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8. */
        if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
            return false;
    }
    return true;
}

/* ---- the comment form's fields ---- */

const char *comment_author_error(const char *v)
{
    if (!*v)
        return "Please enter your name.";
    if (utf8_length(v) > COMMENT_AUTHOR_MAX)
        return "Please keep your name to 100 characters or fewer.";
    if (!text_is_clean(v, false))
        return "Please remove the control characters from your name.";
    return NULL;
}

const char *comment_email_error(const char *v)
{
    if (!*v)
        return "Please enter your email address.";
    if (utf8_length(v) > EMAIL_MAX_CHARS)
        return "Please enter an email address of at most 254 characters.";
    if (!email_valid(v))
        return "Please enter a valid email address, such as name@example.org.";
    return NULL;
}

const char *comment_url_error(const char *v)
{
    if (!*v)
        return NULL;
    if (utf8_length(v) > URL_MAX_CHARS)
        return "Please enter a web address of at most 200 characters.";
    if (!http_url_valid(v))
        return "Please enter a web address that starts with http:// or https://.";
    return NULL;
}

const char *comment_body_error(const char *v)
{
    if (!*v)
        return "Please type your comment.";
    if (utf8_length(v) > COMMENT_BODY_MAX)
        return "Please keep your comment to 8000 characters or fewer.";
    if (!text_is_clean(v, true))
        return "Please remove the control characters from your comment.";
    return NULL;
}

const char *comment_text_normalize(struct arena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    if (!out)
        return "";
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\r' && s[i + 1] == '\n')
            continue;
        out[o++] = s[i] == '\r' ? '\n' : s[i];
    }
    out[o] = '\0';
    const char *trimmed = trim_copy(a, out);
    return trimmed ? trimmed : "";
}
