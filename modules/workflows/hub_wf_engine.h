/* The workflow engine's parts inside httpd: its settings (hub_wf_config.c),
 * its statements (hub_wf_store.c), the node runners (hub_wf_nodes.c) and
 * the workers (hub_wf_worker.c).  See hub_wf_graph.h for the graph and
 * its scheduler, which know nothing of httpd. */
#ifndef HUB_WF_ENGINE_H
#define HUB_WF_ENGINE_H

#include <httpd.h>
#include <http_config.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <jansson.h>
#include "hub_db.h"
#include "hub_wf_graph.h"

/* ---- hub_wf_config.c: HubWorkflow* (server config, main server only:
 * the workers serve every virtual host of the httpd) ----------------- */
extern const command_rec hub_wf_cmds[];
int hub_wf_workers(void);      /* HubWorkflowWorkers, per child: 2 */
int hub_wf_lease(void);        /* HubWorkflowLease, seconds: 30 */
int hub_wf_poll_ms(void);      /* HubWorkflowPoll, ms: 200 */
int hub_wf_node_timeout(void); /* HubWorkflowNodeTimeout, seconds: 30 */
/* how a config pass starts: every directive unset again */
void hub_wf_config_reset(void);

/* ---- hub_wf_store.c: the SQL over workflows and executions ---------- */
extern const hub_stmt_t hub_wf_store_stmts[];
enum {
    HUB_WF_ST_LIST = 0,
    HUB_WF_ST_GET,
    HUB_WF_ST_INSERT,
    HUB_WF_ST_UPDATE,
    HUB_WF_ST_DELETE,
    HUB_WF_ST_RUN,
    HUB_WF_ST_EX_LIST,
    HUB_WF_ST_EX_GET,
    HUB_WF_ST_EX_LOGS,
    HUB_WF_ST_EX_STOP,
    HUB_WF_ST_EX_RESUME,
    HUB_WF_ST_EVENT,
    HUB_WF_ST_CLAIM,
    HUB_WF_ST_NODE_START,
    HUB_WF_ST_NODE_END,
    HUB_WF_ST_CHECKPOINT,
    HUB_WF_ST_RELEASE,
    HUB_WF_ST_RENEW,
    HUB_WF_ST_G4F_LIST,
    HUB_WF_ST_G4F_INSERT,
    HUB_WF_ST_G4F_UPDATE
};
#define HUB_WF_STMT(i) (&hub_wf_store_stmts[i])

/* ---- hub_wf_nodes.c: one node's run --------------------------------- */
typedef struct hub_wf_run {
    /* in */
    apr_pool_t *p;
    server_rec *s;
    const char *tenant, *execution;
    int mock;
    const hub_wf_graph_t *g;
    int node;
    const json_t *state, *input; /* the checkpoint, the node's input */
    json_t *ctx;                 /* hub_wf_context of the node */
    /* polled during outbound calls and waits: nonzero stops them */
    int (*aborted)(void *baton);
    void *baton;
    /* out */
    const char *status; /* "completed", "failed" or "aborted" */
    json_t *output;     /* owned by the caller (a reference) */
    const char *branch, *error;
    int retries; /* attempts after the first */
} hub_wf_run_t;

/* Run node run->node, with its retries, timeout and backoff. */
void hub_wf_node_run(hub_wf_run_t *run);
/* The node's data.timeout in ms (HubWorkflowNodeTimeout by default). */
long hub_wf_node_timeout_ms(const hub_wf_node_t *n);

/* The agent node's call to an LLM in full mode: the one function the
 * LLM client (hub_wf_llm.h, another part of this module) plugs into.
 * 0 with *output, or -1 with *error. */
int hub_wf_node_agent_full(hub_wf_run_t *run, const char *model,
                           const char *system_prompt, const char *prompt,
                           json_t **output, const char **error);

/* ---- hub_workflows_toolhub.c: the one way a run begins --------------- */
struct hub_req;
/* A pending execution of the workflow in row 0 of wf (hub_wf_get's or a
 * statement with the same columns), after validating its graph: 0 with
 * *ex (id, status, workflow_id); else -1 with *invalid the problems (a
 * 400 for the caller to word) or, when *invalid is NULL, the database's
 * error already in res. */
int hub_wf_run_start(struct hub_req *hr, hub_result_t *res,
                     const hub_rows_t *wf, const char *mode, const char *input,
                     hub_rows_t **ex, const char **invalid);

/* ---- hub_wf_worker.c: the workers on mod_watchdog ------------------- */
int hub_wf_workers_init(apr_pool_t *pconf, server_rec *s);

#endif
