/* names: the one table of names for each of the store's enumerations, as
 * they are stored and shown. Everything else speaks in the enums. */
#include <string.h>

#include "store/store.h"

static const char *const article_status_names[AS_COUNT] = {
    [AS_DRAFT] = "draft", [AS_PUBLISHED] = "published",
};

static const char *const comment_status_names[CS_COUNT] = {
    [CS_PENDING] = "pending", [CS_APPROVED] = "approved", [CS_SPAM] = "spam", [CS_TRASH] = "trash",
};

static const char *const comment_action_names[CA_COUNT] = {
    [CA_APPROVE] = "approve", [CA_UNAPPROVE] = "unapprove", [CA_SPAM] = "spam",
    [CA_TRASH] = "trash",     [CA_RESTORE] = "restore",     [CA_DELETE] = "delete",
};

/* The index of `name` in names[0..count), or -1. */
static int name_index(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *article_status_name(enum article_status status)
{
    return status < AS_COUNT ? article_status_names[status] : "";
}

bool article_status_parse(const char *name, enum article_status *out)
{
    int i = name_index(article_status_names, AS_COUNT, name);
    if (i >= 0)
        *out = (enum article_status)i;
    return i >= 0;
}

const char *comment_status_name(enum comment_status status)
{
    return status < CS_COUNT ? comment_status_names[status] : "";
}

bool comment_status_parse(const char *name, enum comment_status *out)
{
    int i = name_index(comment_status_names, CS_COUNT, name);
    if (i >= 0)
        *out = (enum comment_status)i;
    return i >= 0;
}

const char *comment_action_name(enum comment_action action)
{
    return action < CA_COUNT ? comment_action_names[action] : "";
}

bool comment_action_parse(const char *name, enum comment_action *out)
{
    int i = name_index(comment_action_names, CA_COUNT, name);
    if (i >= 0)
        *out = (enum comment_action)i;
    return i >= 0;
}
