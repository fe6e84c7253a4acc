/* http: the embedded HTTP server (libmicrohttpd) for `folio serve`: the
 * daemon, a worker per pool thread, and turning MHD's view of a request into
 * a struct request. The only file that includes microhttpd.h. */
#include "front/front.h"

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/app.h"
#include "core/log.h"
#include "front/addr.h"
#include "front/signals.h"

#define CONNECTION_TIMEOUT_S 30u
#define CONNECTION_LIMIT 1024u
/* Each connection's memory for the request line, the headers and the
 * response's headers: room for a LIMIT_TARGET_BYTES target and more, so
 * that the core, not MHD, answers a target just over the limit. */
#define CONNECTION_MEMORY (64 * 1024)
#define STOP_GRACE_S 30         /* how long requests in flight may take at stop */

/* What one pool thread owns; created on its first request. */
struct http_thread {
    struct worker *w;
    struct response resp;
};

struct http_server {
    struct app *app;
    atomic_int in_flight;       /* requests begun and not yet completed */
    pthread_mutex_t lock;       /* guards threads[] */
    struct http_thread **threads;
    size_t thread_count, thread_cap;
};

/* One request, from its request line to MHD's completion notice. */
struct exchange {
    char *uri;                  /* raw, as sent: path '?' query */
    struct buf body;
    bool too_large;             /* more than LIMIT_BODY_BYTES came */
    bool started;               /* the handler has seen the headers */
};

static _Thread_local struct http_thread *this_thread;

/* ---- per-thread workers ---- */

/* The calling pool thread's worker, created on first use; NULL after
 * logging when it cannot be. */
static struct http_thread *thread_context(struct http_server *srv)
{
    if (this_thread)
        return this_thread;
    struct http_thread *t = calloc(1, sizeof *t);
    if (!t || !(t->w = worker_new(srv->app))) {
        free(t);
        return NULL;
    }
    resp_reset(&t->resp);
    pthread_mutex_lock(&srv->lock);
    bool registered = srv->thread_count < srv->thread_cap;
    if (registered)
        srv->threads[srv->thread_count++] = t;
    pthread_mutex_unlock(&srv->lock);
    if (!registered) {
        /* more threads than MHD's pool size: cannot happen, but never leak */
        log_error("http: more threads than workers");
        worker_free(t->w);
        free(t);
        return NULL;
    }
    this_thread = t;
    return t;
}

static void free_threads(struct http_server *srv)
{
    for (size_t i = 0; i < srv->thread_count; i++) {
        worker_free(srv->threads[i]->w);
        buf_free(&srv->threads[i]->resp.body);
        free(srv->threads[i]);
    }
    free(srv->threads);
}

/* ---- MHD callbacks around a request ---- */

/* MHD's URI log callback: called once per request with the target exactly
 * as sent, before MHD splits off the query and turns its '+' into spaces.
 * Its result becomes the request's context. */
static void *exchange_begin(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct http_server *srv = cls;
    struct exchange *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    /* MHD's memory limit bounds its length; the core checks LIMIT_TARGET_BYTES */
    if (!(ex->uri = strdup(uri))) {
        free(ex);
        return NULL;
    }
    atomic_fetch_add(&srv->in_flight, 1);
    return ex;
}

static void exchange_end(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)conn;
    (void)why;
    struct http_server *srv = cls;
    struct exchange *ex = *con_cls;
    if (!ex)
        return;
    free(ex->uri);
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
    struct request *req = walk->req;
    if (req->header_count == REQ_MAX_HEADERS) {
        walk->status = 431;
        return MHD_NO;
    }
    char *name = arena_strdup(walk->arena, key);
    if (!name) {
        walk->status = 500;
        return MHD_NO;
    }
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    /* MHD keeps the value until the request completes, after our answer */
    req->headers[req->header_count].name = name;
    req->headers[req->header_count].value = value ? value : "";
    req->header_count++;
    return MHD_YES;
}

/* The connection's peer as text; an IPv4 client of a dual-stack socket
 * (::ffff:192.0.2.1) as plain IPv4. */
static const char *peer_address(struct MHD_Connection *conn, struct arena *a)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char *text = arena_alloc(a, INET6_ADDRSTRLEN);
    if (!info || !info->client_addr || !text)
        return "";
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
        return "";
    return text;
}

/* Fills req. Returns 0, or an HTTP status for the front end to answer. */
static int build_request(struct http_thread *t, struct MHD_Connection *conn, const char *method,
                         struct exchange *ex, struct request *req)
{
    struct arena *a = &t->w->arena;
    memset(req, 0, sizeof *req);
    req->method = method;
    const char *mark = strchr(ex->uri, '?');
    req->target = mark ? arena_strndup(a, ex->uri, (size_t)(mark - ex->uri)) : ex->uri;
    req->query = mark ? mark + 1 : "";
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
    req->peer_addr = peer_address(conn, a);
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
static struct MHD_Response *file_response(struct response *resp)
{
    /* beneath its root without following a symlink, as when the core
     * checked it: a symlink swapped in since is refused, not followed */
    int fd = resp_open_file(resp);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
        if (r)
            return r;   /* MHD closes fd when it destroys r */
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

/* The MHD response for resp, headers included; NULL when out of memory. */
static struct MHD_Response *mhd_response(struct http_server *srv, struct response *resp)
{
    struct MHD_Response *r = NULL;
    if (resp->file_path)
        r = file_response(resp);
    if (!r)     /* MUST_COPY: resp's body is reused once this returns */
        r = MHD_create_response_from_buffer(resp->body.len, resp->body.data,
                                            MHD_RESPMEM_MUST_COPY);
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

static enum MHD_Result queue(struct MHD_Connection *conn, struct http_server *srv,
                             struct response *resp)
{
    struct MHD_Response *r = mhd_response(srv, resp);
    if (!r)
        return MHD_NO;  /* MHD closes the connection */
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return rc;
}

/* The body has all come: hand the request to the core and queue its answer. */
static enum MHD_Result respond(struct http_server *srv, struct MHD_Connection *conn,
                               const char *method, struct exchange *ex)
{
    struct http_thread *t = thread_context(srv);
    if (!t) {
        struct response resp = { 0 };
        plain_error(&resp, 503);
        enum MHD_Result rc = queue(conn, srv, &resp);
        buf_free(&resp.body);
        return rc;
    }
    struct request req;
    int status = build_request(t, conn, method, ex, &req);
    if (status == 0)
        folio_handle(t->w, &req, &t->resp);
    else
        plain_error(&t->resp, status);
    enum MHD_Result rc = queue(conn, srv, &t->resp);
    arena_reset(&t->w->arena);
    resp_reset(&t->resp);
    return rc;
}

/* MHD's access handler: called once when the headers are in (MHD answers
 * Expect: 100-continue after it returns), once per piece of body, and once
 * more when the body is complete. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;      /* the raw target is in ex->uri */
    (void)version;
    struct exchange *ex = *con_cls;
    if (!ex)
        return MHD_NO;  /* exchange_begin ran out of memory */
    if (!ex->started) {
        ex->started = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        take_upload(ex, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return respond(cls, conn, method, ex);
}

/* ---- the daemon ---- */

/* MHD's own messages (bind errors, requests it refuses) as folio's log lines. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_error("http: %s", line);
}

static struct MHD_Daemon *start_daemon(struct http_server *srv, int listen_fd, int family)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                    : MHD_USE_POLL;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,     /* first, to catch all */
        MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)srv->thread_cap,
        MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT,
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
    /* closed at once: new clients are refused rather than left waiting */
    MHD_socket listen_fd = MHD_quiesce_daemon(daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < STOP_GRACE_S * 50 && atomic_load(&srv->in_flight) > 0; i++)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(daemon);
}

int front_http_run(struct app *app)
{
    struct http_server srv = { .app = app };
    sigset_t stop_signals;
    /* before MHD starts its threads, so that they inherit the mask */
    if (signals_block(&stop_signals) != 0)
        return 1;
    int listen_fd;
    int status = addr_listen("--listen", app->cfg.listen, &listen_fd);
    if (status != 0)
        return status;
    srv.thread_cap = app->cfg.threads > 0 ? (size_t)app->cfg.threads : 1;
    srv.threads = calloc(srv.thread_cap, sizeof *srv.threads);
    pthread_mutex_init(&srv.lock, NULL);
    struct MHD_Daemon *daemon =
        srv.threads ? start_daemon(&srv, listen_fd, socket_family(listen_fd)) : NULL;
    if (!daemon) {
        log_error("http: cannot start the server on %s", app->cfg.listen);
        close(listen_fd);
        free(srv.threads);
        pthread_mutex_destroy(&srv.lock);
        return 1;
    }
    log_info("http: listening on http://%s with %zu threads", app->cfg.listen, srv.thread_cap);
    int sig = signals_wait(&stop_signals);
    log_info("http: %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    stop_daemon(&srv, daemon);
    free_threads(&srv);
    pthread_mutex_destroy(&srv.lock);
    log_info("http: stopped");
    return 0;
}
