/* The route table of mod_hub_workflows.  Workflows, executions, runs and
 * agents add their rows here in later issues; the foundation registers the
 * empty table so the module is wired into routing from the start. */
#include "hub_workflows_private.h"

/* clang-format off */
const hub_route_t hub_workflows_routes[] = {
    { 0 }
};

const hub_stmt_t hub_workflows_stmts[] = {
    { NULL, NULL }
};
/* clang-format on */
