/* The only SQL over agents (hub_wf_providers.h).  An agent names its
 * provider by id; answers carry the provider's name too. */
#include <apr_strings.h>
#include "hub_wf_providers.h"

#define AGENT_COLS \
    "a.id, a.name, a.display_name, a.agent_type, a.description," \
    " pr.name AS provider, a.provider_id, a.model, a.system_prompt, a.tools," \
    " a.settings, a.created_by, iso8601(a.created_at) AS created_at," \
    " iso8601(a.updated_at) AS updated_at"
#define AGENT_JOIN \
    " LEFT JOIN llm_providers pr" \
    "   ON pr.id = a.provider_id AND pr.tenant_id = a.tenant_id"

/* clang-format off */
const hub_stmt_t hub_wf_agents_stmts[] = {
    { "hub_wf_agent_all",
      "SELECT " AGENT_COLS " FROM agents a" AGENT_JOIN
      " WHERE a.tenant_id = %s::uuid ORDER BY a.created_at, a.id" },
    { "hub_wf_agent_get",
      "SELECT " AGENT_COLS " FROM agents a" AGENT_JOIN
      " WHERE a.tenant_id = %s::uuid AND (a.name = %s OR a.id::text = %s)" },
    { "hub_wf_agent_insert",
      "WITH a AS (INSERT INTO agents (tenant_id, name, display_name,"
      "   agent_type, description, provider_id, model, system_prompt,"
      "   created_by)"
      " VALUES (%s::uuid, %s, %s, coalesce(%s, 'open'), %s, %s::uuid, %s, %s,"
      "         %s::uuid) RETURNING *)"
      " SELECT " AGENT_COLS " FROM a" AGENT_JOIN },
    { "hub_wf_agent_update",
      "WITH a AS (UPDATE agents a SET"
      "  name = coalesce(%s, a.name),"
      "  display_name = CASE WHEN %s::boolean THEN %s ELSE a.display_name END,"
      "  agent_type = coalesce(%s, a.agent_type),"
      "  description = CASE WHEN %s::boolean THEN %s ELSE a.description END,"
      "  provider_id = CASE WHEN %s::boolean THEN %s::uuid"
      "                ELSE a.provider_id END,"
      "  model = CASE WHEN %s::boolean THEN %s ELSE a.model END,"
      "  system_prompt = CASE WHEN %s::boolean THEN %s"
      "                  ELSE a.system_prompt END,"
      "  updated_at = now()"
      " WHERE a.id = %s::uuid AND a.tenant_id = %s::uuid RETURNING a.*)"
      " SELECT " AGENT_COLS " FROM a" AGENT_JOIN },
    { "hub_wf_agent_delete",
      "DELETE FROM agents WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_ALL, ST_GET, ST_INSERT, ST_UPDATE, ST_DELETE };
#define ST(i) (&hub_wf_agents_stmts[i])

hub_db_status_e hub_wf_agents_all(hub_req_t *hr, hub_rows_t **rows)
{
    const char *args[1] = { hr->who->tenant_id };
    return hub_db_select(hr->r, ST(ST_ALL), rows, 1, args);
}

hub_db_status_e hub_wf_agent_get(hub_req_t *hr, const char *ref,
                                 hub_rows_t **row)
{
    const char *args[3] = { hr->who->tenant_id, ref, ref };
    return hub_db_select(hr->r, ST(ST_GET), row, 3, args);
}

hub_db_status_e hub_wf_agent_find(request_rec *r, const char *tenant,
                                  const char *ref, hub_rows_t **row)
{
    const char *args[3] = { tenant, ref, ref };
    return hub_db_select(r, ST(ST_GET), row, 3, args);
}

hub_db_status_e hub_wf_agent_get_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                                    const char *tenant, const char *ref,
                                    hub_rows_t **row)
{
    const char *args[3] = { tenant, ref, ref };
    return hub_db_select_on(p, s, dbd, ST(ST_GET), row, 3, args);
}

hub_db_status_e hub_wf_agent_insert(hub_req_t *hr, const hub_wf_agent_in_t *in,
                                    hub_rows_t **row)
{
    const char *args[9] = {
        hr->who->tenant_id, in->name,          in->display_name,
        in->agent_type,     in->description,   in->provider_id,
        in->model,          in->system_prompt, hr->who->user_id
    };
    return hub_db_select(hr->r, ST(ST_INSERT), row, 9, args);
}

static const char *flag(int on)
{
    return on ? "true" : "false";
}

hub_db_status_e hub_wf_agent_update(hub_req_t *hr, const char *id,
                                    const hub_wf_agent_in_t *in,
                                    hub_rows_t **row)
{
    const char *args[15];
    args[0] = in->name;
    args[1] = flag(in->set_display);
    args[2] = in->display_name;
    args[3] = in->agent_type;
    args[4] = flag(in->set_description);
    args[5] = in->description;
    args[6] = flag(in->set_provider);
    args[7] = in->provider_id;
    args[8] = flag(in->set_model);
    args[9] = in->model;
    args[10] = flag(in->set_prompt);
    args[11] = in->system_prompt;
    args[12] = id;
    args[13] = hr->who->tenant_id;
    return hub_db_select(hr->r, ST(ST_UPDATE), row, 14, args);
}

hub_db_status_e hub_wf_agent_delete(hub_req_t *hr, const char *id, int *deleted)
{
    const char *args[2] = { id, hr->who->tenant_id };
    return hub_db_exec(hr->r, ST(ST_DELETE), deleted, 2, args);
}
