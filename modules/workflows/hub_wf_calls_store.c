/* Every call the hub makes to a provider, one llm_calls row: its trace
 * (a request to the hub, or an execution), what it asked of whom, how it
 * ended, its tokens and their cost where the model's pricing is known
 * (the provider's settings.pricing, else hub_llm_pricing's table).
 * GoClaw's traces, usage and costs read them. */
#include <apr_strings.h>
#include "hub_wf_providers.h"

/* clang-format off */
const hub_stmt_t hub_wf_calls_stmts[] = {
    { "hub_wf_call_insert",
      "INSERT INTO llm_calls (tenant_id, trace_id, execution_id, node_id,"
      "   agent_id, provider_id, provider_type, model, streamed, status,"
      "   error, http_status, input_tokens, output_tokens, cost, started_at,"
      "   duration_ms)"
      " VALUES (%s::uuid, %s::uuid, %s::uuid, %s, %s::uuid, %s::uuid, %s, %s,"
      "   %s::boolean, %s, %s, %s::int, %s::int, %s::int, %s::numeric,"
      "   now() - %s::int * interval '1 millisecond', %s::int)" },
    { NULL, NULL }
};
/* clang-format on */

#define NARGS 17

static void args_of(apr_pool_t *p, const hub_wf_call_t *c, const char **a)
{
    const hub_llm_response_t *res = c->res;
    const char *model = res->model ? res->model : c->model;
    const json_t *pricing = json_object_get(c->target->settings, "pricing");
    long ms = (long)(res->seconds * 1000 + 0.5);
    a[0] = c->tenant_id;
    a[1] = c->trace_id;
    a[2] = c->execution_id;
    a[3] = c->node_id;
    a[4] = c->agent_id;
    a[5] = c->target->pv.id;
    a[6] = c->target->pv.type;
    a[7] = model ? apr_pstrndup(p, model, 200) : NULL;
    a[8] = res->streamed ? "true" : "false";
    a[9] = res->status == HUB_LLM_OK        ? "ok"
           : res->status == HUB_LLM_ABORTED ? "cancelled"
                                            : "error";
    a[10] = res->status == HUB_LLM_OK
                ? NULL
                : apr_pstrndup(p,
                               apr_pstrcat(p, hub_llm_status_name(res->status),
                                           ": ", res->error ? res->error : "",
                                           NULL),
                               2000);
    a[11] = res->http_status ? apr_ltoa(p, res->http_status) : NULL;
    a[12] = apr_ltoa(p, res->input_tokens);
    a[13] = apr_ltoa(p, res->output_tokens);
    a[14] = apr_psprintf(p, "%.8f",
                         hub_llm_cost(model, pricing, res->input_tokens,
                                      res->output_tokens));
    a[15] = apr_ltoa(p, ms);
    a[16] = apr_ltoa(p, ms);
}

hub_db_status_e hub_wf_call_record(request_rec *r, const hub_wf_call_t *c)
{
    const char *a[NARGS];
    args_of(r->pool, c, a);
    return hub_db_exec(r, &hub_wf_calls_stmts[0], NULL, NARGS, a);
}

hub_db_status_e hub_wf_call_record_on(apr_pool_t *p, server_rec *s,
                                      ap_dbd_t *dbd, const hub_wf_call_t *c)
{
    const char *a[NARGS];
    args_of(p, c, a);
    return hub_db_exec_on(p, s, dbd, &hub_wf_calls_stmts[0], NULL, NARGS, a);
}
