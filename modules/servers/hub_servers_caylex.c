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
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

/* clang-format off */
static const char *const cx_transports[] = { "sse", "streamable_http", NULL };
static const char *const cx_levels[] = { "project", "user", NULL };
static const char *const cx_types[] = { "caylex", "external", "foundry",
                                        NULL };
static const char *const cx_methods[] = { "header", "oauth", "path", "query",
                                          "none", NULL };
static const char *const cx_sorts[] = { "name_asc", "name_desc",
                                        "created_asc", "created_desc", NULL };
/* clang-format on */

/* ---- answers -------------------------------------------------------- */

static const hub_shape_t cx_server[] = {
    { "id", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "registry_id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "description", NULL, HUB_J_STRING },
    { "transport", NULL, HUB_J_STRING },
    { "auth_method", NULL, HUB_J_STRING },
    { "server_type", NULL, HUB_J_STRING },
    { "auth_level", NULL, HUB_J_STRING },
    { "logo_url", NULL, HUB_J_STRING },
    { "active_instances", NULL, HUB_J_INT | HUB_J_NOTNULL },
    { "created_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { "updated_at", NULL, HUB_J_STRING | HUB_J_NOTNULL },
    { NULL, NULL, 0 }
};

static json_t *list_or_null(json_t *cfg, const char *key)
{
    json_t *v = json_object_get(cfg, key);
    return json_is_array(v) ? json_incref(v) : json_null();
}

static json_t *auth_config_json(apr_pool_t *p, const hub_rows_t *rows, int i)
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
            joined = joined ? apr_pstrcat(p, joined, " ", json_string_value(s),
                                          NULL)
                            : json_string_value(s);
        }
        json_object_set_new(
            out, "oauth",
            json_pack("{s:o,s:O}", "scopes",
                      joined ? json_string(joined) : json_null(), "provider",
                      json_object_get(oauth, "provider")
                          ? json_object_get(oauth, "provider")
                          : json_null()));
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

/* what the row's columns do not say as Caylex does: the catalog entry,
 * the endpoint of a stdio server (""), health, analytics on request and
 * the auth config without its secrets */
static void decorate(hub_req_t *hr, const hub_rows_t *rows, int i, json_t *o,
                     hub_srv_view_e view HUB_UNUSED)
{
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
    json_object_set_new(
        o, "health_check",
        check ? json_pack("{s:s,s:s}", "last_check", check, "status",
                          !strcmp(h, "healthy") || !strcmp(h, "degraded") ? "up"
                          : !strcmp(h, "unknown") ? "no_data"
                                                  : "down")
              : json_null());
    json_object_set_new(o, "metadata",
                        hub_qv_long(&hr->q, "include_analytics")
                            ? json_pack("{s:n,s:n,s:O}", "num_tools",
                                        "num_tool_calls", "connected_projects",
                                        json_object_get(o, "active_instances"))
                            : json_null());
    json_object_set_new(o, "auth_config", auth_config_json(hr->pool, rows, i));
}

/* ---- queries ------------------------------------------------------------ */

/* clang-format off */
#define CX_FILTERS                                                         \
    { "sort_by", HUB_Q_ENUM, 0, 0, 0, 0, cx_sorts, NULL },                 \
    { "transport", HUB_Q_ENUM, 0, 0, 0, 0, cx_transports, NULL },          \
    { "auth_method", HUB_Q_ENUM, 0, 0, 0, 0, cx_methods, NULL },           \
    { "server_type", HUB_Q_ENUM, 0, 0, 0, 0, cx_types, NULL },             \
    { "auth_level", HUB_Q_ENUM, 0, 0, 0, 0, cx_levels, NULL }
#define CX_ANALYTICS                                                       \
    { "include_analytics", HUB_Q_BOOL, 0, 0, 0, 0, NULL,                   \
      "metadata: tool counts and connected projects" }

static const hub_qfield_t list_query[] = {
    HUB_Q_CX_PAGE, CX_ANALYTICS, CX_FILTERS, HUB_Q_END,
};
static const hub_qfield_t search_query[] = {
    HUB_Q_CX_PAGE,
    { "search", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the name, slug or description, any case" },
    CX_FILTERS, HUB_Q_END,
};
static const hub_qfield_t get_query[] = { CX_ANALYTICS, HUB_Q_END };
/* clang-format on */

/* ---- auth configs in bodies -------------------------------------------- */

/* clang-format off */
static const hub_field_t header_item[] = {
    { "header_name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL, NULL },
    { "header_value_prefix", HUB_T_STRING, HUB_F_REQUIRED, 0, 200, NULL,
      NULL },
    { "header_value", HUB_T_STRING, 0, 1, 4096, NULL,
      "hub extension: a server-wide value, stored encrypted" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

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

/* clang-format off */
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
/* clang-format on */

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
        const char *prefix = apr_psprintf(hr->pool, "%s[%u]", key, (unsigned)i);
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
            hub_servers_in_secret(in,
                                  apr_pstrcat(hr->pool, kind, ":", name, NULL),
                                  value);
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
                     apr_pstrcat(hr->pool, loc, "manual_client_config", NULL),
                     problems);
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
                        json_string(json_is_object(client) ? "user" : "dcr"));
    if (json_is_object(meta)) {
        json_object_set(oauth, "metadata", meta);
    }
    if (json_is_array(scopes)) {
        json_object_set(oauth, "scopes", scopes);
    }
    json_object_set_new(in->auth_config, "oauth", oauth);
    hub_servers_in_replace(in, "oauth:%");
    if (json_is_object(client)) {
        hub_servers_in_secret(in, "oauth:client_id",
                              json_string_value(
                                  json_object_get(client, "client_id")));
        hub_servers_in_secret(in, "oauth:client_secret",
                              json_string_value(
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

/* clang-format off */
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

/* the auth method of each create route, by its body */
static const struct {
    const hub_field_t *body;
    const char *method;
} methods[] = {
    { header_in, "header" }, { path_in, "path" }, { query_in, "query" },
    { oauth_in, "oauth" },   { noauth_in, "none" },
};
/* clang-format on */

static const char *route_method(const hub_req_t *hr)
{
    size_t i;
    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (methods[i].body == hr->route->body) {
            return methods[i].method;
        }
    }
    return "none";
}

static const hub_srv_map_t create_map[] = {
    { "name", HUB_SRV_NAME, HUB_SRV_SLUG_OF, 0 },
    { "description", HUB_SRV_DESCRIPTION, HUB_SRV_TEXT, 0 },
    { "transport", HUB_SRV_TRANSPORT, HUB_SRV_TEXT, 0 },
    { "auth_level", HUB_SRV_AUTH_LEVEL, HUB_SRV_TEXT, 0 },
    { "server_type", HUB_SRV_SERVER_TYPE, HUB_SRV_TEXT, 0 },
    { NULL, 0, 0, 0 },
};

/* endpoint and logo, from the catalog entry when the body names one */
static int take_registry(hub_req_t *hr, hub_result_t *res,
                         const hub_srv_input_t *how, hub_server_in_t *in)
{
    json_t *b = hr->body, *entry;
    const char *endpoint = json_string_value(json_object_get(b, "endpoint"));
    const char *registry = json_string_value(json_object_get(b, "registry_id"));
    const char *logo = json_string_value(json_object_get(b, "logo_url"));

    if (registry) {
        if (!hub_is_uuid(registry)) {
            return hub_err_field(res, "body", "registry_id", "uuid_parsing",
                                 "Input should be a valid UUID");
        }
        if (!(entry = hub_servers_registry_entry(hr->r, registry))) {
            return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                           "Registry entry not found");
        }
        registry = json_string_value(json_object_get(entry, "id"));
        endpoint = endpoint
                       ? endpoint
                       : json_string_value(json_object_get(entry, "endpoint"));
        if (!logo
            && *(logo = json_string_value(json_object_get(entry, "logo_url")))
                   == '\0') {
            logo = NULL;
        }
    }
    if (!endpoint) {
        return hub_servers_bad(hr, res, how, "endpoint", "value_error",
                               "either endpoint or registry_id must be "
                               "provided");
    }
    if (hub_servers_check_url(hr, res, how, "endpoint", endpoint) != DECLINED) {
        return HUB_DONE;
    }
    hub_servers_in_set(in, HUB_SRV_ENDPOINT, endpoint);
    hub_servers_in_set(in, HUB_SRV_LOGO_URL, logo);
    hub_servers_in_set(in, HUB_SRV_REGISTRY_ID, registry);
    return DECLINED;
}

static int take_create(hub_req_t *hr, hub_result_t *res,
                       const hub_srv_input_t *how, hub_server_in_t *in)
{
    const char *method = route_method(hr);
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    if (take_registry(hr, res, how, in) != DECLINED) {
        return HUB_DONE;
    }
    hub_servers_in_set(in, HUB_SRV_MODE, "remote");
    hub_servers_in_set(in, HUB_SRV_AUTH_METHOD, method);
    take_query_params(hr, in, problems);
    take_list(hr, in, "headers", header_item, "header", problems);
    take_list(hr, in, "paths", path_item, "path", problems);
    take_list(hr, in, "params", query_item, "query", problems);
    if (!strcmp(method, "oauth")) {
        take_oauth(hr, in, hr->body, "", problems);
    }
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    return DECLINED;
}

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

static int bad_request(hub_result_t *res, const char *msg)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "%s", msg);
}

/* The auth parts of a PATCH; DECLINED or HUB_DONE. */
static int patch_auth(hub_req_t *hr, hub_result_t *res, hub_server_in_t *in,
                      const char *method, apr_array_header_t *problems)
{
    json_t *b = hr->body, *oc = json_object_get(b, "oauth_config");
    int oauth = !strcmp(method, "oauth");
    if ((json_is_object(oc) || json_is_array(json_object_get(b, "scopes")))
        && !oauth) {
        return bad_request(res, "oauth_config and scopes are for OAuth "
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
            return bad_request(res, "send scopes inside oauth_config "
                                    "together with manual_client_config");
        }
        json_object_set(old, "scopes", json_object_get(b, "scopes"));
    }
    if (json_is_array(json_object_get(b, "headers"))) {
        if (strcmp(method, "header")) {
            return bad_request(res, "headers are for header-auth servers "
                                    "only");
        }
        take_list(hr, in, "headers", header_item, "header", problems);
    }
    if (json_is_array(json_object_get(b, "paths"))) {
        if (strcmp(method, "path")) {
            return bad_request(res, "paths are for path-auth servers only");
        }
        take_list(hr, in, "paths", path_item, "path", problems);
    }
    if (json_is_array(json_object_get(b, "params"))) {
        if (strcmp(method, "query")) {
            return bad_request(res, "params are for query-auth servers "
                                    "only");
        }
        take_list(hr, in, "params", query_item, "query", problems);
    }
    return DECLINED;
}

/* name changes the slug too, display_name only the name */
static const hub_srv_map_t update_map[] = {
    { "name", HUB_SRV_NAME, HUB_SRV_SLUG_OF, HUB_SRV_SKIP_NULL },
    { "display_name", HUB_SRV_NAME, HUB_SRV_TEXT, HUB_SRV_SKIP_NULL },
    { "auth_level", HUB_SRV_AUTH_LEVEL, HUB_SRV_TEXT, HUB_SRV_SKIP_NULL },
    { "logo_url", HUB_SRV_LOGO_URL, HUB_SRV_TEXT,
      HUB_SRV_SKIP_NULL | HUB_SRV_EMPTY_NULL },
    { NULL, 0, 0, 0 },
};

static int take_update(hub_req_t *hr, hub_result_t *res,
                       const hub_srv_input_t *how, hub_server_in_t *in,
                       const hub_rows_t *old)
{
    const char *endpoint = json_string_value(
        json_object_get(hr->body, "endpoint"));
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    json_t *cfg;

    if (endpoint) {
        if (strcmp(hub_rows_get(old, 0, "mode"), "remote")
            || !strcmp(hub_rows_get(old, 0, "auth_method"), "oauth")) {
            return bad_request(res, "endpoint can be changed for external "
                                    "header, path, query and no-auth "
                                    "servers only");
        }
        if (hub_servers_check_url(hr, res, how, "endpoint", endpoint)
            != DECLINED) {
            return HUB_DONE;
        }
        hub_servers_in_set(in, HUB_SRV_ENDPOINT, endpoint);
    }
    /* oauth in auth_config is replaced whole: start from the stored */
    cfg = json_loads(hub_rows_get(old, 0, "auth_config"), 0, NULL);
    if (json_is_object(json_object_get(cfg, "oauth"))) {
        json_object_set(in->auth_config, "oauth",
                        json_object_get(cfg, "oauth"));
    }
    json_decref(cfg);
    if (patch_auth(hr, res, in, hub_rows_get(old, 0, "auth_method"), problems)
        != DECLINED) {
        return HUB_DONE;
    }
    if (problems->nelts) {
        return hub_err_invalid(res, "body", problems);
    }
    return DECLINED;
}

static int take(hub_req_t *hr, hub_result_t *res, const hub_srv_input_t *how,
                hub_server_in_t *in, const hub_rows_t *old)
{
    return old ? take_update(hr, res, how, in, old)
               : take_create(hr, res, how, in);
}

const hub_srv_profile_t hub_servers_cx_profile = {
    .profile = HUB_CAYLEX,
    .id_param = "server_id",
    .not_found_code = "NOT_FOUND",
    .not_found = "Server not found",
    .conflict = "A server with this name already exists",
    .in_use_status = HTTP_BAD_REQUEST,
    .in_use_code = "BAD_REQUEST",
    .in_use_counted = 1,
    .create_in = { create_map, 0, NULL },
    .update_in = { update_map, HTTP_BAD_REQUEST, "BAD_REQUEST" },
    .take = take,
    .decorate = decorate,
    .created_id = 1,
    .deleted_message = "Successfully deleted server '%s'",
};

/* hub_servers_op_create (created_id) and _update: the server's id */
#define SERVER_ID_OUT HUB_DOC("ServerModifiedResponse", ID_OUT)

/* clang-format off */
const hub_route_t hub_servers_caylex_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/servers", hub_servers_op_list, NULL, 0, 0,
      "List All Servers",
      .need = HUB_NEED_READ, .query = list_query, .shape = cx_server,
      .wrap = HUB_WRAP_CX_PAGE },
    { HUB_CAYLEX, HUB_M_GET, "/servers/search", hub_servers_op_list, NULL, 0,
      0, "Search Servers",
      .need = HUB_NEED_READ, .query = search_query, .shape = cx_server,
      .wrap = HUB_WRAP_CX_PAGE },
    { HUB_CAYLEX, HUB_M_GET, "/servers/{server_id}", hub_servers_op_get, NULL,
      0, 0, "Get Server Details",
      .need = HUB_NEED_READ, .query = get_query, .shape = cx_server },
    { HUB_CAYLEX, HUB_M_PATCH, "/servers/{server_id}", hub_servers_op_update,
      patch_in, 0, 0, "Update Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, "/servers/{server_id}", hub_servers_op_delete,
      NULL, 0, 0, "Delete Server",
      .need = HUB_NEED_WRITE },
    { HUB_CAYLEX, HUB_M_POST, "/servers/header", hub_servers_op_create,
      header_in, 0, 0, "Add External Header-Auth Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/servers/oauth", hub_servers_op_create,
      oauth_in, 0, 0, "Add External OAuth Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/servers/path", hub_servers_op_create,
      path_in, 0, 0, "Add External Path-Auth Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/servers/query", hub_servers_op_create,
      query_in, 0, 0, "Add External Query-Auth Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/servers/noauth", hub_servers_op_create,
      noauth_in, 0, 0, "Add External No-Auth Server",
      .need = HUB_NEED_WRITE, .doc = SERVER_ID_OUT },
    { 0 },
};
/* clang-format on */
