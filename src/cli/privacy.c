/* privacy: `folio privacy export EMAIL` and `folio privacy erase EMAIL`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/privacy.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "store/store.h"

static const char usage[] =
    "usage: folio privacy export EMAIL [--db PATH]\n"
    "       folio privacy erase EMAIL [--db PATH]\n"
    "export: JSON of every comment made with that email (any status), with its article,\n"
    "        status, date, url, address and user agent.\n"
    "erase:  those comments keep their text but lose name (becomes \"Anonymous\"), email,\n"
    "        url, address and user agent; prints how many.\n";

static int privacy_export(struct store *s, const char *email)
{
    struct arena a = {0};
    json_t *doc = privacy_report(s, &a, email);
    int rc = 1;
    if (doc) {
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (text) {
            puts(text);
            free(text);
            rc = 0;
        }
        json_decref(doc);
    }
    arena_free(&a);
    return rc;
}

static int privacy_erase(struct store *s, const char *email)
{
    int64_t count = 0;
    if (store_commenter_erase(s, email, &count) != STORE_OK)
        return 1;
    printf("%lld comment%s anonymised\n", (long long)count, count == 1 ? "" : "s");
    return 0;
}

int cmd_privacy(int argc, char **argv)
{
    struct config cfg;
    const char *words[4];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 4, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    bool exporting = n == 2 && strcmp(words[0], "export") == 0;
    bool erasing = n == 2 && strcmp(words[0], "erase") == 0;
    if (!exporting && !erasing) {
        fprintf(stderr, "folio privacy: %s\n%s", n < 2 ? "missing subcommand or EMAIL"
                                                       : "unknown subcommand or extra argument",
                usage);
        return EXIT_USAGE;
    }
    if (!privacy_email_ok(words[1])) {
        fprintf(stderr, "folio privacy: '%s' is not an email address\n", words[1]);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(&cfg, false);
    if (!s)
        return 1;
    rc = exporting ? privacy_export(s, words[1]) : privacy_erase(s, words[1]);
    store_close(s);
    return rc;
}
