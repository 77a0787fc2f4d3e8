/* Caylex's servers: GET /servers, GET /servers/search, GET|PATCH|DELETE
 * /servers/{server_id}, POST /servers/{header,oauth,path,query,noauth}.
 *
 * Decisions where the document is open:
 * - `name` is the server's name as given; its normalised form is the
 *   slug the other profiles show (GoClaw's name), unique in the tenant
 *   (409).  PATCH `name` changes both, `display_name` only the name.
 * - header, path and query configs carry names only, as documented;
 *   the hub also accepts a server-wide credential in them
 *   (`header_value`, `value`), stored sealed and never answered.  OAuth
 *   client ids and secrets are sealed too and never answered (the
 *   document already leaves them out).
 * - auth_method `query` is answered for servers made by POST
 *   /servers/query, though the document's enum omits it; servers made
 *   elsewhere show transport `stdio` and endpoint "" when they are stdio
 *   servers, and `heartbeat` servers endpoint "".
 * - registry_id names an entry of the catalog (HubRegistryFile; else
 *   404 "Registry entry not found"); the entry's endpoint and logo are
 *   used when the body gives none.
 * - health_check is null until the prober has checked the server
 *   (healthy/degraded -> up, down/stale -> down); metadata is given with
 *   include_analytics=true (num_tools and num_tool_calls null until
 *   tools and analytics exist, connected_projects counts instances).
 * - search matches `search` in the name, slug or description, any case.
 * - DELETE of a server that projects use is 400 with their ids, checked
 *   in the one statement that deletes. */
#include <apr_strings.h>
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

static const char *const cx_transports[] = { "sse", "streamable_http", NULL };
static const char *const cx_levels[] = { "project", "user", NULL };
static const char *const cx_types[] = { "caylex", "external", "foundry",
                                        NULL };
static const char *const cx_methods[] = { "header", "oauth", "path", "query",
                                          "none", NULL };
static const char *const cx_sorts[] = { "name_asc", "name_desc",
                                        "created_asc", "created_desc", NULL };

/* ---- answers -------------------------------------------------------- */

static const hub_shape_t cx_server[] = {
    { "id", NULL, HUB_J_STRING },
    { "registry_id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "transport", NULL, HUB_J_STRING },
    { "auth_method", NULL, HUB_J_STRING },
    { "server_type", NULL, HUB_J_STRING },
    { "auth_level", NULL, HUB_J_STRING },
    { "logo_url", NULL, HUB_J_STRING },
    { "active_instances", NULL, HUB_J_INT },
    { "created_at", NULL, HUB_J_STRING },
    { "updated_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};

static json_t *list_or_null(json_t *cfg, const char *key)
{
    json_t *v = json_object_get(cfg, key);
    return json_is_array(v) ? json_incref(v) : json_null();
}

static json_t *auth_config_json(apr_pool_t *p, const hub_rows_t *rows,
                                int i)
{
    const char *method = hub_rows_get(rows, i, "auth_method");
    json_t *cfg = json_loads(hub_rows_get(rows, i, "auth_config"), 0, NULL);
    json_t *out = json_pack("{s:s}", "auth_method", method);
    json_t *oauth = json_object_get(cfg, "oauth");
    if (json_is_object(oauth)) {
        json_t *scopes = json_object_get(oauth, "scopes"), *s;
        const char *joined = NULL;
        size_t k;
        json_array_foreach(scopes, k, s) {
            joined = joined ? apr_pstrcat(p, joined, " ",
                                          json_string_value(s), NULL)
                            : json_string_value(s);
        }
        json_object_set_new(out, "oauth", json_pack("{s:o,s:O}", "scopes",
            joined ? json_string(joined) : json_null(), "provider",
            json_object_get(oauth, "provider")
                ? json_object_get(oauth, "provider") : json_null()));
    }
    else {
        json_object_set_new(out, "oauth", json_null());
    }
    json_object_set_new(out, "headers", list_or_null(cfg, "headers"));
    json_object_set_new(out, "paths", list_or_null(cfg, "paths"));
    json_object_set_new(out, "params", list_or_null(cfg, "params"));
    json_decref(cfg);
    return out;
}

static json_t *server_json(hub_req_t *hr, const hub_rows_t *rows, int i,
                           int analytics)
{
    apr_pool_t *p = hr->pool;
    json_t *o = hub_row_json(rows, i, cx_server);
    const char *endpoint = hub_rows_get(rows, i, "endpoint");
    const char *check = hub_rows_get(rows, i, "last_check_at");
    const char *h = hub_rows_get(rows, i, "health_status");
    const char *reg = hub_rows_get(rows, i, "registry_id");
    /* made from a catalog entry: that entry's name and endpoint */
    json_t *entry = reg ? hub_servers_registry_entry(hr->r, reg) : NULL;
    json_object_set_new(o, "registry_name",
                        json_is_string(json_object_get(entry, "name"))
                        ? json_incref(json_object_get(entry, "name"))
                        : json_null());
    json_object_set_new(o, "registry_endpoint",
                        json_is_string(json_object_get(entry, "endpoint"))
                        ? json_incref(json_object_get(entry, "endpoint"))
                        : json_null());
    json_object_set_new(o, "endpoint", json_string(endpoint ? endpoint : ""));
    json_object_set_new(o, "health_check", check
        ? json_pack("{s:s,s:s}", "last_check", check, "status",
                    !strcmp(h, "healthy") || !strcmp(h, "degraded") ? "up"
                    : !strcmp(h, "unknown") ? "no_data" : "down")
        : json_null());
    json_object_set_new(o, "metadata", analytics
        ? json_pack("{s:n,s:n,s:O}", "num_tools", "num_tool_calls",
                    "connected_projects",
                    json_object_get(o, "active_instances"))
        : json_null());
    json_object_set_new(o, "auth_config", auth_config_json(p, rows, i));
    return o;
}

/* ---- errors ------------------------------------------------------------ */


static int enum_invalid(hub_req_t *hr, const char *where, const char *field,
                        const char *const *values)
{
    const char *msg = "Input should be ";
    int i;
    for (i = 0; values[i]; i++) {
        msg = apr_pstrcat(hr->pool, msg, i ? (values[i + 1] ? ", " : " or ")
                                           : "", "'", values[i], "'", NULL);
    }
    return hub_fail_field(hr, where, field, "enum", msg);
}

static int not_found(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND", "Server not found");
}

static int need_read(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "Reading servers needs read access");
}

static int need_write(hub_req_t *hr)
{
    return hub_fail(hr, HTTP_FORBIDDEN, "FORBIDDEN",
                    "Changing servers needs write access");
}

static int db_fail(hub_req_t *hr, hub_db_status_e st)
{
    if (st == HUB_DB_CONFLICT) {
        return hub_fail(hr, HTTP_CONFLICT, "CONFLICT",
                        "A server with this name already exists");
    }
    return hub_servers_db_fail(hr, st);
}

/* ---- listing ------------------------------------------------------------ */

static int one_of(const char *s, const char *const *values)
{
    int i;
    for (i = 0; values[i]; i++) {
        if (!strcmp(s, values[i])) {
            return 1;
        }
    }
    return 0;
}

static int query_bool(hub_req_t *hr, const char *name, int *out)
{
    static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
    static const char *const no[] = { "false", "0", "no", "off", "f", "n" };
    const char *s = hub_query(hr, name);
    size_t i;
    *out = 0;
    if (!s) {
        return DECLINED;
    }
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
            *out = !strcasecmp(s, yes[i]);
            return DECLINED;
        }
    }
    return hub_fail_field(hr, "query", name, "bool_parsing",
                   "Input should be a valid boolean, unable to interpret "
                   "input");
}


/* an enum filter from the query: DECLINED or the 422 sent */
static int filter(hub_req_t *hr, const char *name,
                  const char *const *values, const char **out)
{
    *out = hub_query(hr, name);
    if (*out && !one_of(*out, values)) {
        return enum_invalid(hr, "query", name, values);
    }
    return DECLINED;
}

static int servers_page(hub_req_t *hr, int search)
{
    hub_server_filter_t f = { 0 };
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total, next;
    int i, rc, analytics = 0, has_next;

    if (!hub_principal_can_read(hr->who)) {
        return need_read(hr);
    }
    if ((rc = hub_query_size_cursor(hr, &pg)) != DECLINED
        || (!search && (rc = query_bool(hr, "include_analytics",
                                        &analytics)) != DECLINED)
        || (rc = filter(hr, "sort_by", cx_sorts, &f.sort)) != DECLINED
        || (rc = filter(hr, "transport", cx_transports, &f.transport))
           != DECLINED
        || (rc = filter(hr, "auth_method", cx_methods, &f.auth_method))
           != DECLINED
        || (rc = filter(hr, "server_type", cx_types, &f.server_type))
           != DECLINED
        || (rc = filter(hr, "auth_level", cx_levels, &f.auth_level))
           != DECLINED) {
        return rc;
    }
    if (search) {
        f.q = hub_query(hr, "search");
        f.q = f.q && *f.q ? f.q : NULL;
    }
    f.limit = pg.limit;
    f.offset = pg.offset;
    st = hub_servers_list(hr, &f, &rows, &total);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, server_json(hr, rows, i, analytics));
    }
    next = pg.offset + rows->rows->nelts;
    has_next = next < total && rows->rows->nelts > 0;
    return hub_send_json(hr, HTTP_OK, json_pack(
        "{s:o,s:{s:I,s:I,s:o,s:b,s:b}}", "items", items, "meta",
        "size", (json_int_t)pg.limit, "total", (json_int_t)total,
        "next_cursor", has_next ? json_string(hub_cursor_encode(hr->pool,
                                                                next))
                                : json_null(),
        "has_next", has_next, "has_prev", pg.offset > 0));
}

static int servers_list(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    return servers_page(hr, 0);
}

static int servers_search(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    return servers_page(hr, 1);
}

static int server_get(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    hub_rows_t *row;
    hub_db_status_e st;
    int rc, analytics;
    if (!hub_principal_can_read(hr->who)) {
        return need_read(hr);
    }
    if ((rc = query_bool(hr, "include_analytics", &analytics)) != DECLINED) {
        return rc;
    }
    st = hub_servers_get(hr, hub_param(hr, "server_id"), &row);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, server_json(hr, row, 0, analytics));
}

/* ---- auth configs in bodies -------------------------------------------- */

static const hub_field_t header_item[] = {
    { "header_name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "header_value_prefix", HUB_T_STRING, HUB_F_REQUIRED, 0, 200, NULL,
      NULL },
    { "header_value", HUB_T_STRING, 0, 1, 4096, NULL,
      "hub extension: a server-wide value, stored encrypted" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t path_item[] = {
    { "path_param_name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "value", HUB_T_STRING, 0, 1, 4096, NULL,
      "hub extension: a server-wide value, stored encrypted" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t query_item[] = {
    { "query_param_name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "value", HUB_T_STRING, 0, 1, 4096, NULL,
      "hub extension: a server-wide value, stored encrypted" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t query_param_item[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "value", HUB_T_STRING, HUB_F_REQUIRED, 0, 2000, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t client_fields[] = {
    { "client_id", HUB_T_STRING, HUB_F_REQUIRED, 1, 1000, NULL, NULL },
    { "client_secret", HUB_T_STRING, HUB_F_REQUIRED, 1, 4096, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t metadata_fields[] = {
    { "found", HUB_T_BOOLEAN, HUB_F_REQUIRED, 0, 0, NULL, NULL },
    { "auth_endpoint", HUB_T_STRING, HUB_F_REQUIRED | HUB_F_NULLABLE, 0, 2048,
      NULL, NULL },
    { "token_endpoint", HUB_T_STRING, HUB_F_REQUIRED | HUB_F_NULLABLE, 0,
      2048, NULL, NULL },
    { "registration_endpoint", HUB_T_STRING, HUB_F_REQUIRED | HUB_F_NULLABLE,
      0, 2048, NULL, NULL },
    { "redirect_url", HUB_T_STRING, HUB_F_NULLABLE, 0, 2048, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* Validate one object against fields; its problems named prefix.field. */
static void check_object(hub_req_t *hr, const json_t *o,
                         const hub_field_t *fields, const char *prefix,
                         apr_array_header_t *problems)
{
    apr_array_header_t *mine = apr_array_make(hr->pool, 2,
                                              sizeof(hub_invalid_t));
    int n;
    hub_validate(o, fields, hr->pool, mine);
    for (n = 0; n < mine->nelts; n++) {
        hub_invalid_t *inv = apr_array_push(problems);
        *inv = APR_ARRAY_IDX(mine, n, hub_invalid_t);
        inv->field = apr_pstrcat(hr->pool, prefix, inv->field ? "." : "",
                                 inv->field ? inv->field : "", NULL);
    }
}

/* A list of configs: each item checked, the names kept (without the
 * values) in auth_config[key], the values sealed as "<kind>:<name>". */
static void take_list(hub_req_t *hr, hub_server_in_t *in, const char *key,
                      const hub_field_t *fields, const char *kind,
                      apr_array_header_t *problems)
{
    json_t *list = json_object_get(hr->body, key), *item;
    json_t *clean = hub_json_own(hr->pool, json_array());
    const char *name_field = fields[0].name;
    const char *value_field = fields[2].name ? fields[2].name : fields[1].name;
    size_t i;
    int before = problems->nelts;

    if (!json_is_array(list)) {
        return;
    }
    json_array_foreach(list, i, item) {
        const char *prefix = apr_psprintf(hr->pool, "%s[%u]", key,
                                          (unsigned)i);
        const char *name, *value;
        json_t *kept;
        check_object(hr, item, fields, prefix, problems);
        if (problems->nelts > before) {
            continue;
        }
        name = json_string_value(json_object_get(item, name_field));
        value = json_string_value(json_object_get(item, value_field));
        kept = json_deep_copy(item);
        json_object_del(kept, value_field);
        json_array_append_new(clean, kept);
        if (value) {
            hub_servers_in_secret(in, apr_pstrcat(hr->pool, kind, ":", name,
                                                  NULL), value);
        }
    }
    hub_servers_in_replace(in, apr_pstrcat(hr->pool, kind, ":%", NULL));
    json_object_set(in->auth_config, key, clean);
}

/* OAuth: metadata, manual_client_config and scopes into in. */
static void take_oauth(hub_req_t *hr, hub_server_in_t *in, const json_t *src,
                       const char *loc, apr_array_header_t *problems)
{
    json_t *meta = json_object_get(src, "metadata");
    json_t *client = json_object_get(src, "manual_client_config");
    json_t *scopes = json_object_get(src, "scopes"), *s, *oauth;
    json_t *old = json_object_get(in->auth_config, "oauth");
    size_t i;
    int before = problems->nelts;

    if (json_is_object(meta)) {
        check_object(hr, meta, metadata_fields, "metadata", problems);
    }
    if (json_is_object(client)) {
        check_object(hr, client, client_fields,
                     apr_pstrcat(hr->pool, loc, "manual_client_config",
                                 NULL), problems);
    }
    json_array_foreach(scopes, i, s) {
        if (!json_is_string(s)) {
            hub_invalid_t *inv = apr_array_push(problems);
            inv->field = apr_psprintf(hr->pool, "%sscopes[%u]", loc,
                                      (unsigned)i);
            inv->type = "string_type";
            inv->msg = "Input should be a valid string";
        }
    }
    if (problems->nelts > before) {
        return;
    }
    oauth = json_is_object(old) ? json_deep_copy(old) : json_object();
    json_object_set_new(oauth, "provider",
                        json_string(json_is_object(client) ? "user"
                                                      : "dcr"));
    if (json_is_object(meta)) {
        json_object_set(oauth, "metadata", meta);
    }
    if (json_is_array(scopes)) {
        json_object_set(oauth, "scopes", scopes);
    }
    json_object_set_new(in->auth_config, "oauth", oauth);
    hub_servers_in_replace(in, "oauth:%");
    if (json_is_object(client)) {
        hub_servers_in_secret(in, "oauth:client_id", json_string_value(
                                  json_object_get(client, "client_id")));
        hub_servers_in_secret(in, "oauth:client_secret", json_string_value(
                                  json_object_get(client, "client_secret")));
    }
}

static void take_query_params(hub_req_t *hr, hub_server_in_t *in,
                              apr_array_header_t *problems)
{
    json_t *list = json_object_get(hr->body, "query_params"), *item;
    size_t i;
    int before = problems->nelts;
    json_array_foreach(list, i, item) {
        check_object(hr, item, query_param_item,
                     apr_psprintf(hr->pool, "query_params[%u]", (unsigned)i),
                     problems);
    }
    if (json_is_array(list) && problems->nelts == before) {
        hub_servers_in_set(in, HUB_SRV_QUERY_PARAMS,
                           hub_json_text(hr->pool, list));
    }
}

/* ---- creating ------------------------------------------------------------ */

#define CX_COMMON_IN \
    { "endpoint", HUB_T_STRING, HUB_F_NULLABLE, 1, 2048, NULL, \
      "the server's http(s) URL" }, \
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL }, \
    { "description", HUB_T_STRING, HUB_F_REQUIRED | HUB_F_NULLABLE, 0, 5000, \
      NULL, NULL }, \
    { "registry_id", HUB_T_STRING, HUB_F_NULLABLE, 0, 100, NULL, NULL }, \
    { "auth_level", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, cx_levels, NULL }, \
    { "query_params", HUB_T_ARRAY, 0, 0, 0, NULL, \
      "non-auth query parameters, [{name, value}]" }, \
    { "logo_url", HUB_T_STRING, HUB_F_NULLABLE, 0, 2048, NULL, NULL }, \
    { "transport", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, cx_transports, NULL }
#define CX_TYPE_IN \
    { "server_type", HUB_T_STRING, 0, 0, 0, cx_types, "default external" }
#define CX_END { NULL, 0, 0, 0, 0, NULL, NULL }

static const hub_field_t header_in[] = {
    CX_COMMON_IN, CX_TYPE_IN,
    { "headers", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "[{header_name, header_value_prefix}]" },
    CX_END
};
static const hub_field_t path_in[] = {
    CX_COMMON_IN, CX_TYPE_IN,
    { "paths", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL, "[{path_param_name}]" },
    CX_END
};
static const hub_field_t query_in[] = {
    CX_COMMON_IN, CX_TYPE_IN,
    { "params", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "[{query_param_name}]" },
    CX_END
};
static const hub_field_t oauth_in[] = {
    CX_COMMON_IN, CX_TYPE_IN,
    { "metadata", HUB_T_OBJECT, HUB_F_REQUIRED, 0, 0, NULL,
      "DiscoverOAuthMetadataResponse" },
    { "manual_client_config", HUB_T_OBJECT, HUB_F_REQUIRED | HUB_F_NULLABLE,
      0, 0, NULL, "{client_id, client_secret}, stored encrypted; null: DCR" },
    { "scopes", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    CX_END
};
static const hub_field_t noauth_in[] = { CX_COMMON_IN, CX_END };

static int create(hub_req_t *hr, const char *method)
{
    json_t *b = hr->body;
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *endpoint = json_string_value(json_object_get(b, "endpoint"));
    const char *registry = json_string_value(json_object_get(b,
                                                             "registry_id"));
    const char *logo = json_string_value(json_object_get(b, "logo_url"));
    const char *slug = hub_servers_slugify(hr->pool, name), *why;
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    hub_server_in_t in;
    hub_rows_t *row;
    hub_db_status_e st;
    hub_srv_seal_e seal;

    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    if (!slug) {
        return hub_fail_field(hr, "body", "name", "value_error",
                       "Value error, the name needs a letter or a digit");
    }
    if (registry) {
        json_t *entry;
        if (!hub_is_uuid(registry)) {
            return hub_fail_field(hr, "body", "registry_id", "uuid_parsing",
                           "Input should be a valid UUID");
        }
        if (!(entry = hub_servers_registry_entry(hr->r, registry))) {
            return hub_fail(hr, HTTP_NOT_FOUND, "NOT_FOUND",
                            "Registry entry not found");
        }
        registry = json_string_value(json_object_get(entry, "id"));
        endpoint = endpoint ? endpoint : json_string_value(
                                       json_object_get(entry, "endpoint"));
        if (!logo && *(logo = json_string_value(json_object_get(
                           entry, "logo_url"))) == '\0') {
            logo = NULL;
        }
    }
    if (!endpoint) {
        return hub_fail_field(hr, "body", "endpoint", "value_error",
                       "Value error, either endpoint or registry_id must be "
                       "provided");
    }
    if ((why = hub_servers_url_problem(hr->pool, endpoint))) {
        return hub_fail_field(hr, "body", "endpoint", "url_parsing",
                       apr_pstrcat(hr->pool, "Input should be a valid URL, ",
                                   why, NULL));
    }
    if ((why = hub_servers_url_refused(hr, endpoint))) {
        return hub_fail_field(hr, "body", "endpoint", "value_error",
                       apr_pstrcat(hr->pool, "Value error, ", why, NULL));
    }
    hub_servers_in_init(hr->pool, &in);
    hub_servers_in_set(&in, HUB_SRV_SLUG, slug);
    hub_servers_in_set(&in, HUB_SRV_NAME, name);
    hub_servers_in_set(&in, HUB_SRV_DESCRIPTION,
                       json_string_value(json_object_get(b, "description")));
    hub_servers_in_set(&in, HUB_SRV_ENDPOINT, endpoint);
    hub_servers_in_set(&in, HUB_SRV_MODE, "remote");
    hub_servers_in_set(&in, HUB_SRV_TRANSPORT,
                       json_string_value(json_object_get(b, "transport")));
    hub_servers_in_set(&in, HUB_SRV_AUTH_METHOD, method);
    hub_servers_in_set(&in, HUB_SRV_AUTH_LEVEL,
                       json_string_value(json_object_get(b, "auth_level")));
    hub_servers_in_set(&in, HUB_SRV_SERVER_TYPE,
                       json_string_value(json_object_get(b, "server_type")));
    hub_servers_in_set(&in, HUB_SRV_LOGO_URL, logo);
    hub_servers_in_set(&in, HUB_SRV_REGISTRY_ID, registry);
    take_query_params(hr, &in, problems);
    take_list(hr, &in, "headers", header_item, "header", problems);
    take_list(hr, &in, "paths", path_item, "path", problems);
    take_list(hr, &in, "params", query_item, "query", problems);
    if (!strcmp(method, "oauth")) {
        take_oauth(hr, &in, b, "", problems);
    }
    if (problems->nelts) {
        return hub_fail_invalid(hr, "body", problems);
    }
    st = hub_servers_create(hr, &in, &row, &seal);
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, seal);
    }
    if (st != HUB_DB_OK) {
        return db_fail(hr, st);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "id",
                                                hub_rows_get(row, 0, "id")));
}

static int create_header(hub_req_t *hr, hub_result_t *res HUB_UNUSED) { return create(hr, "header"); }
static int create_path(hub_req_t *hr, hub_result_t *res HUB_UNUSED) { return create(hr, "path"); }
static int create_query(hub_req_t *hr, hub_result_t *res HUB_UNUSED) { return create(hr, "query"); }
static int create_oauth(hub_req_t *hr, hub_result_t *res HUB_UNUSED) { return create(hr, "oauth"); }
static int create_noauth(hub_req_t *hr, hub_result_t *res HUB_UNUSED) { return create(hr, "none"); }

/* ---- changing ------------------------------------------------------------ */

static const hub_field_t patch_in[] = {
    { "name", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL,
      "normalised into the slug; also the display name" },
    { "display_name", HUB_T_STRING, HUB_F_NULLABLE, 1, 200, NULL, NULL },
    { "endpoint", HUB_T_STRING, HUB_F_NULLABLE, 1, 2048, NULL,
      "external header/path/query/none servers only" },
    { "oauth_config", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL,
      "{manual_client_config, scopes}" },
    { "scopes", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "headers", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "paths", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "params", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL, NULL },
    { "auth_level", HUB_T_STRING, HUB_F_NULLABLE, 0, 0, cx_levels, NULL },
    { "logo_url", HUB_T_STRING, HUB_F_NULLABLE, 0, 2048, NULL,
      "\"\" clears it" },
    CX_END
};

static int bad_request(hub_req_t *hr, const char *msg)
{
    return hub_fail(hr, HTTP_BAD_REQUEST, "BAD_REQUEST", "%s", msg);
}

/* The auth parts of a PATCH; DECLINED or the answer sent. */
static int patch_auth(hub_req_t *hr, hub_server_in_t *in, const char *method,
                      apr_array_header_t *problems)
{
    json_t *b = hr->body, *oc = json_object_get(b, "oauth_config");
    int oauth = !strcmp(method, "oauth");
    if ((json_is_object(oc) || json_is_array(json_object_get(b, "scopes")))
        && !oauth) {
        return bad_request(hr, "oauth_config and scopes are for OAuth "
                               "servers only");
    }
    if (json_is_object(oc)) {
        if (!json_object_get(oc, "manual_client_config")) {
            hub_invalid_t *inv = apr_array_push(problems);
            inv->field = "oauth_config.manual_client_config";
            inv->type = "missing";
            inv->msg = "Field required";
            return DECLINED;
        }
        take_oauth(hr, in, oc, "oauth_config.", problems);
    }
    if (json_is_array(json_object_get(b, "scopes")) && !problems->nelts) {
        json_t *o = json_object_get(in->auth_config, "oauth");
        json_t *old = json_is_object(o) ? o : NULL;
        if (!old) {
            /* scopes alone: merged over the stored oauth by SQL's || is
             * shallow, so keep the stored object's other keys here */
            return bad_request(hr, "send scopes inside oauth_config "
                                   "together with manual_client_config");
        }
        json_object_set(old, "scopes", json_object_get(b, "scopes"));
    }
    if (json_is_array(json_object_get(b, "headers"))) {
        if (strcmp(method, "header")) {
            return bad_request(hr, "headers are for header-auth servers only");
        }
        take_list(hr, in, "headers", header_item, "header", problems);
    }
    if (json_is_array(json_object_get(b, "paths"))) {
        if (strcmp(method, "path")) {
            return bad_request(hr, "paths are for path-auth servers only");
        }
        take_list(hr, in, "paths", path_item, "path", problems);
    }
    if (json_is_array(json_object_get(b, "params"))) {
        if (strcmp(method, "query")) {
            return bad_request(hr, "params are for query-auth servers only");
        }
        take_list(hr, in, "params", query_item, "query", problems);
    }
    return DECLINED;
}

static int server_patch(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    json_t *b = hr->body;
    const char *id = hub_param(hr, "server_id");
    const char *name = json_string_value(json_object_get(b, "name"));
    const char *display = json_string_value(json_object_get(b,
                                                            "display_name"));
    const char *endpoint = json_string_value(json_object_get(b, "endpoint"));
    const char *logo = json_string_value(json_object_get(b, "logo_url"));
    const char *level = json_string_value(json_object_get(b, "auth_level"));
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    hub_server_in_t in;
    hub_rows_t *old, *row;
    hub_db_status_e st;
    hub_srv_seal_e seal;
    const char *why;
    int rc;

    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    st = hub_servers_get(hr, id, &old);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (old->rows->nelts != 1) {
        return not_found(hr);
    }
    hub_servers_in_init(hr->pool, &in);
    if (name) {
        const char *slug = hub_servers_slugify(hr->pool, name);
        if (!slug) {
            return bad_request(hr, "name: needs a letter or a digit");
        }
        hub_servers_in_set(&in, HUB_SRV_SLUG, slug);
        hub_servers_in_set(&in, HUB_SRV_NAME, name);
    }
    if (display) {
        hub_servers_in_set(&in, HUB_SRV_NAME, display);
    }
    if (endpoint) {
        if (strcmp(hub_rows_get(old, 0, "mode"), "remote")
            || !strcmp(hub_rows_get(old, 0, "auth_method"), "oauth")) {
            return bad_request(hr, "endpoint can be changed for external "
                                   "header, path, query and no-auth servers "
                                   "only");
        }
        if ((why = hub_servers_url_problem(hr->pool, endpoint))) {
            return bad_request(hr, apr_pstrcat(hr->pool, "invalid endpoint: ",
                                               why, NULL));
        }
        if ((why = hub_servers_url_refused(hr, endpoint))) {
            return bad_request(hr, apr_pstrcat(hr->pool, "invalid endpoint: ",
                                               why, NULL));
        }
        hub_servers_in_set(&in, HUB_SRV_ENDPOINT, endpoint);
    }
    if (level) {
        hub_servers_in_set(&in, HUB_SRV_AUTH_LEVEL, level);
    }
    if (logo) {
        hub_servers_in_set(&in, HUB_SRV_LOGO_URL, *logo ? logo : NULL);
    }
    {
        /* oauth in auth_config is replaced whole: start from the stored */
        json_t *cfg = json_loads(hub_rows_get(old, 0, "auth_config"), 0,
                                 NULL);
        if (json_is_object(json_object_get(cfg, "oauth"))) {
            json_object_set(in.auth_config, "oauth",
                            json_object_get(cfg, "oauth"));
        }
        json_decref(cfg);
    }
    rc = patch_auth(hr, &in, hub_rows_get(old, 0, "auth_method"), problems);
    if (rc != DECLINED) {
        return rc;
    }
    if (problems->nelts) {
        return hub_fail_invalid(hr, "body", problems);
    }
    st = hub_servers_update(hr, id, &in, &row, &seal);
    if (seal != HUB_SRV_STORED) {
        return hub_servers_seal_fail(hr, seal);
    }
    if (st != HUB_DB_OK) {
        return db_fail(hr, st);
    }
    if (row->rows->nelts != 1) {
        return not_found(hr);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s}", "id", id));
}

static int server_delete(hub_req_t *hr, hub_result_t *res HUB_UNUSED)
{
    const char *id = hub_param(hr, "server_id"), *slug, *in_use;
    hub_db_status_e st;
    int found;
    if (!hub_principal_can_write(hr->who)) {
        return need_write(hr);
    }
    st = hub_servers_delete(hr, id, &found, &slug, &in_use);
    if (st != HUB_DB_OK) {
        return hub_servers_db_fail(hr, st);
    }
    if (!found) {
        return not_found(hr);
    }
    if (in_use) {
        json_t *ids = hub_json_own(hr->pool, hub_servers_names_json(in_use));
        const char *list = "";
        json_t *v;
        size_t i;
        json_array_foreach(ids, i, v) {
            list = apr_pstrcat(hr->pool, list, i ? ", " : "",
                               json_string_value(v), NULL);
        }
        return hub_fail(hr, HTTP_BAD_REQUEST, "BAD_REQUEST",
                        "Cannot delete server '%s' because it is associated "
                        "with %u project(s). Please disconnect the server "
                        "from all projects before deleting. Associated "
                        "project IDs: %s", slug, (unsigned)json_array_size(ids),
                        list);
    }
    return hub_send_json(hr, HTTP_OK, json_pack("{s:s,s:s}", "server_id", id,
        "message", apr_psprintf(hr->pool, "Successfully deleted server '%s'",
                                slug)));
}

#define CX_IN (HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY)

const hub_route_t hub_servers_caylex_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/servers", servers_list, NULL, CX_IN, 0,
      "List All Servers",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers/search", servers_search, NULL, CX_IN,
      0, "Search Servers",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_GET, "/servers/{server_id}", server_get, NULL, CX_IN,
      0, "Get Server Details",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_PATCH, "/servers/{server_id}", server_patch,
      patch_in, CX_IN, 0, "Update Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_DELETE, "/servers/{server_id}", server_delete, NULL,
      CX_IN, 0, "Delete Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers/header", create_header, header_in,
      CX_IN, 0, "Add External Header-Auth Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers/oauth", create_oauth, oauth_in,
      CX_IN, 0, "Add External OAuth Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers/path", create_path, path_in, CX_IN,
      0, "Add External Path-Auth Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers/query", create_query, query_in,
      CX_IN, 0, "Add External Query-Auth Server",
      .need = HUB_NEED_ANY },
    { HUB_CAYLEX, HUB_M_POST, "/servers/noauth", create_noauth, noauth_in,
      CX_IN, 0, "Add External No-Auth Server",
      .need = HUB_NEED_ANY },
    { 0 }
};
