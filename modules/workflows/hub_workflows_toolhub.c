/* Tool Hub's workflows and executions (toolhub-api.md, 12 endpoints):
 *
 *   GET|POST        /api/workflows                 list (limit, offset), create
 *   GET|PUT|DELETE  /api/workflows/:id
 *   POST            /api/workflows/:id/run         {input, mode}
 *   POST            /api/workflows/:id/validate
 *   GET             /api/executions                workflow_id, status, limit, offset
 *   GET             /api/executions/:id            with node_logs
 *   POST            /api/executions/:id/stop, /resume
 *   GET             /api/executions/:id/logs       ?node_id=
 *
 * Decisions where the document is open:
 * - a workflow is stored as it is given (validation is its own call and
 *   is made again by run); the graph is {nodes, edges}.  Every workflow of
 *   the tenant is listed, G4F's project workflows too: one data model.
 * - run answers the document's execution_id and, as Tool Hub's own
 *   implementation and its clients read it, id; 400 INVALID_WORKFLOW
 *   naming every problem when the graph does not validate.
 * - stop: a pending or paused execution stops at once; a running one when
 *   its worker sees the request (between nodes, or by aborting the
 *   outbound call in flight), and the answer's status says `running`
 *   until then.  Stoppable: pending, running, paused.  Resumable: stopped
 *   and paused (a paused debug run goes on with the node it waits before),
 *   and a running one whose stop is not yet carried out.  Else 400
 *   INVALID_STATE.
 * - executions list newest first; a node log carries its `iteration` (a
 *   node in a feedback loop runs once per pass).
 * - another tenant's workflow or execution, an unknown one and a
 *   malformed id are all 404. */
#include <apr_strings.h>
#include "hub_workflows_private.h"
#include "hub_wf_engine.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_validate.h"
#include "hub_wf_schemas.h"

#define TH_IN    (HUB_IN_JWT | HUB_IN_APIKEY)
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

static const char *const modes[] = { "full", "mock", "debug", NULL };

/* clang-format off */
static const hub_field_t wf_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "workflow name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "nodes", HUB_T_ARRAY, 0, 0, 0, NULL,
      "nodes: {id, type, data, position}" },
    { "edges", HUB_T_ARRAY, 0, 0, 0, NULL,
      "edges: {id, source, target, sourceHandle?, label?}" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t wf_update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 200, NULL, "workflow name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "nodes", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { "edges", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t run_in[] = {
    { "input", HUB_T_ANY, HUB_F_NULLABLE, 0, 0, NULL,
      "the execution's input ({{input}} in templates)" },
    { "mode", HUB_T_STRING, 0, 0, 0, modes,
      "full (default), mock or debug" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t wf_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "nodes", NULL, HUB_J_JSON },
    { "edges", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t ex_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "workflow_id", NULL, HUB_J_STRING },
    { "status", NULL, HUB_J_STRING },
    { "mode", NULL, HUB_J_STRING },
    { "trigger_type", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "started_at", NULL, HUB_J_STRING },
    { "completed_at", NULL, HUB_J_STRING },
    { "duration_ms", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

static const hub_shape_t node_log[] = {
    { "node_id", NULL, HUB_J_STRING },
    { "status", NULL, HUB_J_STRING },
    { "input", NULL, HUB_J_JSON },
    { "output", NULL, HUB_J_JSON },
    { "error", NULL, HUB_J_STRING },
    { "started_at", NULL, HUB_J_STRING },
    { "completed_at", NULL, HUB_J_STRING },
    { "duration_ms", NULL, HUB_J_INT },
    { "retry_count", NULL, HUB_J_INT },
    { "iteration", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};

/* the same, from hub_wf_ex_get's n_* columns */
static const hub_shape_t node_log_n[] = {
    { "node_id", NULL, HUB_J_STRING },
    { "status", "n_status", HUB_J_STRING },
    { "input", "n_input", HUB_J_JSON },
    { "output", "n_output", HUB_J_JSON },
    { "error", "n_error", HUB_J_STRING },
    { "started_at", "n_started_at", HUB_J_STRING },
    { "completed_at", "n_completed_at", HUB_J_STRING },
    { "duration_ms", "n_duration_ms", HUB_J_INT },
    { "retry_count", "n_retry_count", HUB_J_INT },
    { "iteration", "n_iteration", HUB_J_INT },
    { NULL, NULL, 0 }
};

static const hub_qfield_t page_q[] = {
    { "limit", HUB_Q_INT, 0, 1, 1000, 100, NULL, "max results" },
    { "offset", HUB_Q_OFFSET, 0, 0, 0, 0, NULL, "results to skip" },
    HUB_Q_END
};

static const hub_qfield_t ex_list_q[] = {
    { "workflow_id", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "only this workflow's executions" },
    { "status", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 50, 0, NULL,
      "pending, running, paused, stopped, completed, failed, cancelled" },
    { "limit", HUB_Q_INT, 0, 1, 1000, 100, NULL, "max results" },
    { "offset", HUB_Q_OFFSET, 0, 0, 0, 0, NULL, "results to skip" },
    HUB_Q_END
};

static const hub_qfield_t logs_q[] = {
    { "node_id", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "only this node's runs" },
    HUB_Q_END
};
/* clang-format on */

static int wf_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "WORKFLOW_NOT_FOUND",
                   "Workflow not found");
}

static int ex_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "EXECUTION_NOT_FOUND",
                   "Execution not found");
}

/* The :id of the route when it is a UUID, else NULL (a 404). */
static const char *id_of(hub_req_t *hr)
{
    const char *id = hub_param(hr, "id");
    return hub_is_uuid(id) ? id : NULL;
}

static const char *json_arg(hub_req_t *hr, const char *key)
{
    json_t *v = json_object_get(hr->body, key);
    return v ? hub_json_text(hr->pool, v) : NULL;
}

/* ---- workflows ------------------------------------------------------- */

static int wf_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[4];
    hub_rows_t *rows;
    hub_page_t pg;
    hub_db_status_e st;
    long total;
    hub_qv_page(&hr->q, "limit", "offset", &pg);
    args[0] = args[1] = hr->who->tenant_id;
    args[2] = apr_ltoa(hr->pool, pg.limit);
    args[3] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_LIST), &rows, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    return hub_ok(res,
                  json_pack("{s:o,s:I,s:I,s:I}", "workflows",
                            hub_rows_json(rows, wf_out), "total",
                            (json_int_t)total, "limit", (json_int_t)pg.limit,
                            "offset", (json_int_t)pg.offset));
}

static int wf_select(hub_req_t *hr, hub_result_t *res, hub_rows_t **rows)
{
    const char *id = id_of(hr);
    const char *args[2] = { id, hr->who->tenant_id };
    hub_db_status_e st;
    if (!id) {
        return wf_not_found(res);
    }
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_GET), rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return (*rows)->rows->nelts ? DECLINED : wf_not_found(res);
}

static int wf_get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    if (wf_select(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_row(res, rows, wf_out);
}

static int wf_create(hub_req_t *hr, hub_result_t *res)
{
    json_t *nodes = json_object_get(hr->body, "nodes");
    json_t *edges = json_object_get(hr->body, "edges");
    json_t *graph = json_pack("{s:o,s:o}", "nodes",
                              nodes ? json_incref(nodes) : json_array(),
                              "edges",
                              edges ? json_incref(edges) : json_array());
    const char *args[5];
    hub_rows_t *rows;
    hub_db_status_e st;
    hub_json_own(hr->pool, graph);
    args[0] = hr->who->tenant_id;
    args[1] = json_string_value(json_object_get(hr->body, "name"));
    args[2] = json_string_value(json_object_get(hr->body, "description"));
    args[3] = hub_json_text(hr->pool, graph);
    args[4] = hr->who->user_id;
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_INSERT), &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok_status(res, HTTP_CREATED, hub_row_json(rows, 0, wf_out));
}

static int wf_update(hub_req_t *hr, hub_result_t *res)
{
    const char *id = id_of(hr);
    const char *args[7];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!id) {
        return wf_not_found(res);
    }
    args[0] = json_string_value(json_object_get(hr->body, "name"));
    args[1] = json_object_get(hr->body, "description") ? "true" : "false";
    args[2] = json_string_value(json_object_get(hr->body, "description"));
    args[3] = json_arg(hr, "nodes");
    args[4] = json_arg(hr, "edges");
    args[5] = id;
    args[6] = hr->who->tenant_id;
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_UPDATE), &rows, 7, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return rows->rows->nelts ? hub_ok_row(res, rows, wf_out)
                             : wf_not_found(res);
}

static int wf_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *id = id_of(hr);
    const char *args[2] = { id, hr->who->tenant_id };
    int n = 0;
    hub_db_status_e st;
    if (!id) {
        return wf_not_found(res);
    }
    st = hub_db_exec(hr->r, HUB_WF_STMT(HUB_WF_ST_DELETE), &n, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return n ? hub_ok_empty(res, HTTP_NO_CONTENT) : wf_not_found(res);
}

/* The stored graph of row 0, checked: the answer of validate. */
static json_t *check_row(hub_req_t *hr, const hub_rows_t *rows, json_t **graph)
{
    *graph = hub_json_own(hr->pool,
                          json_loads(hub_rows_get(rows, 0, "graph"), 0, NULL));
    return hub_json_own(hr->pool, hub_wf_check(hr->pool, *graph, NULL));
}

static int wf_validate(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    json_t *graph;
    if (wf_select(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, json_incref(check_row(hr, rows, &graph)));
}

int hub_wf_run_start(hub_req_t *hr, hub_result_t *res, const hub_rows_t *wf,
                     const char *mode, const char *input, hub_rows_t **ex,
                     const char **invalid)
{
    json_t *graph, *verdict, *e;
    const char *args[7], *all = NULL;
    hub_db_status_e st;
    size_t i;
    verdict = check_row(hr, wf, &graph);
    *invalid = NULL;
    if (!json_is_true(json_object_get(verdict, "valid"))) {
        json_array_foreach(json_object_get(verdict, "errors"), i, e) {
            const char *m = json_string_value(json_object_get(e, "message"));
            all = all ? apr_pstrcat(hr->pool, all, "; ", m, NULL) : m;
        }
        *invalid = apr_pstrcat(hr->pool, "Workflow is invalid: ",
                               all ? all : "no graph", NULL);
        return -1;
    }
    args[0] = hr->who->tenant_id;
    args[1] = hub_rows_get(wf, 0, "id");
    args[2] = hub_rows_get(wf, 0, "project_id");
    args[3] = hub_rows_get(wf, 0, "graph");
    args[4] = mode ? mode : "full";
    args[5] = input;
    args[6] = hr->who->user_id;
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_RUN), ex, 7, args);
    if (st != HUB_DB_OK) {
        hub_err_db(res, st, NULL, hr->request_id);
        return -1;
    }
    return 0;
}

static int wf_run(hub_req_t *hr, hub_result_t *res)
{
    const char *mode = json_string_value(json_object_get(hr->body, "mode"));
    const char *invalid;
    hub_rows_t *rows, *ex;
    if (wf_select(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    if (hub_wf_run_start(hr, res, rows, mode,
                         json_object_get(hr->body, "input")
                             ? json_arg(hr, "input")
                             : NULL,
                         &ex, &invalid)) {
        return invalid ? hub_err(res, HTTP_BAD_REQUEST, "INVALID_WORKFLOW",
                                 "%s", invalid)
                       : HUB_DONE;
    }
    return hub_ok(res, json_pack("{s:s,s:s,s:s,s:s}", "execution_id",
                                 hub_rows_get(ex, 0, "id"), "id",
                                 hub_rows_get(ex, 0, "id"), "status",
                                 hub_rows_get(ex, 0, "status"), "workflow_id",
                                 hub_rows_get(ex, 0, "workflow_id")));
}

/* ---- executions ------------------------------------------------------ */

static int ex_list(hub_req_t *hr, hub_result_t *res)
{
    const char *wf = hub_qv_str(&hr->q, "workflow_id");
    const char *status = hub_qv_str(&hr->q, "status");
    const char *args[12];
    hub_rows_t *rows;
    hub_page_t pg;
    hub_db_status_e st;
    long total;
    if (wf && !hub_is_uuid(wf)) {
        wf = NIL_UUID; /* no workflow has it: nothing matches */
    }
    hub_qv_page(&hr->q, "limit", "offset", &pg);
    args[0] = args[5] = hr->who->tenant_id;
    args[1] = args[2] = args[6] = args[7] = wf;
    args[3] = args[4] = args[8] = args[9] = status;
    args[10] = apr_ltoa(hr->pool, pg.limit);
    args[11] = apr_ltoa(hr->pool, pg.offset);
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_EX_LIST), &rows, 12, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    return hub_ok(res,
                  json_pack("{s:o,s:I,s:I,s:I}", "executions",
                            hub_rows_json(rows, ex_out), "total",
                            (json_int_t)total, "limit", (json_int_t)pg.limit,
                            "offset", (json_int_t)pg.offset));
}

static json_t *json_col(const hub_rows_t *rows, const char *col)
{
    const char *v = hub_rows_get(rows, 0, col);
    json_t *j = v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : json_null();
}

static int ex_get(hub_req_t *hr, hub_result_t *res)
{
    const char *id = id_of(hr);
    const char *args[2] = { id, hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *o;
    if (!id) {
        return ex_not_found(res);
    }
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_EX_GET), &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return ex_not_found(res);
    }
    o = hub_row_json(rows, 0, ex_out);
    json_object_set_new(o, "trigger_id",
                        hub_json_str_or_null(
                            hub_rows_get(rows, 0, "trigger_id")));
    json_object_set_new(o, "input", json_col(rows, "input"));
    json_object_set_new(o, "output", json_col(rows, "output"));
    json_object_set_new(o, "error",
                        hub_json_str_or_null(hub_rows_get(rows, 0, "error")));
    json_object_set_new(o, "progress",
                        json_real(atof(hub_rows_get(rows, 0, "progress"))));
    /* the node columns of the rows (all one execution's) */
    {
        const hub_rows_t *nodes = hub_rows_having(hr->pool, rows, "node_id");
        json_t *logs = hub_rows_json(nodes, node_log_n);
        json_object_set_new(o, "node_logs", logs);
    }
    return hub_ok(res, o);
}

static int ex_logs(hub_req_t *hr, hub_result_t *res)
{
    const char *id = id_of(hr);
    const char *node = hub_qv_str(&hr->q, "node_id");
    const char *args[4] = { node, node, id, hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!id) {
        return ex_not_found(res);
    }
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_EX_LOGS), &rows, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return ex_not_found(res);
    }
    return hub_ok_rows(res, hub_rows_having(hr->pool, rows, "node_id"),
                       node_log);
}

/* stop and resume: one shape, the statement and the words differ */
static int ex_change(hub_req_t *hr, hub_result_t *res, int which,
                     const char *verb, const char *done)
{
    const char *id = id_of(hr);
    const char *args[2] = { id, hr->who->tenant_id };
    const char *was, *now;
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!id) {
        return ex_not_found(res);
    }
    st = hub_db_select(hr->r, HUB_WF_STMT(which), &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return ex_not_found(res);
    }
    was = hub_rows_get(rows, 0, "was");
    now = hub_rows_get(rows, 0, "now");
    if (!now) {
        return hub_err(res, HTTP_BAD_REQUEST, "INVALID_STATE",
                       "Execution not in %s state (it is %s)", verb, was);
    }
    if (which == HUB_WF_ST_EX_STOP && strcmp(was, "running")) {
        /* stopped here, not by a worker: the event is this request's */
        const char *ev[4] = { hr->who->tenant_id, id, "execution.stopped",
                              "{\"by\": \"request\"}" };
        hub_rows_t *seq;
        hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_EVENT), &seq, 4, ev);
    }
    return hub_ok(res, json_pack("{s:s,s:s}", "message", done, "status", now));
}

static int ex_stop(hub_req_t *hr, hub_result_t *res)
{
    return ex_change(hr, res, HUB_WF_ST_EX_STOP, "stoppable",
                     "Execution stopped");
}

static int ex_resume(hub_req_t *hr, hub_result_t *res)
{
    return ex_change(hr, res, HUB_WF_ST_EX_RESUME, "resumable",
                     "Execution resumed");
}

/* the answers (hub_wf_schemas.h) */
#define WORKFLOW_OUT HUB_DOC("Workflow", WS_WORKFLOW)

/* clang-format off */
const hub_route_t hub_workflows_toolhub_routes[] = {
    { HUB_TOOLHUB, HUB_M_GET, "/api/workflows", wf_list, NULL, TH_IN, 0,
      "List Workflows", .need = HUB_NEED_READ, .query = page_q,
      .doc = HUB_DOC_ONE("WorkflowList", WS_WORKFLOW_LIST) },
    { HUB_TOOLHUB, HUB_M_POST, "/api/workflows", wf_create, wf_create_in,
      TH_IN, 0, "Create Workflow", .need = HUB_NEED_WRITE, .status = 201,
      .doc = WORKFLOW_OUT },
    { HUB_TOOLHUB, HUB_M_GET, "/api/workflows/:id", wf_get, NULL, TH_IN, 0,
      "Get Workflow", .need = HUB_NEED_READ, .doc = WORKFLOW_OUT },
    { HUB_TOOLHUB, HUB_M_PUT, "/api/workflows/:id", wf_update, wf_update_in,
      TH_IN, 0, "Update Workflow", .need = HUB_NEED_WRITE,
      .doc = WORKFLOW_OUT },
    { HUB_TOOLHUB, HUB_M_DELETE, "/api/workflows/:id", wf_delete, NULL,
      TH_IN, 0, "Delete Workflow", .need = HUB_NEED_WRITE, .status = 204 },
    { HUB_TOOLHUB, HUB_M_POST, "/api/workflows/:id/run", wf_run, run_in,
      TH_IN, 0, "Run Workflow", .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("WorkflowRun", WS_RUN) },
    { HUB_TOOLHUB, HUB_M_POST, "/api/workflows/:id/validate", wf_validate,
      NULL, TH_IN, 0, "Validate Workflow", .need = HUB_NEED_READ,
      .doc = HUB_DOC("WorkflowValidation", WS_VALIDATION) },
    { HUB_TOOLHUB, HUB_M_GET, "/api/executions", ex_list, NULL, TH_IN, 0,
      "List Executions", .need = HUB_NEED_READ, .query = ex_list_q,
      .doc = HUB_DOC_ONE("ExecutionList", WS_EXECUTION_LIST) },
    { HUB_TOOLHUB, HUB_M_GET, "/api/executions/:id", ex_get, NULL, TH_IN, 0,
      "Get Execution", .need = HUB_NEED_READ,
      .doc = HUB_DOC("ExecutionDetail", WS_EXECUTION_DETAIL) },
    { HUB_TOOLHUB, HUB_M_POST, "/api/executions/:id/stop", ex_stop, NULL,
      TH_IN, 0, "Stop Execution", .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("ExecutionStopped", WS_STOPPED) },
    { HUB_TOOLHUB, HUB_M_POST, "/api/executions/:id/resume", ex_resume, NULL,
      TH_IN, 0, "Resume Execution", .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("ExecutionResumed", WS_RESUMED) },
    { HUB_TOOLHUB, HUB_M_GET, "/api/executions/:id/logs", ex_logs, NULL,
      TH_IN, 0, "Get Execution Logs", .need = HUB_NEED_READ,
      .query = logs_q, .doc = HUB_DOC("NodeLog", WS_NODE_LOG) },
    { 0 }
};
/* clang-format on */
