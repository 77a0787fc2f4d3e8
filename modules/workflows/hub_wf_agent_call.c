/* One agent's call (hub_wf_providers.h): what GoClaw's chat completions
 * make in a request, and the workflow engine's agent node in a worker,
 * through the same code: the agent (by id or name), its provider (or the
 * one named instead) with its key opened, its model (or the one asked,
 * or the provider's settings.default_model), its system prompt before
 * the messages; the call; its llm_calls row. */
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_json.h"
#include "hub_time.h"

static apr_pool_t *pool_of(const hub_wf_db_t *db)
{
    return db->r ? db->r->pool : db->p;
}

static hub_db_status_e agent_get(const hub_wf_db_t *db, const char *tenant,
                                 const char *ref, hub_rows_t **row)
{
    return db->r ? hub_wf_agent_find(db->r, tenant, ref, row)
                 : hub_wf_agent_get_on(db->p, db->s, db->dbd, tenant, ref, row);
}

static const char *target(const hub_wf_db_t *db, const char *tenant,
                          const char *ref, hub_wf_target_t *t, int *found)
{
    return db->r
               ? hub_wf_target(db->r, tenant, ref, t, found)
               : hub_wf_target_on(db->p, db->s, db->dbd, tenant, ref, t, found);
}

/* The system prompt first, then the messages. */
static json_t *messages_of(apr_pool_t *p, const char *system,
                           const json_t *messages)
{
    json_t *all = hub_json_own(p, json_array());
    if (system && *system) {
        json_array_append_new(all, json_pack("{s:s,s:s}", "role", "system",
                                             "content", system));
    }
    json_array_extend(all, (json_t *)messages);
    return all;
}

hub_wf_run_e hub_wf_agent_run(
    const hub_wf_db_t *db, const hub_wf_agent_call_t *c,
    hub_llm_response_t *out, const char **why, const char **agent_id)
{
    apr_pool_t *p = pool_of(db);
    const char *provider = c->provider, *model = c->model;
    const char *system = c->system;
    hub_llm_request_t rq = { 0 };
    hub_wf_call_t call = { 0 };
    hub_wf_target_t t;
    hub_rows_t *agent = NULL;
    int found;

    *why = NULL;
    *agent_id = NULL;
    memset(out, 0, sizeof(*out));
    if (c->agent) {
        if (agent_get(db, c->tenant_id, c->agent, &agent) != HUB_DB_OK) {
            *why = "the database is unavailable";
            return HUB_WF_RUN_FAILED;
        }
        if (!agent->rows->nelts) {
            *why = apr_pstrcat(p, "agent not found: ", c->agent, NULL);
            return HUB_WF_RUN_NO_AGENT;
        }
        *agent_id = hub_rows_get(agent, 0, "id");
        provider = provider ? provider : hub_rows_get(agent, 0, "provider_id");
        model = model && *model ? model : hub_rows_get(agent, 0, "model");
        system = system ? system : hub_rows_get(agent, 0, "system_prompt");
    }
    if (!provider) {
        *why = c->agent ? apr_pstrcat(p, "agent ", c->agent, " has no provider",
                                      NULL)
                        : "no provider named, and no agent to take one from";
        return HUB_WF_RUN_NO_PROVIDER;
    }
    if ((*why = target(db, c->tenant_id, provider, &t, &found))) {
        if (!found) {
            *why = apr_pstrcat(p, "provider not found: ", provider, NULL);
        }
        return found ? HUB_WF_RUN_FAILED : HUB_WF_RUN_NO_PROVIDER;
    }
    if (!t.enabled) {
        *why = apr_pstrcat(p, "provider ", t.name, " is disabled", NULL);
        return HUB_WF_RUN_DISABLED;
    }
    if (!model || !*model) {
        model = json_string_value(json_object_get(t.settings, "default_model"));
    }
    if (!model || !*model) {
        *why = apr_pstrcat(p, "no model: ",
                           c->agent ? apr_pstrcat(p, "agent ", c->agent,
                                                  " names none, ", NULL)
                                    : "none asked for, ",
                           "nor does provider ", t.name,
                           " (settings.default_model)", NULL);
        return HUB_WF_RUN_NO_MODEL;
    }
    rq.model = model;
    rq.messages = messages_of(p, system, c->messages);
    rq.tools = c->tools;
    rq.max_tokens = c->max_tokens;
    rq.temperature = c->temperature;
    rq.stream = c->on_delta != NULL;
    rq.on_delta = c->on_delta;
    rq.baton = c->baton;
    rq.abort = c->abort;
    rq.aborted = c->aborted;
    rq.abort_baton = c->abort_baton;
    rq.timeout_ms = c->timeout_ms ? c->timeout_ms : HUB_WF_CHAT_TIMEOUT_MS;
    hub_llm_chat(p, &t.pv, &rq, out);

    call.tenant_id = c->tenant_id;
    call.trace_id = c->trace_id ? c->trace_id : hub_uuid4(p);
    call.execution_id = c->execution_id;
    call.node_id = c->node_id;
    call.agent_id = *agent_id;
    call.target = &t;
    call.model = model;
    call.res = out;
    if (db->r) {
        hub_wf_call_record(db->r, &call);
    }
    else {
        hub_wf_call_record_on(db->p, db->s, db->dbd, &call);
    }
    if (out->status != HUB_LLM_OK && out->status != HUB_LLM_ABORTED) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, db->r ? db->r->server : db->s,
                     "HUB01033: call of %s%s (provider %s, model %s) "
                     "failed: %s",
                     c->agent ? "agent " : "a provider",
                     c->agent ? c->agent : "", t.name, model,
                     out->error ? out->error : "?");
    }
    *why = out->error;
    return HUB_WF_RUN_CALLED;
}
