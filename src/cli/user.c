/* user: `folio user add|passwd|del|list`, the editors. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_user(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "folio user: not available in this build yet\n");
    return 1;
}
