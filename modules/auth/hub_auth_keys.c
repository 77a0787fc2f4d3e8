/* API keys and Caylex's platform access tokens: rows of api_keys, minted
 * by hub_key.h (shown once, stored as SHA-256 only), created and revoked
 * here for every profile.  Patchwork's and GoClaw's key endpoints and
 * Caylex's token endpoints are shapes over these operations. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_key.h"

#define KEY_COLUMNS \
    "id, name, description, prefix, scopes, is_prod," \
    " iso8601(expires_at) AS expires_at," \
    " iso8601(last_used_at) AS last_used_at," \
    " revoked_at IS NOT NULL AS revoked, created_by," \
    " iso8601(created_at) AS created_at, iso8601(updated_at) AS updated_at"

const hub_stmt_t hub_auth_keys_stmts[] = {
    /* an expiry at a time, or in so many seconds (0: never) */
    { "hub_auth_key_insert",
      "INSERT INTO api_keys (tenant_id, user_id, kind, name, description,"
      "                      prefix, key_hash, scopes, is_prod, expires_at,"
      "                      created_by)"
      " VALUES (%s::uuid, %s::uuid, %s, %s, %s, %s, %s, %s::text[],"
      "         %s::boolean, coalesce(%s::timestamptz,"
      "           CASE WHEN %s::bigint > 0"
      "                THEN now() + make_interval(secs => %s::bigint) END),"
      "         %s)"
      " RETURNING " KEY_COLUMNS },
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
    const char *args[13];
    hub_db_status_e st;
    if (!key) {
        return HUB_DB_ERROR;
    }
    args[0] = hr->who->tenant_id;
    args[1] = hr->who->user_id;
    args[2] = k->kind ? k->kind : HUB_AUTH_KEY_API;
    args[3] = k->name ? k->name : "";
    args[4] = k->description;
    args[5] = key->prefix;
    args[6] = key->hash;
    args[7] = hub_scopes_pg(hr->pool, k->scopes);
    args[8] = k->is_prod ? "true" : "false";
    args[9] = k->expires_at;
    args[10] = expires;
    args[11] = expires;
    args[12] = hr->who->name;
    st = hub_db_select(hr->r, ST_INSERT, row, 13, args);
    if (st == HUB_DB_OK && (*row)->rows->nelts != 1) {
        st = HUB_DB_ERROR;
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

/* How each profile names and answers a revocation: the path parameter
 * with the key's id, the kind of key its endpoint manages, and its
 * not-found words. */
static const struct revoke_words {
    unsigned profile;
    const char *param, *kind, *not_found;
} revoke_words[] = {
    { HUB_PATCHWORK, "key_uuid", HUB_AUTH_KEY_API, "API key not found" },
    { HUB_GOCLAW, "id", HUB_AUTH_KEY_API, "api key not found" },
    { HUB_CAYLEX, "token_id", HUB_AUTH_KEY_PLATFORM,
      "Platform access token not found" },
};

/* (only these profiles' routes name hub_auth_key_revoke) */
static const struct revoke_words *words_of(unsigned profile)
{
    size_t i, n = sizeof(revoke_words) / sizeof(revoke_words[0]);
    for (i = 0; i + 1 < n && revoke_words[i].profile != profile; i++) {
    }
    return &revoke_words[i];
}

/* The answer of a done revocation, in the profile's words. */
static int revoked(hub_req_t *hr, hub_result_t *res, const char *id)
{
    switch (hr->profile) {
    case HUB_PATCHWORK:
        return hub_ok(res, json_pack("{s:s,s:s}", "uuid", id, "message",
                                     "API key revoked"));
    case HUB_CAYLEX: return hub_ok_empty(res, HTTP_NO_CONTENT);
    default: return hub_ok(res, json_pack("{s:s}", "status", "revoked"));
    }
}

/* Revoke a key of the caller's tenant, of the kind the route manages: one
 * already revoked, another tenant's, another kind's or a malformed id is
 * 404.  The route's need says who may. */
int hub_auth_key_revoke(hub_req_t *hr, hub_result_t *res)
{
    const struct revoke_words *w = words_of(hr->profile);
    const char *id = hub_param(hr, w->param);
    const char *args[3] = { id, hr->who->tenant_id, w->kind };
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!hub_is_uuid(id)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
    }
    st = hub_db_select(hr->r, ST_REVOKE, &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", w->not_found);
    }
    /* refused at once on this host, not after the cache's TTL */
    hub_auth_cache_forget(hr->r,
                          apr_pstrcat(hr->pool, "a:",
                                      hub_rows_get(rows, 0, "key_hash"), NULL));
    return revoked(hr, res, id);
}
