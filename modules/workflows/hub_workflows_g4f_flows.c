/* G4F's project workflows and their runs (g4fagent.openapi.json):
 *
 *   GET|POST  /projects/{project_id}/workflows   limit, cursor; create
 *   GET|PUT   /workflows/{workflow_id}           `graph`
 *   POST      /workflows/{workflow_id}/runs      {inputs, mode} -> run_id
 *
 * Decisions where the document is open (it gives generic objects):
 * - a workflow is {id, project_id, name, description, graph, tags,
 *   created_at, updated_at}, answered as {"workflow": ...}; a create
 *   also says the document's `workflow_id`, a PUT its `ok`; `graph` is
 *   {nodes, edges} as Tool Hub's (hub_wf_graph.h), stored as given and
 *   validated when it runs.  Lists are G4F's page ({items, next_cursor}),
 *   newest first.
 * - a run is a real execution (the engine's, as Tool Hub's run): 200
 *   {run_id, id, status "pending", workflow_id, mode}; `inputs` is its
 *   input ({{input.x}} in templates); 400 INVALID_WORKFLOW naming every
 *   problem of the graph.  Its progress is the runs' API's
 *   (GET /runs/{id}, events) and Tool Hub's /api/executions/:id.
 * - a project or workflow that is unknown, malformed or another tenant's
 *   is 404 NOT_FOUND. */
#include <apr_strings.h>
#include "hub_workflows_private.h"
#include "hub_wf_engine.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_validate.h"
#include "hub_wf_schemas.h"

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

static const char *const modes[] = { "full", "mock", "debug", NULL };

/* clang-format off */
static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "workflow name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "graph", HUB_T_OBJECT, 0, 0, 0, NULL,
      "{nodes: [{id, type, data}], edges: [{id, source, target}]}" },
    { "tags", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 200, NULL, "workflow name" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "graph", HUB_T_OBJECT, 0, 0, 0, NULL, "replaces the graph" },
    { "tags", HUB_T_ARRAY, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t run_in[] = {
    { "inputs", HUB_T_ANY, HUB_F_NULLABLE, 0, 0, NULL,
      "the run's input ({{input.x}} in templates)" },
    { "mode", HUB_T_STRING, 0, 0, 0, modes, "full (default), mock or debug" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t g4f_workflow[] = {
    { "id", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "graph", NULL, HUB_J_JSON },
    { "tags", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_qfield_t list_q[] = {
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int not_found(hub_result_t *res, const char *what)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s not found", what);
}

static const char *uuid_param(hub_req_t *hr, const char *name)
{
    const char *v = hub_param(hr, name);
    return hub_is_uuid(v) ? v : NULL;
}

static const char *json_arg(hub_req_t *hr, const char *key)
{
    json_t *v = json_object_get(hr->body, key);
    return v && !json_is_null(v) ? hub_json_text(hr->pool, v) : NULL;
}

static int flows_list(hub_req_t *hr, hub_result_t *res)
{
    const char *project = uuid_param(hr, "project_id");
    const char *args[4];
    hub_page_t pg;
    if (!project) {
        return not_found(res, "Project");
    }
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    args[0] = apr_ltoa(hr->pool, pg.limit);
    args[1] = apr_ltoa(hr->pool, pg.offset);
    args[2] = project;
    args[3] = hr->who->tenant_id;
    return hub_select_page(hr, res, HUB_WF_STMT(HUB_WF_ST_G4F_LIST), 4, args,
                           g4f_workflow, &pg, "Project not found");
}

static int flow_create(hub_req_t *hr, hub_result_t *res)
{
    const char *project = uuid_param(hr, "project_id");
    json_t *graph = json_object_get(hr->body, "graph");
    const char *args[8];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!project) {
        return not_found(res, "Project");
    }
    args[0] = hr->who->tenant_id;
    args[1] = json_string_value(json_object_get(hr->body, "name"));
    args[2] = json_string_value(json_object_get(hr->body, "description"));
    args[3] = graph ? hub_json_text(hr->pool, graph)
                    : "{\"nodes\": [], \"edges\": []}";
    args[4] = json_arg(hr, "tags");
    args[5] = hr->who->user_id;
    args[6] = project;
    args[7] = hr->who->tenant_id;
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_G4F_INSERT), &rows, 8,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return not_found(res, "Project");
    }
    /* the document's `workflow_id`, and the workflow as GET answers it */
    return hub_ok(res, json_pack("{s:s,s:o}", "workflow_id",
                                 hub_rows_get(rows, 0, "id"), "workflow",
                                 hub_row_json(rows, 0, g4f_workflow)));
}

/* The workflow of {workflow_id} (hub_wf_get): DECLINED with it. */
static int flow_select(hub_req_t *hr, hub_result_t *res, hub_rows_t **rows)
{
    const char *id = uuid_param(hr, "workflow_id");
    const char *args[2] = { id, hr->who->tenant_id };
    hub_db_status_e st;
    if (!id) {
        return not_found(res, "Workflow");
    }
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_GET), rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return (*rows)->rows->nelts ? DECLINED : not_found(res, "Workflow");
}

static int flow_get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    if (flow_select(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_row(res, rows, g4f_workflow);
}

static int flow_update(hub_req_t *hr, hub_result_t *res)
{
    const char *id = uuid_param(hr, "workflow_id");
    const char *args[7];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!id) {
        return not_found(res, "Workflow");
    }
    args[0] = json_string_value(json_object_get(hr->body, "name"));
    args[1] = json_object_get(hr->body, "description") ? "true" : "false";
    args[2] = json_string_value(json_object_get(hr->body, "description"));
    args[3] = json_arg(hr, "graph");
    args[4] = json_arg(hr, "tags");
    args[5] = id;
    args[6] = hr->who->tenant_id;
    st = hub_db_select(hr->r, HUB_WF_STMT(HUB_WF_ST_G4F_UPDATE), &rows, 7,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return not_found(res, "Workflow");
    }
    /* the document's `ok`, and the workflow as it now is */
    return hub_ok(res, json_pack("{s:b,s:o}", "ok", 1, "workflow",
                                 hub_row_json(rows, 0, g4f_workflow)));
}

static int flow_run(hub_req_t *hr, hub_result_t *res)
{
    const char *mode = json_string_value(json_object_get(hr->body, "mode"));
    const char *invalid;
    hub_rows_t *rows, *ex;
    if (flow_select(hr, res, &rows) != DECLINED) {
        return HUB_DONE;
    }
    if (hub_wf_run_start(hr, res, rows, mode, json_arg(hr, "inputs"), &ex,
                         &invalid)) {
        return invalid ? hub_err(res, HTTP_BAD_REQUEST, "INVALID_WORKFLOW",
                                 "%s", invalid)
                       : HUB_DONE;
    }
    return hub_ok(res, json_pack("{s:s,s:s,s:s,s:s,s:s}", "run_id",
                                 hub_rows_get(ex, 0, "id"), "id",
                                 hub_rows_get(ex, 0, "id"), "status",
                                 hub_rows_get(ex, 0, "status"), "workflow_id",
                                 hub_rows_get(ex, 0, "workflow_id"), "mode",
                                 mode ? mode : "full"));
}

/* the answers (hub_wf_schemas.h) */
#define WORKFLOW_OUT HUB_DOC("Workflow", WS_G4F_WORKFLOW)
#define CREATED_OUT \
    HUB_DOC("WorkflowCreated", \
            OBJ("\"workflow_id\":" STR ",\"workflow\":" WS_G4F_WORKFLOW, \
                "\"workflow_id\",\"workflow\""))
#define UPDATED_OUT \
    HUB_DOC("WorkflowUpdated", \
            OBJ("\"ok\":" BOOL ",\"workflow\":" WS_G4F_WORKFLOW, \
                "\"ok\",\"workflow\""))

/* clang-format off */
const hub_route_t hub_workflows_g4f_flows_routes[] = {
    { HUB_G4F, HUB_M_GET, "/projects/{project_id}/workflows", flows_list,
      NULL, G4F_IN, 0, "Workflows: GET /projects/{project_id}/workflows",
      .need = HUB_NEED_READ, .query = list_q, .shape = g4f_workflow,
      .wrap = HUB_WRAP_G4F_PAGE, .doc = WORKFLOW_OUT },
    { HUB_G4F, HUB_M_POST, "/projects/{project_id}/workflows", flow_create,
      create_in, G4F_IN, 0, "Workflows: POST /projects/{project_id}/workflows",
      .need = HUB_NEED_WRITE, .doc = CREATED_OUT },
    { HUB_G4F, HUB_M_GET, "/workflows/{workflow_id}", flow_get, NULL, G4F_IN,
      0, "Workflows: GET /workflows/{workflow_id}",
      .need = HUB_NEED_READ, .wrap = HUB_WRAP_KEY, .key = "workflow",
      .doc = WORKFLOW_OUT },
    { HUB_G4F, HUB_M_PUT, "/workflows/{workflow_id}", flow_update, update_in,
      G4F_IN, 0, "Workflows: PUT /workflows/{workflow_id}",
      .need = HUB_NEED_WRITE, .doc = UPDATED_OUT },
    { HUB_G4F, HUB_M_POST, "/workflows/{workflow_id}/runs", flow_run, run_in,
      G4F_IN, 0, "Workflows: POST /workflows/{workflow_id}/runs",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("WorkflowRunStarted", WS_G4F_RUN) },
    { 0 }
};
/* clang-format on */
