/* GoClaw's LLM providers: GET|POST /v1/providers, GET|PUT|DELETE
 * /v1/providers/{id}, GET /v1/providers/{id}/models, POST
 * /v1/providers/{id}/verify.
 *
 * The document gives ProviderInput (name, display_name, provider_type,
 * api_base, api_key, enabled) and the statuses; the rest follows GoClaw's
 * own server and the hub's GoClaw MCP servers (hub_servers_goclaw.c):
 * - a provider answers id, name, display_name, provider_type, api_base,
 *   api_key ("********" when one is stored, "" when none), enabled,
 *   settings, created_at, updated_at, and (added) status, last_error and
 *   last_checked_at of its last check.  The list is {"providers": [...]};
 *   PUT answers {"status": "updated"}, DELETE {"status": "deleted"}.
 * - the key is sealed (HubSecretKeyFile) and never answered or logged;
 *   sending "********" back keeps it, "" or null removes it.
 * - api_base must be an http(s) URL; one whose host is a literal internal
 *   address outside HubOutboundAllow is refused here (400), a name that
 *   resolves to one when the call connects.  No api_base: the type's
 *   default (README, "LLM providers").
 * - reading needs read access; changes need admin, as in GoClaw; /verify
 *   and /models make a call, so they need write access.
 * - /models asks the provider now ({"models": [{id, name}]}, 502 when it
 *   cannot); /verify makes a minimal chat call with `model` (else the
 *   provider's settings.default_model or first listed model) and answers
 *   {"valid": true} or {"valid": false, "error": "..."}, 200 either way.
 * - a malformed or unknown id is 404; a name in use is 409. */
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_wf_llm_schemas.h"
#include "hub_addr.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_validate.h"
#include "mod_hub_servers.h"

/* clang-format off */
static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 100, NULL,
      "unique provider slug: letters, digits, _ . -" },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "provider_type", HUB_T_STRING, HUB_F_REQUIRED, 0, 0,
      hub_llm_provider_types, NULL },
    { "api_base", HUB_T_STRING, HUB_F_NULLABLE, 0, 2000, NULL,
      "http(s); none: the type's default" },
    { "api_key", HUB_T_STRING, HUB_F_NULLABLE, 0, 4096, NULL,
      "stored encrypted, answered masked" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, "default true" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, 0, 1, 100, NULL, NULL },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 0, 200, NULL, NULL },
    { "provider_type", HUB_T_STRING, 0, 0, 0, hub_llm_provider_types, NULL },
    { "api_base", HUB_T_STRING, HUB_F_NULLABLE, 0, 2000, NULL, NULL },
    { "api_key", HUB_T_STRING, HUB_F_NULLABLE, 0, 4096, NULL,
      "\"********\" keeps it, \"\" or null removes it" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t gc_provider[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "display_name", NULL, HUB_J_STRING },
    { "provider_type", NULL, HUB_J_STRING },
    { "api_base", NULL, HUB_J_STRING },
    { "enabled", NULL, HUB_J_BOOL },
    { "settings", NULL, HUB_J_JSON },
    { "status", NULL, HUB_J_STRING },
    { "last_error", NULL, HUB_J_STRING },
    { "last_checked_at", NULL, HUB_J_STRING },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static json_t *provider_json(const hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, gc_provider);
    const char *has = hub_rows_get(rows, i, "has_key");
    json_object_set_new(o, "api_key",
                        json_string(has && *has == 't' ? HUB_WF_MASK : ""));
    return o;
}

static int not_found(hub_result_t *res, const char *id)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "provider not found: %s",
                   id ? id : "");
}

static int bad(hub_result_t *res, const char *fmt, const char *a)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", fmt, a);
}

/* The {id}: DECLINED with its row, or HUB_DONE with the 404. */
static int provider_row(hub_req_t *hr, hub_result_t *res, hub_rows_t **row)
{
    const char *id = hub_param(hr, "id");
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return not_found(res, id);
    }
    st = hub_wf_provider_get(hr, id, row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return (*row)->rows->nelts ? DECLINED : not_found(res, id);
}

static int list(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    json_t *items;
    int i;
    hub_db_status_e st = hub_wf_providers_all(hr, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, provider_json(rows, i));
    }
    return hub_ok(res, json_pack("{s:o}", "providers", items));
}

static int get(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *row;
    if (provider_row(hr, res, &row) != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, provider_json(row, 0));
}

/* api_base: an http(s) URL whose host, when it is a literal address, the
 * operator lets the hub reach.  DECLINED or the 400. */
static int check_base(hub_req_t *hr, hub_result_t *res, const char *url)
{
    APR_OPTIONAL_FN_TYPE(hub_servers_outbound_allow) *allow =
        APR_RETRIEVE_OPTIONAL_FN(hub_servers_outbound_allow);
    const char *why, *addr;
    if (!url || !*url) {
        return DECLINED;
    }
    if ((why = hub_url_problem(hr->pool, url))) {
        return bad(res, "api_base: %s", why);
    }
    addr = hub_http_url_refused(hr->pool, url,
                                allow ? allow(hr->r->server) : NULL);
    if (addr) {
        return bad(res,
                   "api_base: %s is an internal address this hub may not "
                   "reach (its operator allows internal ranges with "
                   "HubOutboundAllow)",
                   addr);
    }
    return DECLINED;
}

/* The body into in: DECLINED or the 400 (or 500: no key to seal with). */
static int take(hub_req_t *hr, hub_result_t *res, hub_wf_provider_in_t *in)
{
    json_t *b = hr->body, *v;
    in->name = json_string_value(json_object_get(b, "name"));
    if (in->name && !hub_wf_is_name(in->name)) {
        return bad(res,
                   "name: '%s' is not a slug (a letter or digit, then "
                   "letters, digits, _ . -; at most 100)",
                   in->name);
    }
    in->type = json_string_value(json_object_get(b, "provider_type"));
    if ((v = json_object_get(b, "display_name"))) {
        in->set_display = 1;
        in->display_name = json_string_value(v);
    }
    if ((v = json_object_get(b, "api_base"))) {
        in->set_base = 1;
        in->api_base = json_string_length(v) ? json_string_value(v) : NULL;
        if (check_base(hr, res, in->api_base) != DECLINED) {
            return HUB_DONE;
        }
    }
    if ((v = json_object_get(b, "enabled"))) {
        in->enabled = json_is_true(v) ? "true" : "false";
    }
    if ((v = json_object_get(b, "api_key"))
        && !(json_is_string(v) && !strcmp(json_string_value(v), HUB_WF_MASK))) {
        in->set_key = 1;
        if (json_string_length(v)
            && hub_wf_seal_key(hr, res, json_string_value(v), &in->api_key)
                   != DECLINED) {
            return HUB_DONE;
        }
    }
    return DECLINED;
}

static int create(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_provider_in_t in = { 0 };
    hub_rows_t *row;
    hub_db_status_e st;
    if (take(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_wf_provider_insert(hr, &in, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, "a provider with this name already exists",
                          hr->request_id);
    }
    return hub_ok_status(res, HTTP_CREATED, provider_json(row, 0));
}

static int update(hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "id");
    hub_wf_provider_in_t in = { 0 };
    hub_rows_t *row;
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return not_found(res, id);
    }
    if (take(hr, res, &in) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_wf_provider_update(hr, id, &in, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, "a provider with this name already exists",
                          hr->request_id);
    }
    if (!row->rows->nelts) {
        return not_found(res, id);
    }
    return hub_ok(res, json_pack("{s:s}", "status", "updated"));
}

static int delete (hub_req_t *hr, hub_result_t *res)
{
    const char *id = hub_param(hr, "id");
    int n = 0;
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return not_found(res, id);
    }
    st = hub_wf_provider_delete(hr, id, &n);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return n ? hub_ok(res, json_pack("{s:s}", "status", "deleted"))
             : not_found(res, id);
}

/* The {id} ready for a call: DECLINED, or HUB_DONE with the answer. */
static int target(hub_req_t *hr, hub_result_t *res, hub_wf_target_t *t)
{
    const char *id = hub_param(hr, "id");
    const char *why;
    int found;
    if (!hub_is_uuid(id)) {
        return not_found(res, id);
    }
    why = hub_wf_target(hr->r, hr->who->tenant_id, id, t, &found);
    if (!found) {
        return not_found(res, id);
    }
    return why ? hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                         "%s", why)
               : DECLINED;
}

static int models(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_target_t t;
    hub_llm_response_t out;
    json_t *list, *m, *items;
    size_t i;
    if (target(hr, res, &t) != DECLINED) {
        return HUB_DONE;
    }
    if (!(list = hub_wf_check_models(hr, &t, &out))) {
        return hub_err(res, hub_llm_http_status(out.status), "UPSTREAM",
                       "the provider's model listing failed: %s",
                       out.error ? out.error : "");
    }
    items = json_array();
    json_array_foreach(list, i, m) {
        json_array_append_new(items, json_pack("{s:O,s:O}", "id",
                                               json_object_get(m, "id"), "name",
                                               json_object_get(m, "label")));
    }
    return hub_ok(res, json_pack("{s:o}", "models", items));
}

static int verify(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_target_t t;
    hub_llm_response_t out;
    const char *model, *why;
    json_t *body;
    if (hub_wf_optional_body(hr, res, &body) != DECLINED
        || target(hr, res, &t) != DECLINED) {
        return HUB_DONE;
    }
    model = hub_wf_check_model(
        hr, &t, json_string_value(json_object_get(body, "model")), &why);
    if (!model) {
        return hub_ok(res, json_pack("{s:b,s:s}", "valid", 0, "error", why));
    }
    if (hub_wf_check_chat(hr, &t, model, &out) == HUB_LLM_OK) {
        return hub_ok(res, json_pack("{s:b}", "valid", 1));
    }
    return hub_ok(res, json_pack("{s:b,s:s}", "valid", 0, "error",
                                 out.error ? out.error : "the call failed"));
}

/* the answers (hub_wf_llm_schemas.h) */
#define PROVIDER_OUT  HUB_DOC("Provider", LS_PROVIDER)
#define PROVIDERS_OUT HUB_DOC_ONE("ProviderList", LS_PROVIDER_LIST)

/* clang-format off */
const hub_route_t hub_workflows_goclaw_providers_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/providers", list, NULL, 0, 0,
      "List LLM providers",
      .need = HUB_NEED_READ, .doc = PROVIDERS_OUT },
    { HUB_GOCLAW, HUB_M_POST, "/v1/providers", create, create_in, 0, 0,
      "Create LLM provider",
      .need = HUB_NEED_ADMIN, .status = 201, .doc = PROVIDER_OUT },
    { HUB_GOCLAW, HUB_M_GET, "/v1/providers/{id}", get, NULL, 0, 0,
      "Get provider",
      .need = HUB_NEED_READ, .doc = PROVIDER_OUT },
    { HUB_GOCLAW, HUB_M_PUT, "/v1/providers/{id}", update, update_in, 0, 0,
      "Update provider",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("ProviderUpdated", LS_STATUS("updated")) },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/providers/{id}", delete, NULL, 0, 0,
      "Delete provider",
      .need = HUB_NEED_ADMIN,
      .doc = HUB_DOC("ProviderDeleted", LS_STATUS("deleted")) },
    { HUB_GOCLAW, HUB_M_GET, "/v1/providers/{id}/models", models, NULL, 0, 0,
      "List available models",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC_ONE("ProviderModels", LS_PROVIDER_MODELS) },
    { HUB_GOCLAW, HUB_M_POST, "/v1/providers/{id}/verify", verify, hub_body_raw,
      0, 0, "Verify provider connection",
      .need = HUB_NEED_WRITE,
      .doc = HUB_DOC("ProviderVerification", LS_VERIFY) },
    { 0 }
};
/* clang-format on */
