/* static: files under www/static (nginx serves them itself in production). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "pages/pages.h"

static const struct {
    const char *ext, *type;
} mime_types[] = {
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".gif", "image/gif" },
    { ".webp", "image/webp" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".html", "text/html; charset=utf-8" },
};

static const char *mime_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof mime_types / sizeof mime_types[0]; i++)
        if (strcasecmp(dot, mime_types[i].ext) == 0)
            return mime_types[i].type;
    return "application/octet-stream";
}

/* A path below www/static may not climb out of it, name a hidden file, or
 * hold a backslash; anything else is looked up as it is. */
static bool safe_relative_path(const char *rel)
{
    if (*rel == '\0' || strchr(rel, '\\'))
        return false;
    const char *seg = rel;
    while (seg) {
        if (seg[0] == '.' || seg[0] == '/' || seg[0] == '\0')
            return false;   /* "..", ".", hidden files, empty segments */
        const char *slash = strchr(seg, '/');
        seg = slash ? slash + 1 : NULL;
    }
    return true;
}

int page_static(struct ctx *c)
{
    const char *rel = c->params[0];
    if (!safe_relative_path(rel))
        return fail(c, 404, "There is no such file.");
    const char *root = arena_printf(c->arena, "%s/static", c->app->cfg.www_dir);
    const char *path = arena_printf(c->arena, "%s/%s", root, rel);
    /* No symlink anywhere below www/static is followed, in the directories
     * on the way as in the file itself: a link planted there cannot point
     * the server elsewhere. */
    int fd = root && path ? file_open_beneath(root, rel) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return fail(c, 404, "There is no such file.");
    }
    close(fd);
    c->resp->content_type = mime_type(rel);
    c->resp->file_path = path;
    c->resp->file_root = root;
    c->resp->file_size = (long long)st.st_size;
    c->resp->cacheable = true;
    c->resp->last_modified = st.st_mtime;
    resp_header(c->resp, "ETag", arena_printf(c->arena, "\"%llx-%llx\"",
                                              (unsigned long long)st.st_mtime,
                                              (unsigned long long)st.st_size));
    resp_header(c->resp, "Cache-Control", "public, max-age=3600");
    return 200;
}
