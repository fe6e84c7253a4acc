/* http: request and response helpers shared by both front ends. */
#include "core/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/kept_page.h"

const char *req_header(const struct request *req, const char *lower_name)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, lower_name) == 0)
            return req->headers[i].value;
    return NULL;
}

void resp_header(struct response *resp, const char *name, const char *value)
{
    if (!name || !value || resp->header_count == RESP_MAX_HEADERS)
        return;
    resp->headers[resp->header_count].name = name;
    resp->headers[resp->header_count].value = value;
    resp->header_count++;
}

const char *resp_header_get(const struct response *resp, const char *name)
{
    /* the first letter, either case, before the call: most names differ there */
    unsigned char first = (unsigned char)(name[0] | 0x20);
    for (size_t i = 0; i < resp->header_count; i++) {
        const char *h = resp->headers[i].name;
        if ((unsigned char)(h[0] | 0x20) == first && strcasecmp(h, name) == 0)
            return resp->headers[i].value;
    }
    return NULL;
}

const char *resp_body(const struct response *resp, size_t *len)
{
    if (resp->kept) {
        *len = resp->kept->body_len;
        return resp->kept->body;
    }
    *len = resp->body.len;
    return resp->body.data ? resp->body.data : "";
}

int resp_open_file(const struct response *resp)
{
    size_t root_len = resp->file_root ? strlen(resp->file_root) : 0;
    if (!root_len || strncmp(resp->file_path, resp->file_root, root_len) != 0 ||
        resp->file_path[root_len] != '/') {
        errno = EINVAL;     /* every file the core sends has a root */
        return -1;
    }
    return file_open_beneath(resp->file_root, resp->file_path + root_len + 1);
}

void resp_reset(struct response *resp)
{
    struct buf body = resp->body;
    buf_reset(&body);
    kept_page_release(resp->kept);
    memset(resp, 0, sizeof *resp);
    resp->body = body;
    resp->status = 200;
}

const char *http_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

void http_date(time_t t, char *out, size_t outlen)
{
    /* A served page's Last-Modified is the same time request after
     * request: strftime (a microsecond) runs once for it per thread. */
    static _Thread_local time_t last = -1;
    static _Thread_local char text[32];
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        if (strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
            text[0] = '\0';
        last = t;
    }
    if (outlen == 0)
        return;
    size_t n = strnlen(text, outlen - 1);
    memcpy(out, text, n);
    out[n] = '\0';
}

time_t http_date_parse(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0')
        return -1;
    return timegm(&tm);
}
