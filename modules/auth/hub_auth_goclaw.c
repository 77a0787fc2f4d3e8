/* GoClaw's API keys: scoped, optionally expiring, listed with the revoked
 * ones.  Managing keys needs admin (the gateway token or an
 * operator.admin key). */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_validate.h"

static const hub_shape_t api_key[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "prefix", NULL, HUB_J_STRING },
    { "scopes", NULL, HUB_J_STRINGS },
    { "expires_at", NULL, HUB_J_STRING },
    { "last_used_at", NULL, HUB_J_STRING },
    { "revoked", NULL, HUB_J_BOOL },
    { "created_by", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static const hub_shape_t api_key_created[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "prefix", NULL, HUB_J_STRING },
    { "scopes", NULL, HUB_J_STRINGS },
    { "expires_at", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static int need_admin(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "managing API keys needs admin access "
                    "(operator.admin)");
}

static int keys_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    st = hub_auth_keys_list(hr, hr->who->tenant_id, 0, &rows);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_OK, hub_rows_json(rows, api_key));
}

static int key_create(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_key_new_t k = { 0 };
    json_t *scopes = json_object_get(hr->body, "scopes"), *s;
    hub_rows_t *row;
    const char *raw;
    json_t *out;
    hub_db_status_e st;
    size_t i;

    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    json_array_foreach(scopes, i, s) {
        unsigned bit = hub_scope_from_name(json_string_value(s));
        if (!bit) {
            return hub_fail(hr, HTTP_BAD_REQUEST, "BAD_REQUEST",
                            "scopes[%u]: not one of operator.admin, "
                            "operator.read, operator.write, "
                            "operator.approvals, operator.pairing",
                            (unsigned)i);
        }
        k.scopes |= bit;
    }
    if (!k.scopes) {
        return hub_fail(hr, HTTP_BAD_REQUEST, "BAD_REQUEST",
                        "scopes: at least one scope is required");
    }
    k.name = json_string_value(json_object_get(hr->body, "name"));
    k.expires_in = (long)json_integer_value(json_object_get(hr->body,
                                                            "expires_in"));
    st = hub_auth_key_create(hr, &k, &row, &raw);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    out = hub_row_json(row, 0, api_key_created);
    json_object_set_new(out, "key", json_string(raw));
    return hub_send_json(hr, HTTP_CREATED, out);
}

static int key_revoke(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    int found;
    hub_db_status_e st;
    if (!hub_principal_is_admin(hr->who)) {
        return need_admin(hr);
    }
    st = hub_auth_key_revoke(hr, hub_param(hr, "id"), &found);
    if (st != HUB_DB_OK) {
        return hub_auth_db_fail(hr, st);
    }
    if (!found) {
        return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND", "api key not found");
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "status", "revoked"));
}

static const hub_field_t key_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, "e.g. ci-deploy" },
    { "scopes", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "operator.admin|read|write|approvals|pairing" },
    /* ten years at most: an expiry beyond is no expiry */
    { "expires_in", HUB_T_INTEGER, 0, 0, 315360000, NULL,
      "seconds until it expires; 0 or absent: never" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

#define GC_IN (HUB_IN_GATEWAY | HUB_IN_APIKEY)

const hub_route_t hub_auth_goclaw_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/api-keys", keys_list, NULL, GC_IN, 0,
      "List all API keys",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_POST, "/v1/api-keys", key_create, key_create_in,
      GC_IN, 0, "Create a new API key",
      .need = HUB_NEED_ANY },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/api-keys/{id}", key_revoke, NULL, GC_IN,
      0, "Revoke an API key",
      .need = HUB_NEED_ANY },
    { 0 }
};
