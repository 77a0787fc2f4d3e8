/* The only SQL over llm_providers (hub_wf_providers.h).  The sealed key
 * is selected by one statement only (hub_wf_prov_target), which no
 * answer reads; the others say has_key. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_wf_providers.h"
#include "hub_json.h"
#include "hub_secret.h"
#include "mod_hub_servers.h"

#define PROV_COLS \
    "p.id, p.name, p.display_name, p.provider_type, p.api_base," \
    " (p.api_key IS NOT NULL) AS has_key, p.enabled, p.status, p.last_error," \
    " iso8601(p.last_checked_at) AS last_checked_at, p.models, p.settings," \
    " p.created_by, iso8601(p.created_at) AS created_at," \
    " iso8601(p.updated_at) AS updated_at"

/* clang-format off */
const hub_stmt_t hub_wf_providers_stmts[] = {
    { "hub_wf_prov_all",
      "SELECT " PROV_COLS " FROM llm_providers p"
      " WHERE p.tenant_id = %s::uuid ORDER BY p.created_at, p.id" },
    { "hub_wf_prov_page",
      "WITH f AS (SELECT * FROM llm_providers WHERE tenant_id = %s::uuid)"
      " SELECT n.total, q.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT " PROV_COLS " FROM f p"
      "   ORDER BY p.created_at, p.id"
      "   LIMIT %s::bigint OFFSET %s::bigint) q ON true" },
    { "hub_wf_prov_get",
      "SELECT " PROV_COLS " FROM llm_providers p"
      " WHERE p.tenant_id = %s::uuid AND (p.name = %s OR p.id::text = %s)" },
    { "hub_wf_prov_insert",
      "INSERT INTO llm_providers AS p (tenant_id, name, display_name,"
      "   provider_type, api_base, api_key, enabled, created_by)"
      " VALUES (%s::uuid, %s, %s, %s, %s, %s, coalesce(%s::boolean, true),"
      "         %s::uuid)"
      " RETURNING " PROV_COLS },
    /* a new address, type or key makes the last check's status moot */
    { "hub_wf_prov_update",
      "UPDATE llm_providers p SET"
      "  name = coalesce(%s, p.name),"
      "  display_name = CASE WHEN %s::boolean THEN %s ELSE p.display_name END,"
      "  provider_type = coalesce(%s, p.provider_type),"
      "  api_base = CASE WHEN %s::boolean THEN %s ELSE p.api_base END,"
      "  api_key = CASE WHEN %s::boolean THEN %s ELSE p.api_key END,"
      "  enabled = coalesce(%s::boolean, p.enabled),"
      "  status = CASE WHEN %s::boolean THEN 'unknown' ELSE p.status END,"
      "  updated_at = now()"
      " WHERE p.id = %s::uuid AND p.tenant_id = %s::uuid"
      " RETURNING " PROV_COLS },
    { "hub_wf_prov_delete",
      "DELETE FROM llm_providers WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    /* for a call only: the sealed key is opened, never answered */
    { "hub_wf_prov_target",
      "SELECT id, name, provider_type, api_base, api_key, enabled, models,"
      "       settings FROM llm_providers"
      " WHERE tenant_id = %s::uuid AND (name = %s OR id::text = %s)" },
    { "hub_wf_prov_checked",
      "UPDATE llm_providers SET status = %s, last_error = %s,"
      "  last_checked_at = now(), models = coalesce(%s::jsonb, models)"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_ALL,
    ST_PAGE,
    ST_GET,
    ST_INSERT,
    ST_UPDATE,
    ST_DELETE,
    ST_TARGET,
    ST_CHECKED
};
#define ST(i) (&hub_wf_providers_stmts[i])

int hub_wf_is_name(const char *s)
{
    size_t i;
    if (!s || !apr_isalnum(*s)) {
        return 0;
    }
    for (i = 1; s[i]; i++) {
        if (i > 99
            || !(apr_isalnum(s[i]) || s[i] == '_' || s[i] == '.'
                 || s[i] == '-')) {
            return 0;
        }
    }
    return 1;
}

hub_db_status_e hub_wf_providers_all(hub_req_t *hr, hub_rows_t **rows)
{
    const char *args[1] = { hr->who->tenant_id };
    return hub_db_select(hr->r, ST(ST_ALL), rows, 1, args);
}

hub_db_status_e hub_wf_providers_page(hub_req_t *hr, long limit, long offset,
                                      hub_rows_t **rows)
{
    const char *args[3] = { hr->who->tenant_id, apr_ltoa(hr->pool, limit),
                            apr_ltoa(hr->pool, offset) };
    return hub_db_select(hr->r, ST(ST_PAGE), rows, 3, args);
}

hub_db_status_e hub_wf_provider_get(hub_req_t *hr, const char *ref,
                                    hub_rows_t **row)
{
    const char *args[3] = { hr->who->tenant_id, ref, ref };
    return hub_db_select(hr->r, ST(ST_GET), row, 3, args);
}

hub_db_status_e hub_wf_provider_insert(
    hub_req_t *hr, const hub_wf_provider_in_t *in, hub_rows_t **row)
{
    const char *args[8] = {
        hr->who->tenant_id, in->name,    in->display_name, in->type,
        in->api_base,       in->api_key, in->enabled,      hr->who->user_id
    };
    return hub_db_select(hr->r, ST(ST_INSERT), row, 8, args);
}

static const char *flag(int on)
{
    return on ? "true" : "false";
}

hub_db_status_e hub_wf_provider_update(hub_req_t *hr, const char *id,
                                       const hub_wf_provider_in_t *in,
                                       hub_rows_t **row)
{
    const char *args[12];
    args[0] = in->name;
    args[1] = flag(in->set_display);
    args[2] = in->display_name;
    args[3] = in->type;
    args[4] = flag(in->set_base);
    args[5] = in->api_base;
    args[6] = flag(in->set_key);
    args[7] = in->api_key;
    args[8] = in->enabled;
    args[9] = flag(in->set_base || in->set_key || in->type);
    args[10] = id;
    args[11] = hr->who->tenant_id;
    return hub_db_select(hr->r, ST(ST_UPDATE), row, 12, args);
}

hub_db_status_e hub_wf_provider_delete(hub_req_t *hr, const char *id,
                                       int *deleted)
{
    const char *args[2] = { id, hr->who->tenant_id };
    return hub_db_exec(hr->r, ST(ST_DELETE), deleted, 2, args);
}

hub_db_status_e hub_wf_provider_checked(request_rec *r, const char *tenant,
                                        const char *id, int ok,
                                        const char *error, const json_t *models)
{
    const char *args[5];
    args[0] = ok ? "ok" : "error";
    args[1] = error ? apr_pstrndup(r->pool, error, 2000) : NULL;
    args[2] = models ? hub_json_dump(r->pool, models, JSON_COMPACT, NULL)
                     : NULL;
    args[3] = id;
    args[4] = tenant;
    return hub_db_exec(r, ST(ST_CHECKED), NULL, 5, args);
}

/* ---- keys --------------------------------------------------------------- */

static const hub_secret_key_t *secret_key(const server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(hub_servers_secret_key) *fn = APR_RETRIEVE_OPTIONAL_FN(
        hub_servers_secret_key);
    return fn ? fn(s) : NULL;
}

static const apr_array_header_t *outbound_allow(const server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(hub_servers_outbound_allow) *fn =
        APR_RETRIEVE_OPTIONAL_FN(hub_servers_outbound_allow);
    return fn ? fn(s) : NULL;
}

int hub_wf_seal_key(hub_req_t *hr, hub_result_t *res, const char *plain,
                    const char **out)
{
    const hub_secret_key_t *key = secret_key(hr->r->server);
    if (!key) {
        return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "NO_SECRET_KEY",
                       "this hub cannot store API keys: its operator has "
                       "not set HubSecretKeyFile");
    }
    *out = hub_secret_encrypt(hr->pool, key, hr->who->tenant_id, plain,
                              strlen(plain));
    if (!*out) {
        return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                       "the API key could not be sealed");
    }
    return DECLINED;
}

/* The target from its row (hub_wf_prov_target's columns). */
static const char *target_of(apr_pool_t *p, const server_rec *s,
                             const char *tenant, const hub_rows_t *row,
                             hub_wf_target_t *t)
{
    const char *sealed = hub_rows_get(row, 0, "api_key");
    const char *en = hub_rows_get(row, 0, "enabled");
    memset(t, 0, sizeof(*t));
    t->pv.id = hub_rows_get(row, 0, "id");
    t->pv.type = hub_rows_get(row, 0, "provider_type");
    t->pv.api_base = hub_rows_get(row, 0, "api_base");
    t->pv.allow = outbound_allow(s);
    t->name = hub_rows_get(row, 0, "name");
    t->enabled = en && *en == 't';
    t->models = hub_json_own(p, json_loads(hub_rows_get(row, 0, "models"), 0,
                                           NULL));
    t->settings = hub_json_own(p, json_loads(hub_rows_get(row, 0, "settings"),
                                             0, NULL));
    if (sealed) {
        const hub_secret_key_t *key = secret_key(s);
        if (!key
            || !(t->pv.api_key = hub_secret_decrypt(p, key, tenant, sealed,
                                                    NULL))) {
            return "the provider's API key cannot be opened with this hub's "
                   "HubSecretKeyFile";
        }
    }
    return NULL;
}

const char *hub_wf_target(request_rec *r, const char *tenant, const char *ref,
                          hub_wf_target_t *t, int *found)
{
    const char *args[3] = { tenant, ref, ref };
    hub_rows_t *row;
    *found = 0;
    if (hub_db_select(r, ST(ST_TARGET), &row, 3, args) != HUB_DB_OK) {
        return "the database is unavailable";
    }
    if (!row->rows->nelts) {
        return "no such provider";
    }
    *found = 1;
    return target_of(r->pool, r->server, tenant, row, t);
}

const char *hub_wf_target_on(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                             const char *tenant, const char *ref,
                             hub_wf_target_t *t, int *found)
{
    const char *args[3] = { tenant, ref, ref };
    hub_rows_t *row;
    *found = 0;
    if (hub_db_select_on(p, s, dbd, ST(ST_TARGET), &row, 3, args)
        != HUB_DB_OK) {
        return "the database is unavailable";
    }
    if (!row->rows->nelts) {
        return "no such provider";
    }
    *found = 1;
    return target_of(p, s, tenant, row, t);
}
