/* The server registry: one data model under every profile.  Each profile
 * file reads its own body into a hub_server_in_t and shapes these rows;
 * the statements here are the only SQL over `servers`, and every one
 * names the caller's tenant, so another tenant's server is "not found".
 *
 * Secrets are sealed here (AES-256-GCM, the tenant id as additional
 * data) before they reach a statement; no statement that answers a
 * request selects the `secrets` column, only the names in it. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include "hub_servers_private.h"
#include "hub_addr.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

#define SERVER_COLS \
    "s.id, s.slug, s.name, s.description, s.mode, s.transport, s.endpoint," \
    " s.command, s.args, s.env_names, s.auth_method, s.auth_level," \
    " s.auth_config, s.query_params, s.server_type, s.registry_id," \
    " s.logo_url, s.github_repo, s.default_branch, s.tool_prefix," \
    " s.timeout_sec, s.enabled, s.health_status," \
    " iso8601(s.last_check_at) AS last_check_at," \
    " iso8601(s.last_ok_at) AS last_ok_at, s.uptime_24h, s.created_by," \
    " iso8601(s.created_at) AS created_at," \
    " iso8601(s.updated_at) AS updated_at," \
    " ARRAY(SELECT jsonb_object_keys(s.secrets) ORDER BY 1) AS secret_names," \
    " (SELECT count(*) FROM server_instances i" \
    "   WHERE i.server_id = s.id AND i.status = 'active') AS active_instances"

/* CASE WHEN <field is set> THEN <value> ELSE <column> END */
#define SET_IF(col, val) \
    " " col " = CASE WHEN %s::boolean THEN " val " ELSE s." col " END,"

const hub_stmt_t hub_servers_store_stmts[] = {
    { "hub_servers_insert",
      "INSERT INTO servers AS s (tenant_id, created_by, slug, name,"
      "  description, mode, transport, endpoint, command, args, env_names,"
      "  auth_method, auth_level, query_params, server_type, registry_id,"
      "  logo_url, github_repo, default_branch, tool_prefix, timeout_sec,"
      "  enabled, auth_config, secrets)"
      " VALUES (%s::uuid, %s, %s, %s, coalesce(%s, ''),"
      "  coalesce(%s, 'remote'), coalesce(%s, 'streamable_http'), %s, %s,"
      "  coalesce(%s::jsonb, '[]'), coalesce(%s::text[], '{}'),"
      "  coalesce(%s, 'none'), coalesce(%s, 'project'),"
      "  coalesce(%s::jsonb, '[]'), coalesce(%s, 'external'), %s::uuid,"
      "  %s, coalesce(%s, ''), coalesce(%s, 'main'), %s,"
      "  coalesce(%s::integer, 60), coalesce(%s::boolean, true),"
      "  %s::jsonb, %s::jsonb)"
      " RETURNING " SERVER_COLS },
    { "hub_servers_get",
      "SELECT " SERVER_COLS " FROM servers s"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid" },
    { "hub_servers_update",
      "UPDATE servers AS s SET"
      SET_IF("slug", "%s")
      SET_IF("name", "%s")
      SET_IF("description", "coalesce(%s, '')")
      SET_IF("mode", "%s")
      SET_IF("transport", "%s")
      SET_IF("endpoint", "%s")
      SET_IF("command", "%s")
      SET_IF("args", "coalesce(%s::jsonb, '[]')")
      SET_IF("env_names", "coalesce(%s::text[], '{}')")
      SET_IF("auth_method", "%s")
      SET_IF("auth_level", "%s")
      SET_IF("query_params", "coalesce(%s::jsonb, '[]')")
      SET_IF("server_type", "%s")
      SET_IF("registry_id", "%s::uuid")
      SET_IF("logo_url", "%s")
      SET_IF("github_repo", "coalesce(%s, '')")
      SET_IF("default_branch", "coalesce(%s, 'main')")
      SET_IF("tool_prefix", "%s")
      SET_IF("timeout_sec", "%s::integer")
      SET_IF("enabled", "%s::boolean")
      " auth_config = s.auth_config || %s::jsonb,"
      /* drop the replaced names, then add the new values; JSON true
       * keeps a name's stored value */
      " secrets = (SELECT coalesce(jsonb_object_agg(o.key, o.value), '{}')"
      "              FROM jsonb_each(s.secrets) o"
      "             WHERE NOT (o.key LIKE ANY (%s::text[])))"
      "        || (SELECT coalesce(jsonb_object_agg(n.key,"
      "                     CASE WHEN n.value = 'true'::jsonb"
      "                          THEN s.secrets -> n.key ELSE n.value END),"
      "                   '{}')"
      "              FROM jsonb_each(%s::jsonb) n"
      "             WHERE n.value <> 'true'::jsonb OR s.secrets ? n.key),"
      " updated_at = now()"
      " WHERE s.id = %s::uuid AND s.tenant_id = %s::uuid"
      " RETURNING " SERVER_COLS },
    /* one statement: the server is locked, so no instance can be added
     * between the check and the delete (it would need a key-share lock) */
    { "hub_servers_delete",
      "WITH s AS (SELECT id, slug FROM servers"
      "            WHERE id = %s::uuid AND tenant_id = %s::uuid FOR UPDATE),"
      " used AS (SELECT array_agg(DISTINCT i.project_id::text) AS projects"
      "            FROM server_instances i JOIN s ON i.server_id = s.id),"
      " del AS (DELETE FROM servers d USING s"
      "          WHERE d.id = s.id AND NOT EXISTS"
      "                (SELECT 1 FROM server_instances i"
      "                  WHERE i.server_id = s.id)"
      "          RETURNING d.id)"
      " SELECT s.id, s.slug, (SELECT projects FROM used) AS projects,"
      "        (SELECT count(*) FROM del) AS deleted FROM s" },
    /* the count and the page in one round trip */
    { "hub_servers_page",
      "WITH f AS ("
      "  SELECT * FROM servers"
      "   WHERE tenant_id = %s::uuid"
      "     AND (%s::text IS NULL OR mode = %s::text)"
      "     AND (%s::text IS NULL OR transport = %s::text)"
      "     AND (%s::text IS NULL OR auth_method = %s::text)"
      "     AND (%s::text IS NULL OR server_type = %s::text)"
      "     AND (%s::text IS NULL OR auth_level = %s::text)"
      "     AND (%s::text IS NULL"
      "          OR strpos(lower(slug), lower(%s::text)) > 0"
      "          OR strpos(lower(name), lower(%s::text)) > 0"
      "          OR strpos(lower(description), lower(%s::text)) > 0))"
      " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM f) n"
      " LEFT JOIN LATERAL (SELECT " SERVER_COLS " FROM f s"
      "   ORDER BY CASE WHEN %s::text = 'name_asc' THEN lower(s.name) END,"
      "            CASE WHEN %s::text = 'name_desc' THEN lower(s.name) END"
      "                 DESC,"
      "            CASE WHEN %s::text = 'created_asc' THEN s.created_at END,"
      "            s.created_at DESC, s.id"
      "   LIMIT %s::bigint OFFSET %s::bigint) p ON true" },
    { NULL, NULL }
};

enum { ST_INSERT, ST_GET, ST_UPDATE, ST_DELETE, ST_PAGE };

/* ---- input ------------------------------------------------------------- */

void hub_servers_in_init(apr_pool_t *p, hub_server_in_t *in)
{
    memset(in, 0, sizeof(*in));
    in->auth_config = hub_json_own(p, json_object());
    in->secrets = hub_json_own(p, json_object());
    in->replace = apr_array_make(p, 2, sizeof(const char *));
}

void hub_servers_in_set(hub_server_in_t *in, hub_srv_field_e f,
                        const char *val)
{
    in->set[f] = 1;
    in->val[f] = val;
}

void hub_servers_in_secret(hub_server_in_t *in, const char *name,
                           const char *value)
{
    json_object_set_new(in->secrets, name,
                        value ? json_string(value) : json_true());
}

void hub_servers_in_replace(hub_server_in_t *in, const char *pattern)
{
    APR_ARRAY_PUSH(in->replace, const char *) = pattern;
}

int hub_servers_is_slug(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    if (n < 1 || n > 100 || !apr_isalnum(s[0])) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!(apr_islower(s[i]) || apr_isdigit(s[i]) || s[i] == '-'
              || s[i] == '_')) {
            return 0;
        }
    }
    return 1;
}

char *hub_servers_slugify(apr_pool_t *p, const char *name)
{
    size_t i, n = 0, len = name ? strlen(name) : 0;
    char *out = apr_palloc(p, len + 1);
    int dash = 0;
    for (i = 0; i < len && n < 100; i++) {
        unsigned char c = (unsigned char)name[i];
        if (apr_isalnum(c) && c < 0x80) {
            if (dash && n) {
                out[n++] = '-';
            }
            dash = 0;
            if (n < 100) {
                out[n++] = (char)apr_tolower(c);
            }
        }
        else if ((c == '_' || c == '-') && n) {
            dash = 0;
            out[n++] = (char)c;
        }
        else {
            dash = 1;
        }
    }
    while (n && (out[n - 1] == '-' || out[n - 1] == '_')) {
        n--;
    }
    out[n] = '\0';
    return n ? out : NULL;
}

const char *hub_servers_url_problem(apr_pool_t *p, const char *url)
{
    return hub_url_problem(p, url);
}

const char *hub_servers_url_refused(hub_req_t *hr, const char *url)
{
    const char *host = hub_http_url_refused(
        hr->pool, url, hub_servers_srv(hr->r->server)->outbound_allow);
    if (!host) {
        return NULL;
    }
    return apr_psprintf(hr->pool, "the address %s is internal and not in "
                        "HubOutboundAllow: this hub reaches internal "
                        "addresses only in the ranges its operator allows "
                        "there", host);
}

/* ---- sealing secrets ---------------------------------------------------- */

/* in->secrets with every plaintext sealed for the caller's tenant, as
 * JSON text. */
static const char *seal(hub_req_t *hr, const hub_server_in_t *in,
                        hub_srv_seal_e *st)
{
    const hub_secret_key_t *key = hub_servers_key(hr->r);
    json_t *out = hub_json_own(hr->pool, json_object()), *v;
    const char *name;

    *st = HUB_SRV_STORED;
    json_object_foreach(in->secrets, name, v) {
        const char *plain = json_string_value(v);
        char *ct;
        if (!plain) {
            json_object_set(out, name, v);      /* true: keep the stored */
            continue;
        }
        if (!key) {
            *st = HUB_SRV_NO_KEY;
            return NULL;
        }
        ct = hub_secret_encrypt(hr->pool, key, hr->who->tenant_id, plain,
                                strlen(plain));
        if (!ct) {
            *st = HUB_SRV_SEAL_FAILED;
            return NULL;
        }
        json_object_set_new(out, name, json_string(ct));
    }
    return hub_json_text(hr->pool, out);
}

/* ---- operations --------------------------------------------------------- */

static hub_rows_t *no_rows(apr_pool_t *p)
{
    hub_rows_t *rows = apr_pcalloc(p, sizeof(*rows));
    rows->cols = apr_pcalloc(p, sizeof(char *));
    rows->rows = apr_array_make(p, 1, sizeof(const char **));
    return rows;
}

hub_db_status_e hub_servers_create(hub_req_t *hr, hub_server_in_t *in,
                                   hub_rows_t **row, hub_srv_seal_e *st)
{
    const char *args[HUB_SRV_NFIELDS + 4];
    const char *sealed = seal(hr, in, st);
    int i, n = 0;
    if (!sealed) {
        return HUB_DB_OK;
    }
    args[n++] = hr->who->tenant_id;
    args[n++] = hr->who->name;
    for (i = 0; i < HUB_SRV_NFIELDS; i++) {
        args[n++] = in->val[i];
    }
    args[n++] = hub_json_text(hr->pool, in->auth_config);
    args[n++] = sealed;
    return hub_db_select(hr->r, &hub_servers_store_stmts[ST_INSERT], row, n,
                         args);
}

hub_db_status_e hub_servers_get(hub_req_t *hr, const char *id,
                                hub_rows_t **row)
{
    const char *args[2] = { id, hr->who->tenant_id };
    if (!hub_is_uuid(id)) {
        *row = no_rows(hr->pool);
        return HUB_DB_OK;
    }
    return hub_db_select(hr->r, &hub_servers_store_stmts[ST_GET], row, 2,
                         args);
}

/* A text[] literal of LIKE patterns. */
static const char *patterns(apr_pool_t *p, const apr_array_header_t *a)
{
    json_t *arr = hub_json_own(p, json_array());
    int i;
    for (i = 0; i < a->nelts; i++) {
        json_array_append_new(arr, json_string(APR_ARRAY_IDX(a, i,
                                                             const char *)));
    }
    return hub_servers_pg_array(p, arr);
}

hub_db_status_e hub_servers_update(hub_req_t *hr, const char *id,
                                   hub_server_in_t *in, hub_rows_t **row,
                                   hub_srv_seal_e *st)
{
    const char *args[2 * HUB_SRV_NFIELDS + 6];
    const char *sealed;
    int i, n = 0;
    *st = HUB_SRV_STORED;
    if (!hub_is_uuid(id)) {
        *row = no_rows(hr->pool);
        return HUB_DB_OK;
    }
    if (!(sealed = seal(hr, in, st))) {
        return HUB_DB_OK;
    }
    for (i = 0; i < HUB_SRV_NFIELDS; i++) {
        args[n++] = in->set[i] ? "true" : "false";
        args[n++] = in->val[i];
    }
    args[n++] = hub_json_text(hr->pool, in->auth_config);
    args[n++] = patterns(hr->pool, in->replace);
    args[n++] = sealed;
    args[n++] = id;
    args[n++] = hr->who->tenant_id;
    return hub_db_select(hr->r, &hub_servers_store_stmts[ST_UPDATE], row, n,
                         args);
}

hub_db_status_e hub_servers_delete(hub_req_t *hr, const char *id,
                                   int *found, const char **slug,
                                   const char **in_use)
{
    const char *args[2] = { id, hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    *found = 0;
    *in_use = *slug = NULL;
    if (!hub_is_uuid(id)) {
        return HUB_DB_OK;
    }
    st = hub_db_select(hr->r, &hub_servers_store_stmts[ST_DELETE], &rows, 2,
                       args);
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        return st;
    }
    *found = 1;
    *slug = hub_rows_get(rows, 0, "slug");
    if (strcmp(hub_rows_get(rows, 0, "deleted"), "1")) {
        *in_use = hub_rows_get(rows, 0, "projects");
        if (!*in_use) {
            *in_use = "{}";
        }
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r, "HUB00302: server "
                      "%s (%s) deleted from tenant %s by %s", id, *slug,
                      hr->who->tenant_slug, hr->who->name);
    }
    return HUB_DB_OK;
}

hub_db_status_e hub_servers_list(hub_req_t *hr, const hub_server_filter_t *f,
                                 hub_rows_t **rows, long *total)
{
    const char *args[20];
    const char *sort = f->sort ? f->sort : "created_desc";
    hub_db_status_e st;
    int n = 0;
    args[n++] = hr->who->tenant_id;
    args[n++] = f->mode; args[n++] = f->mode;
    args[n++] = f->transport; args[n++] = f->transport;
    args[n++] = f->auth_method; args[n++] = f->auth_method;
    args[n++] = f->server_type; args[n++] = f->server_type;
    args[n++] = f->auth_level; args[n++] = f->auth_level;
    args[n++] = f->q; args[n++] = f->q; args[n++] = f->q; args[n++] = f->q;
    args[n++] = sort; args[n++] = sort; args[n++] = sort;
    args[n++] = f->limit < 0 ? NULL : apr_ltoa(hr->pool, f->limit);
    args[n++] = apr_ltoa(hr->pool, f->offset);
    st = hub_db_select(hr->r, &hub_servers_store_stmts[ST_PAGE], rows, n,
                       args);
    if (st != HUB_DB_OK) {
        return st;
    }
    *total = hub_rows_get(*rows, 0, "total")
             ? atol(hub_rows_get(*rows, 0, "total")) : 0;
    if (!hub_rows_get(*rows, 0, "id")) {
        (*rows)->rows->nelts = 0;      /* none, or past the end */
    }
    return HUB_DB_OK;
}

/* ---- answers ------------------------------------------------------------ */

int hub_servers_db_fail(hub_req_t *hr, hub_db_status_e st)
{
    if (st == HUB_DB_UNAVAILABLE) {
        return hub_fail_unavailable(hr);
    }
    if (st == HUB_DB_CONFLICT) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "a server with this name already exists");
    }
    return hub_fail(hr, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "internal error; see the server log (request %s)",
                    hr->request_id);
}

int hub_servers_seal_fail(hub_req_t *hr, hub_srv_seal_e seal)
{
    if (seal == HUB_SRV_NO_KEY) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r, "HUB00303: a server "
                      "with upstream credentials cannot be stored: no "
                      "HubSecretKeyFile is configured");
        return hub_fail(hr, HTTP_INTERNAL_SERVER_ERROR, "NO_SECRET_KEY",
                        "this hub cannot store upstream credentials: its "
                        "operator has set no HubSecretKeyFile");
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r, "HUB00304: sealing an "
                  "upstream credential failed (OpenSSL)");
    return hub_fail(hr, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                    "internal error; see the server log (request %s)",
                    hr->request_id);
}

json_t *hub_servers_names_json(const char *pg_array)
{
    json_t *j = pg_array ? hub_pg_array_json(pg_array) : NULL;
    return j ? j : json_array();
}

json_t *hub_servers_secret_names(apr_pool_t *p HUB_UNUSED,
                                 const char *pg_array, const char *prefix)
{
    json_t *all = hub_servers_names_json(pg_array), *out = json_array(), *v;
    size_t i, n = strlen(prefix);
    json_array_foreach(all, i, v) {
        const char *s = json_string_value(v);
        if (s && !strncmp(s, prefix, n)) {
            json_array_append_new(out, json_string(s + n));
        }
    }
    json_decref(all);
    return out;
}

const char *hub_servers_pg_array(apr_pool_t *p, const json_t *strings)
{
    /* elements double-quoted, with " and \ escaped */
    const char *out = "{";
    json_t *v;
    size_t i;
    json_array_foreach(strings, i, v) {
        const char *s = json_string_value(v), *c;
        char *q, *w;
        if (!s) {
            continue;
        }
        q = w = apr_palloc(p, 2 * strlen(s) + 3);
        *w++ = '"';
        for (c = s; *c; c++) {
            if (*c == '"' || *c == '\\') {
                *w++ = '\\';
            }
            *w++ = *c;
        }
        *w++ = '"';
        *w = '\0';
        out = apr_pstrcat(p, out, i ? "," : "", q, NULL);
    }
    return apr_pstrcat(p, out, "}", NULL);
}
