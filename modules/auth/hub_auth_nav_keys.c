/* Caylex's navigator-instance API keys (sql/021):
 * GET|POST /navigator-instances/{id}/api-keys, GET .../api-keys/search,
 * GET|PATCH|DELETE .../api-keys/{api_key_id}.  Rows of api_keys of kind
 * `navigator`, bound to one navigator instance of the caller's tenant,
 * minted by hub_key.h (shown once, stored as SHA-256 only).
 *
 * Decisions where the document is open:
 * - A key carries no scope and no user, and hub_auth_identify.c does
 *   not take it at all: on every route of the hub it is no credential
 *   (401); the gateway takes it for its own instance only.
 * - preview is the key's visible prefix and "......", as Caylex's
 *   platform tokens show; key_prefix the prefix.
 * - DELETE revokes (the row stays, out of every listing) and this host's
 *   credential cache forgets it at once; an unknown, revoked, other
 *   instance's or other tenant's key is 404, an unknown instance 404.
 * - PATCH sets what it names; expires_at null clears it, a time in the
 *   past is 422.  search matches the name or the description, any case.
 * - Listing and reading need read access; creating, changing and
 *   deleting a key need the tenant's admin, as platform tokens do. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_key.h"
#include "hub_openapi_schema.h"
#include "hub_time.h"
#include "hub_validate.h"

#define KEY_COLS \
    "k.id, k.navigator_instance_id, n.name AS navigator_instance_name," \
    " ni.project_id, p.name AS project_name," \
    " k.prefix || '......' AS preview, k.prefix AS key_prefix, k.name," \
    " k.description, iso8601(k.expires_at) AS expires_at," \
    " iso8601(k.created_at) AS created_at," \
    " iso8601(k.updated_at) AS updated_at"
/* the instance of the path, in the caller's tenant */
#define INSTANCE_CTE \
    "WITH ni AS (SELECT i.id, i.project_id, i.navigator_id" \
    "              FROM navigator_instances i" \
    "             WHERE i.id = %s::uuid AND i.tenant_id = %s::uuid)"
#define KEY_FROM \
    " FROM ni JOIN api_keys k ON k.navigator_instance_id = ni.id" \
    "  AND k.kind = 'navigator' AND k.revoked_at IS NULL" \
    " JOIN navigators n ON n.id = ni.navigator_id" \
    " JOIN projects p ON p.id = ni.project_id"

/* clang-format off */
const hub_stmt_t hub_auth_nav_keys_stmts[] = {
    /* no row: no such instance; the count and the page otherwise */
    { "hub_nav_keys_page",
      INSTANCE_CTE ","
      " f AS (SELECT " KEY_COLS ", k.created_at AS at" KEY_FROM
      "        WHERE %s::text IS NULL"
      "           OR strpos(lower(k.name), lower(%s::text)) > 0"
      "           OR strpos(lower(coalesce(k.description, '')),"
      "                     lower(%s::text)) > 0)"
      " SELECT (SELECT count(*) FROM f) AS total, x.*"
      "   FROM ni LEFT JOIN LATERAL (SELECT * FROM f"
      "     ORDER BY f.at DESC, f.id DESC"
      "     LIMIT %s::bigint OFFSET %s::bigint) x ON true" },
    { "hub_nav_keys_get",
      INSTANCE_CTE " SELECT " KEY_COLS KEY_FROM " WHERE k.id = %s::uuid" },
    { "hub_nav_keys_update",
      "UPDATE api_keys k SET"
      "   name = coalesce(%s, k.name),"
      "   description = CASE WHEN %s::boolean THEN %s ELSE k.description END,"
      "   expires_at = CASE WHEN %s::boolean THEN %s::timestamptz"
      "                ELSE k.expires_at END,"
      "   updated_at = now()"
      "  FROM navigator_instances i"
      " WHERE k.id = %s::uuid AND k.kind = 'navigator'"
      "   AND k.revoked_at IS NULL AND k.navigator_instance_id = i.id"
      "   AND i.id = %s::uuid AND i.tenant_id = %s::uuid"
      " RETURNING k.id" },
    /* the gateway's lookup: a live key of this instance, nothing else */
    { "hub_nav_keys_find",
      "SELECT k.id, k.tenant_id, t.slug, k.name,"
      "       floor(extract(epoch FROM k.expires_at))::bigint AS expires"
      "  FROM api_keys k JOIN tenants t ON t.id = k.tenant_id"
      " WHERE k.key_hash = %s AND k.kind = 'navigator'"
      "   AND k.navigator_instance_id = %s::uuid AND k.revoked_at IS NULL"
      "   AND (k.expires_at IS NULL OR k.expires_at > now())" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_PAGE, ST_GET, ST_UPDATE, ST_FIND };

#define STMT(i) (&hub_auth_nav_keys_stmts[i])

/* clang-format off */
static const hub_shape_t key_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "navigator_instance_id", NULL, HUB_J_STRING },
    { "navigator_instance_name", NULL, HUB_J_STRING },
    { "project_id", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "preview", NULL, HUB_J_STRING },
    { "key_prefix", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "expires_at", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* Cached per key and instance: a hit is a key of that instance. */
const char *hub_auth_nav_cache_key(apr_pool_t *p, const char *hash,
                                   const char *instance)
{
    return apr_pstrcat(p, "n:", hash, ":", instance, NULL);
}

/* A navigator key opens its instance and nothing else: no user, no scope. */
static hub_principal_t *navigator_key_of(request_rec *r, const hub_rows_t *rows)
{
    hub_principal_t *who = apr_pcalloc(r->pool, sizeof(*who));
    who->name = apr_pstrcat(r->pool, "navigator-key:",
                            hub_rows_get(rows, 0, "name"), NULL);
    return who;
}

static const hub_principal_t *from_key(request_rec *r, const char *key,
                                       const char *instance)
{
    const char *hash = hub_key_hash(r->pool, key);
    const char *args[2] = { hash, instance };
    const hub_principal_t *who;

    if (!hash || !hub_is_uuid(instance)) {
        return NULL;
    }
    who = hub_auth_key_principal(r,
                                 hub_auth_nav_cache_key(r->pool, hash,
                                                        instance),
                                 STMT(ST_FIND), 2, args, navigator_key_of);
    /* the cache keeps no instance: its key says which */
    if (who && !who->unavailable) {
        ((hub_principal_t *)who)->navigator_instance_id = instance;
    }
    return who;
}

const hub_principal_t *hub_auth_mcp_principal(request_rec *r,
                                              const char *instance_id)
{
    const char *cred = hub_auth_bearer(r);
    const hub_principal_t *who;
    if (cred && strlen(cred) <= 512 && hub_key_is(cred, HUB_KEY_API)
        && (who = from_key(r, cred, instance_id)) != NULL) {
        return who;
    }
    return hub_auth_identify(r);
}

#define INSTANCE_NOT_FOUND "Navigator instance not found"

static int instance_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", INSTANCE_NOT_FOUND);
}

#define KEY_NOT_FOUND "API key not found"

static const char *body_str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

/* ---- listing ------------------------------------------------------------ */

/* clang-format off */
static const hub_qfield_t list_query[] = {
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
static const hub_qfield_t search_query[] = {
    { "q", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "in the name or the description, any case" },
    HUB_Q_CX_PAGE,
    HUB_Q_END,
};
/* clang-format on */

static int keys_list(hub_req_t *hr, hub_result_t *res)
{
    const char *q = hub_qv_str(&hr->q, "q");
    const char *args[7];
    hub_page_t pg;

    if (!(args[0] = hub_param_uuid(hr, res, "navigator_instance_id"))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "size", "cursor", &pg);
    args[1] = hr->who->tenant_id;
    args[2] = args[3] = args[4] = q && *q ? q : NULL;
    args[5] = apr_ltoa(hr->pool, pg.limit);
    args[6] = apr_ltoa(hr->pool, pg.offset);
    return hub_select_page(hr, res, STMT(ST_PAGE), 7, args, key_out, &pg,
                           INSTANCE_NOT_FOUND);
}

static int key_get(hub_req_t *hr, hub_result_t *res)
{
    const char *args[3];
    hub_rows_t *row;

    if (!(args[0] = hub_param_uuid(hr, res, "navigator_instance_id"))
        || !(args[2] = hub_param_uuid(hr, res, "api_key_id"))) {
        return HUB_DONE;
    }
    args[1] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_GET), 3, args, &row, KEY_NOT_FOUND)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok_row(res, row, NULL);
}

/* ---- writes --------------------------------------------------------------- */

/* clang-format off */
static const hub_field_t create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "expires_at", HUB_T_STRING, HUB_F_NULLABLE, 0, 64, NULL,
      "ISO-8601, in the future; null: never" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t update_in[] = {
    { "name", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL, NULL },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 5000, NULL, NULL },
    { "expires_at", HUB_T_STRING, HUB_F_NULLABLE, 0, 64, NULL,
      "null clears it" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

static int key_create(hub_req_t *hr, hub_result_t *res)
{
    hub_key_new_t k = { 0 };
    hub_rows_t *row;
    const char *raw;
    hub_db_status_e st;

    if (!(k.navigator_instance_id = hub_param_uuid(hr, res,
                                                   "navigator_instance_id"))
        || hub_auth_expiry(hr, res, "expires_at", &k.expires_at)) {
        return HUB_DONE;
    }
    k.name = body_str(hr, "name");
    k.description = body_str(hr, "description");
    st = hub_auth_key_create(hr, &k, &row, &raw);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return instance_not_found(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00140: navigator instance %s: API key %s (%s) made in "
                  "tenant %s by %s",
                  k.navigator_instance_id, hub_rows_get(row, 0, "id"),
                  hub_rows_get(row, 0, "prefix"), hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok(res, json_pack("{s:s,s:s,s:s}", "id",
                                 hub_rows_get(row, 0, "id"), "key", raw,
                                 "preview", hub_rows_get(row, 0, "preview")));
}

static int key_update(hub_req_t *hr, hub_result_t *res)
{
    const char *args[8];
    hub_rows_t *row;

    if (!(args[6] = hub_param_uuid(hr, res, "navigator_instance_id"))
        || !(args[5] = hub_param_uuid(hr, res, "api_key_id"))
        || hub_auth_expiry(hr, res, "expires_at", &args[4])) {
        return HUB_DONE;
    }
    args[0] = body_str(hr, "name");
    args[1] = json_object_get(hr->body, "description") ? "true" : "false";
    args[2] = body_str(hr, "description");
    args[3] = json_object_get(hr->body, "expires_at") ? "true" : "false";
    args[7] = hr->who->tenant_id;
    if (hub_select_one(hr, res, STMT(ST_UPDATE), 8, args, &row, KEY_NOT_FOUND)
        != DECLINED) {
        return HUB_DONE;
    }
    return hub_ok(res, json_pack("{s:s}", "id", args[5]));
}

/* key_create: the key itself, shown this once */
#define KEY_CREATED_OUT \
    HUB_DOC("CreateApiKeyResponse", \
            OBJ("\"id\":" STR ",\"key\":" STR ",\"preview\":" STR, \
                "\"id\",\"key\",\"preview\""))
/* key_out, by the spec's name */
#define KEY_OUT HUB_DOC("GetApiKeyResponse", NULL)
/* key_update and hub_auth_key_revoke (HUB_REVOKED_ID) */
#define KEY_ID_OUT HUB_DOC("ModifiedApiKeyResponse", ID_OUT)

#define KEYS "/navigator-instances/{navigator_instance_id}/api-keys"

/* clang-format off */
const hub_route_t hub_auth_nav_keys_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, KEYS, keys_list, NULL, 0, 0, "List API Keys",
      .need = HUB_NEED_READ, .query = list_query, .wrap = HUB_WRAP_CX_PAGE,
      .shape = key_out, .doc = KEY_OUT },
    { HUB_CAYLEX, HUB_M_POST, KEYS, key_create, create_in, 0, 0,
      "Create API Key",
      .need = HUB_NEED_ADMIN, .doc = KEY_CREATED_OUT },
    { HUB_CAYLEX, HUB_M_GET, KEYS "/search", keys_list, NULL, 0, 0,
      "Search API Keys",
      .need = HUB_NEED_READ, .query = search_query,
      .wrap = HUB_WRAP_CX_PAGE, .shape = key_out, .doc = KEY_OUT },
    { HUB_CAYLEX, HUB_M_GET, KEYS "/{api_key_id}", key_get, NULL, 0, 0,
      "Get API Key Details",
      .need = HUB_NEED_READ, .shape = key_out, .doc = KEY_OUT },
    { HUB_CAYLEX, HUB_M_PATCH, KEYS "/{api_key_id}", key_update, update_in, 0,
      0, "Update API Key",
      .need = HUB_NEED_ADMIN, .doc = KEY_ID_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, KEYS "/{api_key_id}", hub_auth_key_revoke,
      NULL, 0, 0, "Delete API Key",
      .need = HUB_NEED_ADMIN, .words = &hub_auth_revoke_navigator,
      .doc = KEY_ID_OUT },
    { 0 }
};
/* clang-format on */
