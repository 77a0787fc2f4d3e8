/* API keys: made here, shown once, stored as SHA-256 only.  Patchwork's
 * and GoClaw's endpoints are two shapes over these operations. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"

#define KEY_COLUMNS \
    "id, name, prefix, scopes, is_prod, iso8601(expires_at) AS expires_at," \
    " iso8601(last_used_at) AS last_used_at," \
    " revoked_at IS NOT NULL AS revoked, created_by," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"

const hub_stmt_t hub_auth_keys_stmts[] = {
    { "hub_auth_key_insert",
      "INSERT INTO api_keys (tenant_id, user_id, name, prefix, key_hash,"
      "                      scopes, is_prod, expires_at, created_by)"
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s, %s::text[], %s::boolean,"
      "         CASE WHEN %s::bigint > 0"
      "              THEN now() + make_interval(secs => %s::bigint) END, %s)"
      " RETURNING " KEY_COLUMNS },
    { "hub_auth_keys_list",
      "SELECT " KEY_COLUMNS " FROM api_keys"
      " WHERE tenant_id = %s::uuid AND kind = 'api_key'"
      "   AND (NOT %s::boolean OR (revoked_at IS NULL"
      "        AND (expires_at IS NULL OR expires_at > now())))"
      " ORDER BY created_at, id" },
    { "hub_auth_key_revoke",
      "UPDATE api_keys SET revoked_at = now(), updated_at = now()"
      " WHERE id = %s::uuid AND tenant_id = %s::uuid AND revoked_at IS NULL"
      " RETURNING key_hash" },
    { NULL, NULL }
};

hub_db_status_e hub_auth_key_create(hub_req_t *hr, const hub_key_new_t *k,
                                    hub_rows_t **row, const char **raw)
{
    /* 32 random bytes: 256 bits, so a plain SHA-256 is the right hash */
    const char *key = hub_secret(hr->pool, "hub_", 32);
    const char *expires = apr_ltoa(hr->pool, k->expires_in);
    const char *args[10];
    if (!key) {
        return HUB_DB_ERROR;
    }
    args[0] = hr->who->tenant_id;
    args[1] = hr->who->user_id;
    args[2] = k->name ? k->name : "";
    args[3] = apr_pstrmemdup(hr->pool, key, 8);
    args[4] = hub_sha256_hex(hr->pool, key, strlen(key));
    args[5] = hub_scopes_pg(hr->pool, k->scopes);
    args[6] = k->is_prod ? "true" : "false";
    args[7] = expires;
    args[8] = expires;
    args[9] = hr->who->name;
    *raw = key;
    return hub_db_select(hr->r, &hub_auth_keys_stmts[0], row, 10, args);
}

hub_db_status_e hub_auth_keys_list(hub_req_t *hr, const char *tenant_id,
                                   int active_only, hub_rows_t **rows)
{
    const char *args[2] = { tenant_id, active_only ? "true" : "false" };
    return hub_db_select(hr->r, &hub_auth_keys_stmts[1], rows, 2, args);
}

hub_db_status_e hub_auth_key_revoke(hub_req_t *hr, const char *id, int *found)
{
    const char *args[2] = { id, hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    *found = 0;
    if (!hub_is_uuid(id)) {
        return HUB_DB_OK;      /* no such key: never a cast error */
    }
    st = hub_db_select(hr->r, &hub_auth_keys_stmts[2], &rows, 2, args);
    if (st == HUB_DB_OK && rows->rows->nelts == 1) {
        *found = 1;
        /* refused at once on this host, not after the cache's TTL */
        hub_auth_cache_forget(hr->r, apr_pstrcat(hr->pool, "a:",
                              hub_rows_get(rows, 0, "key_hash"), NULL));
    }
    return st;
}

int hub_auth_db_fail(hub_req_t *hr, hub_db_status_e st)
{
    if (st == HUB_DB_UNAVAILABLE) {
        return hub_fail_unavailable(hr);
    }
    if (st == HUB_DB_CONFLICT) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "conflicts with an existing record");
    }
    return hub_fail(hr, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "internal error; see the server log (request %s)",
                    hr->request_id);
}
