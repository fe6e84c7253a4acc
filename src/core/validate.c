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
