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

static int keys_list(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    hub_db_status_e st = hub_auth_keys_list(hr, hr->who->tenant_id, 0, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok_rows(res, rows, NULL);
}

static int key_create(hub_req_t *hr, hub_result_t *res)
{
    hub_key_new_t k = { 0 };
    json_t *scopes = json_object_get(hr->body, "scopes"), *s;
    size_t i;

    json_array_foreach(scopes, i, s) {
        unsigned bit = hub_scope_from_name(json_string_value(s));
        if (!bit) {
            return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                           "scopes[%u]: not one of operator.admin, "
                           "operator.read, operator.write, "
                           "operator.approvals, operator.pairing",
                           (unsigned)i);
        }
        k.scopes |= bit;
    }
    if (!k.scopes) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "scopes: at least one scope is required");
    }
    k.name = json_string_value(json_object_get(hr->body, "name"));
    k.expires_in = (long)json_integer_value(
        json_object_get(hr->body, "expires_in"));
    return hub_auth_key_issue(hr, res, &k, api_key_created, "key");
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

/* clang-format off */
const hub_route_t hub_auth_goclaw_routes[] = {
    { HUB_GOCLAW, HUB_M_GET, "/v1/api-keys", keys_list, NULL, 0, 0,
      "List all API keys",
      .need = HUB_NEED_ADMIN, .shape = api_key },
    { HUB_GOCLAW, HUB_M_POST, "/v1/api-keys", key_create, key_create_in, 0,
      0, "Create a new API key",
      .need = HUB_NEED_ADMIN, .status = 201 },
    { HUB_GOCLAW, HUB_M_DELETE, "/v1/api-keys/{id}", hub_auth_key_revoke,
      NULL, 0, 0, "Revoke an API key",
      .need = HUB_NEED_ADMIN, .words = &hub_auth_revoke_goclaw },
    { 0 }
};
/* clang-format on */
