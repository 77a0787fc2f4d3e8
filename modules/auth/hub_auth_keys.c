/* API keys and Caylex's platform access tokens: rows of api_keys, minted
 * by hub_key.h (shown once, stored as SHA-256 only), created and revoked
 * here for every profile.  Patchwork's and GoClaw's key endpoints and
 * Caylex's token endpoints are shapes over these operations. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_audit.h"
#include "hub_crypto.h"
#include "hub_key.h"

#define KEY_COLUMNS \
    "id, name, description, prefix, scopes, is_prod," \
    " iso8601(expires_at) AS expires_at," \
    " iso8601(last_used_at) AS last_used_at," \
    " revoked_at IS NOT NULL AS revoked, created_by," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"

const hub_stmt_t hub_auth_keys_stmts[] = {
    /* an expiry at a time, or in so many seconds (0: never); a
     * navigator key stores nothing unless its instance is the tenant's */
    { "hub_auth_key_insert",
      "INSERT INTO api_keys (tenant_id, user_id, kind, navigator_instance_id,"
      "                      name, description, prefix, key_hash, scopes,"
      "                      is_prod, expires_at, created_by)"
      " SELECT %s::uuid, %s::uuid, %s, %s::uuid, %s, %s, %s, %s, %s::text[],"
      "        %s::boolean, coalesce(%s::timestamptz,"
      "          CASE WHEN %s::bigint > 0"
      "               THEN now() + make_interval(secs => %s::bigint) END),"
      "        %s"
      "  WHERE %s::uuid IS NULL OR EXISTS (SELECT 1 FROM navigator_instances i"
      "        WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid)"
      " RETURNING " KEY_COLUMNS ", prefix || '......' AS preview" },
    { "hub_auth_keys_list",
      "SELECT " KEY_COLUMNS " FROM api_keys"
      " WHERE tenant_id = %s::uuid AND kind = 'api_key'"
      "   AND (NOT %s::boolean OR (revoked_at IS NULL"
      "        AND (expires_at IS NULL OR expires_at > now())))"
      " ORDER BY created_at, id" },
    /* soft: the row stays, listed as revoked where listings show those */
    { "hub_auth_key_revoke",
      "UPDATE api_keys SET revoked_at = now(), updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid AND kind = %s"
      "   AND revoked_at IS NULL"
      "   AND (%s::uuid IS NULL OR navigator_instance_id = %s::uuid)"
      " RETURNING key_hash" },
    { NULL, NULL }
};

#define ST_INSERT (&hub_auth_keys_stmts[0])
#define ST_LIST   (&hub_auth_keys_stmts[1])
#define ST_REVOKE (&hub_auth_keys_stmts[2])

hub_db_status_e hub_auth_key_create(hub_req_t *hr, const hub_key_new_t *k,
                                    hub_rows_t **row, const char **raw)
{
    const hub_key_t *key = hub_key_mint(hr->pool, HUB_KEY_API);
    const char *expires = apr_ltoa(hr->pool, k->expires_in);
    const char *ni = k->navigator_instance_id;
    const char *args[17];
    hub_db_status_e st;
    if (!key) {
        return HUB_DB_ERROR;
    }
    args[0] = hr->who->tenant_id;
    /* a navigator key has no user and no scope (sql/021) */
    args[1] = ni ? NULL : hr->who->user_id;
    args[2] = ni        ? HUB_AUTH_KEY_NAVIGATOR
              : k->kind ? k->kind
                        : HUB_AUTH_KEY_API;
    args[3] = ni;
    args[4] = k->name ? k->name : "";
    args[5] = k->description;
    args[6] = key->prefix;
    args[7] = key->hash;
    args[8] = hub_scopes_pg(hr->pool, ni ? 0 : k->scopes);
    args[9] = k->is_prod ? "true" : "false";
    args[10] = k->expires_at;
    args[11] = expires;
    args[12] = expires;
    args[13] = hr->who->name;
    args[14] = args[15] = ni;
    args[16] = hr->who->tenant_id;
    st = hub_db_select(hr->r, ST_INSERT, row, 17, args);
    if (st == HUB_DB_OK && !ni && (*row)->rows->nelts != 1) {
        st = HUB_DB_ERROR;
    }
    if (st == HUB_DB_OK && (*row)->rows->nelts == 1) {
        hub_audit(hr, "api_key.created", NULL, args[2],
                  hub_rows_get(*row, 0, "id"), NULL);
    }
    *raw = key->raw;
    return st;
}

int hub_auth_key_issue(hub_req_t *hr, hub_result_t *res, const hub_key_new_t *k,
                       const hub_shape_t *shape, const char *member)
{
    hub_rows_t *row;
    const char *raw;
    json_t *out;
    hub_db_status_e st = hub_auth_key_create(hr, k, &row, &raw);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    out = hub_row_json(row, 0, shape);
    json_object_set_new(out, member, json_string(raw));
    return hub_ok(res, out);
}

hub_db_status_e hub_auth_keys_list(hub_req_t *hr, const char *tenant_id,
                                   int active_only, hub_rows_t **rows)
{
    const char *args[2] = { tenant_id, active_only ? "true" : "false" };
    return hub_db_select(hr->r, ST_LIST, rows, 2, args);
}

/* The answer of a done revocation, in the route's words. */
static int revoked(hub_result_t *res, const hub_key_revoke_words_t *w,
                   const char *id)
{
    switch (w->answer) {
    case HUB_REVOKED_PATCHWORK:
        return hub_ok(res, json_pack("{s:s,s:s}", "uuid", id, "message",
                                     "API key revoked"));
    case HUB_REVOKED_EMPTY: return hub_ok_empty(res, HTTP_NO_CONTENT);
    case HUB_REVOKED_ID: return hub_ok(res, json_pack("{s:s}", "id", id));
    default: return hub_ok(res, json_pack("{s:s}", "status", "revoked"));
    }
}

/* The id of the path parameter `name`: NULL with the answer in res (404,
 * or FastAPI's 422 where the route's words ask for it). */
static const char *path_id(hub_req_t *hr, hub_result_t *res,
                           const hub_key_revoke_words_t *w, const char *name)
{
    const char *id;
    if (w->uuid_422) {
        return hub_param_uuid(hr, res, name);
    }
    if (!hub_is_uuid(id = hub_param(hr, name))) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
        return NULL;
    }
    return id;
}

/* Revoke a key of the caller's tenant, of the kind the route manages (and
 * of its navigator instance, for those keys): one already revoked,
 * another tenant's, another kind's or instance's is 404.  The route's
 * need says who may. */
int hub_auth_key_revoke(hub_req_t *hr, hub_result_t *res)
{
    const hub_key_revoke_words_t *w = hr->route->words;
    const char *args[5] = { NULL, hr->who->tenant_id, w->kind, NULL, NULL };
    hub_rows_t *rows;
    hub_db_status_e st;
    const char *hash;

    if ((w->instance_param
         && !(args[3] = path_id(hr, res, w, w->instance_param)))
        || !(args[0] = path_id(hr, res, w, w->param))) {
        return HUB_DONE;
    }
    args[4] = args[3];
    st = hub_db_select(hr->r, ST_REVOKE, &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
    }
    /* refused at once on this host, not after the cache's TTL */
    hub_audit(hr, "api_key.revoked", NULL, w->kind, args[0], NULL);
    hash = hub_rows_get(rows, 0, "key_hash");
    hub_auth_cache_forget(hr->r,
                          args[3]
                              ? hub_auth_nav_cache_key(hr->pool, hash, args[3])
                              : apr_pstrcat(hr->pool, "a:", hash, NULL));
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00141: %s %s%s%s revoked in tenant %s by %s", w->kind,
                  args[0], args[3] ? " of navigator instance " : "",
                  args[3] ? args[3] : "", hr->who->tenant_slug, hr->who->name);
    return revoked(res, w, args[0]);
}

const hub_key_revoke_words_t hub_auth_revoke_patchwork = {
    "key_uuid", HUB_AUTH_KEY_API,     NULL, "API key not found",
    0,          HUB_REVOKED_PATCHWORK
};
const hub_key_revoke_words_t hub_auth_revoke_goclaw = {
    "id", HUB_AUTH_KEY_API, NULL, "api key not found", 0, HUB_REVOKED_STATUS
};
const hub_key_revoke_words_t hub_auth_revoke_platform = {
    "token_id", HUB_AUTH_KEY_PLATFORM, NULL, "Platform access token not found",
    0,          HUB_REVOKED_EMPTY
};
const hub_key_revoke_words_t hub_auth_revoke_navigator = {
    "api_key_id",
    HUB_AUTH_KEY_NAVIGATOR,
    "navigator_instance_id",
    "API key not found",
    1,
    HUB_REVOKED_ID
};
