/* Unit tests: the database file itself (issue 9): missing and empty files
 * at open, a read-only database said once in the log, and a file deleted
 * or replaced under an open connection. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include <sqlite3.h>

#include "store/db_sqlite.h"

static char dir[] = "/tmp/folio-test-db-file-XXXXXX";
static char path[256], err[1024];
static const char *sql_dir = FOLIO_SOURCE_DIR "/sql";

/* stderr into a file, so that what the log said can be counted. */
static char log_path[300];
static int saved_stderr = -1;

static void capture_log(void)
{
    snprintf(log_path, sizeof log_path, "%s/log", dir);
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
}

/* How many lines of the captured log hold `needle`. */
static int logged(const char *needle)
{
    fflush(stderr);
    FILE *f = fopen(log_path, "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void remove_db(void)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A write on a read-only connection (PRAGMA query_only stands for a file
 * folio may not write): SQLITE_READONLY. */
static int failed_write(struct store *s)
{
    struct db_query *q = db_stmt(s, STMT_SETTINGS_SECRET_ADD);
    if (!q || !db_bind_blob(q, ":v", "0123456789abcdef0123456789abcdef", 32))
        return STORE_OK;
    return db_exec_stmt(s, q);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/folio.db", dir);
    capture_log();

    /* Missing: without create, refused with how to make one. */
    CHECK(store_file_state(path) == STORE_FILE_MISSING);
    CHECK(store_open(path, sql_dir, false, err, sizeof err) == NULL);
    CHECK(strstr(err, path) && strstr(err, "does not exist") && strstr(err, "folio init"));

    /* Empty (0 bytes): refused without create; with it, a new database and
     * a line in the log. */
    close(open(path, O_WRONLY | O_CREAT, 0600));
    CHECK(store_file_state(path) == STORE_FILE_EMPTY);
    CHECK(store_open(path, sql_dir, false, err, sizeof err) == NULL);
    CHECK(strstr(err, path) && strstr(err, "empty file"));
    struct store *s = store_open(path, sql_dir, true, err, sizeof err);
    CHECK(s != NULL);
    CHECK(logged("was an empty file") == 1);
    CHECK(store_file_state(path) == STORE_FILE_PRESENT);

    /* Read-only: every write fails, the log says what is wrong once. */
    CHECK(s && !store_read_only(s));
    sqlite3_exec(db_sqlite_handle(s), "PRAGMA query_only = 1", NULL, NULL, NULL);
    CHECK(s && failed_write(s) == STORE_ERROR);
    CHECK(s && failed_write(s) == STORE_ERROR);
    CHECK(logged("is read-only") == 1);
    sqlite3_exec(db_sqlite_handle(s), "PRAGMA query_only = 0", NULL, NULL, NULL);

    /* Deleted under the open connection: noticed, said loudly once, and no
     * transaction begins. The process stays "lost" from then on. */
    store_pin_file(s);
    CHECK(store_lost(s, true) == NULL);
    CHECK(store_health(s) == NULL);
    CHECK(store_begin(s) == STORE_OK);
    store_rollback(s);
    remove_db();
    const char *why = store_lost(s, true);
    CHECK(why && strstr(why, "deleted"));
    CHECK(store_health(s) != NULL);
    CHECK(store_begin(s) == STORE_ERROR);
    CHECK(logged("DATABASE LOST") == 1);
    /* a connection opened later on a new file at the path is not taken */
    struct store *later = store_open(path, sql_dir, true, err, sizeof err);
    CHECK(later && store_lost(later, false) != NULL);
    store_close(later);
    store_close(s);

    remove_db();
    fflush(stderr);
    dup2(saved_stderr, 2);
    if (check_failures) {           /* the failed checks were written to the log */
        FILE *f = fopen(log_path, "r");
        char line[4096];
        while (f && fgets(line, sizeof line, f))
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    unlink(log_path);
    rmdir(dir);
    return check_result("test_db_file");
}
