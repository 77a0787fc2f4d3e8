/* The server registry: one data model under every profile, and its five
 * operations (hub_servers_store.h).  Each profile file describes its body,
 * words and answers in a hub_srv_profile_t; the statements here are the
 * only SQL over `servers`, and every one names the caller's tenant, so
 * another tenant's server is "not found".
 *
 * Secrets are sealed here (AES-256-GCM, the tenant id as additional
 * data) before they reach a statement; no statement that answers a
 * request selects the `secrets` column, only the names in it. */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_addr.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

#define SERVER_COLS \
    "s.id, s.slug, s.name, s.description, s.mode, s.transport, s.endpoint," \
    " s.command, s.args, s.env_names, s.auth_method, s.auth_level," \
    " s.auth_config, s.query_params, s.server_type, s.registry_id," \
    " s.logo_url, s.github_repo, s.default_branch, s.tool_prefix," \
    " s.timeout_sec, s.enabled, s.health_status," \
    " iso8601(s.last_check_at) AS last_check_at," \
    " iso8601(s.last_ok_at) AS last_ok_at, s.uptime_24h, s.created_by," \
    " iso8601(s.created_at) AS created_at," \
    " iso8601(s.updated_at) AS updated_at, s.secret_names"

/* how many projects use one server: per row, for the statements that
 * answer one server; the page joins one grouped count instead */
#define ACTIVE_INSTANCES \
    ", (SELECT count(*) FROM server_instances i" \
    "   WHERE i.server_id = s.id AND i.status = 'active') AS active_instances"

/* CASE WHEN <field is set> THEN <value> ELSE <column> END */
#define SET_IF(col, val) \
    " " col " = CASE WHEN %s::boolean THEN " val " ELSE s." col " END,"

/* A page of the tenant's servers, filtered and sorted, with the count of
 * all that match: cols selected from f s, joined with join */
#define PAGE_SQL(cols, join) \
    "WITH f AS (" \
    "  SELECT * FROM servers" \
    "   WHERE tenant_id = %s::uuid" \
    "     AND (%s::text IS NULL OR mode = %s::text)" \
    "     AND (%s::text IS NULL OR transport = %s::text)" \
    "     AND (%s::text IS NULL OR auth_method = %s::text)" \
    "     AND (%s::text IS NULL OR server_type = %s::text)" \
    "     AND (%s::text IS NULL OR auth_level = %s::text)" \
    "     AND (%s::text IS NULL" \
    "          OR strpos(lower(slug), lower(%s::text)) > 0" \
    "          OR strpos(lower(name), lower(%s::text)) > 0" \
    "          OR strpos(lower(description), lower(%s::text)) > 0))" \
    " SELECT n.total, p.* FROM (SELECT count(*) AS total FROM f) n" \
    " LEFT JOIN LATERAL (SELECT " cols " FROM f s" join \
    "   ORDER BY CASE WHEN %s::text = 'name_asc' THEN lower(s.name) END," \
    "            CASE WHEN %s::text = 'name_desc' THEN lower(s.name) END" \
    "                 DESC," \
    "            CASE WHEN %s::text = 'created_asc' THEN s.created_at END," \
    "            s.created_at DESC, s.id" \
    "   LIMIT %s::bigint OFFSET %s::bigint) p ON true"

/* clang-format off */
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
      " RETURNING " SERVER_COLS ACTIVE_INSTANCES },
    { "hub_servers_get",
      "SELECT " SERVER_COLS ACTIVE_INSTANCES " FROM servers s"
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
      " RETURNING " SERVER_COLS ACTIVE_INSTANCES },
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
    /* the count and the page in one round trip; the instance counts of
     * the tenant's servers in one grouped scan, not a subquery per row */
    { "hub_servers_page",
      PAGE_SQL(SERVER_COLS ", coalesce(c.n, 0) AS active_instances",
               "   LEFT JOIN (SELECT i.server_id, count(*) AS n"
               "                FROM server_instances i"
               "               WHERE i.tenant_id = %s::uuid"
               "                 AND i.status = 'active'"
               "               GROUP BY i.server_id) c ON c.server_id = s.id") },
    /* the same page with only the members of Patchwork's ServerOut:
     * PostgreSQL's CPU per page of 20 is 93 us against 170 us for every
     * column and the instance counts (backend CPU over 3000 EXECUTEs) */
    { "hub_servers_page_out",
      PAGE_SQL("s.id, s.name, s.slug, s.description, s.mode, s.github_repo,"
               " s.endpoint, s.default_branch, s.health_status, s.uptime_24h,"
               " iso8601(s.created_at) AS created_at,"
               " iso8601(s.updated_at) AS updated_at", "") },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_INSERT, ST_GET, ST_UPDATE, ST_DELETE, ST_PAGE, ST_PAGE_OUT };

/* ---- input ------------------------------------------------------------- */

void hub_servers_in_init(apr_pool_t *p, hub_server_in_t *in)
{
    memset(in, 0, sizeof(*in));
    in->auth_config = hub_json_own(p, json_object());
    in->secrets = hub_json_own(p, json_object());
    in->replace = apr_array_make(p, 2, sizeof(const char *));
}

void hub_servers_in_set(hub_server_in_t *in, hub_srv_field_e f, const char *val)
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

const char *hub_servers_url_refused(hub_req_t *hr, const char *url)
{
    const char *host =
        hub_http_url_refused(hr->pool, url,
                             hub_servers_srv(hr->r->server)->outbound_allow);
    if (!host) {
        return NULL;
    }
    return apr_psprintf(hr->pool,
                        "the address %s is internal and not in "
                        "HubOutboundAllow: this hub reaches internal "
                        "addresses only in the ranges its operator allows "
                        "there",
                        host);
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
            json_object_set(out, name, v); /* true: keep the stored */
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

hub_db_status_e hub_servers_get(hub_req_t *hr, const char *id, hub_rows_t **row)
{
    const char *args[2] = { id, hr->who->tenant_id };
    if (!hub_is_uuid(id)) {
        *row = no_rows(hr->pool);
        return HUB_DB_OK;
    }
    return hub_db_select(hr->r, &hub_servers_store_stmts[ST_GET], row, 2, args);
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
    args[n++] = hub_pg_array_strv(hr->pool, in->replace);
    args[n++] = sealed;
    args[n++] = id;
    args[n++] = hr->who->tenant_id;
    return hub_db_select(hr->r, &hub_servers_store_stmts[ST_UPDATE], row, n,
                         args);
}

hub_db_status_e hub_servers_delete(hub_req_t *hr, const char *id, int *found,
                                   const char **slug, const char **in_use)
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
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB00302: server "
                      "%s (%s) deleted from tenant %s by %s",
                      id, *slug, hr->who->tenant_slug, hr->who->name);
    }
    return HUB_DB_OK;
}

hub_db_status_e hub_servers_list(hub_req_t *hr, const hub_server_filter_t *f,
                                 hub_rows_t **rows, long *total)
{
    const char *args[21];
    const char *sort = f->sort ? f->sort : "created_desc";
    hub_db_status_e st;
    int n = 0;
    args[n++] = hr->who->tenant_id;
    args[n++] = f->mode;
    args[n++] = f->mode;
    args[n++] = f->transport;
    args[n++] = f->transport;
    args[n++] = f->auth_method;
    args[n++] = f->auth_method;
    args[n++] = f->server_type;
    args[n++] = f->server_type;
    args[n++] = f->auth_level;
    args[n++] = f->auth_level;
    args[n++] = f->q;
    args[n++] = f->q;
    args[n++] = f->q;
    args[n++] = f->q;
    if (f->cols != HUB_SRV_COLS_OUT) {
        args[n++] = hr->who->tenant_id; /* the instance counts */
    }
    args[n++] = sort;
    args[n++] = sort;
    args[n++] = sort;
    args[n++] = f->limit < 0 ? NULL : apr_ltoa(hr->pool, f->limit);
    args[n++] = apr_ltoa(hr->pool, f->offset);
    st = hub_db_select(
        hr->r,
        &hub_servers_store_stmts[f->cols == HUB_SRV_COLS_OUT ? ST_PAGE_OUT
                                                             : ST_PAGE],
        rows, n, args);
    if (st != HUB_DB_OK) {
        return st;
    }
    *total = hub_rows_page_total(*rows);
    return HUB_DB_OK;
}

/* ---- answers of failures ------------------------------------------------ */

int hub_servers_seal_fail(hub_req_t *hr, hub_result_t *res, hub_srv_seal_e seal)
{
    if (seal == HUB_SRV_NO_KEY) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                      "HUB00303: a server "
                      "with upstream credentials cannot be stored: no "
                      "HubSecretKeyFile is configured");
        return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "NO_SECRET_KEY",
                       "this hub cannot store upstream credentials: its "
                       "operator has set no HubSecretKeyFile");
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                  "HUB00304: sealing an "
                  "upstream credential failed (OpenSSL)");
    return hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
}

json_t *hub_servers_names_json(const char *pg_array)
{
    json_t *j = pg_array ? hub_pg_array_json(pg_array) : NULL;
    return j ? j : json_array();
}

const char *hub_servers_pg_array(apr_pool_t *p, const json_t *strings)
{
    return hub_pg_array(p, strings);
}

json_t *hub_servers_masked(const char *pg_array, const char *prefix)
{
    json_t *names = hub_pg_array_prefixed(pg_array, prefix);
    json_t *o = json_object(), *v;
    size_t i;
    json_array_foreach(names, i, v) {
        json_object_set_new(o, json_string_value(v), json_string(HUB_SRV_MASK));
    }
    json_decref(names);
    return o;
}

/* ---- the operations -------------------------------------------------------- */

static const hub_srv_profile_t *const profiles[] = {
    &hub_servers_pw_profile, &hub_servers_th_profile, &hub_servers_gc_profile,
    &hub_servers_cx_profile, NULL
};

const hub_srv_profile_t *hub_servers_profile(unsigned profile)
{
    int i;
    for (i = 0; profiles[i]; i++) {
        if (profiles[i]->profile == profile) {
            return profiles[i];
        }
    }
    return profiles[0];
}

static const hub_srv_profile_t *profile_of(const hub_req_t *hr)
{
    return hub_servers_profile(hr->profile);
}

int hub_servers_bad(hub_req_t *hr, hub_result_t *res,
                    const hub_srv_input_t *how, const char *member,
                    const char *type, const char *why)
{
    if (!how->bad_status) {
        /* pydantic's words: "Value error, ..." for checks of its own */
        return hub_err_field(res, "body", member, type,
                             strcmp(type, "value_error")
                                 ? why
                                 : apr_pstrcat(hr->pool, "Value error, ", why,
                                               NULL));
    }
    return hub_err(res, how->bad_status, how->bad_code, "%s: %s", member, why);
}

int hub_servers_check_url(hub_req_t *hr, hub_result_t *res,
                          const hub_srv_input_t *how, const char *member,
                          const char *url)
{
    const char *why = hub_url_problem(hr->pool, url);
    if (why) {
        return hub_servers_bad(hr, res, how, member, "url_parsing",
                               how->bad_status ? why
                                               : apr_pstrcat(hr->pool,
                                                             "Input should "
                                                             "be a valid URL, ",
                                                             why, NULL));
    }
    if ((why = hub_servers_url_refused(hr, url))) {
        if (how->bad_status) {
            return hub_err(res, how->bad_status, "ADDRESS_NOT_ALLOWED",
                           "%s: %s", member, why);
        }
        return hub_servers_bad(hr, res, how, member, "value_error", why);
    }
    return DECLINED;
}

/* One member by its map row: DECLINED or HUB_DONE with the problem. */
static int take_member(hub_req_t *hr, hub_result_t *res,
                       const hub_srv_input_t *how, const hub_srv_map_t *m,
                       hub_server_in_t *in)
{
    json_t *v = json_object_get(hr->body, m->member);
    const char *s = json_string_value(v), *slug;
    if (!v || (json_is_null(v) && (m->flags & HUB_SRV_SKIP_NULL))) {
        return DECLINED;
    }
    if (s && !*s && (m->flags & HUB_SRV_EMPTY_NULL)) {
        s = NULL;
    }
    switch (m->how) {
    case HUB_SRV_JSON:
        hub_servers_in_set(in, m->to,
                           json_is_null(v) ? NULL : hub_json_text(hr->pool, v));
        return DECLINED;
    case HUB_SRV_INT:
        hub_servers_in_set(in, m->to,
                           apr_ltoa(hr->pool, (long)json_integer_value(v)));
        return DECLINED;
    case HUB_SRV_BOOL:
        hub_servers_in_set(in, m->to, json_is_true(v) ? "true" : "false");
        return DECLINED;
    case HUB_SRV_SLUG_OF:
        if (!(slug = hub_slugify(hr->pool, s))) {
            return hub_servers_bad(hr, res, how, m->member, "value_error",
                                   "the name needs a letter or a digit");
        }
        hub_servers_in_set(in, HUB_SRV_SLUG, slug);
        hub_servers_in_set(in, m->to, s);
        return DECLINED;
    case HUB_SRV_IS_SLUG:
        if (!hub_is_slug(s)) {
            return hub_servers_bad(
                hr, res, how, m->member, "value_error",
                apr_psprintf(hr->pool,
                             "'%s' must be a "
                             "slug: lowercase letters, digits, - and "
                             "_, starting with a letter or digit",
                             s ? s : ""));
        }
        hub_servers_in_set(in, m->to, s);
        return DECLINED;
    case HUB_SRV_URL:
        if (s
            && hub_servers_check_url(hr, res, how, m->member, s) != DECLINED) {
            return HUB_DONE;
        }
        hub_servers_in_set(in, m->to, s);
        return DECLINED;
    default: hub_servers_in_set(in, m->to, s); return DECLINED;
    }
}

int hub_servers_take_map(hub_req_t *hr, hub_result_t *res,
                         const hub_srv_input_t *how, hub_server_in_t *in)
{
    const hub_srv_map_t *m;
    hub_servers_in_init(hr->pool, in);
    for (m = how->map; m && m->member; m++) {
        if (take_member(hr, res, how, m, in) != DECLINED) {
            return HUB_DONE;
        }
    }
    return DECLINED;
}

/* The body by the profile's map, then its own rules. */
static int take_body(hub_req_t *hr, hub_result_t *res,
                     const hub_srv_profile_t *P, const hub_srv_input_t *how,
                     hub_server_in_t *in, const hub_rows_t *old)
{
    if (hub_servers_take_map(hr, res, how, in) != DECLINED) {
        return HUB_DONE;
    }
    if (P->mode_by_endpoint) {
        hub_servers_in_set(in, HUB_SRV_MODE,
                           in->val[HUB_SRV_ENDPOINT] ? "remote"
                                                     : P->mode_by_endpoint);
    }
    return P->take ? P->take(hr, res, how, in, old) : DECLINED;
}

static json_t *server_json(hub_req_t *hr, const hub_srv_profile_t *P,
                           const hub_rows_t *rows, int i, hub_srv_view_e view)
{
    json_t *o = hub_row_json(rows, i, hr->route->shape);
    if (P->decorate) {
        P->decorate(hr, rows, i, o, view);
    }
    return o;
}

int hub_servers_not_found(hub_result_t *res, const hub_srv_profile_t *P,
                          const char *id)
{
    return hub_err(res, HTTP_NOT_FOUND, P->not_found_code, P->not_found,
                   id ? id : "");
}

/* A write's outcome: DECLINED when the row is there, else HUB_DONE. */
static int written(hub_req_t *hr, hub_result_t *res, const hub_srv_profile_t *P,
                   hub_db_status_e st, hub_srv_seal_e seal,
                   const hub_rows_t *row, const char *id)
{
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, res, seal);
    }
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, P->conflict, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_servers_not_found(res, P, id);
    }
    return DECLINED;
}

int hub_servers_op_list(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_profile_t *P = profile_of(hr);
    const hub_qvals_t *q = &hr->q;
    hub_server_filter_t f = { 0 };
    hub_page_t pg = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i, paged = hr->route->wrap == HUB_WRAP_CX_PAGE;

    f.mode = hub_qv_str(q, "mode");
    f.transport = hub_qv_str(q, "transport");
    f.auth_method = hub_qv_str(q, "auth_method");
    f.server_type = hub_qv_str(q, "server_type");
    f.auth_level = hub_qv_str(q, "auth_level");
    f.q = hub_qv_str(q, "search");
    f.sort = hub_qv_str(q, "sort_by");
    f.sort = f.sort ? f.sort : P->default_sort;
    f.limit = -1;
    /* a profile borrowing Patchwork's registry has shapes of its own */
    f.cols = hr->route->profile == P->profile ? P->list_cols : HUB_SRV_COLS_ALL;
    if (paged) {
        hub_qv_page(q, "size", "cursor", &pg);
        f.limit = pg.limit;
        f.offset = pg.offset;
    }
    st = hub_servers_list(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (f.cols == HUB_SRV_COLS_OUT && !paged) {
        /* the shape says it all: written straight from the rows */
        return hub_ok_rows(res, rows, NULL);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items,
                              server_json(hr, P, rows, i, HUB_SRV_LISTED));
    }
    return paged ? hub_ok_page(res, items, total, &pg) : hub_ok(res, items);
}

int hub_servers_op_get(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_profile_t *P = profile_of(hr);
    const char *id = hub_param(hr, P->id_param);
    hub_rows_t *row;
    hub_db_status_e st = hub_servers_get(hr, id, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_servers_not_found(res, P, id);
    }
    return hub_ok(res, server_json(hr, P, row, 0, HUB_SRV_READ));
}

int hub_servers_op_create(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_profile_t *P = profile_of(hr);
    hub_server_in_t in;
    hub_rows_t *row;
    hub_srv_seal_e seal;
    hub_db_status_e st;

    if (take_body(hr, res, P, &P->create_in, &in, NULL) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_servers_create(hr, &in, &row, &seal);
    if (written(hr, res, P, st, seal, row, NULL) != DECLINED) {
        return HUB_DONE;
    }
    if (P->created_id) {
        return hub_ok(res,
                      json_pack("{s:s}", "id", hub_rows_get(row, 0, "id")));
    }
    return hub_ok(res, server_json(hr, P, row, 0, HUB_SRV_WRITTEN));
}

int hub_servers_op_update(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_profile_t *P = profile_of(hr);
    const char *id = hub_param(hr, P->id_param);
    hub_server_in_t in;
    hub_rows_t *old, *row;
    hub_srv_seal_e seal;
    hub_db_status_e st = hub_servers_get(hr, id, &old);

    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (old->rows->nelts != 1) {
        return hub_servers_not_found(res, P, id);
    }
    if (take_body(hr, res, P, &P->update_in, &in, old) != DECLINED) {
        return HUB_DONE;
    }
    st = hub_servers_update(hr, id, &in, &row, &seal);
    if (written(hr, res, P, st, seal, row, id) != DECLINED) {
        return HUB_DONE;
    }
    if (P->updated_status) {
        return hub_ok(res, json_pack("{s:s}", "status", P->updated_status));
    }
    return hub_ok(res, json_pack("{s:s}", "id", id));
}

/* 409 or 400: the projects that use the server, in the profile's words */
static int in_use(hub_req_t *hr, hub_result_t *res, const hub_srv_profile_t *P,
                  const char *slug, const char *projects)
{
    const char *list;
    json_t *ids;
    if (!P->in_use_counted) {
        return hub_err(res, P->in_use_status, P->in_use_code,
                       "server '%s' is connected to projects %s; "
                       "disconnect it from them first",
                       slug, projects);
    }
    ids = hub_json_own(hr->pool, hub_servers_names_json(projects));
    list = hub_join(hr->pool, ids, ", ");
    return hub_err(res, P->in_use_status, P->in_use_code,
                   "Cannot delete server '%s' because it is associated "
                   "with %u project(s). Please disconnect the server from "
                   "all projects before deleting. Associated project IDs: "
                   "%s",
                   slug, (unsigned)json_array_size(ids), list ? list : "");
}

int hub_servers_op_delete(hub_req_t *hr, hub_result_t *res)
{
    const hub_srv_profile_t *P = profile_of(hr);
    const char *id = hub_param(hr, P->id_param), *slug, *projects;
    hub_db_status_e st;
    int found;

    st = hub_servers_delete(hr, id, &found, &slug, &projects);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!found) {
        return hub_servers_not_found(res, P, id);
    }
    if (projects) {
        return in_use(hr, res, P, slug, projects);
    }
    if (P->deleted_status) {
        return hub_ok(res, json_pack("{s:s}", "status", P->deleted_status));
    }
    if (P->deleted_message) {
        return hub_ok(res, json_pack("{s:s,s:s}", "server_id", id, "message",
                                     apr_psprintf(hr->pool, P->deleted_message,
                                                  slug)));
    }
    return hub_ok_empty(res, 0);
}
