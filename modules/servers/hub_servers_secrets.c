/* Tool Hub's secrets: GET|POST /api/secrets, PUT|DELETE /api/secrets/:name.
 *
 * A secret is a named value of the caller's tenant, sealed with
 * HubSecretKeyFile (AES-256-GCM, the tenant id as additional data) before
 * it reaches a statement; no statement here selects the sealed value and
 * no answer or log line carries it.  A server's stored credential may be
 * `${secret:NAME}`: the prober puts NAME's value in its place
 * (hub_servers_mcp_target, hub_servers_probe.c).
 *
 * Decisions where the document is open:
 * - a name is ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$ (an environment-like
 *   name); another is 400 VALIDATION_ERROR.  A path name that cannot be
 *   a secret's is 404 SECRET_NOT_FOUND, like one of another tenant.
 * - a name taken in the tenant is 400 SECRET_ALREADY_EXISTS, as the
 *   document lists ("400 - Secret already exists").
 * - value is required (1..16384 characters) on POST and PUT; PUT keeps
 *   the stored description when none (or null) is sent.
 * - without HubSecretKeyFile a write answers 500 NO_SECRET_KEY, as the
 *   server registry does; the list works without it. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_json.h"
#include "hub_rows.h"

#define SECRET_COLS \
    "name, description, iso8601(created_at) AS created_at," \
    " iso8601(updated_at) AS updated_at"

/* clang-format off */
const hub_stmt_t hub_servers_secrets_stmts[] = {
    { "hub_secrets_list",
      "SELECT " SECRET_COLS " FROM secrets"
      " WHERE tenant_id = %s::uuid ORDER BY name" },
    /* no row back: the name is taken (no error to log) */
    { "hub_secrets_insert",
      "INSERT INTO secrets (tenant_id, name, value, description, created_by)"
      " VALUES (%s::uuid, %s, %s, %s, %s)"
      " ON CONFLICT (tenant_id, name) DO NOTHING"
      " RETURNING " SECRET_COLS },
    { "hub_secrets_update",
      "UPDATE secrets SET value = %s,"
      "       description = coalesce(%s, description), updated_at = now()"
      " WHERE tenant_id = %s::uuid AND name = %s"
      " RETURNING " SECRET_COLS },
    { "hub_secrets_delete",
      "DELETE FROM secrets WHERE tenant_id = %s::uuid AND name = %s"
      " RETURNING name" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_LIST   (&hub_servers_secrets_stmts[0])
#define ST_INSERT (&hub_servers_secrets_stmts[1])
#define ST_UPDATE (&hub_servers_secrets_stmts[2])
#define ST_DELETE (&hub_servers_secrets_stmts[3])

#define VALUE_MAX 16384

static const hub_field_t secret_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 128, NULL,
      "letters, digits, _ . - (not first: digit, . or -)" },
    { "value", HUB_T_STRING, HUB_F_REQUIRED, 1, VALUE_MAX, NULL,
      "stored encrypted, never answered" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t secret_update_in[] = {
    { "value", HUB_T_STRING, HUB_F_REQUIRED, 1, VALUE_MAX, NULL,
      "stored encrypted, never answered" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL,
      "absent or null: kept" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_shape_t secret_out[] = {
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

/* 1 when name is ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$ */
static int name_ok(const char *name)
{
    size_t i, n = name ? strlen(name) : 0;
    if (n < 1 || n > 128 || !(apr_isalpha(name[0]) || name[0] == '_')) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x80
            || !(apr_isalnum(c) || c == '_' || c == '.' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static int not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "SECRET_NOT_FOUND", "Secret not found");
}

/* The body's value sealed for the caller's tenant, or NULL with the 500
 * in res. */
static const char *seal_value(hub_req_t *hr, hub_result_t *res)
{
    const hub_secret_key_t *key = hub_servers_key(hr->r);
    const char *plain = json_string_value(json_object_get(hr->body, "value"));
    char *ct;
    if (!key) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                      "HUB00501: a secret "
                      "cannot be stored: no HubSecretKeyFile is configured");
        hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "NO_SECRET_KEY",
                "this hub cannot store secrets: its operator has "
                "set no HubSecretKeyFile");
        return NULL;
    }
    ct = hub_secret_encrypt(hr->pool, key, hr->who->tenant_id, plain,
                            strlen(plain));
    if (!ct) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                      "HUB00502: sealing "
                      "a secret failed (OpenSSL)");
        hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "internal error; see the server log (request %s)",
                hr->request_id);
    }
    return ct;
}

static int secrets_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    st = hub_db_select(hr->r, ST_LIST, &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, hub_rows_json(rows, secret_out));
}

static int secret_create(hub_req_t *hr, hub_result_t *res)
{
    const char *name = json_string_value(json_object_get(hr->body, "name"));
    const char *args[5];
    hub_rows_t *row;
    hub_db_status_e st;

    if (!name_ok(name)) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                       "name: letters, digits, '_', '.' and '-', at most "
                       "128, starting with a letter or '_'");
    }
    if (!(args[2] = seal_value(hr, res))) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = name;
    args[3] = json_string_value(json_object_get(hr->body, "description"));
    args[4] = hr->who->name;
    st = hub_db_select(hr->r, ST_INSERT, &row, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_err(res, HTTP_BAD_REQUEST, "SECRET_ALREADY_EXISTS",
                       "Secret '%s' already exists", name);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00500: secret %s "
                  "created in tenant %s by %s",
                  name, hr->who->tenant_slug, hr->who->name);
    return hub_ok_status(res, HTTP_CREATED, hub_row_json(row, 0, secret_out));
}

static int secret_update(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_param(hr, "name");
    const char *args[4];
    hub_rows_t *row;
    hub_db_status_e st;

    if (!name_ok(name)) {
        return not_found(res);
    }
    if (!(args[0] = seal_value(hr, res))) {
        return HUB_DONE;
    }
    args[1] = json_string_value(json_object_get(hr->body, "description"));
    args[2] = hr->who->tenant_id;
    args[3] = name;
    st = hub_db_select(hr->r, ST_UPDATE, &row, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00503: secret %s "
                  "updated in tenant %s by %s",
                  name, hr->who->tenant_slug, hr->who->name);
    return hub_ok(res, hub_row_json(row, 0, secret_out));
}

static int secret_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_param(hr, "name");
    const char *args[2] = { hr->who->tenant_id, name };
    hub_rows_t *row;
    hub_db_status_e st;

    if (!name_ok(name)) {
        return not_found(res);
    }
    st = hub_db_select(hr->r, ST_DELETE, &row, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00504: secret %s "
                  "deleted from tenant %s by %s",
                  name, hr->who->tenant_slug, hr->who->name);
    return hub_ok_empty(res, HTTP_NO_CONTENT);
}

/* JWTs as the document says; API keys too, so keys can script it */
#define TH_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
/* secret_out: a secret without its value */
#define SECRET_OUT \
    HUB_DOC("Secret", OBJ("\"name\":" STR ",\"description\":" NSTR \
                          ",\"created_at\":" STR ",\"updated_at\":" STR, \
                          "\"name\",\"description\",\"created_at\"," \
                          "\"updated_at\""))

const hub_route_t hub_servers_secrets_routes[] = {
    { HUB_TOOLHUB, HUB_M_GET, "/api/secrets", secrets_list, NULL, TH_IN, 0,
      "List Secrets",
      .need = HUB_NEED_READ, .doc = SECRET_OUT },
    { HUB_TOOLHUB, HUB_M_POST, "/api/secrets", secret_create,
      secret_create_in, TH_IN, 0, "Create Secret",
      .need = HUB_NEED_WRITE, .status = 201, .doc = SECRET_OUT },
    { HUB_TOOLHUB, HUB_M_PUT, "/api/secrets/:name", secret_update,
      secret_update_in, TH_IN, 0, "Update Secret",
      .need = HUB_NEED_WRITE, .doc = SECRET_OUT },
    { HUB_TOOLHUB, HUB_M_DELETE, "/api/secrets/:name", secret_delete, NULL,
      TH_IN, 0, "Delete Secret",
      .need = HUB_NEED_WRITE },
    { 0 }
};
/* clang-format on */
