/* template: a Mustache subset, parsed once at start-up, that escapes every
 * value by default. The syntax is documented for users in docs/templates.md. */
#ifndef FOLIO_TEMPLATE_H
#define FOLIO_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"

/* ---- values handed to a template (allocated in a request's arena) ---- */

struct tval;

struct tval *tv_obj(struct arena *a);
struct tval *tv_list(struct arena *a);
/* Setters on an object. Strings are not copied: they must outlive the
 * render (arena or static strings). A NULL string leaves the key unset. */
void tv_str(struct tval *obj, const char *key, const char *s);
void tv_int(struct tval *obj, const char *key, long long n);
void tv_bool(struct tval *obj, const char *key, bool b);
void tv_set(struct tval *obj, const char *key, struct tval *child);
/* The one way to hand a template markup that is written without escaping.
 * Only for HTML that folio produced itself from escaped or sanitised input
 * (cmark output with raw HTML disabled, the comment formatter). */
void tv_trusted_html(struct tval *obj, const char *key, const char *html);
/* Appends a new object to a list and returns it (NULL when out of memory). */
struct tval *tv_push_obj(struct tval *list);
void tv_push_str(struct tval *list, const char *s);
/* Appends an existing value to a list. */
void tv_append(struct tval *list, struct tval *item);
/* The value under key in obj (NULL when absent), for adding to it later. */
struct tval *tv_get_child(struct tval *obj, const char *key);
/* How many items a list holds (0 for anything else). */
size_t tv_count(const struct tval *list);

/* ---- templates ---- */

struct tmpl_set;

/* Loads and parses every *.html in dir. On failure returns NULL and writes
 * "FILE:LINE: reason" into err. A partial that includes itself, directly
 * or through others, outside any {{#section}} is refused naming the file. */
struct tmpl_set *tmpl_load_dir(const char *dir, char *err, size_t errlen);
/* Parses one template from memory (for tests); partials resolve within set. */
struct tmpl_set *tmpl_load_strings(const char *const *names, const char *const *sources,
                                   size_t count, char *err, size_t errlen);
void tmpl_free(struct tmpl_set *set);
bool tmpl_exists(const struct tmpl_set *set, const char *name);
/* Renders template `name` (without .html) with `data` into out; false when
 * there is no such template, or the render went past its bound on work
 * (steps and output size; see template.c). */
bool tmpl_render(const struct tmpl_set *set, const char *name, const struct tval *data,
                 struct buf *out);

#endif
