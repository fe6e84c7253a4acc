/* versions: the cheap numbers the page cache checks before it serves a
 * rendered page again: an article's version, the site's (sql/003), and the
 * change generation, read from the WAL-index header, which changes with
 * every commit to the database. */
#include "store/db.h"

#include <pthread.h>
#include <string.h>

static void read_id_version(struct arena *a, sqlite3_stmt *st, void *item)
{
    (void)a;
    int64_t *pair = item;
    pair[0] = sqlite3_column_int64(st, 0);
    pair[1] = sqlite3_column_int64(st, 1);
}

int store_article_version(struct store *s, const char *slug, int64_t *id, int64_t *version)
{
    sqlite3_stmt *st = db_stmt(s, STMT_VERSION_ARTICLE);
    if (!st || !db_bind_text(st, ":slug", slug))
        return STORE_ERROR;
    int64_t pair[2];
    int rc = db_one_row(s, NULL, st, read_id_version, pair, "reading an article's version");
    if (rc == STORE_OK) {
        *id = pair[0];
        *version = pair[1];
    }
    return rc;
}

/* The one number statement `id` selects, into *out. */
static int read_number(struct store *s, enum stmt_id id, const char *what, int64_t *out)
{
    sqlite3_stmt *st = db_stmt(s, id);
    if (!st)
        return STORE_ERROR;
    return db_one_int(s, st, out, what);
}

int store_site_version(struct store *s, int64_t *version)
{
    return read_number(s, STMT_VERSION_SITE, "reading the site's version", version);
}

int store_site_changed_at(struct store *s, int64_t *t)
{
    return read_number(s, STMT_VERSION_SITE_CHANGED, "reading when the site changed", t);
}

/* The wal-index (the database's -shm file, shared by every connection of
 * every process) begins with two copies of a 48-byte header that each commit
 * rewrites: frame count, change counter, checksums
 * (https://www.sqlite.org/walformat.html). Its region 0 is reached through
 * the VFS's own xShmMap, the very mapping SQLite uses; a connection maps it
 * once and keeps it until it closes. */
#define WALINDEX_REGION 32768
#define WALINDEX_HEADER_BYTES 96

/* Copies the header into out; false when there is no wal-index to read. */
static bool read_wal_header(struct store *s, unsigned char out[WALINDEX_HEADER_BYTES])
{
    if (!s->wal_header_tried) {
        sqlite3_file *f = NULL;
        void volatile *region = NULL;
        s->wal_header_tried = true;
        if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK &&
            f && f->pMethods && f->pMethods->iVersion >= 2 && f->pMethods->xShmMap &&
            f->pMethods->xShmMap(f, 0, WALINDEX_REGION, 0, &region) == SQLITE_OK && region)
            s->wal_header = region;
    }
    if (!s->wal_header)
        return false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    for (size_t i = 0; i < WALINDEX_HEADER_BYTES; i++)
        out[i] = s->wal_header[i];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return true;
}

/* The header this process read last, and the generation it stands for: the
 * generation moves on whenever a connection reads a header that differs. */
static struct {
    pthread_mutex_t lock;
    unsigned char header[WALINDEX_HEADER_BYTES];
    uint64_t generation;
} seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

uint64_t store_generation(struct store *s)
{
    unsigned char header[WALINDEX_HEADER_BYTES];
    if (!read_wal_header(s, header))
        return 0;
    pthread_mutex_lock(&seen.lock);
    if (!seen.generation || memcmp(header, seen.header, sizeof header) != 0) {
        memcpy(seen.header, header, sizeof header);
        seen.generation++;
    }
    uint64_t generation = seen.generation;
    pthread_mutex_unlock(&seen.lock);
    return generation;
}
