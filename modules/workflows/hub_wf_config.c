/* The engine's directives.  They are the main server's only (a worker
 * claims executions of every tenant, whatever virtual host created
 * them), so they live in this file's statics, reset at the start of each
 * configuration pass; the defaults are applied in the getters only. */
#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include "hub_route.h"
#include "hub_workflows_private.h"
#include "hub_wf_engine.h"

#define UNSET (-1)

static int workers = UNSET, lease = UNSET, poll_ms = UNSET,
           node_timeout = UNSET;

void hub_wf_config_reset(void)
{
    workers = lease = poll_ms = node_timeout = UNSET;
}

int hub_wf_workers(void)
{
    return workers == UNSET ? 2 : workers;
}

int hub_wf_lease(void)
{
    return lease == UNSET ? 30 : lease;
}

int hub_wf_poll_ms(void)
{
    return poll_ms == UNSET ? 200 : poll_ms;
}

int hub_wf_node_timeout(void)
{
    return node_timeout == UNSET ? 30 : node_timeout;
}

static const char *set_int(cmd_parms *cmd, void *dummy HUB_UNUSED,
                           const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    long min = 1, max = 3600, v;
    char *end;
    int *slot = (int *)cmd->info;
    if (err) {
        return err;
    }
    if (slot == &workers) {
        min = 0;
        max = 64;
    }
    else if (slot == &poll_ms) {
        min = 100;
        max = 60000;
    }
    v = strtol(arg, &end, 10);
    if (*end || end == arg || v < min || v > max) {
        return apr_psprintf(cmd->pool, "%s must be an integer from %ld to %ld",
                            cmd->cmd->name, min, max);
    }
    *slot = (int)v;
    return NULL;
}

/* clang-format off */
const command_rec hub_wf_cmds[] = {
    AP_INIT_TAKE1("HubWorkflowWorkers", set_int, &workers, RSRC_CONF,
                  "workflow workers per httpd child (0: none; default 2)"),
    AP_INIT_TAKE1("HubWorkflowLease", set_int, &lease, RSRC_CONF,
                  "seconds an execution stays claimed without a sign of "
                  "life from its worker (default 30)"),
    AP_INIT_TAKE1("HubWorkflowPoll", set_int, &poll_ms, RSRC_CONF,
                  "milliseconds between a worker's looks for work "
                  "(default 200)"),
    AP_INIT_TAKE1("HubWorkflowNodeTimeout", set_int, &node_timeout, RSRC_CONF,
                  "seconds a node may take when its data.timeout says "
                  "nothing (default 30)"),
    /* the G4F session stream's (hub_workflows_stream.c) */
    HUB_WF_STREAM_DIRECTIVES,
    { NULL }
};
/* clang-format on */
