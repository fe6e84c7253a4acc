/* Unit tests: opening a PostgreSQL store with no server there (no cluster
 * needed): the URI picks the driver, the open fails with libpq's reason,
 * and a password in the URI never reaches the message (it goes to logs).
 * A worker's store (no sql_dir) connects on its first use instead: its
 * open succeeds, and that first use finds the server not answering. */
#include <string.h>

#include "check.h"
#include "store/store.h"

static void refused_without_password(const char *uri, const char *secret)
{
    char err[1024] = "";
    /* with the schema's directory, as servers (app_init) and commands open
     * it: it connects at once; the failure comes before any migration */
    struct store *s = store_open(uri, "/nonexistent-dir/sql", false, err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, "database postgres") == err);      /* which database */
    CHECK(strstr(err, "No such file") || strstr(err, "connect"));
    CHECK(strstr(err, secret) == NULL);
    store_close(s);
}

static void worker_store_connects_on_first_use(const char *uri)
{
    char err[1024] = "";
    struct store *s = store_open(uri, NULL, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(store_lost(s, false) != NULL);    /* its first use: no server */
    CHECK(!store_ping(s));
    store_close(s);
}

int main(void)
{
    refused_without_password("postgresql://folio:sekrit1@/folio?host=/nonexistent-dir",
                             "sekrit1");
    refused_without_password("postgres:///folio?host=/nonexistent-dir&password=sekrit2&user=x",
                             "sekrit2");
    refused_without_password("postgresql://:s3@/folio?host=/nonexistent-dir", ":s3@");
    worker_store_connects_on_first_use("postgresql://folio:sekrit1@/folio?host=/nonexistent-dir");
    /* not a URI: a SQLite file, refused here only for not existing */
    char err[1024] = "";
    CHECK(store_open("/nonexistent-dir/folio.db", NULL, false, err, sizeof err) == NULL);
    CHECK(strstr(err, "does not exist") != NULL);
    return check_result("test_pg_open");
}
