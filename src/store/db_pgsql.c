/* db_pgsql: the PostgreSQL driver (driver.h), for several folio hosts on
 * one database. --db postgresql://... (any libpq connection URI).
 *
 * - Statements are prepared once per connection (as H2O's TechEmpower
 *   entry does: one connection per worker thread, each its own prepared
 *   set), from statements.h with PostgreSQL's own text where it differs
 *   (STMT_PG); ":name" parameters become $1, $2... when prepared.
 * - A store opened without sql_dir (a worker's, the notifier's: app_init
 *   has connected and migrated already) connects on its first use, not
 *   at open: a host holds as many connections as threads that have used
 *   the database, not one per thread from the start (fcgi runs 16; each
 *   connection costs the database server a process and ~40 ms of CPU to
 *   start). A store opened with sql_dir (app_init's, the commands') connects
 *   at once, so that a server or command whose database cannot be reached
 *   fails at start and names it.
 * - A write transaction takes one advisory lock for the whole database
 *   (pg_advisory_xact_lock) right after BEGIN: writers queue as SQLite's
 *   BEGIN IMMEDIATE makes them, so the checks made inside a transaction
 *   (rate limits, duplicates, sign-in lockouts) hold across hosts.
 * - Round trips are the cost of a write that others wait for (group
 *   commit's batch runs its comments one after another): BEGIN and the lock
 *   go in one, SAVEPOINT group_write goes with the statement after it
 *   (libpq's pipeline mode), and a comment's INSERT returns its id
 *   (RETURNING) instead of a second question for lastval().
 * - A lost connection is taken up again on the next use (at most once a
 *   second per connection); meanwhile store_lost says so and every request
 *   answers 503. Its prepared statements are prepared again.
 * - The change generation (store_generation) comes from one listening
 *   connection per process (LISTEN folio; sql/pg/001's triggers NOTIFY on
 *   every change a cached page shows): each notification, each commit made
 *   here, and each time that connection is lost or made again moves it on.
 *   While it is not listening the generation is 0: pages ask for versions.
 * - Migrations are sql_dir/pg/NNN_*.sql, recorded in schema_migrations,
 *   applied in one transaction under an advisory lock so that two hosts
 *   starting at once do not both apply them. */
#include "store/driver.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "core/file.h"
#include "core/log.h"

/* pg_advisory_xact_lock keys: ASCII "folio" and "folioM". A write
 * transaction's BEGIN and its lock go in one round trip. */
#define BEGIN_LOCKED_SQL "BEGIN; SELECT pg_advisory_xact_lock(435459926383)"
#define MIGRATE_LOCK_SQL "SELECT pg_advisory_xact_lock(111477741154381)"
#define RECONNECT_EVERY_SECONDS 1
#define ERROR_MAX 512

/* PostgreSQL's text for a statement where it differs from SQLite's. */
static const char *const pg_override[STMT_COUNT] = {
#define STMT(name, sql)
#define STMT_PG(name, sql) [STMT_##name] = sql,
#include "store/statements.h"
#undef STMT_PG
#undef STMT
};

struct pg_store {
    struct store base;         /* base.where: the URI without its password, for logs */
    const char *uri;            /* as given, to connect with */
    char *shown;                /* base.where, owned */
    PGconn *conn;
    int64_t changes;            /* rows the last command changed */
    /* The id an INSERT ... RETURNING id just returned (STMT_PG's
     * COMMENT_INSERT), which last_id then answers without asking lastval(). */
    int64_t returned_id;
    bool has_returned_id;
    /* SAVEPOINT group_write, not sent yet: it goes with the next statement
     * (send_with_deferred), or is dropped by COMMIT or ROLLBACK. */
    struct pg_query *deferred;
    long long retry_at;         /* monotonic second of the next reconnect, when broken */
    /* BEGIN without its COMMIT or ROLLBACK yet. Kept here, not asked of
     * libpq: a connection lost inside a transaction is not taken up again
     * until the transaction is ended, or its later statements would run
     * one by one outside it. */
    bool in_transaction;
    bool unreachable;           /* a statement failed for want of a server */
    bool was_connected;         /* once made: a later connect is a reconnect */
    char error[ERROR_MAX];      /* the last error, for the log */
};

struct pg_query {
    struct db_query base;
    char name[16];              /* the prepared statement's name on the connection */
    bool prepared;              /* on the connection as it is now */
    char *sql;                  /* with $n for :name */
    int nparams;
    char **param_names;         /* ":name" of $1, $2... */
    char **values;              /* bound, owned; NULL for NULL */
    int *lengths, *formats;
    PGresult *res;              /* after the first step */
    int row, rows;
    unsigned char *blob;        /* the last bytea read, decoded */
};

static struct pg_store *pgs(struct store *s) { return (struct pg_store *)s; }
static struct pg_query *pgq(struct db_query *q) { return (struct pg_query *)q; }

static long long monotonic_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

static void set_error(struct pg_store *ps, const char *message)
{
    snprintf(ps->error, sizeof ps->error, "%s", message && *message ? message : "unknown error");
    size_t n = strlen(ps->error);
    while (n && (ps->error[n - 1] == '\n' || ps->error[n - 1] == ' '))
        ps->error[--n] = '\0';
}

/* ---- the change generation, one per process ---- */

static struct {
    pthread_once_t once;
    const char *uri;            /* of the first store that asked */
    atomic_uint_fast64_t generation;
    atomic_bool listening;
} listener = { .once = PTHREAD_ONCE_INIT, .generation = 1 };

static void generation_move_on(void) { atomic_fetch_add(&listener.generation, 1); }

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Waits for notifications on conn until it fails. */
static void listen_until_lost(PGconn *conn)
{
    struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
    for (;;) {
        int ready = poll(&pfd, 1, 1000);
        if (ready < 0)
            continue;
        if (!PQconsumeInput(conn))
            return;
        bool heard = false;
        PGnotify *n;
        while ((n = PQnotifies(conn)) != NULL) {
            heard = true;
            PQfreemem(n);
        }
        if (heard)
            generation_move_on();
        if (PQstatus(conn) != CONNECTION_OK)
            return;
    }
}

static void *listen_thread(void *arg)
{
    (void)arg;
    bool said_lost = false;
    for (;;) {
        PGconn *conn = PQconnectdb(listener.uri);
        PGresult *r = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, "LISTEN folio") : NULL;
        bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            /* Whatever changed while nobody listened is unknown: ask again. */
            generation_move_on();
            atomic_store(&listener.listening, true);
            if (said_lost)
                log_info("database: listening for changes again; cached pages are checked anew");
            said_lost = false;
            listen_until_lost(conn);
            atomic_store(&listener.listening, false);
            generation_move_on();
        }
        if (!said_lost)
            log_error("database: the connection listening for changes was lost (%s); every "
                      "cached page is checked against the database until it is back",
                      conn ? PQerrorMessage(conn) : "out of memory");
        said_lost = true;
        PQfinish(conn);
        sleep(RECONNECT_EVERY_SECONDS);
    }
    return NULL;
}

static void start_listener(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, listen_thread, NULL) == 0)
        pthread_detach(t);
    else
        log_error("database: cannot start the thread that listens for changes");
}

static pthread_mutex_t listener_uri_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t pg_generation(struct store *s)
{
    pthread_mutex_lock(&listener_uri_lock);
    if (!listener.uri)
        listener.uri = pgs(s)->uri;     /* the servers' one --db, kept by the config */
    pthread_mutex_unlock(&listener_uri_lock);
    pthread_once(&listener.once, start_listener);
    return atomic_load(&listener.listening) ? atomic_load(&listener.generation) : 0;
}

/* ---- the connection ---- */

/* After a failure: was it for want of a server? Also a server shutting
 * down (SQLSTATE class 57, "operator intervention") before the connection
 * closes. */
static void note_unreachable(struct pg_store *ps)
{
    if (PQstatus(ps->conn) != CONNECTION_OK || strstr(ps->error, "terminating connection") ||
        strstr(ps->error, "shutting down") || strstr(ps->error, "starting up"))
        ps->unreachable = true;
}

static bool session_setup(struct pg_store *ps)
{
    PQsetNoticeProcessor(ps->conn, quiet_notice, NULL);
    /* As SQLite's busy timeout: a writer waits this long for the lock. */
    PGresult *r = PQexec(ps->conn, "SET lock_timeout = '5s'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        set_error(ps, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Every statement is to be prepared again on a new connection. */
static void forget_prepared(struct store *s)
{
    for (int i = 0; i < STMT_COUNT; i++)
        if (s->stmts[i])
            pgq(s->stmts[i])->prepared = false;
}

/* Connects for the first time (ps->conn is NULL: a store opened lazily).
 * Kept when it fails, so that the next try is a PQreset like any other. */
static bool connect_first(struct pg_store *ps)
{
    ps->conn = PQconnectdb(ps->uri);
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        set_error(ps, ps->conn ? PQerrorMessage(ps->conn) : "out of memory");
        return false;
    }
    ps->was_connected = true;
    return session_setup(ps);
}

/* True when the connection is usable: made on first use (at once), taken
 * up again (at most once a second after a failure) when it was lost and
 * no transaction was open on it. */
static bool connected(struct pg_store *ps)
{
    if (PQstatus(ps->conn) == CONNECTION_OK)
        return true;
    if (ps->in_transaction) {
        set_error(ps, "the connection was lost inside a transaction");
        return false;
    }
    long long now = monotonic_second();
    if (now < ps->retry_at)
        return false;
    ps->retry_at = now + RECONNECT_EVERY_SECONDS;
    if (!ps->conn)
        return connect_first(ps);
    PQreset(ps->conn);
    forget_prepared(&ps->base);
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        set_error(ps, PQerrorMessage(ps->conn));
        return false;
    }
    /* A worker's first connect may fail (its connection is kept, and
     * taken up here): its first success is no reconnect. */
    log_info("database %s: %s", ps->base.where,
             ps->was_connected ? "connected again" : "connected after failed tries");
    ps->was_connected = true;
    generation_move_on();
    return session_setup(ps);
}

static bool ensure_prepared(struct pg_store *ps, struct pg_query *q);

/* Sends a deferred SAVEPOINT on its own, before a statement that cannot
 * take it along. */
static bool flush_deferred(struct pg_store *ps)
{
    struct pg_query *sp = ps->deferred;
    ps->deferred = NULL;
    if (!sp)
        return true;
    PGresult *r = PQexecPrepared(ps->conn, sp->name, 0, NULL, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        set_error(ps, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static int pg_exec(struct store *s, const char *sql)
{
    struct pg_store *ps = pgs(s);
    bool begin = strncmp(sql, "BEGIN", 5) == 0 && (sql[5] == '\0' || sql[5] == ';'),
         commit = strcmp(sql, "COMMIT") == 0, rollback = strcmp(sql, "ROLLBACK") == 0;
    ps->has_returned_id = false;
    if (commit || rollback) {
        ps->deferred = NULL;    /* an empty savepoint: nothing to send */
        ps->in_transaction = false;
    }
    if (rollback && PQstatus(ps->conn) != CONNECTION_OK)
        return STORE_OK;        /* the server ended it with the connection */
    if (!connected(ps)) {
        note_unreachable(ps);
        log_error("database %s: %s: %s", s->where, sql, ps->error);
        return STORE_ERROR;
    }
    if (!flush_deferred(ps)) {
        note_unreachable(ps);
        log_error("database %s: %s: %s", s->where, sql, ps->error);
        return STORE_ERROR;
    }
    PGresult *r = PQexec(ps->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    /* COMMIT of a failed transaction rolls back and says so. */
    if (ok && commit && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        ok = false;
        set_error(ps, "the transaction had failed and was rolled back");
    } else if (!ok) {
        set_error(ps, PQresultErrorMessage(r));
    }
    PQclear(r);
    if (!ok) {
        note_unreachable(ps);
        log_error("database %s: %s: %s", s->where, sql, ps->error);
        return STORE_ERROR;
    }
    if (begin)
        ps->in_transaction = true;
    if (commit)
        generation_move_on();       /* this process sees its own commit at once */
    return STORE_OK;
}

/* When the lock is not had (lock_timeout), BEGIN has still opened the
 * transaction: it is rolled back (a ROLLBACK outside one only warns). */
static int pg_begin(struct store *s)
{
    if (pg_exec(s, BEGIN_LOCKED_SQL) == STORE_OK)
        return STORE_OK;
    pg_exec(s, "ROLLBACK");
    return STORE_ERROR;
}

static bool pg_in_transaction(struct store *s) { return pgs(s)->in_transaction; }

static const char *pg_errmsg(struct store *s) { return pgs(s)->error; }
static int64_t pg_changes(struct store *s) { return pgs(s)->changes; }

/* lastval(): the id the last INSERT into a table with an identity column
 * made on this connection (the triggers' inserts have none). */
static int64_t pg_last_id(struct store *s)
{
    struct pg_store *ps = pgs(s);
    if (ps->has_returned_id)
        return ps->returned_id;
    if (!flush_deferred(ps))
        return 0;
    PGresult *r = PQexec(ps->conn, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        set_error(ps, PQresultErrorMessage(r));
    PQclear(r);
    return id;
}

/* ---- statements ---- */

/* The name of the parameter starting at p (":slug"), its length; 0 when p
 * is not one (a cast's "::" included). */
static size_t param_at(const char *sql, const char *p)
{
    if (p[0] != ':' || (p > sql && p[-1] == ':') || p[1] == ':')
        return 0;
    size_t n = 1;
    while (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
           (n > 1 && p[n] >= '0' && p[n] <= '9'))
        n++;
    return n > 1 ? n : 0;
}

static int name_index(struct pg_query *q, const char *name, size_t len)
{
    for (int i = 0; i < q->nparams; i++)
        if (strlen(q->param_names[i]) == len && memcmp(q->param_names[i], name, len) == 0)
            return i + 1;
    return 0;
}

/* Rewrites :name parameters as $n (the same name, the same n) into q->sql. */
static bool translate(struct pg_query *q, const char *sql)
{
    size_t len = strlen(sql);
    q->sql = malloc(len * 2 + 1);       /* "$nn" is never longer than twice ":x" */
    q->param_names = calloc(len / 2 + 1, sizeof *q->param_names);
    if (!q->sql || !q->param_names)
        return false;
    char *o = q->sql;
    bool quoted = false;
    for (const char *p = sql; *p;) {
        size_t n = quoted ? 0 : param_at(sql, p);
        if (*p == '\'')
            quoted = !quoted;
        if (!n) {
            *o++ = *p++;
            continue;
        }
        int i = name_index(q, p, n);
        if (!i) {
            char *name = malloc(n + 1);
            if (!name)
                return false;
            memcpy(name, p, n);
            name[n] = '\0';
            q->param_names[q->nparams++] = name;
            i = q->nparams;
        }
        o += sprintf(o, "$%d", i);
        p += n;
    }
    *o = '\0';
    return true;
}

static void free_values(struct pg_query *q)
{
    for (int i = 0; q->values && i < q->nparams; i++) {
        free(q->values[i]);
        q->values[i] = NULL;
        q->lengths[i] = 0;
        q->formats[i] = 0;
    }
}

static void pg_reset(struct db_query *dq)
{
    struct pg_query *q = pgq(dq);
    PQclear(q->res);
    q->res = NULL;
    free(q->blob);
    q->blob = NULL;
}

static void pg_finalize(struct db_query *dq)
{
    struct pg_query *q = pgq(dq);
    pg_reset(dq);
    free_values(q);
    for (int i = 0; q->param_names && i < q->nparams; i++)
        free(q->param_names[i]);
    free(q->param_names);
    free(q->values);
    free(q->lengths);
    free(q->formats);
    free(q->sql);
    free(q);
}

static struct db_query *pg_prepare(struct store *s, enum stmt_id id)
{
    struct pg_query *q = calloc(1, sizeof *q);
    if (!q) {
        log_error("out of memory preparing statement %s", db_statement_name[id]);
        return NULL;
    }
    q->base = (struct db_query){ s, id };
    snprintf(q->name, sizeof q->name, "folio_%d", (int)id);
    const char *sql = pg_override[id] ? pg_override[id] : db_statement_sql[id];
    bool ok = translate(q, sql);
    int n = q->nparams ? q->nparams : 1;
    q->values = ok ? calloc((size_t)n, sizeof *q->values) : NULL;
    q->lengths = ok ? calloc((size_t)n, sizeof *q->lengths) : NULL;
    q->formats = ok ? calloc((size_t)n, sizeof *q->formats) : NULL;
    if (!q->values || !q->lengths || !q->formats) {
        log_error("out of memory preparing statement %s", db_statement_name[id]);
        pg_finalize(&q->base);
        return NULL;
    }
    return &q->base;
}

static void pg_clear(struct db_query *dq)
{
    pg_reset(dq);
    free_values(pgq(dq));
}

static int pg_param(struct db_query *dq, const char *name)
{
    return name_index(pgq(dq), name, strlen(name));
}

static bool pg_bind(struct db_query *dq, int index, const struct db_value *v)
{
    struct pg_query *q = pgq(dq);
    int i = index - 1;
    free(q->values[i]);
    q->values[i] = NULL;
    q->lengths[i] = 0;
    q->formats[i] = 0;
    char number[24];
    switch (v->kind) {
    case DBV_NULL:
        return true;
    case DBV_INT:
        snprintf(number, sizeof number, "%lld", (long long)v->integer);
        q->values[i] = strdup(number);
        break;
    case DBV_TEXT:
        q->values[i] = strdup(v->text);
        break;
    case DBV_BLOB:      /* sent as bytes (binary format), not escaped */
        q->values[i] = malloc(v->len ? (size_t)v->len : 1);
        if (q->values[i])
            memcpy(q->values[i], v->blob, (size_t)v->len);
        q->lengths[i] = v->len;
        q->formats[i] = 1;
        break;
    }
    return q->values[i] != NULL;
}

static bool ensure_prepared(struct pg_store *ps, struct pg_query *q)
{
    if (q->prepared)
        return true;
    PGresult *r = PQprepare(ps->conn, q->name, q->sql, q->nparams, NULL);
    q->prepared = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!q->prepared) {
        set_error(ps, PQresultErrorMessage(r));
        log_error("database %s: cannot prepare statement %s: %s", ps->base.where,
                  db_statement_name[q->base.id], ps->error);
    }
    PQclear(r);
    return q->prepared;
}

/* Sends the deferred SAVEPOINT and q in one round trip (libpq's pipeline
 * mode) and returns q's result, or the SAVEPOINT's when that failed (q was
 * then not run); NULL when the connection failed. */
static PGresult *send_with_deferred(struct pg_store *ps, struct pg_query *q)
{
    struct pg_query *sp = ps->deferred;
    ps->deferred = NULL;
    PGconn *conn = ps->conn;
    if (!PQenterPipelineMode(conn))
        return NULL;
    bool sent = PQsendQueryPrepared(conn, sp->name, 0, NULL, NULL, NULL, 0) &&
                PQsendQueryPrepared(conn, q->name, q->nparams, (const char *const *)q->values,
                                    q->lengths, q->formats, 0) &&
                PQpipelineSync(conn);
    /* Each query's results end with a NULL; the sync's result comes last. */
    PGresult *got[2] = { NULL, NULL };
    int ended = 0, nulls = 0;
    while (sent) {
        PGresult *r = PQgetResult(conn);
        if (!r) {
            if (PQstatus(conn) != CONNECTION_OK || ++nulls > 4)
                break;
            ended++;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (ended < 2 && !got[ended]) {
            got[ended] = r;
        } else {
            PQclear(r);
        }
    }
    PQexitPipelineMode(conn);
    if (!sent)
        set_error(ps, PQerrorMessage(conn));
    if (got[0] && PQresultStatus(got[0]) != PGRES_COMMAND_OK) {
        PQclear(got[1]);
        return got[0];
    }
    PQclear(got[0]);
    return got[1];
}

/* SAVEPOINT group_write inside a transaction is deferred: it goes to the
 * server with the statement after it, in one round trip. The batch of
 * group commit runs one write after another while their writers wait, and
 * nothing is learnt from a savepoint until the next statement (when it
 * fails, that one fails with it). */
static bool deferrable(struct pg_store *ps, const struct pg_query *q)
{
    return q->base.id == STMT_GROUP_SAVEPOINT && q->nparams == 0 && ps->in_transaction &&
           !ps->deferred && PQstatus(ps->conn) == CONNECTION_OK;
}

/* Runs the statement; its rows are then read one step at a time. */
static enum db_step run(struct pg_store *ps, struct pg_query *q)
{
    if (!connected(ps) || !ensure_prepared(ps, q)) {
        note_unreachable(ps);
        return DB_FAILED;
    }
    bool in_transaction = pg_in_transaction(&ps->base);
    ps->has_returned_id = false;
    if (deferrable(ps, q)) {
        ps->deferred = q;
        q->rows = 0;
        q->row = -1;
        ps->changes = 0;
        return DB_ROW;  /* no row: the caller's step says done */
    }
    q->res = ps->deferred ? send_with_deferred(ps, q)
                          : PQexecPrepared(ps->conn, q->name, q->nparams,
                                           (const char *const *)q->values, q->lengths,
                                           q->formats, 0);
    switch (PQresultStatus(q->res)) {
    case PGRES_TUPLES_OK:
        q->rows = PQntuples(q->res);
        q->row = -1;
        ps->changes = 0;
        if (strncmp(PQcmdStatus(q->res), "INSERT ", 7) == 0) {     /* INSERT ... RETURNING id */
            ps->changes = strtoll(PQcmdTuples(q->res), NULL, 10);
            ps->has_returned_id = q->rows == 1 && !PQgetisnull(q->res, 0, 0);
            ps->returned_id = ps->has_returned_id ? strtoll(PQgetvalue(q->res, 0, 0), NULL, 10)
                                                  : 0;
            if (!in_transaction && ps->changes > 0)
                generation_move_on();
        }
        return DB_ROW;  /* the caller's step moves to row 0 */
    case PGRES_COMMAND_OK:
        q->rows = 0;
        q->row = -1;
        ps->changes = strtoll(PQcmdTuples(q->res), NULL, 10);
        if (!in_transaction && ps->changes > 0)
            generation_move_on();       /* a write committed on its own */
        return DB_ROW;
    default:
        break;
    }
    set_error(ps, q->res ? PQresultErrorMessage(q->res) : PQerrorMessage(ps->conn));
    note_unreachable(ps);
    /* class 23: integrity constraint violation, as SQLITE_CONSTRAINT. The
     * SQLSTATE lives in the result, so it is read before the result goes. */
    const char *state = PQresultErrorField(q->res, PG_DIAG_SQLSTATE);
    bool constraint = state && strncmp(state, "23", 2) == 0;
    PQclear(q->res);
    q->res = NULL;
    return constraint ? DB_CONSTRAINT : DB_FAILED;
}

static enum db_step pg_step(struct db_query *dq)
{
    struct pg_query *q = pgq(dq);
    if (!q->res) {
        enum db_step rc = run(pgs(dq->s), q);
        if (rc != DB_ROW)
            return rc;
    }
    free(q->blob);
    q->blob = NULL;
    return ++q->row < q->rows ? DB_ROW : DB_DONE;
}

static bool has_value(struct pg_query *q, int col)
{
    return q->res && q->row >= 0 && q->row < q->rows && col < PQnfields(q->res) &&
           !PQgetisnull(q->res, q->row, col);
}

static int64_t pg_col_int(struct db_query *dq, int col)
{
    struct pg_query *q = pgq(dq);
    if (!has_value(q, col))
        return 0;
    const char *v = PQgetvalue(q->res, q->row, col);
    if (v[0] == 't' || v[0] == 'f')     /* a boolean */
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct db_query *dq, int col, size_t *len)
{
    struct pg_query *q = pgq(dq);
    if (!has_value(q, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(q->res, q->row, col);
    return PQgetvalue(q->res, q->row, col);
}

/* bytea comes as text ("\x" and hex); decoded into q->blob until the next step. */
static const void *pg_col_blob(struct db_query *dq, int col, size_t *len)
{
    struct pg_query *q = pgq(dq);
    *len = 0;
    if (!has_value(q, col))
        return NULL;
    free(q->blob);
    q->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, q->row, col), len);
    return q->blob;
}

/* ---- migrations: sql_dir/pg/NNN_*.sql ---- */

static bool exec_ok(struct pg_store *ps, const char *sql)
{
    PGresult *r = PQexec(ps->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        set_error(ps, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* The highest migration number the database holds (0: none). */
static int newest_applied(struct store *s, struct migration *list, int count)
{
    int newest = 0;
    for (int i = 0; i < count; i++) {
        struct db_query *has = db_stmt(s, STMT_MIGRATION_APPLIED);
        int rc = has && db_bind_int(has, ":number", list[i].number)
                     ? db_one_row(s, NULL, has, NULL, NULL, "reading the migrations")
                     : STORE_ERROR;
        if (rc == STORE_ERROR)
            return -1;
        list[i].applied = rc == STORE_OK;
        if (list[i].applied)
            newest = list[i].number;
    }
    return newest;
}

/* What to do when a migration's CREATE EXTENSION failed (sql/pg/018's
 * unaccent): the role folio connects as may not create it, or the server
 * lacks PostgreSQL's contrib modules. "" for any other failure. */
static const char *extension_hint(const char *error)
{
    if (strstr(error, "permission denied to create extension"))
        return ". The role in --db may not create this extension: the database's owner or a "
               "superuser runs CREATE EXTENSION for it in this database once (for example: "
               "sudo -u postgres psql -d DBNAME -c 'CREATE EXTENSION unaccent'), or grants "
               "CREATE on the database; then run folio init again (docs/running.md)";
    if (strstr(error, "extension control file"))
        return ". The database server lacks this extension: install PostgreSQL's contrib "
               "modules there (Debian: the postgresql package has them; elsewhere "
               "postgresql-contrib), then run folio init again (docs/running.md)";
    return "";
}

static bool apply_one(struct store *s, const struct migration *m, char *err, size_t errlen)
{
    char why[256];
    char *sql = file_read_text(m->path, why, sizeof why);
    if (!sql) {
        snprintf(err, errlen, "migration %s: %s", m->path, why);
        return false;
    }
    bool ok = exec_ok(pgs(s), sql);
    free(sql);
    const char *hint = ok ? "" : extension_hint(pgs(s)->error);
    struct db_query *record = ok ? db_stmt(s, STMT_MIGRATION_RECORD) : NULL;
    ok = record && db_bind_int(record, ":number", m->number) &&
         db_exec_stmt(s, record) == STORE_OK;
    if (!ok)
        snprintf(err, errlen, "migration %s: %s%s", m->path, pgs(s)->error, hint ? hint : "");
    return ok;
}

static int newer_than_known(struct store *s, int newest, char *err, size_t errlen)
{
    struct db_query *q = db_stmt(s, STMT_MIGRATIONS_NEWEST);
    int64_t highest = 0;
    if (!q || db_one_int(s, q, &highest, "reading the migrations") == STORE_ERROR) {
        snprintf(err, errlen, "database %s: %s", s->where, pgs(s)->error);
        return -1;
    }
    if (highest > newest) {
        snprintf(err, errlen, "database %s has schema version %lld, newer than this folio "
                 "knows (%d); use a newer folio", s->where, (long long)highest, newest);
        return -1;
    }
    return 0;
}

static int migrate_locked(struct store *s, const char *dir, char *err, size_t errlen)
{
    struct migration *list;
    int count = db_list_migrations(dir, &list, err, errlen);
    if (count < 0)
        return -1;
    struct db_query *create = db_stmt(s, STMT_MIGRATIONS_CREATE);
    int rc = create && db_exec_stmt(s, create) == STORE_OK &&
                     newer_than_known(s, count ? list[count - 1].number : 0, err, errlen) == 0 &&
                     newest_applied(s, list, count) >= 0
                 ? 0
                 : -1;
    if (rc != 0 && !*err)
        snprintf(err, errlen, "database %s: %s", s->where, pgs(s)->error);
    for (int i = 0; rc == 0 && i < count; i++)
        if (!list[i].applied && !apply_one(s, &list[i], err, errlen))
            rc = -1;
    db_migrations_free(list, count);
    return rc;
}

/* In one transaction under the migration lock: a second host starting at
 * the same moment waits, then finds everything applied. */
static int migrate(struct store *s, const char *sql_dir, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/pg", sql_dir);
    *err = '\0';
    if (pg_exec(s, "BEGIN") != STORE_OK || !exec_ok(pgs(s), MIGRATE_LOCK_SQL)) {
        snprintf(err, errlen, "database %s: %s", s->where, pgs(s)->error);
        store_rollback(s);
        return -1;
    }
    if (migrate_locked(s, dir, err, errlen) != 0 || pg_exec(s, "COMMIT") != STORE_OK) {
        if (!*err)
            snprintf(err, errlen, "database %s: %s", s->where, pgs(s)->error);
        store_rollback(s);
        return -1;
    }
    return 0;
}

/* ---- opening ---- */

static void pg_close(struct store *s)
{
    PQfinish(pgs(s)->conn);
    free(pgs(s)->shown);
    free(pgs(s));
}

/* The URI as the log may show it: a password, in the user part
 * ("postgresql://user:secret@host") or as a parameter ("password=secret"),
 * becomes "***". NULL when out of memory. */
static char *without_password(const char *uri)
{
    char *out = malloc(strlen(uri) + 8);     /* "***" may stand for less, twice */
    if (!out)
        return NULL;
    const char *auth = strstr(uri, "://"), *at = auth ? strchr(auth + 3, '@') : NULL;
    const char *colon = at ? memchr(auth + 3, ':', (size_t)(at - auth - 3)) : NULL;
    const char *slash = auth ? strchr(auth + 3, '/') : NULL;
    if (colon && (!slash || at < slash)) {
        size_t head = (size_t)(colon + 1 - uri);
        memcpy(out, uri, head);
        strcpy(out + head, "***");
        strcat(out, at);
    } else {
        strcpy(out, uri);
    }
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = pw + 9 + strcspn(pw + 9, "&");
        memmove(pw + 12, end, strlen(end) + 1);
        memcpy(pw + 9, "***", 3);
    }
    return out;
}

static struct store *pg_open(const char *where, const char *sql_dir, bool create, char *err,
                             size_t errlen)
{
    (void)create;       /* the database itself is made with createdb; init makes the schema */
    struct pg_store *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ps->base.drv = &db_pgsql_driver;
    ps->uri = where;
    ps->shown = without_password(where);
    ps->base.where = ps->shown ? ps->shown : "(a PostgreSQL URI)";
    if (!sql_dir)
        return &ps->base;       /* a worker's: connected on first use */
    if (!connect_first(ps)) {
        snprintf(err, errlen, "database %s: %s", ps->base.where, ps->error);
        store_close(&ps->base);
        return NULL;
    }
    if (migrate(&ps->base, sql_dir, err, errlen) != 0) {
        store_close(&ps->base);
        return NULL;
    }
    return &ps->base;
}

/* ---- the database as a whole ---- */

/* Not a file that can be deleted: lost while the server does not answer. */
static const char *pg_lost(struct store *s, bool now)
{
    (void)now;
    return connected(pgs(s)) ? NULL : "the database server is not answering";
}

static void pg_pin_file(struct store *s) { (void)s; }

static bool pg_unavailable(struct store *s)
{
    bool was = pgs(s)->unreachable;
    pgs(s)->unreachable = false;
    return was;
}

static const char *pg_health(struct store *s)
{
    const char *why = pg_lost(s, true);
    if (why)
        return why;
    return store_ping(s) ? NULL : "the database does not answer a read";
}

static bool pg_read_only(struct store *s)
{
    (void)s;
    return false;
}

static int pg_backup(struct store *s, const char *dest_path, char *err, size_t errlen)
{
    (void)dest_path;
    snprintf(err, errlen, "folio backup copies a SQLite database; this one is PostgreSQL's. "
             "Use pg_dump, for example: pg_dump -Fc -f folio.dump '%s' "
             "(pg_restore puts it back)", s->where);
    return STORE_ERROR;
}

const struct db_driver db_pgsql_driver = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .clear = pg_clear,
    .param = pg_param,
    .bind = pg_bind,
    .step = pg_step,
    .reset = pg_reset,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .last_id = pg_last_id,
    .in_transaction = pg_in_transaction,
    .errmsg = pg_errmsg,
    .exec = pg_exec,
    .begin = pg_begin,
    .lost = pg_lost,
    .unavailable = pg_unavailable,
    .pin_file = pg_pin_file,
    .health = pg_health,
    .read_only = pg_read_only,
    .backup = pg_backup,
    .generation = pg_generation,
};
