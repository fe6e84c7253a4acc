/* codecheck: the code's own rules, checked by ctest on every build (in the
 * spirit of Fossil's tools/codecheck1.c). It reads C the way a reviewer
 * would, not line by line: comments, string literals and calls are told
 * apart, adjacent literals are joined, and a call is followed across lines.
 *
 *   codecheck SRC_DIR
 *
 * The rules (each failure is printed as "file:line: rule: what"):
 *   layer     an #include "x/y.h" may point only to its own folder or to a
 *             lower layer: core < store < pages, admin, notify < app < front
 *             < cli < main.c (pages, admin and notify never include each
 *             other);
 *   library   sqlite3.h (and every sqlite3_ call) only in store/db_sqlite.c,
 *             libpq-fe.h only in store/db_pgsql.c; fcgiapp.h
 *             only in front/fcgi.c; microhttpd.h only in front/http.c;
 *             followed through every header a file includes;
 *   sql       SQL text (a literal that starts like a statement) only in
 *             store/, and never passed to a printf-style call anywhere;
 *   format    printf-style calls take a literal format, except in a
 *             function that forwards its own `fmt`;
 *   raw-html  tv_trusted_html only with a comment on its statement saying
 *             why the HTML is safe;
 *   exit      no exit() or abort() on the request path (core, store, pages,
 *             admin, notify, app, front);
 *   fcgi-printf  no FCGX_FPrintF (its own printf drops %zu);
 *   route     each row of the route table (app/router.c) names the file
 *             that defines its handler, and that file does.
 * A comment "codecheck-ok: REASON" on a line, or on the line before it,
 * exempts that line; the reason is the reviewer's to judge.
 * Exit status: 0 when every rule holds, 1 when one does not, 2 on bad usage. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_FILES 1024
#define MAX_INCLUDES 64

/* ---- the layers ---------------------------------------------------------- */

struct layer {
    const char *dir;    /* folder under src/, or "main.c" */
    int rank;
};

static const struct layer layers[] = {
    {"core", 0}, {"store", 1}, {"pages", 2}, {"admin", 2}, {"notify", 2},
    {"app", 3},  {"front", 4}, {"cli", 5},   {"main.c", 6},
};

/* Folders whose code runs while a request is served. */
static const char *const request_path_dirs[] = {"core",  "store", "pages", "admin",
                                                "notify", "app",  "front"};

/* Calls whose format argument (0-based) is a printf format. */
struct format_call {
    const char *name;
    int format_arg;
};
static const struct format_call format_calls[] = {
    {"printf", 0},       {"fprintf", 1},   {"dprintf", 1},    {"sprintf", 1},
    {"snprintf", 2},     {"vprintf", 0},   {"vfprintf", 1},   {"vsnprintf", 2},
    {"asprintf", 1},     {"vasprintf", 1}, {"buf_printf", 1}, {"buf_vprintf", 1},
    {"arena_printf", 1}, {"log_info", 0},  {"log_error", 0},  {"sqlite3_mprintf", 0},
    {"sqlite3_snprintf", 2},
};

/* Words that start an SQL statement. */
static const char *const sql_openers[] = {
    "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
    "PRAGMA", "WITH",   "BEGIN",  "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "VACUUM",
};

/* ---- files and the tokens read from them --------------------------------- */

enum tok_kind { T_IDENT, T_STRING, T_PUNCT, T_OTHER };

struct token {
    enum tok_kind kind;
    int line;
    char *text;         /* identifiers and punctuation; for strings, the joined contents */
};

struct file {
    char *rel;          /* path under src/, e.g. "core/buf.c" */
    char *text;
    struct token *toks;
    size_t ntoks;
    bool *comment_on_line;      /* [line]: a comment touches this line */
    bool *exempt_on_line;       /* [line]: a "codecheck-ok: reason" comment touches it */
    int nlines;
    char *includes[MAX_INCLUDES];       /* "x/y.h" as written */
    int include_lines[MAX_INCLUDES];
    char *system_includes[MAX_INCLUDES];
    int system_lines[MAX_INCLUDES];
    int ninc, nsys;
};

static struct file files[MAX_FILES];
static size_t nfiles;
static int failures;

static void fail(const struct file *f, int line, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(const struct file *f, int line, const char *rule, const char *fmt, ...)
{
    if (line > 0 && line <= f->nlines && f->exempt_on_line[line]) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "%s:%d: %s: ", f->rel, line, rule);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    failures++;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        perror("codecheck");
        exit(2);
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *read_whole(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "codecheck: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 4096, len = 0;
    char *s = xrealloc(NULL, cap);
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, fp)) > 0) {
        len += n;
        if (cap - len < 2) s = xrealloc(s, cap *= 2);
    }
    fclose(fp);
    s[len] = '\0';
    return s;
}

static void push_token(struct file *f, enum tok_kind kind, int line, char *text)
{
    if ((f->ntoks & 255) == 0) f->toks = xrealloc(f->toks, (f->ntoks + 256) * sizeof *f->toks);
    f->toks[f->ntoks++] = (struct token){kind, line, text};
}

/* A comment from line `from` to `to`, text [s, e). A comment holding
 * "codecheck-ok:" and a reason exempts its lines and the next one. */
static void mark_comment(struct file *f, int from, int to, const char *s, const char *e)
{
    const char *ok = memmem(s, (size_t)(e - s), "codecheck-ok:", 13);
    bool reason = false;
    for (const char *r = ok ? ok + 13 : e; r < e; r++) reason |= isalpha((unsigned char)*r);
    for (int l = from; l <= to && l <= f->nlines; l++) f->comment_on_line[l] = true;
    for (int l = from; reason && l <= to + 1 && l <= f->nlines; l++) f->exempt_on_line[l] = true;
}

/* An #include line: records "x.h" and <x.h> names. */
static void read_directive(struct file *f, const char *p, const char *end, int line)
{
    while (p < end && (*p == '#' || *p == ' ' || *p == '\t')) p++;
    if (strncmp(p, "include", 7) != 0) return;
    p += 7;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    char close = *p == '"' ? '"' : *p == '<' ? '>' : 0;
    if (!close) return;
    const char *name = ++p;
    while (p < end && *p != close) p++;
    if (close == '"' && f->ninc < MAX_INCLUDES) {
        f->include_lines[f->ninc] = line;
        f->includes[f->ninc++] = xstrndup(name, (size_t)(p - name));
    } else if (close == '>' && f->nsys < MAX_INCLUDES) {
        f->system_lines[f->nsys] = line;
        f->system_includes[f->nsys++] = xstrndup(name, (size_t)(p - name));
    }
}

/* The contents of the string literal starting at *pp (at its quote),
 * escapes kept as written; *pp moves past the closing quote. */
static char *read_string(const char **pp, int *line)
{
    const char *p = *pp + 1, *start = p;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) p++;
        if (*p == '\n') (*line)++;
        p++;
    }
    char *s = xstrndup(start, (size_t)(p - start));
    *pp = *p ? p + 1 : p;
    return s;
}

/* Splits the file into tokens, joining adjacent string literals (so that
 * "SELECT a " "FROM b" over two lines is one SQL text). */
static void tokenize(struct file *f)
{
    f->nlines = 1;
    for (const char *q = f->text; *q; q++) f->nlines += *q == '\n';
    f->comment_on_line = xrealloc(NULL, (size_t)(f->nlines + 2) * sizeof(bool));
    memset(f->comment_on_line, 0, (size_t)(f->nlines + 2) * sizeof(bool));
    f->exempt_on_line = xrealloc(NULL, (size_t)(f->nlines + 2) * sizeof(bool));
    memset(f->exempt_on_line, 0, (size_t)(f->nlines + 2) * sizeof(bool));

    const char *p = f->text;
    int line = 1;
    bool line_start = true;
    while (*p) {
        if (*p == '\n') { line++; p++; line_start = true; continue; }
        if (isspace((unsigned char)*p)) { p++; continue; }
        if (line_start && *p == '#') {     /* a directive, with its continuations */
            const char *s = p;
            int first = line;
            while (*p && !(*p == '\n' && p[-1] != '\\')) { if (*p == '\n') line++; p++; }
            read_directive(f, s, p, first);
            continue;
        }
        line_start = false;
        if (p[0] == '/' && p[1] == '*') {
            int from = line;
            const char *s = p;
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) { if (*p == '\n') line++; p++; }
            if (*p) p += 2;
            mark_comment(f, from, line, s, p);
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            const char *s = p;
            while (*p && *p != '\n') p++;
            mark_comment(f, line, line, s, p);
            continue;
        }
        if (*p == '"') {
            int at = line;
            char *s = read_string(&p, &line);
            if (f->ntoks && f->toks[f->ntoks - 1].kind == T_STRING) {   /* "a" "b" */
                struct token *prev = &f->toks[f->ntoks - 1];
                size_t a = strlen(prev->text), b = strlen(s);
                prev->text = xrealloc(prev->text, a + b + 1);
                memcpy(prev->text + a, s, b + 1);
                free(s);
            } else {
                push_token(f, T_STRING, at, s);
            }
            continue;
        }
        if (*p == '\'') {
            const char *s = p++;
            while (*p && *p != '\'') { if (*p == '\\' && p[1]) p++; p++; }
            if (*p) p++;
            push_token(f, T_OTHER, line, xstrndup(s, (size_t)(p - s)));
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_') p++;
            push_token(f, T_IDENT, line, xstrndup(s, (size_t)(p - s)));
            continue;
        }
        if (isdigit((unsigned char)*p)) {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '.' || *p == '_') p++;
            push_token(f, T_OTHER, line, xstrndup(s, (size_t)(p - s)));
            continue;
        }
        push_token(f, T_PUNCT, line, xstrndup(p, 1));
        p++;
    }
}

/* ---- walking the tree ------------------------------------------------------ */

static void add_file(const char *root, const char *rel)
{
    if (nfiles == MAX_FILES) {
        fprintf(stderr, "codecheck: more than %d files\n", MAX_FILES);
        exit(2);
    }
    char path[8192];
    if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path) {
        fprintf(stderr, "codecheck: path too long: %s/%s\n", root, rel);
        exit(2);
    }
    struct file *f = &files[nfiles++];
    memset(f, 0, sizeof *f);
    f->rel = strdup(rel);
    f->text = read_whole(path);
    tokenize(f);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "codecheck: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    char *names[MAX_FILES];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);   /* a stable report order */
    for (size_t i = 0; i < n; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(root, sub);
        } else {
            size_t len = strlen(sub);
            if (len > 2 && sub[len - 2] == '.' && (sub[len - 1] == 'c' || sub[len - 1] == 'h'))
                add_file(root, sub);
        }
        free(names[i]);
    }
}

static struct file *find_file(const char *rel)
{
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i].rel, rel) == 0) return &files[i];
    return NULL;
}

/* The layer of a path under src/, or NULL. */
static const struct layer *layer_of(const char *rel)
{
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        size_t n = strlen(layers[i].dir);
        if (strncmp(rel, layers[i].dir, n) == 0 && (rel[n] == '/' || rel[n] == '\0'))
            return &layers[i];
    }
    return NULL;
}

static bool in_dir(const char *rel, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(rel, dir, n) == 0 && rel[n] == '/';
}

/* ---- the rules --------------------------------------------------------------- */

static void check_layers(const struct file *f)
{
    const struct layer *own = layer_of(f->rel);
    if (!own) {
        fail(f, 1, "layer", "file outside every known layer (add it to codecheck's table)");
        return;
    }
    for (int i = 0; i < f->ninc; i++) {
        const struct layer *to = layer_of(f->includes[i]);
        if (!to) continue;      /* a header of the folder's own, by a relative name */
        bool same = strcmp(own->dir, to->dir) == 0;
        if (!same && to->rank >= own->rank)
            fail(f, f->include_lines[i], "layer", "%s (%s) may not include %s (%s): includes go "
                 "downward only", f->rel, own->dir, f->includes[i], to->dir);
    }
}

/* Which library headers a file reaches, itself or through its includes. */
static void reach_libraries(const struct file *f, int depth, const struct file *seen[],
                            const char **found, size_t nfound_max, size_t *nfound)
{
    if (depth > 32) return;
    for (int d = 0; d < depth; d++) if (seen[d] == f) return;
    seen[depth] = f;
    for (int i = 0; i < f->nsys; i++)
        if (*nfound < nfound_max) found[(*nfound)++] = f->system_includes[i];
    for (int i = 0; i < f->ninc; i++) {
        const struct file *g = find_file(f->includes[i]);
        if (g) reach_libraries(g, depth + 1, seen, found, nfound_max, nfound);
    }
}

struct library_rule {
    const char *header;
    const char *allowed;        /* a folder ("store/") or one file */
};
static const struct library_rule library_rules[] = {
    /* the drivers (store/driver.h): the rest of the store is engine-neutral */
    {"sqlite3.h", "store/db_sqlite.c"},
    {"libpq-fe.h", "store/db_pgsql.c"},
    {"fcgiapp.h", "front/fcgi.c"},
    {"fcgi_stdio.h", "front/fcgi.c"},
    {"microhttpd.h", "front/http.c"},
};

static bool allowed_here(const char *rel, const char *allowed)
{
    size_t n = strlen(allowed);
    return allowed[n - 1] == '/' ? strncmp(rel, allowed, n) == 0 : strcmp(rel, allowed) == 0;
}

/* True when `header` is among the library headers g reaches. */
static bool reaches(const struct file *g, const char *header)
{
    const struct file *seen[40];
    const char *found[512];
    size_t nfound = 0;
    reach_libraries(g, 0, seen, found, 512, &nfound);
    for (size_t i = 0; i < nfound; i++)
        if (strcmp(found[i], header) == 0) return true;
    return false;
}

/* Reports the #include line through which f reaches a library header it
 * may not use. */
static void check_libraries(const struct file *f)
{
    for (size_t r = 0; r < sizeof library_rules / sizeof *library_rules; r++) {
        const struct library_rule *rule = &library_rules[r];
        if (allowed_here(f->rel, rule->allowed)) continue;
        for (int i = 0; i < f->nsys; i++)
            if (strcmp(f->system_includes[i], rule->header) == 0)
                fail(f, f->system_lines[i], "library", "includes %s; only %s may",
                     rule->header, rule->allowed);
        for (int i = 0; i < f->ninc; i++) {
            const struct file *g = find_file(f->includes[i]);
            if (g && reaches(g, rule->header))
                fail(f, f->include_lines[i], "library", "reaches %s through %s; only %s may",
                     rule->header, f->includes[i], rule->allowed);
        }
    }
    if (!allowed_here(f->rel, "store/db_sqlite.c"))
        for (size_t t = 0; t < f->ntoks; t++)
            if (f->toks[t].kind == T_IDENT && strncmp(f->toks[t].text, "sqlite3_", 8) == 0) {
                fail(f, f->toks[t].line, "library", "%s outside store/db_sqlite.c",
                     f->toks[t].text);
                break;
            }
}

static bool looks_like_sql(const char *s)
{
    while (*s == ' ' || *s == '\t' || (s[0] == '\\' && s[1] == 'n' && s++)) s++;
    for (size_t i = 0; i < sizeof sql_openers / sizeof *sql_openers; i++) {
        size_t n = strlen(sql_openers[i]);
        /* folio writes SQL keywords in capitals; "Delete permanently" is a label */
        if (strncmp(s, sql_openers[i], n) == 0 && (s[n] == ' ' || s[n] == '\\' || s[n] == '('))
            return true;
    }
    return false;
}

/* Index of the token closing the parenthesis opened at `open`. */
static size_t matching_paren(const struct file *f, size_t open)
{
    int depth = 0;
    for (size_t t = open; t < f->ntoks; t++) {
        if (f->toks[t].kind != T_PUNCT) continue;
        char c = f->toks[t].text[0];
        if (c == '(' || c == '[' || c == '{') depth++;
        if (c == ')' || c == ']' || c == '}') if (--depth == 0) return t;
    }
    return f->ntoks;
}

/* The first token of argument `n` of the call whose '(' is at `open`, and
 * its end (exclusive); false when the call has fewer arguments. */
static bool call_argument(const struct file *f, size_t open, int n, size_t *from, size_t *to)
{
    size_t close = matching_paren(f, open);
    int depth = 0, arg = 0;
    size_t start = open + 1;
    for (size_t t = open + 1; t <= close && t < f->ntoks; t++) {
        const struct token *k = &f->toks[t];
        if (k->kind == T_PUNCT) {
            char c = k->text[0];
            if (c == '(' || c == '[' || c == '{') depth++;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
            else if ((c == ',' && depth == 0) || t == close) {
                if (arg == n) {
                    *from = start;
                    *to = t;
                    return t > start;
                }
                arg++;
                start = t + 1;
            }
        }
    }
    return false;
}

/* True when the function around token t declares a parameter named fmt
 * (a printf-style wrapper forwards its own format). */
static bool inside_format_wrapper(const struct file *f, size_t t)
{
    int depth = 0;
    for (size_t i = t; i-- > 0;) {
        const struct token *k = &f->toks[i];
        if (k->kind != T_PUNCT) continue;
        if (k->text[0] == '}') depth++;
        if (k->text[0] == '{' && depth-- == 0) {
            /* the body's brace: its parameter list ends just before it */
            for (size_t j = i; j-- > 0 && f->toks[j].text[0] != ';' && f->toks[j].text[0] != '}';)
                if (f->toks[j].kind == T_IDENT && strcmp(f->toks[j].text, "fmt") == 0) return true;
            return false;
        }
    }
    return false;
}

static const struct format_call *format_call_named(const char *name)
{
    for (size_t i = 0; i < sizeof format_calls / sizeof *format_calls; i++)
        if (strcmp(format_calls[i].name, name) == 0) return &format_calls[i];
    return NULL;
}

static bool is_call(const struct file *f, size_t t)
{
    return f->toks[t].kind == T_IDENT && t + 1 < f->ntoks && f->toks[t + 1].kind == T_PUNCT &&
           f->toks[t + 1].text[0] == '(';
}

static bool is_declaration(const struct file *f, size_t t)
{
    /* "int printf(" or "void log_info(": a type name or '*' just before */
    return t > 0 && (f->toks[t - 1].kind == T_IDENT || f->toks[t - 1].text[0] == '*') &&
           strcmp(f->toks[t - 1].text, "return") != 0;
}

static void check_calls(const struct file *f)
{
    bool store = in_dir(f->rel, "store");
    bool request_path = false;
    for (size_t i = 0; i < sizeof request_path_dirs / sizeof *request_path_dirs; i++)
        request_path |= in_dir(f->rel, request_path_dirs[i]);

    for (size_t t = 0; t < f->ntoks; t++) {
        const struct token *k = &f->toks[t];
        if (k->kind == T_STRING && looks_like_sql(k->text) && !store)
            fail(f, k->line, "sql", "SQL text outside store/: \"%.40s\"", k->text);
        if (!is_call(f, t) || is_declaration(f, t)) continue;

        if (strcmp(k->text, "FCGX_FPrintF") == 0 || strcmp(k->text, "FCGX_VFPrintF") == 0)
            fail(f, k->line, "fcgi-printf", "%s mishandles %%zu: snprintf, then FCGX_PutStr",
                 k->text);
        if (request_path && (strcmp(k->text, "exit") == 0 || strcmp(k->text, "abort") == 0))
            fail(f, k->line, "exit", "%s() on the request path: return an error instead", k->text);
        if (strcmp(k->text, "tv_trusted_html") == 0 && strcmp(f->rel, "core/template.c") != 0) {
            int last = f->toks[matching_paren(f, t + 1) < f->ntoks ? matching_paren(f, t + 1)
                                                                    : t].line;
            bool reason = false;
            for (int l = k->line - 1; l <= last; l++) reason |= l > 0 && f->comment_on_line[l];
            if (!reason)
                fail(f, k->line, "raw-html", "tv_trusted_html without a comment saying why "
                     "the HTML is safe");
        }

        const struct format_call *fc = format_call_named(k->text);
        if (!fc) continue;
        size_t from, to;
        if (!call_argument(f, t + 1, fc->format_arg, &from, &to)) continue;
        bool literal = to == from + 1 && f->toks[from].kind == T_STRING;
        bool forwarded = to == from + 1 && f->toks[from].kind == T_IDENT &&
                         strcmp(f->toks[from].text, "fmt") == 0 && inside_format_wrapper(f, t);
        if (!literal && !forwarded)
            fail(f, k->line, "format", "%s with a format that is not a literal", k->text);
        /* SQL anywhere among its arguments is SQL built by formatting */
        size_t close = matching_paren(f, t + 1);
        for (size_t a = t + 2; a < close; a++)
            if (f->toks[a].kind == T_STRING && looks_like_sql(f->toks[a].text)) {
                fail(f, f->toks[a].line, "sql", "SQL built with %s: bind parameters instead",
                     k->text);
                break;
            }
    }
}

/* True when f defines `int name(`. */
static bool defines_handler(const struct file *f, const char *name)
{
    for (size_t t = 1; t + 1 < f->ntoks; t++)
        if (f->toks[t].kind == T_IDENT && strcmp(f->toks[t].text, name) == 0 &&
            strcmp(f->toks[t - 1].text, "int") == 0 && f->toks[t + 1].text[0] == '(')
            return true;
    return false;
}

/* The route table's rows: { methods, "pattern", handler, flags, "file" }. */
static void check_route_table(const struct file *f)
{
    for (size_t t = 0; t + 1 < f->ntoks; t++) {
        if (f->toks[t].kind != T_PUNCT || f->toks[t].text[0] != '{') continue;
        size_t close = matching_paren(f, t), from, to, last_from, last_to;
        if (close >= f->ntoks) continue;
        int args = 0;
        while (call_argument(f, t, args, &last_from, &last_to)) args++;
        if (args != 5 || !call_argument(f, t, 4, &last_from, &last_to) ||
            f->toks[last_from].kind != T_STRING || !strstr(f->toks[last_from].text, ".c"))
            continue;
        call_argument(f, t, 2, &from, &to);
        const char *handler = f->toks[from].text, *where = f->toks[last_from].text;
        const struct file *g = find_file(where);
        if (!g)
            fail(f, f->toks[t].line, "route", "%s: no file %s", handler, where);
        else if (!defines_handler(g, handler))
            fail(f, f->toks[t].line, "route", "%s is not defined in %s", handler, where);
        t = close;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: codecheck SRC_DIR\n");
        return 2;
    }
    walk(argv[1], "");
    if (nfiles == 0) {
        fprintf(stderr, "codecheck: no .c or .h files under %s\n", argv[1]);
        return 2;
    }
    for (size_t i = 0; i < nfiles; i++) {
        check_layers(&files[i]);
        check_libraries(&files[i]);
        check_calls(&files[i]);
        if (strcmp(files[i].rel, "app/router.c") == 0)
            check_route_table(&files[i]);
    }
    if (failures) {
        printf("codecheck: %d rule%s broken in %zu files\n", failures, failures == 1 ? "" : "s",
               nfiles);
        return 1;
    }
    printf("codecheck: all rules hold in %zu files\n", nfiles);
    return 0;
}
