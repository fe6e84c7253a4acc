/* token: `folio token add|list|revoke`, API tokens. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_token(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "folio token: not available in this build yet\n");
    return 1;
}
