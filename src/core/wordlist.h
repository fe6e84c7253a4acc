/* wordlist: the --moderation-keys and --disallowed-keys lists: one word or
 * phrase a line, matched anywhere in a text without regard to case. */
#ifndef FOLIO_WORDLIST_H
#define FOLIO_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

struct word_list;

/* Parses text (the contents of a list file): each line, trimmed of white
 * space, is one key; blank lines are skipped. NULL when out of memory.
 * Allocates: free with word_list_free. */
struct word_list *word_list_parse(const char *text, size_t len);
/* Reads and parses a file. On failure returns NULL with "PATH: cause" in
 * err. Allocates: free with word_list_free. */
struct word_list *word_list_load(const char *path, char *err, size_t errlen);
void word_list_free(struct word_list *list);
size_t word_list_count(const struct word_list *list);
/* The first key that occurs in text (ASCII letters compared without case,
 * other bytes exactly), or NULL; a NULL list or text matches nothing. */
const char *word_list_match(const struct word_list *list, const char *text);

#endif
