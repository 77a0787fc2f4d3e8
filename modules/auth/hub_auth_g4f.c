/* G4F settings: one JSON document per tenant, changed by deep merge, and
 * the audit trail of every change.
 *
 * PUT /settings merges the body into the stored document the way RFC 7396
 * (JSON Merge Patch) does: objects merge key by key, any other value
 * replaces, and null removes the key.  Each leaf that changes is one audit
 * row {path "a.b.c", from, to}, written in the same statement as the new
 * document.  Concurrent writers do not lose each other's changes: the
 * update only applies over the document it was computed from, else the
 * merge is done again over the newer one. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_json.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

/* the largest settings document kept, serialized */
#define SETTINGS_MAX (256 * 1024)
/* merges tried over a document that keeps changing under us */
#define MERGE_TRIES 5

/* clang-format off */
const hub_stmt_t hub_auth_g4f_stmts[] = {
    { "hub_g4f_settings_get",
      "SELECT settings::text AS settings FROM tenant_settings"
      " WHERE tenant_id = %s::uuid" },
    /* the new document only over the one it was merged from; its audit
     * rows only when it was written */
    { "hub_g4f_settings_put",
      "WITH upd AS ("
      "  INSERT INTO tenant_settings (tenant_id, settings)"
      "  VALUES (%s::uuid, %s::jsonb)"
      "  ON CONFLICT (tenant_id) DO UPDATE"
      "     SET settings = EXCLUDED.settings, updated_at = now()"
      "   WHERE tenant_settings.settings = %s::jsonb"
      "  RETURNING tenant_id),"
      " aud AS ("
      "  INSERT INTO settings_audit (tenant_id, actor_user_id, actor, path,"
      "                              from_value, to_value)"
      "  SELECT upd.tenant_id, %s::uuid, %s, x.c->>'path', x.c->'from',"
      "         x.c->'to'"
      "    FROM upd, jsonb_array_elements(%s::jsonb) WITH ORDINALITY"
      "         AS x(c, n)"
      "   ORDER BY x.n"
      "  RETURNING 1)"
      " SELECT (SELECT count(*) FROM upd) AS updated,"
      "        (SELECT count(*) FROM aud) AS audited" },
    /* newest first; the cursor is the seq of the last item seen */
    { "hub_g4f_settings_audit",
      "SELECT id, seq, iso8601(created_at) AS ts, actor_user_id, actor,"
      "       path, from_value::text AS from_value,"
      "       to_value::text AS to_value"
      "  FROM settings_audit"
      " WHERE tenant_id = %s::uuid AND (%s::bigint = 0 OR seq < %s::bigint)"
      " ORDER BY seq DESC LIMIT %s::int" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_GET, ST_PUT, ST_AUDIT };
#define STMT(i) (&hub_auth_g4f_stmts[i])

/* The stored document (an empty object when none), and its text as read,
 * to write over exactly that one. */
static hub_db_status_e settings_load(hub_req_t *hr, json_t **doc,
                                     const char **text)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(hr->r, STMT(ST_GET), &rows, 1, args);
    if (st != HUB_DB_OK) {
        return st;
    }
    *text = rows->rows->nelts ? hub_rows_get(rows, 0, "settings") : "{}";
    *doc = json_loads(*text, 0, NULL);
    if (!json_is_object(*doc)) {
        json_decref(*doc);
        *doc = json_object();
    }
    hub_json_own(hr->pool, *doc);
    return HUB_DB_OK;
}

static int settings_get(hub_req_t *hr, hub_result_t *res)
{
    json_t *doc;
    const char *text;
    hub_db_status_e st;
    if ((st = settings_load(hr, &doc, &text)) != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    return hub_ok(res, json_pack("{s:O}", "settings", doc));
}

static void record(json_t *changes, const char *path, json_t *from, json_t *to)
{
    if (changes) {
        json_array_append_new(changes,
                              json_pack("{s:s,s:O,s:O}", "path", path, "from",
                                        from ? from : json_null(), "to",
                                        to ? to : json_null()));
    }
}

/* Merge `patch` into `target` (RFC 7396), appending one change per leaf
 * that differs to `changes` (NULL: record nothing). */
static void merge(apr_pool_t *p, json_t *target, json_t *patch,
                  const char *path, json_t *changes)
{
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) {
        const char *at = path ? apr_pstrcat(p, path, ".", key, NULL) : key;
        json_t *old = json_object_get(target, key);
        if (json_is_null(v)) {
            if (old) {
                record(changes, at, old, NULL);
                json_object_del(target, key);
            }
        }
        else if (json_is_object(v) && json_is_object(old)) {
            merge(p, old, v, at, changes);
        }
        else if (json_is_object(v)) {
            /* a new object, or one replacing a scalar: a new key records
             * its leaves, a replaced value the whole change at once */
            json_t *fresh = json_object();
            merge(p, fresh, v, at, old ? NULL : changes);
            if (old || !json_object_size(fresh)) {
                record(changes, at, old, fresh);
            }
            json_object_set_new(target, key, fresh);
        }
        else if (!old || !json_equal(old, v)) {
            record(changes, at, old, v);
            json_object_set(target, key, v);
        }
    }
}

/* One merge-and-write over the current document: *written is 0 when the
 * document changed under us. */
static hub_db_status_e settings_try(hub_req_t *hr, int *written, int *big,
                                    size_t *nchanges)
{
    json_t *doc, *changes = hub_json_own(hr->pool, json_array());
    const char *old, *args[6];
    hub_rows_t *rows;
    hub_db_status_e st = settings_load(hr, &doc, &old);
    if (st != HUB_DB_OK) {
        return st;
    }
    merge(hr->pool, doc, hr->body, NULL, changes);
    *nchanges = json_array_size(changes);
    *written = 1;
    if (!*nchanges) {
        return HUB_DB_OK; /* nothing changes: nothing to record */
    }
    args[1] = hub_json_text(hr->pool, doc);
    if ((*big = strlen(args[1]) > SETTINGS_MAX)) {
        return HUB_DB_OK;
    }
    args[0] = hr->who->tenant_id;
    args[2] = old;
    args[3] = hr->who->user_id;
    args[4] = hr->who->name;
    args[5] = hub_json_text(hr->pool, changes);
    st = hub_db_select(hr->r, STMT(ST_PUT), &rows, 6, args);
    if (st == HUB_DB_OK) {
        *written = !strcmp(hub_rows_get(rows, 0, "updated"), "1");
    }
    return st;
}

static int settings_put(hub_req_t *hr, hub_result_t *res)
{
    int tries, written = 0, big = 0;
    size_t n = 0;
    hub_db_status_e st;
    for (tries = 0; tries < MERGE_TRIES && !written; tries++) {
        if ((st = settings_try(hr, &written, &big, &n)) != HUB_DB_OK) {
            return hub_err_db(res, st, NULL, hr->request_id);
        }
        if (big) {
            return hub_err(res, HTTP_BAD_REQUEST, "SETTINGS_TOO_LARGE",
                           "the merged settings would be larger than %d "
                           "bytes",
                           SETTINGS_MAX);
        }
    }
    if (!written) {
        return hub_err(res, HTTP_CONFLICT, "CONFLICT",
                       "settings are being "
                       "changed by others right now; try again");
    }
    return hub_ok(res, json_pack("{s:b}", "ok", 1));
}

static json_t *audit_item(const hub_rows_t *rows, int i)
{
    static const hub_shape_t item[] = {
        { "id", NULL, HUB_J_STRING },
        { "ts", NULL, HUB_J_STRING },
        { "actor_user_id", NULL, HUB_J_STRING },
        { "actor", NULL, HUB_J_STRING },
        { NULL, NULL, 0 }
    };
    static const hub_shape_t change[] = { { "path", NULL, HUB_J_STRING },
                                          { "from", "from_value", HUB_J_JSON },
                                          { "to", "to_value", HUB_J_JSON },
                                          { NULL, NULL, 0 } };
    json_t *o = hub_row_json(rows, i, item);
    json_object_set_new(o, "change", hub_row_json(rows, i, change));
    return o;
}

/* clang-format off */
static const hub_qfield_t audit_query[] = {
    { "limit", HUB_Q_INT, 0, 1, 200, 50, NULL, "items per page" },
    { "cursor", HUB_Q_INT, 0, 1, 1L << 62, 0, NULL,
      "next_cursor of the page before" },
    HUB_Q_END
};
/* clang-format on */

static int audit_list(hub_req_t *hr, hub_result_t *res)
{
    long limit = hub_qv_long(&hr->q, "limit");
    long cursor = hub_qv_long(&hr->q, "cursor");
    const char *args[4];
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    int i, n;

    args[0] = hr->who->tenant_id;
    args[1] = args[2] = apr_ltoa(hr->pool, cursor);
    args[3] = apr_ltoa(hr->pool, limit + 1); /* one more: is there more? */
    st = hub_db_select(hr->r, STMT(ST_AUDIT), &rows, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    n = rows->rows->nelts > limit ? (int)limit : rows->rows->nelts;
    items = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(items, audit_item(rows, i));
    }
    return hub_ok(res, json_pack("{s:o,s:o}", "items", items, "next_cursor",
                                 rows->rows->nelts > limit ? json_integer(
                                     strtoll(hub_rows_get(rows, n - 1, "seq"),
                                             NULL, 10))
                                                           : json_null()));
}

/* clang-format off */
/* any JSON object: the partial settings */
static const hub_field_t settings_in[] = {
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* audit_list: a page of audit_item */
#define AUDIT_OUT \
    HUB_DOC_ONE( \
        "SettingsAuditPage", \
        OBJ("\"items\":" ARRAY_OF(OBJ( \
                "\"id\":" STR ",\"ts\":" STR ",\"actor_user_id\":" NSTR \
                ",\"actor\":" NSTR \
                ",\"change\":" OBJ("\"path\":" STR ",\"from\":{},\"to\":{}", \
                                   "\"path\",\"from\",\"to\""), \
                "\"id\",\"ts\",\"actor_user_id\",\"actor\",\"change\"")) ",\"next_cursor\":" NINT, \
            "\"items\",\"next_cursor\""))

#define G4F_IN (HUB_IN_JWT | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_g4f_routes[] = {
    { HUB_G4F, HUB_M_GET, "/settings", settings_get, NULL, G4F_IN, 0,
      "Settings: GET /settings",
      .need = HUB_NEED_READ },
    { HUB_G4F, HUB_M_PUT, "/settings", settings_put, settings_in, G4F_IN, 0,
      "Settings: PUT /settings",
      .need = HUB_NEED_ADMIN, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_GET, "/settings/audit", audit_list, NULL, G4F_IN, 0,
      "Settings: GET /settings/audit",
      .need = HUB_NEED_READ, .query = audit_query, .doc = AUDIT_OUT },
    { 0 }
};
/* clang-format on */
