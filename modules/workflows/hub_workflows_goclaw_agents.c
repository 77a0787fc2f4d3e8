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
 *   access, changes write access. */
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_validate.h"

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

/* clang-format off */
const hub_route_t hub_workflows_goclaw_agents_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/agents", list, NULL, 0, 0, "List agents",
      .need = HUB_NEED_READ },
    { HUB_GOCLAW, HUB_M_POST, "/v1/agents", create, create_in, 0, 0,
      "Create agent",
      .need = HUB_NEED_WRITE, .status = 201 },
    { HUB_GOCLAW, HUB_M_GET, "/v1/agents/{id}", get, NULL, 0, 0, "Get agent",
      .need = HUB_NEED_READ },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/agents/{id}", update, update_in, 0, 0,
      "Update agent",
      .need = HUB_NEED_WRITE },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/agents/{id}", delete, NULL, 0, 0,
      "Delete agent",
      .need = HUB_NEED_WRITE },
    { 0 }
};
/* clang-format on */
