/* fcgi: the FastCGI front end (libfcgi): sockets, threads, and turning
 * FastCGI parameters into a struct request. The only file that includes
 * fcgiapp.h. */
#include "front/front.h"
#include "pages/retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app/app.h"
#include "core/kept_page.h"
#include "core/log.h"
#include "core/text.h"
#include "front/access_log.h"
#include "front/addr.h"
#include "front/headers.h"
#include "front/signals.h"

#define IO_CHUNK (64 * 1024)
#define SD_LISTEN_FD 3          /* systemd's first passed socket */

struct fcgi_server {
    struct app *app;
    int listen_fd;
    const char *where;          /* for the log */
    bool owned;                 /* we opened it (not inherited) */
    const char *created_path;   /* the socket file we made, removed at exit */
    int stop_pipe[2];           /* written once at stop; wakes threads waiting for work */
    int epfd;                   /* what the threads wait for: see "connections" below */

    pthread_mutex_t conns_lock; /* guards the fields below */
    struct fcgi_conn *conns;    /* every connection object made, to free at exit */
    struct fcgi_conn *free_conns;
    int conn_count, conn_limit;
    bool listener_paused;       /* out of the epoll set: conn_limit connections are open */
};

/* A connection from the web server and libfcgi's state for it. */
struct fcgi_conn {
    FCGX_Request fcgx;
    struct fcgi_conn *next;         /* in srv->conns */
    struct fcgi_conn *next_free;    /* in srv->free_conns */
};

struct fcgi_thread {
    struct fcgi_server *srv;
    struct worker *w;
    pthread_t tid;
    bool started;
    FCGX_Request *fcgx;         /* the request being served: its connection's */
    bool accept_first;          /* the last connection closed: try accept() before waiting */
    struct response resp;
    struct buf head;            /* the response's head, reused */
};

/* ---- the listening socket ---- */

/* Removes a socket file left by a server that is gone. A file that is not a
 * socket, or a socket someone still answers on, is left alone: false. */
static bool remove_stale_socket(const char *path, const struct sockaddr_un *sa)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISSOCK(st.st_mode)) {
        log_error("fcgi: %s exists and is not a socket", path);
        return false;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool live = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(fd);
    if (live) {
        log_error("fcgi: %s: another server is listening on it", path);
        return false;
    }
    if (unlink(path) != 0) {
        log_error("fcgi: cannot remove stale socket %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

/* Returns 0, or the exit status after logging why. */
static int listen_unix(struct fcgi_server *srv, const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "folio: --socket: path too long: %s\n", path);
        return 2;
    }
    strcpy(sa.sun_path, path);
    if (!remove_stale_socket(path, &sa))
        return 1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        log_error("fcgi: cannot bind %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    srv->created_path = path;
    /* nginx runs as another user (www-data) and needs write permission on
     * the socket to connect: 0666. Who may reach it is decided by the
     * permissions of the directory the socket is in. */
    if (chmod(path, 0666) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        log_error("fcgi: cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return 1;
    }
    srv->listen_fd = fd;
    srv->where = path;
    return 0;
}

static bool is_listening_socket(int fd)
{
    int accepting = 0;
    socklen_t len = sizeof accepting;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 && accepting;
}

/* The socket a parent left us: systemd passes it as fd 3 with LISTEN_FDS
 * (and LISTEN_PID naming us); spawn-fcgi and inetd-style managers as fd 0.
 * Returns the fd, or -1 when there is none. */
static int inherited_socket(void)
{
    const char *fds = getenv("LISTEN_FDS");
    const char *pid = getenv("LISTEN_PID");
    if (fds && (!pid || strtol(pid, NULL, 10) == (long)getpid()))
        return is_listening_socket(SD_LISTEN_FD) ? SD_LISTEN_FD : -1;
    return is_listening_socket(STDIN_FILENO) ? STDIN_FILENO : -1;
}

/* Finds the socket to accept on. Returns 0, or the exit status. */
static int find_listener(struct fcgi_server *srv)
{
    const struct config *cfg = &srv->app->cfg;
    srv->owned = true;
    if (cfg->socket_path && *cfg->socket_path)
        return listen_unix(srv, cfg->socket_path);
    if (cfg->listen && *cfg->listen) {
        srv->where = cfg->listen;
        return addr_listen("--listen", cfg->listen, &srv->listen_fd);
    }
    srv->owned = false;
    srv->listen_fd = inherited_socket();
    if (srv->listen_fd < 0) {
        fprintf(stderr, "folio: fcgi: give --socket PATH or --listen HOST:PORT "
                        "(no listening socket was passed on fd 0 or by systemd)\n");
        return 2;
    }
    srv->where = srv->listen_fd == SD_LISTEN_FD ? "the socket from systemd (fd 3)"
                                                : "the socket on fd 0";
    return 0;
}

static void close_listener(struct fcgi_server *srv)
{
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (srv->created_path)
        unlink(srv->created_path);
}

/* Opens the listening socket, non-blocking: threads wait for it in epoll,
 * and when another thread or process sharing it takes a connection first,
 * accept() must not block. Returns 0, or the exit status. */
static int open_listener(struct fcgi_server *srv)
{
    int status = find_listener(srv);
    if (status != 0)
        return status;
    int flags = fcntl(srv->listen_fd, F_GETFL);
    if (flags < 0 || fcntl(srv->listen_fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        log_error("fcgi: %s: %s", srv->where, strerror(errno));
        close_listener(srv);
        return 1;
    }
    return 0;
}

/* ---- reading a request ---- */

/* The parameters folio reads, found in one pass over libfcgi's list (its
 * FCGX_GetParam walks the whole list, with a strncmp each, once per name).
 * As FCGX_GetParam, the first of a repeated name counts. */
struct params {
    const char *method, *uri, *query, *document_uri, *script_name, *path_info,
        *remote_addr, *https, *content_length, *protocol;
};

/* "NAME=value" → value when the text before '=' is exactly `name`. */
static const char *param_value(const char *entry, size_t name_len, const char *name,
                               size_t want_len)
{
    return name_len == want_len && memcmp(entry, name, want_len) == 0 ? entry + name_len + 1
                                                                     : NULL;
}

/* Sets *slot to the value when the entry is `name` and *slot is unset. */
#define TAKE(slot, name)                                                                   \
    do {                                                                                   \
        const char *v_ = param_value(entry, name_len, name, sizeof name - 1);              \
        if (v_ && !(slot))                                                                 \
            (slot) = v_;                                                                   \
    } while (0)

/* Every non-HTTP_ parameter folio reads, from one entry of the list. */
static void note_param(struct params *p, const char *entry, size_t name_len)
{
    switch (entry[0]) {
    case 'C':
        TAKE(p->content_length, "CONTENT_LENGTH");
        break;
    case 'D':
        TAKE(p->document_uri, "DOCUMENT_URI");
        break;
    case 'H':
        TAKE(p->https, "HTTPS");
        break;
    case 'P':
        TAKE(p->path_info, "PATH_INFO");
        break;
    case 'Q':
        TAKE(p->query, "QUERY_STRING");
        break;
    case 'R':
        TAKE(p->method, "REQUEST_METHOD");
        TAKE(p->uri, "REQUEST_URI");
        TAKE(p->remote_addr, "REMOTE_ADDR");
        break;
    case 'S':
        TAKE(p->script_name, "SCRIPT_NAME");
        TAKE(p->protocol, "SERVER_PROTOCOL");
        break;
    default:
        break;
    }
}

#undef TAKE

/* Target and query from REQUEST_URI, which nginx passes raw, as sent;
 * DOCUMENT_URI and SCRIPT_NAME + PATH_INFO only when it is missing. Returns
 * 0 or an HTTP status. */
static int read_target(struct fcgi_thread *t, const struct params *p, struct request *req)
{
    struct arena *a = &t->w->arena;
    const char *uri = p->uri;
    const char *query = p->query;
    if (uri && *uri) {
        const char *mark = strchr(uri, '?');
        req->target = mark ? arena_strndup(a, uri, (size_t)(mark - uri)) : uri;
        if (!query && mark)
            query = mark + 1;
    } else if ((uri = p->document_uri) && *uri) {
        req->target = uri;
    } else {
        const char *script = p->script_name;
        const char *info = p->path_info;
        req->target = arena_printf(a, "%s%s", script ? script : "", info ? info : "");
    }
    req->query = query ? query : "";
    /* the core checks the target (and its length, LIMIT_TARGET_BYTES) */
    return req->target ? 0 : 500;
}

/* "HTTP_IF_NONE_MATCH" after its prefix → "if-none-match", in the arena. */
static char *header_name(struct arena *a, const char *param_name, size_t len)
{
    char *name = arena_strndup(a, param_name, len);
    if (!name)
        return NULL;
    for (char *p = name; *p; p++)
        *p = *p == '_' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    return name;
}

/* One pass over the parameters: the headers from the HTTP_* ones, plus
 * CONTENT_TYPE and CONTENT_LENGTH (which nginx sends empty when the request
 * has none), and the others folio reads into *p. Values point into
 * libfcgi's parameters, which live until FCGX_Finish_r. nginx before 1.23
 * passes each line of a repeated header as a parameter of its own. */
static int read_params(struct fcgi_thread *t, struct request *req, struct params *p)
{
    struct arena *a = &t->w->arena;
    memset(p, 0, sizeof *p);
    int status = 0;     /* the first refusal; the other parameters are still read */
    for (char **env = t->fcgx->envp; env && *env; env++) {
        const char *eq = strchr(*env, '=');
        if (!eq)
            continue;
        size_t name_len = (size_t)(eq - *env);
        const char *value = eq + 1;
        if (name_len > 5 && memcmp(*env, "HTTP_", 5) == 0) {
            if (status == 0)
                status = front_add_header(req, a, header_name(a, *env + 5, name_len - 5),
                                          value);
            continue;
        }
        if (status == 0 && *value && name_len == 12 && memcmp(*env, "CONTENT_TYPE", 12) == 0)
            status = front_add_header(req, a, "content-type", value);
        else if (status == 0 && *value && name_len == 14 &&
                 memcmp(*env, "CONTENT_LENGTH", 14) == 0)
            status = front_add_header(req, a, "content-length", value);
        note_param(p, *env, name_len);
    }
    return status;
}

/* Decimal digits only; false for anything else or a value past `max`. */
static bool parse_length(const char *s, long long max, long long *out)
{
    long long value = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        value = value * 10 + (*s - '0');
        if (value > max)
            value = max + 1;    /* saturate: no overflow, still too large */
    }
    *out = value;
    return true;
}

/* Reads and throws away the rest of the body, so that the server on the
 * other side is never left writing into a connection nobody reads. */
static void drain(FCGX_Stream *in)
{
    char scratch[IO_CHUNK];
    while (FCGX_GetStr(scratch, sizeof scratch, in) > 0)
        ;
}

static int read_body(struct fcgi_thread *t, const struct params *p, struct request *req)
{
    FCGX_Stream *in = t->fcgx->in;
    const char *header = p->content_length;
    long long len;
    if (!header || !*header)
        return 0;
    if (!parse_length(header, LIMIT_BODY_BYTES, &len)) {
        drain(in);
        return 400;
    }
    if (len > LIMIT_BODY_BYTES) {
        req->body_too_large = true;
        drain(in);
        return 0;
    }
    char *body = arena_alloc(&t->w->arena, (size_t)len + 1);
    if (!body) {
        drain(in);
        return 500;
    }
    int got = len > 0 ? FCGX_GetStr(body, (int)len, in) : 0;
    if (got < len)
        return 400;     /* the client went away before sending it all */
    req->body = body;
    req->body_len = (size_t)len;
    return 0;
}

/* Fills req from the FastCGI parameters. Returns 0 or an HTTP status for
 * the front end to answer itself. */
static int read_request(struct fcgi_thread *t, struct request *req, struct params *p)
{
    memset(req, 0, sizeof *req);
    int status = read_params(t, req, p);
    req->method = p->method;
    if (!req->method || !*req->method) {
        req->method = NULL;
        return 400;
    }
    if (status == 0)
        status = read_target(t, p, req);
    if (status != 0) {
        drain(t->fcgx->in);
        return status;
    }
    req->peer_addr = p->remote_addr ? p->remote_addr : "";
    const char *https = p->https;
    req->https = https && (strcmp(https, "on") == 0 || strcmp(https, "1") == 0);
    return read_body(t, p, req);
}

/* ---- writing the response ---- */

/* A short plain-text answer for what the front end refuses itself. */
static void plain_error(struct response *resp, int status)
{
    resp_reset(resp);
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    buf_printf(&resp->body, "%s\n", http_status_text(status));
}

static void put_bytes(FCGX_Stream *out, const char *data, size_t len)
{
    while (len > 0) {
        int n = len > IO_CHUNK ? IO_CHUNK : (int)len;
        if (FCGX_PutStr(data, n, out) != n)
            return;     /* the connection is gone; FCGX_Finish_r notices */
        data += n;
        len -= (size_t)n;
    }
}

/* The response's head is made in one buffer and given to libfcgi at once:
 * each FCGX_PutStr is a call and a copy of its own, and a head of ten
 * headers took forty of them. */
static void head_str(struct buf *h, const char *s, size_t len)
{
    buf_append(h, s, len);
}

#define HEAD_LIT(h, lit) head_str(h, lit, sizeof lit - 1)

static void head_number(struct buf *h, unsigned long long n)
{
    char digits[DECIMAL_MAX];
    head_str(h, digits, format_decimal(n, digits));
}

static void head_header(struct buf *h, const char *name, const char *value)
{
    /* a line break in a header would let a value forge headers or a body */
    size_t name_len = strcspn(name, "\r\n:"), value_len = strcspn(value, "\r\n");
    if (name[name_len] || value[value_len]) {
        log_error("fcgi: dropped header %s with a line break", name);
        return;
    }
    if (!buf_reserve(h, name_len + value_len + 4))
        return;
    char *p = h->data + h->len;
    memcpy(p, name, name_len);
    p += name_len;
    *p++ = ':';
    *p++ = ' ';
    memcpy(p, value, value_len);
    p += value_len;
    *p++ = '\r';
    *p++ = '\n';
    *p = '\0';
    h->len = (size_t)(p - h->data);
}

/* Opens resp->file_path. Its size comes from fstat of the descriptor we
 * stream, so Content-Length is right even if the file changed since the
 * core looked. Returns the fd, or -1 after turning resp into an error. */
static int open_file(struct response *resp, long long *size)
{
    /* beneath its root without following a symlink, as when the core
     * checked it: a symlink swapped in since is refused, not followed */
    int fd = resp_open_file(resp);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        *size = (long long)st.st_size;
        return fd;
    }
    int err = fd < 0 ? errno : EISDIR;
    log_error("fcgi: cannot send %s: %s", resp->file_path, strerror(err));
    if (fd >= 0)
        close(fd);
    plain_error(resp, err == ENOENT ? 404 : 500);
    return -1;
}

static void send_file(FCGX_Stream *out, int fd, long long size, const char *path)
{
    char chunk[IO_CHUNK];
    while (size > 0) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_error("fcgi: %s ended early while sending it", path);
            return;
        }
        put_bytes(out, chunk, (size_t)n);
        size -= n;
    }
}

/* The head of resp's answer, with a body of `length` bytes, into h, made
 * at `now`. *expires_at: where X-Accel-Expires's digits are in it, or 0. */
static void make_head(struct buf *h, const struct response *resp, long long length, time_t now,
                      size_t *expires_at)
{
    /* 1xx, 204 and 304 never have a body, nor a Content-Length of one */
    bool bodiless = resp->status < 200 || resp->status == 204 || resp->status == 304;
    *expires_at = 0;
    buf_reset(h);
    HEAD_LIT(h, "Status: ");
    head_number(h, resp->status > 0 ? (unsigned long long)resp->status : 0);
    HEAD_LIT(h, " ");
    buf_puts(h, http_status_text(resp->status));
    HEAD_LIT(h, "\r\n");
    /* A page everyone may share is good in nginx's micro-cache only to the
     * end of this second, so an approved comment shows within a second:
     * fastcgi_cache_valid counts whole seconds and keeps a "1s" entry for up
     * to two. nginx keeps X-Accel-Expires to itself, and it must come before
     * Cache-Control: nginx reads headers in order, and "no-cache" (meant for
     * browsers) seen first would keep the page out of its cache. */
    const char *cc = resp_header_get(resp, "Cache-Control");
    bool personal = cc && (strstr(cc, "private") || strstr(cc, "no-store"));
    if (resp->status == 200 && resp->cacheable && !personal) {
        HEAD_LIT(h, "X-Accel-Expires: @");
        *expires_at = h->len;
        head_number(h, (unsigned long long)now);
        HEAD_LIT(h, "\r\n");
    }
    if (resp->content_type)
        head_header(h, "Content-Type", resp->content_type);
    for (size_t i = 0; i < resp->header_count; i++)
        head_header(h, resp->headers[i].name, resp->headers[i].value);
    if (!bodiless) {
        HEAD_LIT(h, "Content-Length: ");
        head_number(h, length > 0 ? (unsigned long long)length : 0);
        HEAD_LIT(h, "\r\n");
    }
    HEAD_LIT(h, "\r\n");
}

/* A kept page's head as made for its first 200, attached to the page
 * (kept_page_attach) and freed with it. A later 200 of the page with the
 * very same content type and headers (header_copy_same) copies it and puts
 * in this second's X-Accel-Expires, instead of formatting and checking a
 * dozen headers again. */
struct shared_head {
    struct header_copy made_of;
    bool cacheable;
    char *head;
    size_t len;
    size_t expires_at;          /* where X-Accel-Expires's digits are, or 0 */
    time_t made;                /* the second those digits say */
    char text[];                /* made_of's strings, then the head */
};

static void shared_free(void *obj)
{
    free(obj);
}

/* A new shared head for resp, a kept page's 200, from h (made by make_head
 * at `now`); NULL when out of memory. */
static struct shared_head *shared_make(const struct response *resp, const struct buf *h,
                                       size_t expires_at, time_t now)
{
    struct shared_head *sh = malloc(sizeof *sh + header_copy_size(resp) + h->len);
    if (!sh)
        return NULL;
    char *at = header_copy_make(&sh->made_of, resp, sh->text);
    sh->cacheable = resp->cacheable;
    sh->head = memcpy(at, h->data, h->len);
    sh->len = h->len;
    sh->expires_at = expires_at;
    sh->made = now;
    return sh;
}

/* Puts the head of resp's answer into h from its kept page's shared head:
 * true when it could (resp is a kept page's 200 whose headers are the
 * ones the shared head was made with). */
static bool head_from_page(struct buf *h, const struct response *resp, time_t now)
{
    struct kept_page *page = resp->kept;
    if (!page || resp->status != 200 || resp->file_path || !resp->content_type)
        return false;
    struct shared_head *sh = kept_page_front(page);
    if (!sh) {
        size_t expires_at;
        make_head(h, resp, (long long)page->body_len, now, &expires_at);
        if (h->failed)
            return false;
        struct shared_head *mine = shared_make(resp, h, expires_at, now);
        if (mine && !kept_page_attach(page, mine))
            shared_free(mine);      /* another thread's came first; h is right */
        return true;
    }
    if (sh->cacheable != resp->cacheable || !header_copy_same(&sh->made_of, resp))
        return false;
    buf_reset(h);
    buf_append(h, sh->head, sh->len);
    if (h->failed)
        return false;
    if (sh->expires_at && now != sh->made) {
        /* the same number of digits until the year 2286 */
        char digits[DECIMAL_MAX];
        size_t len = format_decimal((unsigned long long)now, digits);
        if (sh->expires_at + len + 2 > h->len || h->data[sh->expires_at + len] != '\r')
            return false;
        memcpy(h->data + sh->expires_at, digits, len);
    }
    return true;
}

/* Writes the answer; returns the length of the body sent. */
static long long write_response(struct fcgi_thread *t, const char *method)
{
    struct response *resp = &t->resp;
    FCGX_Stream *out = t->fcgx->out;
    if (resp->body.failed)
        plain_error(resp, 500);
    int fd = -1;
    long long length = 0;
    if (resp->file_path)
        fd = open_file(resp, &length);
    size_t body_len;
    const char *body = resp_body(resp, &body_len);   /* after open_file's error, if any */
    if (fd < 0)
        length = (long long)body_len;

    bool bodiless = resp->status < 200 || resp->status == 204 || resp->status == 304;
    struct buf *h = &t->head;
    time_t now = time(NULL);
    if (!head_from_page(h, resp, now)) {
        size_t expires_at;
        make_head(h, resp, length, now, &expires_at);
    }
    if (h->failed) {
        /* out of memory for a few hundred bytes: no answer can be made */
        log_error("fcgi: out of memory writing a response's head");
        return 0;
    }
    put_bytes(out, h->data, h->len);

    bool head = method && strcmp(method, "HEAD") == 0;
    if (!bodiless && !head) {
        if (fd >= 0)
            send_file(out, fd, length, resp->file_path);
        else
            put_bytes(out, body, body_len);
    }
    if (fd >= 0)
        close(fd);
    return bodiless || head ? 0 : length;
}

static void log_access(struct fcgi_thread *t, const struct request *req,
                       const struct params *p, long long bytes)
{
    if (!access_log_enabled())
        return;
    const char *uri = p->uri;
    struct access_entry e = {
        .client = req->client_addr ? req->client_addr : req->peer_addr,
        .method = req->method,
        .target = uri ? uri : req->target,
        .protocol = p->protocol,
        .status = t->resp.status,
        .bytes = bytes,
        .referer = req_header(req, "referer"),
        .user_agent = req_header(req, "user-agent"),
    };
    access_log_write(&e);
}

static void serve(struct fcgi_thread *t)
{
    struct request req;
    struct params p;
    int status = read_request(t, &req, &p);
    if (status == 0)
        folio_handle(t->w, &req, &t->resp);
    else
        plain_error(&t->resp, status);
    log_access(t, &req, &p, write_response(t, req.method));
    retention_after_request(t->w);
}

/* ---- connections ----
 *
 * nginx keeps its connections to folio open between requests when told to
 * (docs/nginx.conf: fastcgi_keep_conn on, keepalive in the upstream): no
 * connect, accept and close per request, on either side. libfcgi reads a
 * kept connection's next request inside FCGX_Accept_r, with the
 * FCGX_Request that served the last one; a thread waiting there would be
 * held by an idle connection, and with more idle connections than threads
 * new requests would wait for good. So the FCGX_Request belongs to the
 * connection, and no thread waits on one connection: an idle kept
 * connection waits in the threads' epoll set (one-shot: one thread takes
 * it, and it is armed again when its request is answered), beside the
 * listening socket, and any free thread serves the next request that
 * arrives, on whichever connection. */

static char listener_tag, stop_tag;     /* epoll's data for those two */

/* Adds the listening socket to the epoll set (level-triggered). */
static int watch_listener(struct fcgi_server *srv)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listener_tag };
    return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->listen_fd, &ev);
}

/* Closes c's connection, if it has one, without libfcgi's lingering close:
 * for a connection with no unread input (see finish_request). */
static void close_at_once(struct fcgi_conn *c)
{
    if (c->fcgx.ipcFd >= 0) {
        FCGX_Detach(&c->fcgx);
        FCGX_Free(&c->fcgx, 1);
    }
}

/* Takes a connection object for a new connection: NULL when conn_limit are
 * open, after taking the listening socket out of the epoll set until one
 * closes (the kernel keeps new connections queued meanwhile). */
static struct fcgi_conn *conn_take(struct fcgi_server *srv)
{
    pthread_mutex_lock(&srv->conns_lock);
    struct fcgi_conn *c = srv->free_conns;
    if (c) {
        srv->free_conns = c->next_free;
    } else if (srv->conn_count < srv->conn_limit && (c = calloc(1, sizeof *c))) {
        FCGX_InitRequest(&c->fcgx, srv->listen_fd, 0);
        c->next = srv->conns;
        srv->conns = c;
        srv->conn_count++;
    } else if (!srv->listener_paused) {
        static struct log_limit limit = LOG_LIMIT_INIT;
        log_error_limited(&limit, "fcgi: %d connections open, the most the open-file limit "
                                  "allows; new ones wait until one closes", srv->conn_count);
        if (epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL) == 0)
            srv->listener_paused = true;
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return c;
}

/* Gives back the object of a connection that is closed. */
static void conn_put(struct fcgi_server *srv, struct fcgi_conn *c)
{
    pthread_mutex_lock(&srv->conns_lock);
    c->next_free = srv->free_conns;
    srv->free_conns = c;
    if (srv->listener_paused && watch_listener(srv) == 0)
        srv->listener_paused = false;
    pthread_mutex_unlock(&srv->conns_lock);
}

/* Closes c's connection at once and gives c back. */
static void conn_close(struct fcgi_server *srv, struct fcgi_conn *c)
{
    close_at_once(c);
    conn_put(srv, c);
}

/* Puts a kept connection, idle now, in the epoll set until its next
 * request. The descriptor may be new to the set, or a number libfcgi
 * reused for another connection: MOD first, ADD when epoll has none. */
static bool conn_watch(struct fcgi_server *srv, struct fcgi_conn *c)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = c };
    int fd = c->fcgx.ipcFd;
    if (epoll_ctl(srv->epfd, EPOLL_CTL_MOD, fd, &ev) == 0 ||
        (errno == ENOENT && epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) == 0))
        return true;
    log_error("fcgi: epoll_ctl: %s", strerror(errno));
    return false;
}

/* After FCGX_Accept_r failed (it returns -errno): says why when it is more
 * than a lost race for a connection, and pauses rather than spin. */
static void accept_failed(struct fcgi_server *srv, int rc)
{
    if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ECONNABORTED || rc == -EINTR ||
        atomic_load(&srv->app->stopping))
        return;
    /* EMFILE and the like: once a second (every thread meets it, for every
     * connection of a flood) */
    static struct log_limit limit = LOG_LIMIT_INIT;
    const struct timespec pause = { 0, 100 * 1000 * 1000 };
    log_error_limited(&limit, "fcgi: accept: %s",
                      rc > -1000 ? strerror(-rc) : "failed");  /* -9999: no errno */
    nanosleep(&pause, NULL);
}

/* libfcgi's FCGX_Accept_r on c: the next request on c's kept connection,
 * or, where c has none (or the web server closed it), on a new connection
 * from the listening socket, which is non-blocking: another thread, or
 * another process sharing the socket, may have taken it. c, or NULL once c
 * is given back. */
static struct fcgi_conn *request_on(struct fcgi_server *srv, struct fcgi_conn *c)
{
    int rc = FCGX_Accept_r(&c->fcgx);
    if (rc >= 0)
        return c;
    conn_put(srv, c);
    accept_failed(srv, rc);
    return NULL;
}

/* The request on a new connection, if one is queued. */
static struct fcgi_conn *accept_new(struct fcgi_server *srv)
{
    struct fcgi_conn *c = conn_take(srv);
    return c ? request_on(srv, c) : NULL;
}

/* What an event from the epoll set brings: a connection with a request
 * read, or NULL. */
static struct fcgi_conn *take_event(struct fcgi_server *srv, const struct epoll_event *ev)
{
    if (ev->data.ptr == &stop_tag)
        return NULL;
    if (ev->data.ptr == &listener_tag) {
        /* while stopping, an inherited socket's queue is left to the
         * process that goes on using it */
        if (atomic_load(&srv->app->stopping) && !srv->owned)
            return NULL;
        return accept_new(srv);
    }
    return request_on(srv, ev->data.ptr);     /* a kept connection became readable */
}

/* Waits for the next request and returns its connection. Once the server
 * is stopping, serves only what was already sent: NULL when none is left. */
static struct fcgi_conn *next_request(struct fcgi_thread *t)
{
    struct fcgi_server *srv = t->srv;
    /* Under load a new connection is usually queued already when the last
     * one closed: accept() first saves waiting in epoll for it. */
    if (t->accept_first && !atomic_load(&srv->app->stopping)) {
        struct fcgi_conn *c = accept_new(srv);
        if (c)
            return c;
    }
    /* While stopping, the stop pipe and the listening socket stay ready
     * (level-triggered) whether or not they bring a request; kept
     * connections fire once. Three events in a row without a request: only
     * those two are left. */
    int fruitless = 0;
    while (!atomic_load(&srv->app->stopping) || fruitless < 3) {
        bool stopping = atomic_load(&srv->app->stopping);
        struct epoll_event ev;
        int n = epoll_wait(srv->epfd, &ev, 1, stopping ? 0 : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            log_error("fcgi: epoll_wait: %s", strerror(errno));
            return NULL;
        }
        if (n == 0)
            return NULL;        /* stopping, and nothing is waiting */
        struct fcgi_conn *c = take_event(srv, &ev);
        if (c)
            return c;
        if (stopping)
            fruitless++;
    }
    return NULL;
}

/* Whether the request's input has been read to its end (the empty STDIN
 * record). The body was read to its length or drained; nginx sends the end
 * record in the same write as the body, so this reads no more from the
 * socket, as a rule. A client that never sends it holds the thread here as
 * it could, more simply, by sending half its parameters: the socket is for
 * the web server only. */
static bool input_read_to_end(FCGX_Stream *in)
{
    return FCGX_HasSeenEOF(in) || FCGX_GetChar(in) == EOF;
}

/* Ends the request, then puts its connection back to wait for the next
 * one, or closes it. Where the input was read to its end, closing is
 * immediate: libfcgi's lingering close (shutdown, then poll and read until
 * the web server closes its side) guards against a TCP reset discarding the
 * answer when unread input is left behind, and none is. It cost three
 * system calls a request and a wait for nginx. */
static void finish_request(struct fcgi_thread *t, struct fcgi_conn *c)
{
    struct fcgi_server *srv = t->srv;
    /* the answer and FCGI_END_REQUEST go out first, whatever the input
     * holds (FCGX_Finish_r closes them again, harmlessly) */
    FCGX_FClose(c->fcgx.err);
    FCGX_FClose(c->fcgx.out);
    bool to_end = input_read_to_end(c->fcgx.in);
    if (!c->fcgx.keepConnection && to_end)
        FCGX_Detach(&c->fcgx);
    FCGX_Finish_r(&c->fcgx);
    t->accept_first = c->fcgx.ipcFd < 0;
    if (c->fcgx.ipcFd < 0) {
        conn_put(srv, c);
    } else if (!to_end) {
        /* kept, but no next request can be read where this one's input
         * was left: closed, lingering */
        FCGX_Free(&c->fcgx, 1);
        conn_put(srv, c);
    } else if (atomic_load(&srv->app->stopping) || !conn_watch(srv, c)) {
        conn_close(srv, c);
    }
}

static void *thread_main(void *arg)
{
    struct fcgi_thread *t = arg;
    struct fcgi_conn *c;
    while ((c = next_request(t))) {
        t->fcgx = &c->fcgx;
        serve(t);
        finish_request(t, c);
        t->fcgx = NULL;
        arena_reset(&t->w->arena);
        resp_reset(&t->resp);
    }
    return NULL;
}

/* Stops the threads once their request in flight is done. SIGTERM alone
 * does not: libfcgi's handler restarts accept(). The stop pipe, ready from
 * now on, wakes every thread waiting in epoll. */
static void stop_threads(struct fcgi_server *srv)
{
    atomic_store(&srv->app->stopping, 1);
    if (write(srv->stop_pipe[1], "x", 1) != 1)
        log_error("fcgi: cannot wake threads: %s", strerror(errno));
    /* New clients cannot find the socket's path any more (it is free for
     * the next server); those already queued are served by the threads
     * before the socket is closed in close_listener. */
    if (srv->created_path && unlink(srv->created_path) == 0)
        srv->created_path = NULL;
}

/* The epoll set the threads share. */
static int open_epoll(struct fcgi_server *srv)
{
    struct epoll_event stop = { .events = EPOLLIN, .data.ptr = &stop_tag };
    if ((srv->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 || watch_listener(srv) != 0 ||
        epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->stop_pipe[0], &stop) != 0) {
        log_error("fcgi: epoll: %s", strerror(errno));
        return 1;
    }
    return 0;
}

/* Descriptors open now (the database's, one per worker, ...), or a guess. */
static long open_descriptors(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 64;
    long n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 2;   /* . and .. (the directory's own descriptor stays counted) */
}

/* Descriptors left for the files, pipes and sockets folio opens while
 * serving (templates, sendmail, webhooks, the batches' connection, ...). */
#define DESCRIPTOR_RESERVE 64

/* The most connections kept open: what the open-file limit leaves, once
 * the workers are made, beside the reserve; at least one per thread. */
static int connection_limit(int threads)
{
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY)
        return 65536;
    long room = (long)files.rlim_cur - open_descriptors() - DESCRIPTOR_RESERVE;
    return room < threads ? threads : room > 65536 ? 65536 : (int)room;
}

/* Closes the connections still open (idle kept ones) and frees them all. */
static void close_conns(struct fcgi_server *srv)
{
    struct fcgi_conn *next;
    for (struct fcgi_conn *c = srv->conns; c; c = next) {
        next = c->next;
        close_at_once(c);
        FCGX_Free(&c->fcgx, 0);     /* whatever libfcgi still holds for it */
        free(c);
    }
    srv->conns = srv->free_conns = NULL;
}

/* Creates the workers and starts the threads. Returns 0, or 1 after
 * logging; threads already started are then left for the caller to stop. */
static int start_threads(struct fcgi_server *srv, struct fcgi_thread *threads, int count)
{
    if (open_epoll(srv) != 0)
        return 1;
    for (int i = 0; i < count; i++) {
        struct fcgi_thread *t = &threads[i];
        t->srv = srv;
        resp_reset(&t->resp);
        if (!(t->w = worker_new(srv->app)))
            return 1;
    }
    srv->conn_limit = connection_limit(count);
    for (int i = 0; i < count; i++) {
        int err = pthread_create(&threads[i].tid, NULL, thread_main, &threads[i]);
        if (err != 0) {
            log_error("fcgi: cannot start a thread: %s", strerror(err));
            return 1;
        }
        threads[i].started = true;
    }
    return 0;
}

static void join_threads(struct fcgi_thread *threads, int count)
{
    for (int i = 0; i < count; i++) {
        if (threads[i].started)
            pthread_join(threads[i].tid, NULL);
        if (threads[i].w)
            worker_free(threads[i].w);
        buf_free(&threads[i].resp.body);
        buf_free(&threads[i].head);
    }
}

int front_fcgi_run(struct app *app)
{
    struct fcgi_server srv = { .app = app, .listen_fd = -1, .stop_pipe = { -1, -1 }, .epfd = -1 };
    sigset_t stop_signals;
    if (signals_block(&stop_signals) != 0)
        return 1;
    int status = open_listener(&srv);
    if (status != 0)
        return status;
    int count = app->cfg.threads > 0 ? app->cfg.threads : config_default_threads(true);
    /* nginx logs every request already: folio's own log only when asked */
    if (access_log_open(app->cfg.access_log, false) != 0) {
        close_listener(&srv);
        return 1;
    }
    struct fcgi_thread *threads = calloc((size_t)count, sizeof *threads);
    errno = 0;
    if (!threads || pipe(srv.stop_pipe) != 0 || FCGX_Init() != 0) {
        log_error("fcgi: cannot start: %s", strerror(errno ? errno : ENOMEM));
        free(threads);
        close_listener(&srv);
        access_log_close();
        return 1;
    }
    pthread_mutex_init(&srv.conns_lock, NULL);
    kept_page_front_free(shared_free);

    status = start_threads(&srv, threads, count);
    if (status == 0) {
        log_info("fcgi: listening on %s with %d threads, up to %d connections", srv.where,
                 count, srv.conn_limit);
        int sig = signals_wait(&stop_signals);
        log_info("fcgi: %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    stop_threads(&srv);
    join_threads(threads, count);
    free(threads);
    close_conns(&srv);
    if (srv.epfd >= 0)
        close(srv.epfd);
    pthread_mutex_destroy(&srv.conns_lock);
    close(srv.stop_pipe[0]);
    close(srv.stop_pipe[1]);
    close_listener(&srv);
    access_log_close();
    if (status == 0)
        log_info("fcgi: stopped");
    return status;
}
