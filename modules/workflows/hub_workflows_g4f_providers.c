/* G4F's providers: GET /providers, POST /providers/scan,
 * GET /providers/{provider_id}/models, POST /providers/{provider_id}/test.
 *
 * G4F creates no providers: they are the tenant's llm_providers rows, the
 * ones GoClaw's /v1/providers manages.  Decisions:
 * - a provider's id is its name (an id also finds it); label its
 *   display name (else its name); type its provider_type; status
 *   `disabled`, or its last check's `unknown`, `ok` or `error`; base_url
 *   its api_base or the type's default; supports what the hub can do with
 *   it (chat, stream, tools, models; none for gemini_native);
 *   last_checked_at.  Offset pages: limit 1..200 (50), cursor.
 * - /scan lists the models of every enabled provider (or of those
 *   `include` names): discovered[] the ids that answered, warnings[] one
 *   "<id>: <why>" per one that did not (or is unknown, or disabled); ok
 *   when there is no warning.  Each check is kept as the provider's
 *   status and models.
 * - /models is the provider's listing: the stored one of its last check,
 *   or a live one when there is none or `refresh=true`; items id, label,
 *   context_tokens (null: the providers' listings do not say),
 *   capabilities, pricing ({input, output, currency, unit}: US dollars
 *   per million tokens, the provider's settings.pricing or the hub's
 *   table; null when unknown); `q` finds text in id or label, any case,
 *   `capability` one of the capabilities.  A listing that fails is 502.
 * - /test makes a minimal chat call (body `model`, else the provider's
 *   default or first model) and answers ok, latency_ms and details
 *   (model, http_status, status, error when it failed), 200 either way.
 * - an unknown provider is 404; reading needs read access, /scan and
 *   /test (they spend a call) write access. */
#include <apr_strings.h>
#include <apr_lib.h>
#include "hub_wf_providers.h"
#include "hub_wf_llm_schemas.h"
#include "hub_json.h"
#include "hub_text.h"
#include "hub_validate.h"

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
static const hub_qfield_t list_q[] = {
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};

static const hub_qfield_t models_q[] = {
    { "q", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 200, 0, NULL,
      "text in the model's id or label" },
    { "capability", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 50, 0, NULL,
      "chat, stream, tools" },
    { "refresh", HUB_Q_BOOL, 0, 0, 0, 0, NULL,
      "ask the provider now, not its last listing" },
    HUB_Q_G4F_PAGE,
    HUB_Q_END
};
/* clang-format on */

static json_t *supports(const char *type)
{
    return hub_llm_type_supported(type)
               ? json_pack("[s,s,s,s]", "chat", "stream", "tools", "models")
               : json_array();
}

static json_t *provider_item(const hub_rows_t *rows, int i)
{
    const char *type = hub_rows_get(rows, i, "provider_type");
    const char *label = hub_rows_get(rows, i, "display_name");
    const char *base = hub_rows_get(rows, i, "api_base");
    const char *en = hub_rows_get(rows, i, "enabled");
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", hub_rows_get(rows, i, "name"),
        "label", label && *label ? label : hub_rows_get(rows, i, "name"),
        "type", type, "status",
        en && *en == 't' ? hub_rows_get(rows, i, "status") : "disabled",
        "base_url",
        hub_json_str_or_null(base && *base ? base : hub_llm_default_base(type)),
        "supports", supports(type), "last_checked_at",
        hub_json_str_or_null(hub_rows_get(rows, i, "last_checked_at")));
}

static int list(hub_req_t *hr, hub_result_t *res)
{
    hub_page_t pg;
    hub_rows_t *rows;
    json_t *items;
    long total;
    int i;
    hub_db_status_e st;
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    st = hub_wf_providers_page(hr, pg.limit, pg.offset, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, provider_item(rows, i));
    }
    return hub_ok_page(res, items, total, &pg);
}

static int not_found(hub_result_t *res, const char *id)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "provider not found: %s",
                   id ? id : "");
}

/* {provider_id} ready for a call: DECLINED, or HUB_DONE. */
static int target(hub_req_t *hr, hub_result_t *res, hub_wf_target_t *t)
{
    const char *id = hub_param(hr, "provider_id");
    int found;
    const char *why = hub_wf_target(hr->r, hr->who->tenant_id, id, t, &found);
    if (!found) {
        return not_found(res, id);
    }
    return why ? hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                         "%s", why)
               : DECLINED;
}

/* ---- /scan --------------------------------------------------------------- */

static int included(const json_t *include, const char *name, const char *id)
{
    json_t *v;
    size_t i;
    if (!include) {
        return 1;
    }
    json_array_foreach(include, i, v) {
        const char *s = json_string_value(v);
        if (s && (!strcmp(s, name) || !strcmp(s, id))) {
            return 1;
        }
    }
    return 0;
}

/* One provider of the scan: into discovered or warnings. */
static void scan_one(hub_req_t *hr, const char *name, json_t *found,
                     json_t *warnings)
{
    hub_wf_target_t t;
    hub_llm_response_t out;
    int ok;
    const char *why = hub_wf_target(hr->r, hr->who->tenant_id, name, &t, &ok);
    if (why) {
        json_array_append_new(warnings, json_sprintf("%s: %s", name, why));
    }
    else if (!hub_wf_check_models(hr, &t, &out)) {
        json_array_append_new(warnings,
                              json_sprintf("%s: %s", name,
                                           out.error ? out.error
                                                     : "the listing failed"));
    }
    else {
        json_array_append_new(found, json_string(name));
    }
}

static int scan(hub_req_t *hr, hub_result_t *res)
{
    json_t *body, *include, *found, *warnings, *v;
    hub_rows_t *rows;
    hub_db_status_e st;
    size_t k;
    int i;

    if (hub_wf_optional_body(hr, res, &body) != DECLINED) {
        return HUB_DONE;
    }
    include = json_object_get(body, "include");
    if (include && !json_is_array(include)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "include: an array of provider ids");
    }
    st = hub_wf_providers_all(hr, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    found = json_array();
    warnings = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        const char *name = hub_rows_get(rows, i, "name");
        const char *en = hub_rows_get(rows, i, "enabled");
        if (!included(include, name, hub_rows_get(rows, i, "id"))) {
            continue;
        }
        if (!en || *en != 't') {
            if (include) {
                json_array_append_new(warnings,
                                      json_sprintf("%s: disabled", name));
            }
            continue;
        }
        scan_one(hr, name, found, warnings);
    }
    json_array_foreach(include, k, v) {
        int known = 0;
        for (i = 0; i < rows->rows->nelts && json_is_string(v); i++) {
            known |=
                !strcmp(json_string_value(v), hub_rows_get(rows, i, "name"))
                || !strcmp(json_string_value(v), hub_rows_get(rows, i, "id"));
        }
        if (!known) {
            json_array_append_new(warnings,
                                  json_sprintf("%s: no such provider",
                                               json_is_string(v)
                                                   ? json_string_value(v)
                                                   : "?"));
        }
    }
    return hub_ok(res, json_pack("{s:b,s:o,s:o}", "ok",
                                 json_array_size(warnings) == 0, "discovered",
                                 found, "warnings", warnings));
}

/* ---- /models ------------------------------------------------------------- */

static json_t *pricing_of(const hub_wf_target_t *t, const char *model)
{
    json_t *pr = hub_llm_pricing(model,
                                 json_object_get(t->settings, "pricing"));
    if (!pr) {
        return json_null();
    }
    json_object_set_new(pr, "currency", json_string("USD"));
    json_object_set_new(pr, "unit", json_string("1M tokens"));
    return pr;
}

/* s contains q, any case */
static int has_text(apr_pool_t *p, const char *s, const char *q)
{
    return s && strstr(hub_lower(p, s), hub_lower(p, q)) != NULL;
}

static int models(hub_req_t *hr, hub_result_t *res)
{
    const char *q = hub_qv_str(&hr->q, "q");
    const char *cap = hub_qv_str(&hr->q, "capability");
    const json_t *list;
    json_t *caps, *m, *items;
    hub_wf_target_t t;
    hub_llm_response_t out;
    hub_page_t pg;
    long total = 0;
    size_t i;

    if (target(hr, res, &t) != DECLINED) {
        return HUB_DONE;
    }
    list = t.models;
    if (!json_array_size(list) || hub_qv_long(&hr->q, "refresh")) {
        if (!(list = hub_wf_check_models(hr, &t, &out))) {
            return hub_err(res, hub_llm_http_status(out.status), "UPSTREAM",
                           "the provider's model listing failed: %s",
                           out.error ? out.error : "");
        }
    }
    hub_qv_page(&hr->q, "limit", "cursor", &pg);
    caps = supports(t.pv.type);
    json_array_remove(caps, 3); /* "models" is the provider's, not one's */
    hub_json_own(hr->pool, caps);
    items = json_array();
    json_array_foreach(list, i, m) {
        const char *id = json_string_value(json_object_get(m, "id"));
        const char *label = json_string_value(json_object_get(m, "label"));
        json_t *c;
        size_t k;
        int has_cap = !cap;
        json_array_foreach(caps, k, c) {
            has_cap |= cap && !strcmp(cap, json_string_value(c));
        }
        if (!id || !has_cap
            || (q && !has_text(hr->pool, id, q)
                && !has_text(hr->pool, label, q))) {
            continue;
        }
        if (total++ < pg.offset || (long)json_array_size(items) >= pg.limit) {
            continue;
        }
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:n,s:O,s:o}", "id", id,
                                        "label", label ? label : id,
                                        "context_tokens", "capabilities", caps,
                                        "pricing", pricing_of(&t, id)));
    }
    return hub_ok_page(res, items, total, &pg);
}

/* ---- /test --------------------------------------------------------------- */

static int test(hub_req_t *hr, hub_result_t *res)
{
    hub_wf_target_t t;
    hub_llm_response_t out;
    const char *model, *why;
    json_t *body, *details;
    int ok;

    if (hub_wf_optional_body(hr, res, &body) != DECLINED
        || target(hr, res, &t) != DECLINED) {
        return HUB_DONE;
    }
    model = hub_wf_check_model(
        hr, &t, json_string_value(json_object_get(body, "model")), &why);
    if (!model) {
        return hub_ok(res,
                      json_pack("{s:b,s:i,s:{s:n,s:s}}", "ok", 0, "latency_ms",
                                0, "details", "model", "error", why));
    }
    ok = hub_wf_check_chat(hr, &t, model, &out) == HUB_LLM_OK;
    details = json_pack("{s:s,s:o,s:s}", "model", model, "http_status",
                        out.http_status ? json_integer(out.http_status)
                                        : json_null(),
                        "status", hub_llm_status_name(out.status));
    if (!ok) {
        json_object_set_new(details, "error",
                            json_string(out.error ? out.error : "failed"));
    }
    return hub_ok(res, json_pack("{s:b,s:I,s:o}", "ok", ok, "latency_ms",
                                 (json_int_t)(out.seconds * 1000 + 0.5),
                                 "details", details));
}

/* the answers (hub_wf_llm_schemas.h); the pages' items */
#define G4F_PROVIDER_OUT HUB_DOC("ProviderInfo", LS_G4F_PROVIDER)
#define G4F_MODEL_OUT    HUB_DOC("ModelInfo", LS_G4F_MODEL)

/* clang-format off */
const hub_route_t hub_workflows_g4f_providers_routes[] = {
    { HUB_G4F, HUB_M_GET, "/providers", list, NULL, G4F_IN, 0,
      "Providers: GET /providers",
      .need = HUB_NEED_READ, .query = list_q, .wrap = HUB_WRAP_G4F_PAGE,
      .doc = G4F_PROVIDER_OUT },
    { HUB_G4F, HUB_M_POST, "/providers/scan", scan, hub_body_raw, G4F_IN, 0,
      "Providers: POST /providers/scan",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("ProviderScan", LS_G4F_SCAN) },
    { HUB_G4F, HUB_M_GET, "/providers/{provider_id}/models", models, NULL,
      G4F_IN, 0, "Providers: GET /providers/{provider_id}/models",
      .need = HUB_NEED_READ, .query = models_q, .wrap = HUB_WRAP_G4F_PAGE,
      .doc = G4F_MODEL_OUT },
    { HUB_G4F, HUB_M_POST, "/providers/{provider_id}/test", test,
      hub_body_raw, G4F_IN, 0, "Providers: POST /providers/{provider_id}/test",
      .need = HUB_NEED_WRITE, .doc = HUB_DOC("ProviderTest", LS_G4F_TEST) },
    { 0 }
};
/* clang-format on */
