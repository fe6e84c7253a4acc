/* tokens: the JSON API's bearer tokens, kept only as hashes. */
#include <string.h>

#include <sodium.h>

#include "store/db.h"

/* BLAKE2b-256 of the secret. The secret holds 256 random bits, so a plain
 * (unsalted, fast) hash is enough; finding the row by its hash means no
 * secret is ever compared byte by byte. */
#define HASH_BYTES 32

static void hash_secret(const char *secret, unsigned char out[HASH_BYTES])
{
    crypto_generichash(out, HASH_BYTES, (const unsigned char *)secret, strlen(secret), NULL, 0);
}

static void read_token(struct arena *a, struct db_query *st, struct api_token *out)
{
    out->id = db_col_int(st, 0);
    out->name = db_col_text(a, st, 1);
    out->created_at = db_col_int(st, 2);
    out->last_used_at = db_col_int(st, 3);
    out->revoked_at = db_col_int(st, 4);
}

int store_token_add(struct store *s, const char *name, const char *secret, int64_t *id)
{
    unsigned char hash[HASH_BYTES];
    hash_secret(secret, hash);
    struct db_query *st = db_stmt(s, STMT_TOKEN_INSERT);
    if (!st || !db_bind_text(st, ":name", name) || !db_bind_blob(st, ":hash", hash, HASH_BYTES))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc == STORE_OK)
        *id = db_last_id(s);
    return rc;
}

static void read_token_row(struct arena *a, struct db_query *st, void *item)
{
    read_token(a, st, item);
}

int store_token_list(struct store *s, struct arena *a, struct api_token_list *out)
{
    struct db_query *st = db_stmt(s, STMT_TOKEN_LIST);
    if (!st)
        return STORE_ERROR;
    void *items;
    int rc = db_collect(s, a, st, sizeof *out->items, 0, read_token_row, &items, &out->count,
                        "reading API tokens");
    out->items = items;
    return rc;
}

int store_token_revoke(struct store *s, int64_t id)
{
    struct db_query *st = db_stmt(s, STMT_TOKEN_REVOKE);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    int rc = db_exec_stmt(s, st);
    if (rc != STORE_OK)
        return rc;
    if (db_changes(s))
        return STORE_OK;
    st = db_stmt(s, STMT_TOKEN_STATE);
    if (!st || !db_bind_int(st, ":id", id))
        return STORE_ERROR;
    rc = db_one_row(s, NULL, st, NULL, NULL, "revoking an API token");
    return rc == STORE_OK ? STORE_CONFLICT : rc;     /* there, so revoked already */
}

int store_token_by_secret(struct store *s, struct arena *a, const char *secret,
                          struct api_token *out)
{
    unsigned char hash[HASH_BYTES];
    hash_secret(secret, hash);
    struct db_query *st = db_stmt(s, STMT_TOKEN_BY_HASH);
    if (!st || !db_bind_blob(st, ":hash", hash, HASH_BYTES))
        return STORE_ERROR;
    return db_one_row(s, a, st, read_token_row, out, "reading an API token");
}

int store_token_touch(struct store *s, int64_t id, int64_t now)
{
    struct db_query *st = db_stmt(s, STMT_TOKEN_TOUCH);
    if (!st || !db_bind_int(st, ":id", id) || !db_bind_int(st, ":now", now))
        return STORE_ERROR;
    return db_exec_stmt(s, st);
}
