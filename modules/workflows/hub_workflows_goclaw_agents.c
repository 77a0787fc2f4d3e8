/* GoClaw's agents: GET|POST /v1/agents, GET|PUT|DELETE /v1/agents/{id}.
 *
 * AgentInput: name (the slug; required to create), display_name,
 * agent_type (open | predefined; open by default), description, provider
 * (a provider's name, or its id), model, system_prompt.  Decisions:
 * - an agent answers those fields with id, provider_id, tools, settings,
 *   created_by, created_at and updated_at; the list is {"agents": [...]},
 *   PUT answers {"status": "updated"}, DELETE {"status": "deleted"}, as
 *   the hub's other GoClaw resources do.
 * - {id} is the agent's id or its name.
 * - the list's X-GoClaw-User-Id header is accepted and not required: the
 *   caller's credentials name the tenant, and every member of a tenant
 *   sees its agents (GoClaw: "owners see all agents"; the hub has no
 *   per-user agent ownership).
 * - an unknown provider is 400; a name in use 409; reading needs read
 *   access, changes write access.
 * - POST /v1/agents/{id}/wake (`message`, `user_id`, both optional) makes
 *   the agent's run durable: an executions row of kind `agent` (mode
 *   full, trigger_type wake, trigger_id the user_id) whose graph is one
 *   agent node built from the agent ({"id": "agent", "type": "agent",
 *   "data": {agent_id, agent, provider_id, model, prompt, message}}); the
 *   workflow engine's workers run it.  It answers at once: {"status":
 *   "triggered", "execution_id", "agent_id"}. */
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_wf_llm_schemas.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_validate.h"

/* the wake's execution: the executions row the engine's workers claim */
/* clang-format off */
static const hub_stmt_t wake_stmts[] = {
    { "hub_wf_agent_wake",
      "INSERT INTO executions (tenant_id, kind, agent_id, graph, mode,"
      "   trigger_type, trigger_id, input, created_by)"
      " VALUES (%s::uuid, 'agent', %s::uuid, %s::jsonb, 'full', 'wake', %s,"
      "         %s::jsonb, %s::uuid)"
      " RETURNING id" },
    { NULL, NULL }
};
/* clang-format on */
const hub_stmt_t *const hub_wf_wake_stmts = wake_stmts;

/* clang-format off */
static const char *const agent_types[] = { "open", "predefined", NULL };

static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 100, NULL,
      "unique agent slug: letters, digits, _ . -" },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "agent_type", HUB_T_STRING, 0, 0, 0, agent_types, "default open" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "provider", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL,
      "an LLM provider's name" },
    { "model", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "system_prompt", HUB_T_STRING, HUB_F_NULLABLE, 0, 100000, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 100, NULL, NULL },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "agent_type", HUB_T_STRING, 0, 0, 0, agent_types, NULL },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "provider", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL,
      "null: none" },
    { "model", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "system_prompt", HUB_T_STRING, HUB_F_NULLABLE, 0, 100000, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t gc_agent[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "display_name", NULL, HUB_J_STRING },
    { "agent_type", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "provider", NULL, HUB_J_STRING },
    { "provider_id", NULL, HUB_J_STRING },
    { "model", NULL, HUB_J_STRING },
    { "system_prompt", NULL, HUB_J_STRING },
    { "tools", NULL, HUB_J_JSON },
    { "settings", NULL, HUB_J_JSON },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static int not_found(hub_result_t *res, const char *id)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "agent not found: %s",
                   id ? id : "");
}

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

/* {id}, an id or a name: DECLINED with the row, or HUB_DONE (404). */
static int agent_row(hub_req_t *hr, hub_result_t *res, hub_rows_t **row)
{
    const char *id = hub_param(hr, "id");
    hub_db_status_e st = hub_wf_agent_get(hr, id, row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return (*row)->rows->nelts ? DECLINED : not_found(res, id);
}

static int list(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    hub_db_status_e st = hub_wf_agents_all(hr, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res,
                  json_pack("{s:o}", "agents", hub_rows_json(rows, gc_agent)));
}

static int get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (agent_row(hr, res, &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_row(res, row, gc_agent);
}

/* a string member: *set when present, *out its value (NULL for null) */
static void member(const json_t *b, const char *name, int *set,
                   const char **out)
{
    json_t *v = json_object_get(b, name);
    if (v) {
        *set = 1;
        *out = json_string_value(v);
    }
}

static int take(hub_req_t *hr, hub_result_t *res, hub_wf_agent_in_t *in)
{
    json_t *b = hr->body;
    const char *provider = NULL;
    int set_provider = 0;
    in->name = json_string_value(json_object_get(b, "name"));
    if (in->name && !hub_wf_is_name(in->name)) {
        return bad(res,
                   "name: '%s' is not a slug (a letter or digit, then "
                   "letters, digits, _ . -; at most 100)",
                   in->name);
    }
    in->agent_type = json_string_value(json_object_get(b, "agent_type"));
    member(b, "display_name", &in->set_display, &in->display_name);
    member(b, "description", &in->set_description, &in->description);
    member(b, "model", &in->set_model, &in->model);
    member(b, "system_prompt", &in->set_prompt, &in->system_prompt);
    member(b, "provider", &set_provider, &provider);
    in->set_provider = set_provider;
    if (provider && *provider) {
        hub_rows_t *p;
        hub_db_status_e st = hub_wf_provider_get(hr, provider, &p);
        if (st != HUB_DB_OK) {
            return hub_err_db(res, st, NULL, hr->request_id);
        }
        if (!p->rows->nelts) {
            return bad(res, "provider not found: %s", provider);
        }
        in->provider_id = hub_rows_get(p, 0, "id");
    }
    return DECLINED;
}

static int create(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_agent_in_t in = { 0 };
    hub_rows_t *row;
    hub_db_status_e st;
    if (take(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_wf_agent_insert(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, "an agent with this name already exists",
                          hr->request_id);
    }
    return hub_ok_row(res, row, gc_agent);
}

static int update(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_agent_in_t in = { 0 };
    hub_rows_t *row, *done;
    hub_db_status_e st;
    if (agent_row(hr, res, &row) != DECLINED
        || take(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_wf_agent_update(hr, hub_rows_get(row, 0, "id"), &in, &done);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, "an agent with this name already exists",
                          hr->request_id);
    }
    if (!done->rows->nelts) {
        return not_found(res, hub_param(hr, "id")); /* deleted meanwhile */
    }
    return hub_ok(res, json_pack("{s:s}", "status", "updated"));
}

static int delete (hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    hub_db_status_e st;
    int n = 0;
    if (agent_row(hr, res, &row) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_wf_agent_delete(hr, hub_rows_get(row, 0, "id"), &n);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return n ? hub_ok(res, json_pack("{s:s}", "status", "deleted"))
             : not_found(res, hub_param(hr, "id"));
}

/* One agent node: the agent as it is now (editing it later does not
 * change a run under way, as for workflows' graphs). */
static json_t *wake_graph(const hub_rows_t *a, const char *message)
{
    json_t *data = json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:o}", "agent_id", hub_rows_get(a, 0, "id"),
        "agent", hub_rows_get(a, 0, "name"), "provider_id",
        hub_json_str_or_null(hub_rows_get(a, 0, "provider_id")), "model",
        hub_json_str_or_null(hub_rows_get(a, 0, "model")), "prompt",
        hub_json_str_or_null(hub_rows_get(a, 0, "system_prompt")), "message",
        hub_json_str_or_null(message));
    return json_pack("{s:[{s:s,s:s,s:o}],s:[]}", "nodes", "id", "agent", "type",
                     "agent", "data", data, "edges");
}

static int wake(hub_req_t *hr, hub_result_t *res)
{
    json_t *b;
    const char *message, *user;
    const char *args[6];
    hub_rows_t *a, *row;
    hub_db_status_e st;
    if (hub_wf_optional_body(hr, res, &b) != DECLINED
        || agent_row(hr, res, &a) != DECLINED) {
        return HUB_DONE;
    }
    message = json_string_value(json_object_get(b, "message"));
    user = json_string_value(json_object_get(b, "user_id"));
    if ((json_object_get(b, "message") && !message
         && !json_is_null(json_object_get(b, "message")))
        || (json_object_get(b, "user_id") && !user
            && !json_is_null(json_object_get(b, "user_id")))
        || (user && strlen(user) > 200)) {
        return bad(res,
                   "message and user_id are strings (user_id at most "
                   "200)%s",
                   "");
    }
    args[0] = hr->who->tenant_id;
    args[1] = hub_rows_get(a, 0, "id");
    args[2] = hub_json_text(hr->pool,
                            hub_json_own(hr->pool, wake_graph(a, message)));
    args[3] = user;
    args[4] = hub_json_text(
        hr->pool,
        hub_json_own(hr->pool,
                     json_pack("{s:o,s:o}", "message",
                               hub_json_str_or_null(message), "user_id",
                               hub_json_str_or_null(user))));
    args[5] = hr->who->user_id;
    st = hub_db_select(hr->r, &wake_stmts[0], &row, 6, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:s,s:s,s:s}", "status", "triggered",
                                 "execution_id", hub_rows_get(row, 0, "id"),
                                 "agent_id", args[1]));
}

/* the answers (hub_wf_llm_schemas.h) */
#define AGENT_OUT  HUB_DOC("Agent", LS_AGENT)
#define AGENTS_OUT HUB_DOC_ONE("AgentList", LS_AGENT_LIST)

/* clang-format off */
const hub_route_t hub_workflows_goclaw_agents_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/agents", list, NULL, 0, 0, "List agents",
      .need = HUB_NEED_READ, .doc = AGENTS_OUT },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents", create, create_in, 0, 0,
      "Create agent",
      .need = HUB_NEED_WRITE, .status = 201, .doc = AGENT_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/agents/{id}", get, NULL, 0, 0, "Get agent",
      .need = HUB_NEED_READ, .doc = AGENT_OUT },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/agents/{id}", update, update_in, 0, 0,
      "Update agent",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("AgentUpdated", LS_STATUS("updated")) },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/agents/{id}", delete, NULL, 0, 0,
      "Delete agent",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("AgentDeleted", LS_STATUS("deleted")) },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents/{id}/wake", wake, hub_body_raw, 0, 0,
      "Wake/trigger agent externally",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("AgentTriggered", LS_WAKE) },
    { 0 }
};
/* clang-format on */
