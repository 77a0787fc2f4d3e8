/* The workers: HubWorkflowWorkers mod_watchdog callbacks in every httpd
 * child, each of which claims one execution at a time from PostgreSQL
 * (FOR UPDATE SKIP LOCKED, and a lease of HubWorkflowLease seconds) and
 * runs it node by node.  Hosts that share the database share the work;
 * nothing of an execution lives only in a child's memory.
 *
 * Durability: after each node, one transaction writes the checkpoint
 * (executions.context: every finished node's state, see hub_wf_graph.h),
 * ends the node's execution_nodes row and appends its event, and only
 * while this worker still holds the claim.  A worker that dies (its host
 * killed) leaves the execution 'running' with a lease that runs out;
 * the next claim resumes it from the checkpoint, so a finished node never
 * runs again, and the node that was in flight runs again from its start
 * (its execution_nodes row is the same one: one row per node and
 * iteration).
 *
 * While a node runs, the lease is renewed and `requested` read every
 * half second from the outbound call's poll (hub_wf_nodes.c): a stop or
 * cancel aborts the call; otherwise they take effect between nodes.
 * Debug mode pauses (status 'paused', the claim let go) before each node
 * until a resume names it in context.debug_release. */
#include <unistd.h>
#include <apr_strings.h>
#include <apr_portable.h>
#include <apr_thread_proc.h>
#include <apr_network_io.h>
#include "hub_workflows_private.h"
#include "hub_wf_engine.h"
#include "hub_http.h"
#include "hub_json.h"
#include "hub_watchdog.h"

#define POLL_EVERY  apr_time_from_msec(500) /* lease renewal during a node */
#define TICK_BUDGET apr_time_from_sec(2) /* executions run per tick, at most */

typedef struct {
    apr_pool_t *p;
    server_rec *s;
    const char *id, *tenant, *me;
    int mock, debug;
    json_t *input, *state;
    hub_wf_graph_t *g;
    const char *requested; /* the last seen */
    int lost;              /* the claim is no longer ours */
    apr_time_t polled;
} job_t;

/* ---- the database, a connection per step --------------------------------
 * (held only while a statement runs: a node may take minutes, and a
 * child that exits waits for the connections its threads hold) */

static hub_db_status_e select_one(job_t *j, int st, int nargs,
                                  const char **args, hub_rows_t **rows)
{
    ap_dbd_t *dbd = hub_db_open(j->p, j->s);
    hub_db_status_e rc;
    if (!dbd) {
        return HUB_DB_UNAVAILABLE;
    }
    rc = hub_db_select_on(j->p, j->s, dbd, HUB_WF_STMT(st), rows, nargs, args);
    hub_db_close(j->s, dbd);
    return rc;
}

static hub_db_status_e event_on(job_t *j, ap_dbd_t *dbd, const char *type,
                                json_t *data)
{
    const char *args[4] = { j->tenant, j->id, type,
                            data ? hub_json_text(j->p, data) : "{}" };
    hub_rows_t *rows;
    hub_db_status_e rc = hub_db_select_on(j->p, j->s, dbd,
                                          HUB_WF_STMT(HUB_WF_ST_EVENT), &rows,
                                          4, args);
    json_decref(data);
    return rc;
}

static void event(job_t *j, const char *type, json_t *data)
{
    ap_dbd_t *dbd = hub_db_open(j->p, j->s);
    if (dbd) {
        event_on(j, dbd, type, data);
        hub_db_close(j->s, dbd);
    }
    else {
        json_decref(data);
    }
}

static int begin(job_t *j, ap_dbd_t *dbd, apr_dbd_transaction_t **t)
{
    *t = NULL;
    return apr_dbd_transaction_start(dbd->driver, j->p, dbd->handle, t);
}

static void end(job_t *j, ap_dbd_t *dbd, apr_dbd_transaction_t *t, int ok)
{
    if (!ok) {
        apr_dbd_transaction_mode_set(dbd->driver, t,
                                     APR_DBD_TRANSACTION_ROLLBACK);
    }
    apr_dbd_transaction_end(dbd->driver, j->p, t);
}

static double progress(const job_t *j)
{
    json_t *nodes = json_object_get(j->state, "nodes"), *v;
    const char *k;
    int done = 0;
    json_object_foreach(nodes, k, v) {
        done++;
    }
    return j->g && j->g->nnodes ? (double)done / j->g->nnodes : 0;
}

/* Let the claim go with the execution in `status`, and say so. */
static void release(job_t *j, const char *status, json_t *output,
                    const char *error, const char *type, json_t *data)
{
    ap_dbd_t *dbd = hub_db_open(j->p, j->s);
    apr_dbd_transaction_t *t;
    const char *args[8];
    int n = 0;
    if (!dbd) {
        json_decref(data);
        return; /* the lease runs out; another claim finishes it */
    }
    args[0] = status;
    args[1] = hub_json_text(j->p, j->state);
    args[2] = output ? hub_json_text(j->p, output) : NULL;
    args[3] = error;
    args[4] = status;
    args[5] = status;
    args[6] = j->id;
    args[7] = j->me;
    begin(j, dbd, &t);
    if (hub_db_exec_on(j->p, j->s, dbd, HUB_WF_STMT(HUB_WF_ST_RELEASE), &n, 8,
                       args)
            == HUB_DB_OK
        && n == 1) {
        event_on(j, dbd, type, data);
        data = NULL;
    }
    end(j, dbd, t, n == 1);
    hub_db_close(j->s, dbd);
    json_decref(data);
}

/* Carry out what a caller asked for: 1 when the run ends here. */
static int obey(job_t *j)
{
    if (j->lost) {
        return 1;
    }
    if (!j->requested) {
        return 0;
    }
    if (!strcmp(j->requested, "cancel")) {
        release(j, "cancelled", NULL, NULL, "execution.cancelled", NULL);
    }
    else {
        release(j, "stopped", NULL, NULL, "execution.stopped", NULL);
    }
    return 1;
}

/* The lease renewed and `requested` read, at most every POLL_EVERY: the
 * node runner's abort check. */
static int aborted(void *baton)
{
    job_t *j = baton;
    const char *args[3];
    hub_rows_t *rows;
    if (j->lost || j->requested) {
        return 1;
    }
    if (apr_time_now() - j->polled < POLL_EVERY) {
        return 0;
    }
    j->polled = apr_time_now();
    args[0] = apr_itoa(j->p, hub_wf_lease());
    args[1] = j->id;
    args[2] = j->me;
    if (select_one(j, HUB_WF_ST_RENEW, 3, args, &rows) != HUB_DB_OK) {
        return 0; /* the database away: the node goes on */
    }
    if (!rows->rows->nelts) {
        j->lost = 1;
        return 1;
    }
    j->requested = hub_rows_get(rows, 0, "requested");
    return j->requested != NULL;
}

/* Begin node i's run: 0 when it may run, else the run ends here. */
static int node_begin(job_t *j, int i, int iteration, const json_t *input)
{
    const hub_wf_node_t *n = &j->g->nodes[i];
    const char *args[6];
    hub_rows_t *rows;
    args[0] = apr_ltoa(j->p, hub_wf_lease() + hub_wf_node_timeout_ms(n) / 1000);
    args[1] = j->id;
    args[2] = j->me;
    args[3] = n->id;
    args[4] = apr_itoa(j->p, iteration);
    args[5] = hub_json_text(j->p, input);
    if (select_one(j, HUB_WF_ST_NODE_START, 6, args, &rows) != HUB_DB_OK) {
        return -1; /* the lease runs out; a later claim goes on */
    }
    if (!rows->rows->nelts) {
        j->lost = 1;
        return -1;
    }
    j->requested = hub_rows_get(rows, 0, "requested");
    if (j->requested) {
        return obey(j) ? -1 : 0;
    }
    if (!hub_rows_get(rows, 0, "node_row")) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, j->s,
                     "HUB01000: execution %s: node %s (iteration %d) is "
                     "finished but its checkpoint says not",
                     j->id, n->id, iteration);
        return -1;
    }
    j->polled = apr_time_now();
    event(j, "node.started",
          json_pack("{s:s,s:s,s:i}", "node_id", n->id, "type",
                    hub_wf_kind_name(n->kind), "iteration", iteration));
    return 0;
}

static void node_args(job_t *j, const hub_wf_run_t *run, int iteration,
                      apr_interval_time_t took, const char *status,
                      const char **args)
{
    args[0] = status;
    args[1] = run->output ? hub_json_text(j->p, run->output) : NULL;
    args[2] = run->error;
    args[3] = apr_ltoa(j->p, (long)apr_time_as_msec(took));
    args[4] = apr_itoa(j->p, run->retries);
    args[5] = j->id;
    args[6] = j->g->nodes[run->node].id;
    args[7] = apr_itoa(j->p, iteration);
}

/* The checkpoint after node run->node: its state (already applied to
 * j->state), its row, its event, in one transaction, while the claim is
 * ours.  0, or -1 when the run ends here. */
static int checkpoint(job_t *j, const hub_wf_run_t *run, int iteration,
                      apr_interval_time_t took)
{
    ap_dbd_t *dbd = hub_db_open(j->p, j->s);
    apr_dbd_transaction_t *t;
    const char *args[8], *cargs[4];
    const hub_wf_node_t *n = &j->g->nodes[run->node];
    hub_rows_t *rows;
    int ok = 0;
    json_t *data;

    if (!dbd) {
        return -1;
    }
    cargs[0] = hub_json_text(j->p, j->state);
    cargs[1] = apr_psprintf(j->p, "%.4f", progress(j));
    cargs[2] = j->id;
    cargs[3] = j->me;
    node_args(j, run, iteration, took, run->status, args);
    data = json_pack("{s:s,s:s,s:i,s:I,s:i}", "node_id", n->id, "status",
                     run->status, "iteration", iteration, "duration_ms",
                     (json_int_t)apr_time_as_msec(took), "retry_count",
                     run->retries);
    if (run->error) {
        json_object_set_new(data, "error", json_string(run->error));
    }
    if (run->branch) {
        json_object_set_new(data, "branch", json_string(run->branch));
    }
    begin(j, dbd, &t);
    if (hub_db_select_on(j->p, j->s, dbd, HUB_WF_STMT(HUB_WF_ST_CHECKPOINT),
                         &rows, 4, cargs)
            == HUB_DB_OK
        && rows->rows->nelts == 1) {
        j->requested = hub_rows_get(rows, 0, "requested");
        if (hub_db_exec_on(j->p, j->s, dbd, HUB_WF_STMT(HUB_WF_ST_NODE_END),
                           NULL, 8, args)
            == HUB_DB_OK) {
            ok = event_on(j, dbd,
                          strcmp(run->status, "completed") ? "node.failed"
                                                           : "node.completed",
                          data)
                 == HUB_DB_OK;
            data = NULL; /* event_on took it */
        }
    }
    else {
        j->lost = 1;
    }
    end(j, dbd, t, ok);
    hub_db_close(j->s, dbd);
    json_decref(data);
    return ok ? 0 : -1;
}

/* An aborted node: its row says so; the state is not touched, so a
 * resumed run begins it again. */
static void node_aborted(job_t *j, const hub_wf_run_t *run, int iteration,
                         apr_interval_time_t took)
{
    ap_dbd_t *dbd = hub_db_open(j->p, j->s);
    const char *args[8];
    if (dbd) {
        node_args(j, run, iteration, took, "cancelled", args);
        hub_db_exec_on(j->p, j->s, dbd, HUB_WF_STMT(HUB_WF_ST_NODE_END), NULL,
                       8, args);
        hub_db_close(j->s, dbd);
    }
}

/* Debug mode: 1 when the run pauses before node i. */
static int debug_pause(job_t *j, int i)
{
    const char *id = j->g->nodes[i].id;
    const char *rel = json_string_value(
        json_object_get(j->state, "debug_release"));
    if (rel && !strcmp(rel, id)) {
        json_object_del(j->state, "debug_release");
        json_object_del(j->state, "debug_waiting");
        return 0;
    }
    json_object_del(j->state, "debug_release");
    json_object_set_new(j->state, "debug_waiting", json_string(id));
    release(j, "paused", NULL, NULL, "execution.paused",
            json_pack("{s:s}", "node_id", id));
    return 1;
}

/* One node: 0 to go on, -1 when the run ends (or left this worker). */
static int step(job_t *j, int i)
{
    const hub_wf_node_t *n = &j->g->nodes[i];
    int iteration = hub_wf_runs(j->state, n->id), fatal;
    hub_wf_run_t run;
    apr_time_t t0;
    json_t *input;

    if (j->debug && debug_pause(j, i)) {
        return -1;
    }
    input = hub_json_own(j->p, hub_wf_node_input(j->g, j->state, i, j->input));
    if (node_begin(j, i, iteration, input)) {
        return -1;
    }
    memset(&run, 0, sizeof(run));
    run.p = j->p;
    run.s = j->s;
    run.tenant = j->tenant;
    run.execution = j->id;
    run.mock = j->mock;
    run.g = j->g;
    run.node = i;
    run.state = j->state;
    run.input = input;
    run.ctx = hub_json_own(j->p, hub_wf_context(j->g, j->state, j->input,
                                                n->loop >= 0 ? i : -1));
    run.aborted = aborted;
    run.baton = j;
    t0 = apr_time_now();
    hub_wf_node_run(&run);
    hub_json_own(j->p, run.output);
    if (!strcmp(run.status, "aborted")) {
        node_aborted(j, &run, iteration, apr_time_now() - t0);
        if (!obey(j)) {
            /* not a stop or cancel after all: the lease ran out */
            return -1;
        }
        return -1;
    }
    fatal = hub_wf_apply(j->g, j->state, i, run.status, run.output, run.branch,
                         run.error);
    if (checkpoint(j, &run, iteration, apr_time_now() - t0)) {
        return -1;
    }
    if (fatal) {
        const char *why = apr_psprintf(j->p, "Node '%s' failed: %s", n->id,
                                       run.error ? run.error : "an error");
        release(j, "failed", NULL, why, "execution.failed",
                json_pack("{s:s,s:s}", "node_id", n->id, "error", why));
        return -1;
    }
    return obey(j) ? -1 : 0;
}

static void run_execution(job_t *j, const hub_rows_t *row)
{
    apr_array_header_t *problems = apr_array_make(j->p, 2,
                                                  sizeof(hub_wf_problem_t));
    const char *ctx = hub_rows_get(row, 0, "context");
    const char *input = hub_rows_get(row, 0, "input");
    const char *mode = hub_rows_get(row, 0, "mode");
    json_t *graph = hub_json_own(j->p, json_loads(hub_rows_get(row, 0, "graph"),
                                                  0, NULL));
    int claims = atoi(hub_rows_get(row, 0, "claims"));
    json_t *out;

    j->mock = !strcmp(mode, "mock");
    j->debug = !strcmp(mode, "debug");
    j->input = hub_json_own(j->p,
                            input ? json_loads(input, JSON_DECODE_ANY, NULL)
                                  : json_null());
    j->state = hub_json_own(j->p, ctx ? json_loads(ctx, 0, NULL) : NULL);
    if (!json_object_get(j->state, "nodes")) {
        json_t *fresh = hub_wf_state_new(), *dbg;
        /* keep what a resume wrote there for debug mode */
        if ((dbg = json_object_get(j->state, "debug_release"))) {
            json_object_set(fresh, "debug_release", dbg);
        }
        j->state = hub_json_own(j->p, fresh);
    }
    j->requested = hub_rows_get(row, 0, "requested");
    if (obey(j)) {
        return;
    }
    j->g = graph ? hub_wf_graph_read(j->p, graph, problems) : NULL;
    if (!j->g || hub_wf_validate(j->p, j->g, problems)) {
        const char *why = problems->nelts
                              ? ((hub_wf_problem_t *)problems->elts)[0].message
                              : "the graph is not JSON";
        release(j, "failed", NULL,
                apr_pstrcat(j->p, "Invalid workflow: ", why, NULL),
                "execution.failed", json_pack("{s:s}", "error", why));
        return;
    }
    event(j, claims > 1 ? "execution.resumed" : "execution.started",
          json_pack("{s:s,s:i}", "mode", mode, "claims", claims));
    /* each node's work in a pool of its own: a long run's strings (the
     * checkpoint's text, node after node) do not pile up */
    for (;;) {
        apr_pool_t *keep = j->p, *sp;
        apr_array_header_t *ready;
        int rc = 0, any;
        apr_pool_create(&sp, keep);
        j->p = sp;
        ready = hub_wf_runnable(sp, j->g, j->state);
        if ((any = ready->nelts)) {
            rc = step(j, ((int *)ready->elts)[0]);
        }
        j->p = keep;
        apr_pool_destroy(sp);
        if (!any) {
            break;
        }
        if (rc) {
            return;
        }
    }
    out = hub_json_own(j->p, hub_wf_result(j->g, j->state));
    release(j, "completed", out, NULL, "execution.completed",
            json_pack("{s:O}", "output", out));
}

/* Claim one execution and run it: 1 when one was claimed. */
static int claim_and_run(apr_pool_t *p, server_rec *s, const char *me)
{
    job_t j;
    const char *args[2] = { me, apr_itoa(p, hub_wf_lease()) };
    hub_rows_t *rows;
    memset(&j, 0, sizeof(j));
    j.p = p;
    j.s = s;
    j.me = me;
    if (select_one(&j, HUB_WF_ST_CLAIM, 2, args, &rows) != HUB_DB_OK
        || !rows->rows->nelts) {
        return 0;
    }
    j.id = hub_rows_get(rows, 0, "id");
    j.tenant = hub_rows_get(rows, 0, "tenant_id");
    run_execution(&j, rows);
    return 1;
}

static apr_status_t tick(int state, void *data, apr_pool_t *pool)
{
    static __thread const char *me;
    server_rec *s = data;
    if (state == AP_WATCHDOG_STATE_RUNNING) {
        apr_time_t until = apr_time_now() + TICK_BUDGET;
        apr_pool_t *p;
        int n;
        if (!me) {
            char host[APRMAXHOSTLEN + 1] = "localhost";
            apr_gethostname(host, sizeof(host), pool);
            me = apr_psprintf(pool, "%s:%d:%lx", host, (int)getpid(),
                              (unsigned long)apr_os_thread_current());
        }
        do {
            apr_pool_create(&p, pool);
            n = claim_and_run(p, s, me);
            apr_pool_destroy(p);
        } while (n && apr_time_now() < until);
    }
    return APR_SUCCESS;
}

int hub_wf_workers_init(apr_pool_t *pconf, server_rec *s)
{
    int i;
    hub_http_global_init();
    for (i = 0; i < hub_wf_workers(); i++) {
        const char *name = apr_psprintf(pconf, "hub-wf-worker-%d", i);
        apr_status_t rv = hub_watchdog(pconf, s, name, 0,
                                       apr_time_from_msec(hub_wf_poll_ms()),
                                       tick);
        if (rv == APR_ENOTIMPL) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                         "HUB01001: mod_watchdog is required to run "
                         "workflows (or set HubWorkflowWorkers 0)");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         "HUB01002: cannot set up workflow worker %d", i);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}
