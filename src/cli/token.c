/* token: `folio token add|list|revoke`, API tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/text.h"
#include "store/store.h"

#define TOKEN_PREFIX "folio_"
#define TOKEN_RANDOM_BYTES 32
#define NAME_MAX_CHARS 100

static const char usage[] =
    "usage: folio token add NAME [--db PATH]\n"
    "       folio token list [--db PATH]\n"
    "       folio token revoke ID [--db PATH]\n"
    "add:    makes a token for the JSON API and prints it, once; only its hash is kept.\n"
    "list:   id, name, created, last used and revoked, of every token.\n"
    "revoke: the token stops working at once.\n";

/* A name is 1..NAME_MAX_CHARS characters of one line. */
static bool name_ok(const char *name)
{
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return *name && utf8_length(name) <= NAME_MAX_CHARS;
}

static int token_add(struct store *s, const char *name)
{
    unsigned char random[TOKEN_RANDOM_BYTES];
    char encoded[sodium_base64_ENCODED_LEN(TOKEN_RANDOM_BYTES,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(random, sizeof random);
    sodium_bin2base64(encoded, sizeof encoded, random, sizeof random,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(random, sizeof random);
    char secret[sizeof TOKEN_PREFIX + sizeof encoded];
    snprintf(secret, sizeof secret, "%s%s", TOKEN_PREFIX, encoded);
    int64_t id;
    int rc = store_token_add(s, name, secret, &id);
    if (rc == STORE_OK) {
        printf("%s\n", secret);
        fprintf(stderr, "folio: token %lld (%s) made; it is shown only this once\n",
                (long long)id, name);
    } else {
        fprintf(stderr, "folio: could not store the token (see above)\n");
    }
    sodium_memzero(secret, sizeof secret);
    return rc == STORE_OK ? 0 : 1;
}

static void format_time(int64_t t, char *out, size_t outlen)
{
    if (t)
        format_rfc3339(t, out, outlen);
    else
        snprintf(out, outlen, "-");
}

static int token_list(struct store *s)
{
    struct arena a = {0};
    struct api_token_list list;
    int rc = store_token_list(s, &a, &list);
    if (rc == STORE_OK) {
        printf("%-6s %-20s  %-20s  %-20s  %s\n", "ID", "CREATED", "LAST USED", "REVOKED",
               "NAME");
        for (size_t i = 0; i < list.count; i++) {
            const struct api_token *t = &list.items[i];
            char created[32], used[32], revoked[32];
            format_time(t->created_at, created, sizeof created);
            format_time(t->last_used_at, used, sizeof used);
            format_time(t->revoked_at, revoked, sizeof revoked);
            printf("%-6lld %-20s  %-20s  %-20s  %s\n", (long long)t->id, created, used, revoked,
                   t->name);
        }
    }
    arena_free(&a);
    return rc == STORE_OK ? 0 : 1;
}

static int token_revoke(struct store *s, const char *db_path, int64_t id)
{
    int rc = store_token_revoke(s, id);
    if (rc == STORE_OK)
        printf("token %lld revoked\n", (long long)id);
    else if (rc == STORE_CONFLICT)
        printf("token %lld was already revoked\n", (long long)id);
    else if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "folio: database %s: no token has id %lld\n", db_path, (long long)id);
    return rc == STORE_OK || rc == STORE_CONFLICT ? 0 : 1;
}

/* A token id: a positive decimal number. */
static bool parse_token_id(const char *s, int64_t *out)
{
    if (!s || *s < '1' || *s > '9' || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
        return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "folio token: %s%s%s%s\n%s", what, arg ? " '" : "", arg ? arg : "",
            arg ? "'" : "", usage);
    return EXIT_USAGE;
}

/* Checks the words; returns 0 when they make a command, else EXIT_USAGE. */
static int check_words(const char **words, int n, int64_t *id)
{
    if (n == 0)
        return bad_usage("missing subcommand", NULL);
    const char *sub = words[0];
    bool add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
         revoke = strcmp(sub, "revoke") == 0;
    if (!add && !list && !revoke)
        return bad_usage("unknown subcommand", sub);
    int want = list ? 1 : 2;
    if (n < want)
        return bad_usage(add ? "missing NAME" : "missing ID", NULL);
    if (n > want)
        return bad_usage("unexpected argument", words[want]);
    if (add && !name_ok(words[1]))
        return bad_usage("NAME must be 1 to 100 characters on one line, not", words[1]);
    if (revoke && !parse_token_id(words[1], id))
        return bad_usage("not a token id:", words[1]);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    struct config cfg;
    const char *words[8];
    int n;
    int rc = cli_parse(&cfg, argc, argv, NULL, words, 8, &n, usage);
    if (rc)
        return rc < 0 ? 0 : rc;
    int64_t id = 0;
    rc = check_words(words, n, &id);
    if (rc)
        return rc;
    char sub = words[0][0];     /* 'a'dd, 'l'ist or 'r'evoke, checked above */
    struct store *s = cli_open_store(&cfg, sub == 'a');
    if (!s)
        return 1;
    if (sub == 'a')
        rc = token_add(s, words[1]);
    else if (sub == 'l')
        rc = token_list(s);
    else
        rc = token_revoke(s, cfg.db_path, id);
    store_close(s);
    return rc;
}
