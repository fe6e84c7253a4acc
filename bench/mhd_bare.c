/* mhd_bare: the ceiling of libmicrohttpd with the options folio's
 * src/front/http.c uses. Answers every request with one body and one set of
 * headers read from files at start (the body is sent from our buffer, no
 * copy; the response object is made per request, as any server must).
 * usage: mhd_bare PORT THREADS HEADERS_FILE BODY_FILE [reuse]
 * HEADERS_FILE: "Name: value" lines (Content-Length and Date are MHD's).
 * With "reuse", one response object, made at start, is queued for every
 * request, as folio serve does for a page from its cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#define MAX_HEADERS 32

static char *body;
static size_t body_len;
static char *names[MAX_HEADERS], *values[MAX_HEADERS];
static int header_count;
static struct MHD_Response *reused;     /* "reuse": made once */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *data;
    if (!f || fstat(fileno(f), &st) != 0 || !(data = malloc((size_t)st.st_size + 1)) ||
        fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        perror(path);
        exit(1);
    }
    fclose(f);
    data[st.st_size] = '\0';
    *len = (size_t)st.st_size;
    return data;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    (void)upload_data_size;
    if (!*con_cls) {            /* first call: headers only */
        *con_cls = conn;
        return MHD_YES;
    }
    if (reused)
        return MHD_queue_response(conn, MHD_HTTP_OK, reused);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
    for (int i = 0; i < header_count; i++)
        MHD_add_response_header(r, names[i], values[i]);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "reuse") == 0)) {
        fprintf(stderr, "usage: mhd_bare PORT THREADS HEADERS_FILE BODY_FILE [reuse]\n");
        return 2;
    }
    size_t hlen;
    char *headers = slurp(argv[3], &hlen);
    body = slurp(argv[4], &body_len);
    for (char *line = strtok(headers, "\r\n"); line && header_count < MAX_HEADERS;
         line = strtok(NULL, "\r\n")) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        names[header_count] = line;
        values[header_count++] = colon + 1 + strspn(colon + 1, " ");
    }
    if (argc == 6) {
        reused = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
        for (int i = 0; reused && i < header_count; i++)
            MHD_add_response_header(reused, names[i], values[i]);
        if (!reused)
            return 1;
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                    : MHD_USE_POLL;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)atoi(argv[1]), NULL, NULL, on_request, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)atoi(argv[2]),
        MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "mhd_bare: cannot start on port %s\n", argv[1]);
        return 1;
    }
    for (;;)
        pause();
}
