/* test_mail: the notification mail's headers cannot be injected, the
 * subject is encoded (RFC 2047) when it is not short ASCII, the body is
 * base64 of CR LF text; the webhook's signature is HMAC-SHA256. */
#include <sodium.h>
#include <string.h>

#include "check.h"
#include "notify/mail.h"
#include "notify/webhook.h"

static struct mail base(void)
{
    return (struct mail){ .from = "folio@example.org", .to = "ed@example.org",
                          .subject = "Hello", .body = "line one\nline two\n",
                          .message_id = "abc@example.org", .date = 1773477062 };
}

/* The number of lines of out's header that start with name. */
static int header_lines(const char *msg, const char *name)
{
    int n = 0;
    size_t len = strlen(name);
    const char *end = strstr(msg, "\n\n");
    for (const char *p = msg; p && p < end; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, name, len) == 0;
    return n;
}

static const char *format(const struct mail *m, struct buf *b)
{
    buf_reset(b);
    return mail_format(b, m) ? buf_cstr(b) : NULL;
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    struct buf b = {0};
    struct mail m = base();
    const char *out = format(&m, &b);
    CHECK(out != NULL);
    CHECK(strstr(out, "Date: Sat, 14 Mar 2026 08:31:02 +0000\n") != NULL);
    CHECK(strstr(out, "\nSubject: Hello\n") != NULL);
    CHECK(strstr(out, "\nMessage-ID: <abc@example.org>\n") != NULL);
    CHECK(strstr(out, "Content-Transfer-Encoding: base64\n\nbGluZSBvbmUNCmxpbmUgdHdvDQo=\n"));
    CHECK(header_lines(out, "List-Unsubscribe") == 0);

    /* a subject with line breaks stays one header, encoded or not */
    m.subject = "Hi\r\nBcc: victim@example.org";
    out = format(&m, &b);
    CHECK(out && header_lines(out, "Bcc:") == 0 && header_lines(out, "Subject:") == 1);
    m.subject = "Caf\xc3\xa9\r\nBcc: victim@example.org \xe9\x81\xb8\xe6\x8c\x99";
    out = format(&m, &b);
    CHECK(out && header_lines(out, "Bcc:") == 0);
    CHECK(out && strstr(out, "Subject: =?UTF-8?B?") != NULL);
    CHECK(out && !strstr(out, "\xc3\xa9"));     /* no 8-bit byte anywhere */
    /* a long subject is several encoded words, none cutting a character */
    char longer[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(longer, "\xc3\xa9t\xc3\xa9 ");
    m.subject = longer;
    out = format(&m, &b);
    CHECK(out && strstr(out, "?=\n =?UTF-8?B?") != NULL);

    /* addresses and URLs that could end a header are refused */
    m = base();
    m.to = "ed@example.org\nBcc: victim@example.org";
    CHECK(format(&m, &b) == NULL);
    m.to = "Ed <ed@example.org>";
    CHECK(format(&m, &b) == NULL);
    m.to = "a@b@c";
    CHECK(format(&m, &b) == NULL);
    m = base();
    m.from = "folio@example.org\r";
    CHECK(format(&m, &b) == NULL);
    m = base();
    m.unsubscribe_url = "https://example.org/u>\nBcc: x@y";
    CHECK(format(&m, &b) == NULL);
    m.unsubscribe_url = "https://example.org/subscriptions/unsubscribe/TOKEN";
    out = format(&m, &b);
    CHECK(out && strstr(out, "\nList-Unsubscribe: <https://example.org/subscriptions/"
                             "unsubscribe/TOKEN>\nList-Unsubscribe-Post: "
                             "List-Unsubscribe=One-Click\n"));
    CHECK(mail_address_ok("jane+tag@example.org"));
    CHECK(!mail_address_ok("jane @example.org") && !mail_address_ok("@example.org") &&
          !mail_address_ok("jane@") && !mail_address_ok("j,ane@example.org"));

    /* RFC 4231 test case 2: key "Jefe" */
    char sig[72];
    const char *data = "what do ya want for nothing?";
    webhook_signature((const unsigned char *)"Jefe", 4, data, strlen(data), sig);
    CHECK_STR(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    buf_free(&b);
    return check_result("test_mail");
}
