/* http: the embedded HTTP server (libmicrohttpd) for `folio serve`: the
 * daemon, a worker per pool thread, the writers that take requests which
 * change data, the guards against slow clients, and turning MHD's view of a
 * request into a struct request. The only file that includes microhttpd.h.
 *
 * MHD's pool has one thread per core and each serves many connections, so
 * none of them may wait long: a POST (a comment waits for the disk, a
 * sign-in for Argon2id) suspends its connection and is handed to a writer
 * thread, which runs the handler (group commit batches as many comments as
 * there are writers waiting) and resumes the connection with the answer. */
#include "front/front.h"
#include "pages/retention.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "app/app.h"
#include "core/kept_page.h"
#include "core/log.h"
#include "front/access_log.h"
#include "front/addr.h"
#include "front/headers.h"
#include "front/signals.h"

#define CONNECTION_TIMEOUT_S 30u    /* idle: no byte either way for this long */
/* A request's head (request line and headers) must be in within this long
 * of the connection's start or of the previous answer, however slowly its
 * bytes come: a client that sends one byte every few seconds (slowloris)
 * would otherwise hold its connection for ever. */
#define HEAD_DEADLINE_S 10
/* Connections from one address at a time (browsers open about 6, a
 * household or office behind one NAT many times that, and a load test
 * such as bench/run 64 over loopback); not
 * applied behind a --trusted-proxy, whose one address carries everyone. */
#define PER_ADDRESS_LIMIT 256u
#define MAX_CONNECTIONS 65536u
/* Descriptors kept out of the connection limit: the database files of
 * every worker, logs, static files being sent. */
#define FD_RESERVE 256u
/* Each connection's memory for the request line, the headers and the
 * response's headers: room for a LIMIT_TARGET_BYTES target and more, so
 * that the core, not MHD, answers a target just over the limit, also with
 * 8 KiB of cookies (test_fronts LongRequestHeadTest; 16 KiB is too little).
 * libmicrohttpd zeroes the pool after every request of a kept-alive
 * connection, and what a POST's body used of it again: 64 KiB cost ~98,000
 * instructions a comment under callgrind, 32 KiB half that. */
#define CONNECTION_MEMORY (32 * 1024)
#define STOP_GRACE_S 30         /* how long requests in flight may take at stop */

/* What one thread (of MHD's pool, or a writer) owns. All are made at
 * start, before any connection is taken: a flood that uses up the file
 * descriptors then cannot keep a thread from having its database. */
struct http_thread {
    struct worker *w;
    struct response resp;
};

struct exchange;

/* The threads that run requests which change data, off MHD's threads. */
struct writers {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct exchange *head, **tail;     /* waiting for a writer */
    bool stopping;
    pthread_t *tids;
    size_t count, started;
};

/* One connection as the head deadline sees it, and its peer's address
 * (formatted once, not for each request a kept-alive connection makes). */
struct conn_watch {
    int fd;
    atomic_llong head_deadline; /* CLOCK_MONOTONIC ms; 0 while no head is awaited */
    char peer[INET6_ADDRSTRLEN];
    struct conn_watch *prev, *next;
};

/* Every open connection, and the thread that ends those past their head
 * deadline. */
struct watchdog {
    pthread_mutex_t lock;       /* guards the list, and each fd while listed */
    pthread_cond_t stop;
    struct conn_watch *head;
    bool stopping, started;
    pthread_t tid;
};

struct http_server {
    struct app *app;
    atomic_int in_flight;       /* requests begun (request line in), not yet completed */
    atomic_bool running;        /* the daemon has started */
    struct http_thread *threads;    /* one for each thread, taken on first use */
    size_t thread_count;
    atomic_size_t threads_taken;
    size_t pool_size;           /* MHD's threads */
    struct writers writers;
    struct watchdog watchdog;
};

/* One request, from its request line to MHD's completion notice. */
struct exchange {
    struct buf body;
    bool too_large;             /* more than LIMIT_BODY_BYTES came */
    bool started;               /* the handler has seen the headers */
    /* handed to a writer: */
    struct MHD_Connection *conn;
    const char *method, *version;   /* MHD's, valid until the request completes */
    struct exchange *next;
    bool answered;              /* the writer is done: queue `answer` */
    struct MHD_Response *answer;    /* NULL when it could not be made */
    int answer_status;
    /* A cached page's shared response being sent: the page is held until
     * MHD says the request is complete, as the response only points at it. */
    struct kept_page *sending;
    char uri[];                 /* raw, as sent: path '?' query */
};

static _Thread_local struct http_thread *this_thread;

/* ---- per-thread workers ---- */

/* The calling thread's worker, taken on first use; NULL (after logging)
 * only for a thread beyond the count, which cannot happen. */
static struct http_thread *thread_context(struct http_server *srv)
{
    if (this_thread)
        return this_thread;
    size_t i = atomic_fetch_add(&srv->threads_taken, 1);
    if (i >= srv->thread_count) {
        log_error("http: more threads than workers");
        return NULL;
    }
    return this_thread = &srv->threads[i];
}

static int make_threads(struct http_server *srv, size_t count)
{
    if (!(srv->threads = calloc(count, sizeof *srv->threads)))
        return 1;
    for (; srv->thread_count < count; srv->thread_count++) {
        struct http_thread *t = &srv->threads[srv->thread_count];
        resp_reset(&t->resp);
        if (!(t->w = worker_new(srv->app)))
            return 1;
    }
    return 0;
}

static void free_threads(struct http_server *srv)
{
    for (size_t i = 0; i < srv->thread_count; i++) {
        worker_free(srv->threads[i].w);
        buf_free(&srv->threads[i].resp.body);
    }
    free(srv->threads);
}

/* ---- the head deadline ---- */

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct conn_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* From now, the connection's next request head must be in within
 * HEAD_DEADLINE_S; false: no head is awaited (it has come). */
static void await_head(struct MHD_Connection *conn, bool awaited)
{
    struct conn_watch *w = watch_of(conn);
    if (w)
        atomic_store(&w->head_deadline, awaited ? monotonic_ms() + HEAD_DEADLINE_S * 1000 : 0);
}

/* The connection's peer as text into `text`; an IPv4 client of a
 * dual-stack socket (::ffff:192.0.2.1) as plain IPv4; "" when unknown. */
static void peer_address(struct MHD_Connection *conn, char text[INET6_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    text[0] = '\0';
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    const void *addr = NULL;
    int family = sa->sa_family;
    if (family == AF_INET) {
        addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    } else if (family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        addr = a6;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            family = AF_INET;
            addr = &a6->s6_addr[12];
        }
    }
    if (!addr || !inet_ntop(family, addr, text, INET6_ADDRSTRLEN))
        text[0] = '\0';
}

/* MHD's connection notices: a connection is watched from its start to its
 * close. MHD calls the close notice before it closes the socket, and the
 * watchdog shuts sockets down only under the same lock, so it never touches
 * a descriptor that has been closed and perhaps reused. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct watchdog *wd = &((struct http_server *)cls)->watchdog;
    struct conn_watch *w = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!info || !(w = calloc(1, sizeof *w)))
            return;     /* unwatched: MHD's idle timeout still holds */
        w->fd = info->connect_fd;
        peer_address(conn, w->peer);
        atomic_init(&w->head_deadline, monotonic_ms() + HEAD_DEADLINE_S * 1000);
        pthread_mutex_lock(&wd->lock);
        w->next = wd->head;
        if (wd->head)
            wd->head->prev = w;
        wd->head = w;
        pthread_mutex_unlock(&wd->lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
        pthread_mutex_lock(&wd->lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            wd->head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&wd->lock);
        free(w);
        *socket_context = NULL;
    }
}

/* Once a second: shuts down the sockets whose head is overdue. MHD then
 * sees the connection end and closes it as it closes any other. */
static void *watchdog_main(void *arg)
{
    struct watchdog *wd = arg;
    pthread_mutex_lock(&wd->lock);
    while (!wd->stopping) {
        long long now = monotonic_ms();
        for (struct conn_watch *w = wd->head; w; w = w->next) {
            long long deadline = atomic_load(&w->head_deadline);
            if (deadline != 0 && now > deadline) {
                atomic_store(&w->head_deadline, 0);
                shutdown(w->fd, SHUT_RDWR);
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&wd->stop, &wd->lock, &until);
    }
    pthread_mutex_unlock(&wd->lock);
    return NULL;
}

static int watchdog_start(struct watchdog *wd)
{
    int err = pthread_create(&wd->tid, NULL, watchdog_main, wd);
    if (err != 0) {
        log_error("http: cannot start a thread: %s", strerror(err));
        return 1;
    }
    wd->started = true;
    return 0;
}

static void watchdog_stop(struct watchdog *wd)
{
    if (!wd->started)
        return;
    pthread_mutex_lock(&wd->lock);
    wd->stopping = true;
    pthread_cond_signal(&wd->stop);
    pthread_mutex_unlock(&wd->lock);
    pthread_join(wd->tid, NULL);
    wd->started = false;
}

/* ---- MHD callbacks around a request ---- */

/* MHD's URI log callback: called once per request with the target exactly
 * as sent, before MHD splits off the query and turns its '+' into spaces.
 * Its result becomes the request's context. */
static void *exchange_begin(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct http_server *srv = cls;
    /* MHD's memory limit bounds its length; the core checks LIMIT_TARGET_BYTES */
    size_t len = strlen(uri);
    struct exchange *ex = malloc(sizeof *ex + len + 1);    /* one allocation, not two */
    if (!ex)
        return NULL;
    memset(ex, 0, sizeof *ex);
    memcpy(ex->uri, uri, len + 1);
    atomic_fetch_add(&srv->in_flight, 1);
    return ex;
}

static void exchange_end(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)why;
    struct http_server *srv = cls;
    struct exchange *ex = *con_cls;
    await_head(conn, true);     /* the next request on a kept-alive connection */
    if (!ex)
        return;
    if (ex->answer)             /* answered by a writer, never queued */
        MHD_destroy_response(ex->answer);
    kept_page_release(ex->sending);
    buf_free(&ex->body);
    free(ex);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* Leaves the path as sent: the core decodes it itself. */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* Keeps the body up to LIMIT_BODY_BYTES; past it, notes that and drops the
 * rest as it comes, so the client still gets an answer. */
static void take_upload(struct exchange *ex, const char *data, size_t len)
{
    if (ex->too_large)
        return;
    if (ex->body.len + len > LIMIT_BODY_BYTES) {
        ex->too_large = true;
        buf_free(&ex->body);
        return;
    }
    buf_append(&ex->body, data, len);
}

/* ---- building the request ---- */

struct header_walk {
    struct request *req;
    struct arena *arena;
    int status;                 /* 0, or the HTTP status to answer */
};

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    struct header_walk *walk = cls;
    char *name = arena_strdup(walk->arena, key);
    if (name)
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    /* MHD keeps the value until the request completes, after our answer */
    walk->status = front_add_header(walk->req, walk->arena, name, value ? value : "");
    return walk->status == 0 ? MHD_YES : MHD_NO;
}

/* The peer's address, found when the connection started; for a connection
 * that could not be watched, found now. */
static const char *request_peer(struct MHD_Connection *conn, struct arena *a)
{
    struct conn_watch *w = watch_of(conn);
    if (w)
        return w->peer;
    char *text = arena_alloc(a, INET6_ADDRSTRLEN);
    if (!text)
        return "";
    peer_address(conn, text);
    return text;
}

/* Fills req. Returns 0, or an HTTP status for the front end to answer. */
static int build_request(struct http_thread *t, struct MHD_Connection *conn, const char *method,
                         struct exchange *ex, struct request *req)
{
    struct arena *a = &t->w->arena;
    req->method = method;
    const char *mark = strchr(ex->uri, '?');
    req->target = mark ? arena_strndup(a, ex->uri, (size_t)(mark - ex->uri)) : ex->uri;
    req->query = mark ? mark + 1 : "";
    req->peer_addr = request_peer(conn, a);
    if (!req->target)
        return 500;
    struct header_walk walk = { .req = req, .arena = a };
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &walk);
    if (walk.status != 0)
        return walk.status;
    if (ex->body.failed)
        return 500;
    req->body = ex->body.data;
    req->body_len = ex->body.len;
    req->body_too_large = ex->too_large;
    req->https = false;
    return 0;
}

/* ---- answering ---- */

/* A short plain-text answer for what the front end refuses itself. */
static void plain_error(struct response *resp, int status)
{
    resp_reset(resp);
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    buf_printf(&resp->body, "%s\n", http_status_text(status));
}

/* An MHD response for resp->file_path, or NULL after turning resp into an
 * error. The size comes from fstat of the descriptor MHD sends from. */
static struct MHD_Response *file_response(struct response *resp, long long *size)
{
    /* beneath its root without following a symlink, as when the core
     * checked it: a symlink swapped in since is refused, not followed */
    int fd = resp_open_file(resp);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
        if (r) {
            *size = (long long)st.st_size;
            return r;   /* MHD closes fd when it destroys r */
        }
        close(fd);
        plain_error(resp, 500);
        return NULL;
    }
    int err = fd < 0 ? errno : EISDIR;
    log_error("http: cannot send %s: %s", resp->file_path, strerror(err));
    if (fd >= 0)
        close(fd);
    plain_error(resp, err == ENOENT ? 404 : 500);
    return NULL;
}

/* The body of an answer that has none. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    (void)buf;
    (void)max;
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/* 1xx, 204 and 304 never have a body, nor a Content-Length of one. */
static bool bodiless(int status)
{
    return status < 200 || status == 204 || status == 304;
}

static void release_kept(void *page)
{
    kept_page_release(page);
}

/* An MHD response for resp's body. A kept page is sent from where it is
 * kept, without a copy: the MHD response holds the page until it is done
 * with it, whatever the cache keeps by then. Any other body is copied, as
 * resp's buffer is reused once this returns. */
static struct MHD_Response *body_response(struct response *resp)
{
    size_t len;
    const char *body = resp_body(resp, &len);
    if (!resp->kept)
        return MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    struct kept_page *page = kept_page_hold(resp->kept);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        len, (void *)body, release_kept, page);
    if (!r)
        kept_page_release(page);
    return r;
}

/* ---- a cached page's response, made once ---- */

/* A response object for a kept page, with its headers, made on the page's
 * first 200 and queued again for every later one: making the object and
 * adding a dozen headers (two copies and an allocation each) cost as much
 * as the rest of folio's work on a cached page. The object points at the
 * page's body; each request sending it holds the page until MHD reports the
 * request complete (exchange_end), and the page, once nobody holds it,
 * destroys the object (shared_free). It is used only for a response with
 * the very headers it was made of (header_copy_same). */
struct shared_response {
    struct MHD_Response *r;
    struct header_copy made_of;
    char text[];                /* made_of's strings */
};

static void shared_free(void *obj)
{
    struct shared_response *sr = obj;
    MHD_destroy_response(sr->r);
    free(sr);
}

/* A new shared response for resp's page, or NULL. */
static struct shared_response *shared_make(struct response *resp)
{
    struct shared_response *sr = malloc(sizeof *sr + header_copy_size(resp));
    if (!sr)
        return NULL;
    header_copy_make(&sr->made_of, resp, sr->text);
    const struct header_copy *hc = &sr->made_of;
    struct kept_page *page = resp->kept;
    sr->r = MHD_create_response_from_buffer(page->body_len, page->body, MHD_RESPMEM_PERSISTENT);
    bool ok = sr->r && MHD_add_response_header(sr->r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                               hc->content_type) == MHD_YES;
    for (size_t i = 0; ok && i < hc->count; i++)
        ok = MHD_add_response_header(sr->r, hc->names[i], hc->values[i]) == MHD_YES;
    if (!ok) {      /* a header MHD refuses: the ordinary way, which logs it */
        if (sr->r)
            MHD_destroy_response(sr->r);
        free(sr);
        return NULL;
    }
    return sr;
}

/* The shared response for resp, when resp is a kept page's 200 that one
 * can answer, or NULL. On success ex holds the page. */
static struct MHD_Response *shared_response(struct http_server *srv, struct response *resp,
                                            struct exchange *ex, long long *size)
{
    struct kept_page *page = resp->kept;
    if (!page || resp->status != 200 || resp->file_path || !resp->content_type ||
        ex->sending || atomic_load(&srv->app->stopping))
        return NULL;
    struct shared_response *sr = kept_page_front(page);
    if (!sr) {
        struct shared_response *mine = shared_make(resp);
        if (!mine)
            return NULL;
        if (kept_page_attach(page, mine)) {
            sr = mine;
        } else {
            shared_free(mine);
            sr = kept_page_front(page);
        }
    }
    if (!sr || !header_copy_same(&sr->made_of, resp))
        return NULL;
    ex->sending = kept_page_hold(page);
    *size = (long long)page->body_len;
    return sr->r;
}

/* The MHD response for resp, headers included, and in *size the length of
 * its body; NULL when out of memory. */
static struct MHD_Response *mhd_response(struct http_server *srv, struct response *resp,
                                         long long *size)
{
    struct MHD_Response *r = NULL;
    *size = 0;
    if (resp->status == 304) {
        /* libmicrohttpd 0.9.75 gives a 304 the Content-Length of its
         * response object, as a HEAD gets the 200's: the object is made of
         * the 200's length, and never read. */
        size_t len;
        resp_body(resp, &len);
        uint64_t length = resp->file_path ? (uint64_t)resp->file_size : len;
        r = MHD_create_response_from_callback(length, 1, no_body, NULL, NULL);
    } else {
        if (resp->file_path && !bodiless(resp->status))
            r = file_response(resp, size);
        if (!r) {
            r = body_response(resp);
            size_t len;
            resp_body(resp, &len);
            *size = (long long)len;
        }
    }
    if (!r)
        return NULL;
    if (resp->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->header_count; i++)
        if (MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) != MHD_YES)
            log_error("http: dropped header %s", resp->headers[i].name);
    /* while stopping, end kept-alive connections after their answer */
    if (atomic_load(&srv->app->stopping))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    return r;
}

static void log_access(const struct exchange *ex, const struct request *req,
                       const struct response *resp, long long size)
{
    if (!access_log_enabled())
        return;
    bool head = req->method && strcmp(req->method, "HEAD") == 0;
    struct access_entry e = {
        .client = req->client_addr ? req->client_addr : req->peer_addr,
        .method = req->method,
        .target = ex->uri,
        .protocol = ex->version,
        .status = resp->status,
        .bytes = head || bodiless(resp->status) ? 0 : size,
        .referer = req_header(req, "referer"),
        .user_agent = req_header(req, "user-agent"),
    };
    access_log_write(&e);
}

/* The body has all come: runs the request through the core on the calling
 * thread and returns its answer (NULL when out of memory) and status;
 * *shared when the answer is a kept page's shared response (queued, never
 * destroyed: the page owns it). */
static struct MHD_Response *answer(struct http_server *srv, struct MHD_Connection *conn,
                                   const char *method, struct exchange *ex, int *status,
                                   bool *shared)
{
    struct response fallback = { 0 };
    struct http_thread *t = thread_context(srv);
    struct response *resp = t ? &t->resp : &fallback;
    struct request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    int refused = t ? build_request(t, conn, method, ex, &req) : 503;
    if (refused == 0)
        folio_handle(t->w, &req, resp);
    else
        plain_error(resp, refused);
    long long size;
    struct MHD_Response *r = shared ? shared_response(srv, resp, ex, &size) : NULL;
    if (shared)
        *shared = r != NULL;
    if (!r)
        r = mhd_response(srv, resp, &size);
    *status = resp->status;
    log_access(ex, &req, resp, size);
    if (t) {
        arena_reset(&t->w->arena);
        resp_reset(resp);
        retention_after_request(t->w);
    }
    buf_free(&fallback.body);
    return r;
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct MHD_Response *r, int status,
                             bool shared)
{
    if (!r)
        return MHD_NO;  /* MHD closes the connection */
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, r);
    if (!shared)
        MHD_destroy_response(r);
    return rc;
}

/* ---- the writers ---- */

/* What changes data (and a sign-in's slow hash) runs on a writer. */
static bool for_writer(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static void *writer_main(void *arg)
{
    struct http_server *srv = arg;
    struct writers *wr = &srv->writers;
    pthread_mutex_lock(&wr->lock);
    for (;;) {
        while (!wr->head && !wr->stopping)
            pthread_cond_wait(&wr->work, &wr->lock);
        struct exchange *ex = wr->head;
        if (!ex)
            break;      /* stopping, and nothing left */
        wr->head = ex->next;
        if (!wr->head)
            wr->tail = &wr->head;
        pthread_mutex_unlock(&wr->lock);
        /* the connection is suspended: MHD's threads leave it alone */
        /* never the shared response: ex->answer is destroyed when unused */
        ex->answer = answer(srv, ex->conn, ex->method, ex, &ex->answer_status, NULL);
        ex->answered = true;
        MHD_resume_connection(ex->conn);
        pthread_mutex_lock(&wr->lock);
    }
    pthread_mutex_unlock(&wr->lock);
    return NULL;
}

/* Suspends the connection and queues its request for a writer. */
static void hand_to_writer(struct http_server *srv, struct MHD_Connection *conn,
                           const char *method, const char *version, struct exchange *ex)
{
    struct writers *wr = &srv->writers;
    ex->conn = conn;
    ex->method = method;
    ex->version = version;
    MHD_suspend_connection(conn);
    pthread_mutex_lock(&wr->lock);
    *wr->tail = ex;
    wr->tail = &ex->next;
    pthread_cond_signal(&wr->work);
    pthread_mutex_unlock(&wr->lock);
}

static int writers_start(struct http_server *srv, size_t count)
{
    struct writers *wr = &srv->writers;
    wr->tail = &wr->head;
    if (!(wr->tids = calloc(count, sizeof *wr->tids)))
        return 1;
    wr->count = count;
    for (; wr->started < count; wr->started++) {
        int err = pthread_create(&wr->tids[wr->started], NULL, writer_main, srv);
        if (err != 0) {
            log_error("http: cannot start a thread: %s", strerror(err));
            return 1;
        }
    }
    return 0;
}

/* Lets the writers finish what is queued, then joins them; again, nothing. */
static void writers_stop(struct writers *wr)
{
    pthread_mutex_lock(&wr->lock);
    wr->stopping = true;
    pthread_cond_broadcast(&wr->work);
    pthread_mutex_unlock(&wr->lock);
    for (size_t i = 0; i < wr->started; i++)
        pthread_join(wr->tids[i], NULL);
    free(wr->tids);
    wr->tids = NULL;
    wr->started = 0;
}

/* MHD's access handler: called once when the headers are in (MHD answers
 * Expect: 100-continue after it returns), once per piece of body, and once
 * more when the body is complete; for a request handed to a writer, once
 * more after the writer resumes the connection. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;      /* the raw target is in ex->uri */
    struct http_server *srv = cls;
    struct exchange *ex = *con_cls;
    if (!ex)
        return MHD_NO;  /* exchange_begin ran out of memory */
    if (!ex->started) {
        ex->started = true;
        await_head(conn, false);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        take_upload(ex, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ex->answered) {
        struct MHD_Response *r = ex->answer;
        ex->answer = NULL;
        return queue(conn, r, ex->answer_status, false);
    }
    if (for_writer(method)) {
        hand_to_writer(srv, conn, method, version, ex);
        return MHD_YES;
    }
    ex->version = version;
    int status;
    bool shared;
    struct MHD_Response *r = answer(srv, conn, method, ex, &status, &shared);
    return queue(conn, r, status, shared);
}

/* ---- the daemon ---- */

/* MHD's own messages (bind errors, requests it refuses) as folio's log
 * lines. Once serving, a flood (out of descriptors, over the connection
 * limits) would bring one per connection: at most one a second then. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    static struct log_limit limit = LOG_LIMIT_INIT;
    struct http_server *srv = cls;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    if (atomic_load(&srv->running))
        log_error_limited(&limit, "http: %s", line);
    else
        log_error("http: %s", line);
}

/* Raises the soft limit on open files to the hard one, so that the
 * connection limit, not the descriptors, bounds what a crowd can hold.
 * Returns the limit now in force. */
static rlim_t raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1u << 20 : rl.rlim_max;
        struct rlimit raised = { want, rl.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl.rlim_cur = want;
    }
    return rl.rlim_cur;
}

/* What the descriptors leave for connections, after FD_RESERVE and each
 * worker's database files. */
static unsigned int connection_limit(rlim_t fds, size_t workers)
{
    rlim_t reserve = FD_RESERVE + 4 * (rlim_t)workers;
    if (fds <= reserve + 64)
        return 64;
    rlim_t left = fds - reserve;
    return left > MAX_CONNECTIONS ? MAX_CONNECTIONS : (unsigned int)left;
}

static struct MHD_Daemon *start_daemon(struct http_server *srv, int listen_fd, int family,
                                       unsigned int max_connections)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                         MHD_ALLOW_SUSPEND_RESUME;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                    : MHD_USE_POLL;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* behind a proxy every client has the proxy's address */
    unsigned int per_address = srv->app->cfg.trusted_proxy ? 0 : PER_ADDRESS_LIMIT;
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,      /* first, to catch all */
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->pool_size,
        MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_URI_LOG_CALLBACK, exchange_begin, srv,
        MHD_OPTION_NOTIFY_COMPLETED, exchange_end, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
        MHD_OPTION_END);
}

static int socket_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 ? ss.ss_family : AF_INET;
}

/* Stops accepting, gives requests in flight up to STOP_GRACE_S to finish,
 * then stops the daemon (which closes idle kept-alive connections). */
static void stop_daemon(struct http_server *srv, struct MHD_Daemon *daemon)
{
    atomic_store(&srv->app->stopping, 1);
    /* shut at once: new clients are refused rather than left waiting. It
     * is closed only after MHD_stop_daemon, as libmicrohttpd asks of a
     * daemon with threads: each of its threads takes it out of its epoll
     * set in its own time, and one that found it closed would abort the
     * process ("Failed to remove listen FD from epoll set"). */
    MHD_socket listen_fd = MHD_quiesce_daemon(daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        shutdown(listen_fd, SHUT_RDWR);
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < STOP_GRACE_S * 50 && atomic_load(&srv->in_flight) > 0; i++)
        nanosleep(&tick, NULL);
    /* A request still with a writer has its connection suspended, and its
     * exchange would be freed under the writer by MHD_stop_daemon: the
     * writers finish (and resume their connections) first. */
    writers_stop(&srv->writers);
    MHD_stop_daemon(daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
}

static void server_free(struct http_server *srv)
{
    writers_stop(&srv->writers);
    watchdog_stop(&srv->watchdog);
    free_threads(srv);
    pthread_mutex_destroy(&srv->writers.lock);
    pthread_cond_destroy(&srv->writers.work);
    pthread_mutex_destroy(&srv->watchdog.lock);
    pthread_cond_destroy(&srv->watchdog.stop);
    access_log_close();
}

/* Everything but the daemon: threads, limits, the access log. Returns 0,
 * or the exit status after logging why. */
static int server_init(struct http_server *srv, struct app *app)
{
    srv->app = app;
    pthread_mutex_init(&srv->writers.lock, NULL);
    pthread_cond_init(&srv->writers.work, NULL);
    pthread_mutex_init(&srv->watchdog.lock, NULL);
    pthread_cond_init(&srv->watchdog.stop, NULL);
    srv->pool_size = app->cfg.threads > 0 ? (size_t)app->cfg.threads
                                          : (size_t)config_default_threads(false);
    size_t writer_count = (size_t)config_default_threads(true);
    if (access_log_open(app->cfg.access_log, true) != 0)
        return 1;
    kept_page_front_free(shared_free);
    if (make_threads(srv, srv->pool_size + writer_count) != 0 ||
        writers_start(srv, writer_count) != 0 || watchdog_start(&srv->watchdog) != 0) {
        log_error("http: cannot start the server's threads");
        return 1;
    }
    return 0;
}

int front_http_run(struct app *app)
{
    struct http_server srv = { 0 };
    sigset_t stop_signals;
    /* before any thread starts, so that they inherit the mask */
    if (signals_block(&stop_signals) != 0)
        return 1;
    int listen_fd;
    int status = addr_listen("--listen", app->cfg.listen, &listen_fd);
    if (status != 0)
        return status;
    rlim_t fds = raise_fd_limit();
    status = server_init(&srv, app);
    unsigned int max_connections = connection_limit(fds, srv.thread_count);
    struct MHD_Daemon *daemon =
        status ? NULL
               : start_daemon(&srv, listen_fd, socket_family(listen_fd), max_connections);
    if (!daemon) {
        log_error("http: cannot start the server on %s", app->cfg.listen);
        close(listen_fd);
        server_free(&srv);
        return 1;
    }
    atomic_store(&srv.running, true);
    log_info("http: listening on http://%s with %zu threads and %zu writers, "
             "up to %u connections",
             app->cfg.listen, srv.pool_size, srv.writers.count, max_connections);
    int sig = signals_wait(&stop_signals);
    log_info("http: %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    stop_daemon(&srv, daemon);
    server_free(&srv);
    log_info("http: stopped");
    return 0;
}
