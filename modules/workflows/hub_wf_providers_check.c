/* The provider checks GoClaw (/verify, /models) and G4F (/test, /models,
 * /scan) share: a minimal chat call and a model listing, both made in the
 * request with the provider's key and the operator's outbound ranges, and
 * their outcome kept as the provider's status (and its models). */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_json.h"
#include "hub_time.h"

/* the models as stored: [{id, label}]; a listing of plain strings too */
static const char *first_model(const json_t *models)
{
    json_t *m = json_array_get(models, 0);
    return json_is_string(m) ? json_string_value(m)
                             : json_string_value(json_object_get(m, "id"));
}

json_t *hub_wf_check_models(hub_req_t *hr, hub_wf_target_t *t,
                            hub_llm_response_t *out)
{
    json_t *models = NULL;
    hub_llm_status_e st = hub_llm_models(hr->pool, &t->pv,
                                         HUB_WF_CHECK_TIMEOUT_MS, &models, out);
    hub_wf_provider_checked(hr->r, hr->who->tenant_id, t->pv.id,
                            st == HUB_LLM_OK, out->error,
                            st == HUB_LLM_OK ? models : NULL);
    if (st != HUB_LLM_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB01030: provider %s: model listing failed: %s",
                      t->name, out->error ? out->error : "?");
        return NULL;
    }
    t->models = models;
    return models;
}

const char *hub_wf_check_model(hub_req_t *hr, hub_wf_target_t *t,
                               const char *model, const char **why)
{
    const char *m = model && *model
                        ? model
                        : json_string_value(
                            json_object_get(t->settings, "default_model"));
    hub_llm_response_t out;
    json_t *listed;
    *why = NULL;
    if (m && *m) {
        return m;
    }
    if ((m = first_model(t->models))) {
        return m;
    }
    listed = hub_wf_check_models(hr, t, &out);
    if (!listed) {
        *why = apr_pstrcat(hr->pool,
                           "no model to call: the provider's "
                           "model listing failed: ",
                           out.error ? out.error : "", NULL);
        return NULL;
    }
    if (!(m = first_model(listed))) {
        *why = "no model to call: the provider lists none";
    }
    return m;
}

hub_llm_status_e hub_wf_check_chat(hub_req_t *hr, hub_wf_target_t *t,
                                   const char *model, hub_llm_response_t *out)
{
    hub_llm_request_t rq = { 0 };
    hub_wf_call_t call = { 0 };
    json_t *msgs = hub_json_own(hr->pool, json_pack("[{s:s,s:s}]", "role",
                                                    "user", "content", "ping"));
    hub_llm_status_e st;

    rq.model = model;
    rq.messages = msgs;
    rq.max_tokens = 8;
    rq.temperature = -1;
    rq.timeout_ms = HUB_WF_CHECK_TIMEOUT_MS;
    st = hub_llm_chat(hr->pool, &t->pv, &rq, out);
    call.tenant_id = hr->who->tenant_id;
    call.trace_id = hub_uuid4(hr->pool);
    call.target = t;
    call.model = model;
    call.res = out;
    hub_wf_call_record(hr->r, &call);
    hub_wf_provider_checked(hr->r, hr->who->tenant_id, t->pv.id,
                            st == HUB_LLM_OK, out->error, NULL);
    if (st != HUB_LLM_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB01031: provider %s: check of model %s failed: %s",
                      t->name, model, out->error ? out->error : "?");
    }
    return st;
}

int hub_wf_optional_body(hub_req_t *hr, hub_result_t *res, json_t **body)
{
    hub_json_error_t jerr = { 0 };
    char *buf = NULL;
    apr_size_t len = 0;
    int rc = hub_read_body(hr, hub_conf_max_body(hr->conf), &buf, &len);
    *body = NULL;
    if (rc != OK) {
        res->close = 1;
        return hub_err(res, rc, NULL, "request body could not be read");
    }
    while (len && apr_isspace(buf[len - 1])) {
        len--;
    }
    if (!len) {
        return DECLINED;
    }
    *body = hub_json_parse(hr->pool, buf, len, hub_conf_max_depth(hr->conf),
                           &jerr);
    if (!json_is_object(*body)) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "the body, when there is one, must be a JSON object");
    }
    return DECLINED;
}
