/* What a custom tool is and what calling one does: shared by GoClaw's
 * /v1/tools/custom and G4F's /tools (one table, sql/039).
 *
 * A tool has a name, a description, the JSON Schema of its arguments
 * (GoClaw's `parameters`, G4F's `schema`: an object schema,
 * hub_servers_schema.c) and a handler, one of:
 *
 *   {"type": "http", "url": "https://...", "method": "POST",
 *    "headers": {"Authorization": "Bearer ${secret:API_TOKEN}"}}
 *       an HTTP request.  POST, PUT and PATCH (POST the default) send the
 *       arguments as the JSON body; GET and DELETE as query parameters
 *       (strings, numbers and booleans as they are, others as JSON
 *       text).  Header values are stored sealed (HubSecretKeyFile) and
 *       answered as "********" (sending that back keeps the stored
 *       value); a value may name the tenant's secrets (Tool Hub's
 *       /api/secrets) as ${secret:NAME}, put in when the tool is called.
 *       The URL is http(s), without credentials, and an address the
 *       operator does not allow (loopback, private, link-local, ... not
 *       in HubOutboundAllow) is refused when the tool is stored (a
 *       literal address) and when it is called (after DNS).  No
 *       redirects are followed; the answer is cut at 1 MiB.
 *
 *   {"type": "mcp", "server_id": "<uuid>", "tool": "<name>"}
 *       a tool of one of the tenant's MCP servers, called with tools/call
 *       through the hub's MCP client as the gateway calls it: the
 *       server's transport, its stored credentials, HubOutboundAllow
 *       (and HubStdioAllow for a stdio server).
 *
 * Nothing else: a handler never runs a command on the hub's host, and a
 * member this list does not name is refused.  A call first checks the
 * arguments against the schema (each problem named, "args.a"), then
 * answers ok (a 2xx answer; a CallToolResult without isError) and result
 * (the answer's JSON, else its text; the CallToolResult as the server
 * gave it).  A failure of the tool itself is ok: false, not an error of
 * the request; not reaching it is (502, 504; 403 for a refused address).
 * timeout_seconds (1..120, 30) bounds the whole call. */
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_servers_tool_registry.h"
#include "hub_servers_schema.h"
#include "hub_addr.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

#define MASK        "********"
#define MAX_HEADERS 20
#define ANSWER_MAX  (1024 * 1024)
#define SECRET_REF  "${secret:"

static const char *const methods[] = { "GET",   "POST",   "PUT",
                                       "PATCH", "DELETE", NULL };

/* headers the hub sets itself or that would change the framing */
static const char *const managed[] = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    NULL
};

static int bad(hub_result_t *res, const char *fmt, const char *what)
{
    return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR", fmt, what);
}

static int one_of(const char *s, const char *const *list, int nocase)
{
    int i;
    for (i = 0; s && list[i]; i++) {
        if (nocase ? !strcasecmp(s, list[i]) : !strcmp(s, list[i])) {
            return 1;
        }
    }
    return 0;
}

static int header_name_ok(const char *n)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    const char *c;
    if (!*n || strlen(n) > 100) {
        return 0;
    }
    for (c = n; *c; c++) {
        if (!apr_isalnum(*c) && !strchr(tchar, *c)) {
            return 0;
        }
    }
    return 1;
}

/* only the members named in allowed */
static const char *extra_member(const json_t *o, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        if (!one_of(key, allowed, 0)) {
            return key;
        }
    }
    return NULL;
}

static int http_handler(hub_req_t *hr, hub_result_t *res, const json_t *h,
                        const char *old_secrets, hub_ctool_handler_t *out)
{
    static const char *const members[] = { "type", "url", "method", "headers",
                                           NULL };
    const hub_servers_srv_t *c = hub_servers_srv(hr->r->server);
    const char *url = json_string_value(json_object_get(h, "url"));
    const json_t *m = json_object_get(h, "method");
    const json_t *headers = json_object_get(h, "headers");
    json_t *old = NULL, *sealed = json_object(), *names = json_array(), *v;
    const char *method = "POST", *why, *name, *extra;

    hub_json_own(hr->pool, sealed);
    hub_json_own(hr->pool, names);
    if ((extra = extra_member(h, members))) {
        return bad(res, "handler.%s: not a member of an http handler", extra);
    }
    if (!url || strlen(url) > 2048) {
        return bad(res, "%s", "handler.url: an http(s) URL is required");
    }
    if ((why = hub_url_problem(hr->pool, url))) {
        return bad(res, "handler.url: %s", why);
    }
    if (strstr(url, "${")) {
        return bad(res, "%s",
                   "handler.url: secrets go in headers, not in the URL");
    }
    if (hub_http_url_refused(hr->pool, url, c->outbound_allow)) {
        return hub_err(res, HTTP_BAD_REQUEST, "OUTBOUND_REFUSED",
                       "handler.url: the hub may not connect to this "
                       "address (loopback, private and link-local addresses "
                       "are refused unless the operator allows them)");
    }
    if (m && !json_is_null(m)) {
        if (!one_of(json_string_value(m), methods, 1)) {
            return bad(res, "%s",
                       "handler.method: one of GET, POST, PUT, PATCH, DELETE");
        }
        method = apr_pstrdup(hr->pool, json_string_value(m));
        ap_str_toupper((char *)method);
    }
    if (headers && !json_is_null(headers)) {
        if (!json_is_object(headers)
            || json_object_size(headers) > MAX_HEADERS) {
            return bad(res, "%s",
                       "handler.headers: an object of at most 20 header "
                       "names and values");
        }
        if (old_secrets) {
            old = hub_json_own(hr->pool, json_loads(old_secrets, 0, NULL));
        }
        json_object_foreach((json_t *)headers, name, v) {
            const char *val = json_string_value(v);
            const char *at = apr_pstrcat(hr->pool, "handler.headers.", name,
                                         NULL);
            if (!header_name_ok(name) || one_of(name, managed, 1)) {
                return bad(res, "%s: not a header name a tool may set", at);
            }
            if (!val || strlen(val) > 4096 || strpbrk(val, "\r\n")) {
                return bad(res,
                           "%s: a string of one line, at most 4096 "
                           "characters",
                           at);
            }
            if (!strcmp(val, MASK)) {
                json_t *kept = json_object_get(old, name);
                if (!json_is_string(kept)) {
                    return bad(res,
                               "%s: \"********\" keeps a stored value, "
                               "and there is none",
                               at);
                }
                json_object_set(sealed, name, kept);
            }
            else {
                const hub_secret_key_t *key = hub_servers_key(hr->r);
                char *s;
                if (!key) {
                    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                                  "HUB01070: a custom tool's header values "
                                  "cannot be stored: no HubSecretKeyFile is "
                                  "configured");
                    return hub_err(res, HTTP_INTERNAL_SERVER_ERROR,
                                   "NO_SECRET_KEY",
                                   "this hub cannot store header values: its "
                                   "operator has set no HubSecretKeyFile");
                }
                s = hub_secret_encrypt(hr->pool, key, hr->who->tenant_id, val,
                                       strlen(val));
                if (!s) {
                    return hub_err(res, HTTP_INTERNAL_SERVER_ERROR,
                                   "INTERNAL_ERROR",
                                   "internal error; see the server log "
                                   "(request %s)",
                                   hr->request_id);
                }
                json_object_set_new(sealed, name, json_string(s));
            }
            json_array_append_new(names, json_string(name));
        }
    }
    out->handler = hub_json_text(
        hr->pool, hub_json_own(hr->pool, json_pack("{s:s,s:s,s:s,s:O}", "type",
                                                   "http", "url", url, "method",
                                                   method, "headers", names)));
    out->secrets = hub_json_text(hr->pool, sealed);
    out->server_id = NULL;
    return DECLINED;
}

static int mcp_handler(hub_req_t *hr, hub_result_t *res, const json_t *h,
                       hub_ctool_handler_t *out)
{
    static const char *const members[] = { "type", "server_id", "tool", NULL };
    const char *server = json_string_value(json_object_get(h, "server_id"));
    const char *tool = json_string_value(json_object_get(h, "tool"));
    const char *extra, *args[2];
    hub_rows_t *rows;
    hub_db_status_e st;

    if ((extra = extra_member(h, members))) {
        return bad(res, "handler.%s: not a member of an mcp handler", extra);
    }
    if (!hub_is_uuid(server)) {
        return bad(res, "%s",
                   "handler.server_id: the id of one of your MCP "
                   "servers is required");
    }
    if (!tool || !*tool || strlen(tool) > 200) {
        return bad(res, "%s",
                   "handler.tool: the name of the server's tool "
                   "(1..200 characters) is required");
    }
    args[0] = server;
    args[1] = hr->who->tenant_id;
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_SERVER), &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return bad(res, "handler.server_id: no MCP server %s in this tenant",
                   server);
    }
    out->handler = hub_json_text(
        hr->pool,
        hub_json_own(hr->pool, json_pack("{s:s,s:s,s:s}", "type", "mcp",
                                         "server_id", server, "tool", tool)));
    out->secrets = "{}";
    out->server_id = server;
    return DECLINED;
}

int hub_ctool_handler_read(hub_req_t *hr, hub_result_t *res,
                           const json_t *handler, const char *old_secrets,
                           hub_ctool_handler_t *out)
{
    const char *type = json_string_value(json_object_get(handler, "type"));
    if (!json_is_object(handler)) {
        return bad(res, "%s",
                   "handler: an object is required, such as "
                   "{\"type\": \"http\", \"url\": ...} or "
                   "{\"type\": \"mcp\", \"server_id\": ..., "
                   "\"tool\": ...}");
    }
    if (type && !strcmp(type, "http")) {
        return http_handler(hr, res, handler, old_secrets, out);
    }
    if (type && !strcmp(type, "mcp")) {
        return mcp_handler(hr, res, handler, out);
    }
    return bad(res, "%s",
               "handler.type: \"http\" or \"mcp\" (a tool never "
               "runs a command on the hub)");
}

int hub_ctool_schema_read(hub_req_t *hr, hub_result_t *res,
                          const json_t *schema, const char *field,
                          const char **text)
{
    const char *why = hub_schema_problem(hr->pool, schema);
    if (why) {
        return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR", "%s: %s",
                       field, why);
    }
    *text = hub_json_text(hr->pool, schema);
    return DECLINED;
}

json_t *hub_ctool_json(const hub_rows_t *rows, int i, const char *schema_name)
{
    json_t *o = json_object();
    json_t *handler = json_loads(hub_rows_get(rows, i, "handler"), 0, NULL);
    json_t *schema = json_loads(hub_rows_get(rows, i, "parameters"), 0, NULL);
    const char *by = hub_rows_get(rows, i, "created_by");

    /* the header names with masked values */
    if (json_is_object(handler)
        && json_is_array(json_object_get(handler, "headers"))) {
        json_t *masked = json_object(), *n;
        size_t k;
        json_array_foreach(json_object_get(handler, "headers"), k, n) {
            json_object_set_new(masked, json_string_value(n),
                                json_string(MASK));
        }
        json_object_set_new(handler, "headers", masked);
    }
    json_object_set_new(o, "id", json_string(hub_rows_get(rows, i, "id")));
    json_object_set_new(o, "name", json_string(hub_rows_get(rows, i, "name")));
    json_object_set_new(o, "scope",
                        json_string(hub_rows_get(rows, i, "scope")));
    json_object_set_new(o, "description",
                        json_string(hub_rows_get(rows, i, "description")));
    json_object_set_new(o, schema_name, schema ? schema : json_object());
    json_object_set_new(o, "handler", handler ? handler : json_null());
    json_object_set_new(o, "timeout_seconds",
                        json_integer(
                            atoi(hub_rows_get(rows, i, "timeout_seconds"))));
    json_object_set_new(o, "enabled",
                        json_boolean(
                            !strcmp(hub_rows_get(rows, i, "enabled"), "t")));
    json_object_set_new(o, "created_by", hub_json_str_or_null(by));
    json_object_set_new(o, "created_at",
                        json_string(hub_rows_get(rows, i, "created_at")));
    json_object_set_new(o, "updated_at",
                        json_string(hub_rows_get(rows, i, "updated_at")));
    return o;
}

/* ---- calling one ------------------------------------------------------- */

static int upstream_err(hub_result_t *res, int status, const char *code,
                        int retryable, const char *msg)
{
    hub_err(res, status, code, "%s", msg);
    res->retryable = retryable;
    return HUB_DONE;
}

/* a scalar as a query parameter's text, anything else as JSON */
static const char *query_text(apr_pool_t *p, const json_t *v)
{
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    return hub_json_dump(p, v, JSON_COMPACT | JSON_ENCODE_ANY, NULL);
}

static int call_http(hub_req_t *hr, hub_result_t *res, const hub_rows_t *row,
                     const json_t *handler, const json_t *args,
                     const char *project_id, hub_ctool_outcome_t *out)
{
    const hub_servers_srv_t *c = hub_servers_srv(hr->r->server);
    json_t *secrets = hub_json_own(hr->pool,
                                   json_loads(hub_rows_get(row, 0, "secrets"),
                                              0, NULL));
    const char *method = json_string_value(json_object_get(handler, "method"));
    const char *url = json_string_value(json_object_get(handler, "url"));
    hub_http_policy_t pol = { 0 };
    hub_http_request_t req = { 0 };
    hub_http_response_t ans;
    const char *name, *ct;
    json_t *v, *body;

    memset(&ans, 0, sizeof(ans));
    req.headers = apr_table_make(hr->pool, 8);
    json_object_foreach(secrets, name, v) {
        const char *plain, *why;
        if ((why = hub_servers_unseal(hr->pool, hr->r->server,
                                      hr->who->tenant_id, v, &plain))) {
            return upstream_err(res, HTTP_BAD_GATEWAY, "TOOL_MISCONFIGURED", 0,
                                apr_psprintf(hr->pool, "header %s: %s", name,
                                             why));
        }
        apr_table_set(req.headers, name, plain);
    }
    apr_table_setn(req.headers, "Accept", "application/json, text/plain");
    apr_table_setn(req.headers, "X-Hub-Tool", hub_rows_get(row, 0, "name"));
    if (project_id) {
        apr_table_setn(req.headers, "X-Hub-Project-Id", project_id);
    }
    req.method = method ? method : "POST";
    if (!strcmp(req.method, "GET") || !strcmp(req.method, "DELETE")) {
        const char *q = NULL, *key;
        json_object_foreach((json_t *)args, key, v) {
            const char *one = apr_pstrcat(
                hr->pool, ap_escape_urlencoded(hr->pool, key), "=",
                ap_escape_urlencoded(hr->pool, query_text(hr->pool, v)), NULL);
            q = q ? apr_pstrcat(hr->pool, q, "&", one, NULL) : one;
        }
        req.url = q ? apr_pstrcat(hr->pool, url, strchr(url, '?') ? "&" : "?",
                                  q, NULL)
                    : url;
    }
    else {
        req.url = url;
        req.body = hub_json_text(hr->pool, args);
        req.body_len = strlen(req.body);
        apr_table_setn(req.headers, "Content-Type", "application/json");
    }
    pol.timeout_ms = 1000L * atoi(hub_rows_get(row, 0, "timeout_seconds"));
    pol.connect_timeout_ms = pol.timeout_ms < 5000 ? pol.timeout_ms : 5000;
    pol.max_response = ANSWER_MAX;
    pol.allow = c->outbound_allow;
    hub_http_do(hr->pool, &pol, &req, &ans);
    switch (ans.result) {
    case HUB_HTTP_OK: break;
    case HUB_HTTP_REFUSED:
        return upstream_err(res, HTTP_FORBIDDEN, "OUTBOUND_REFUSED", 0,
                            "the hub may not connect to this tool's address "
                            "(loopback, private and link-local addresses are "
                            "refused unless the operator allows them)");
    case HUB_HTTP_TIMEOUT:
        return upstream_err(res, HTTP_GATEWAY_TIME_OUT, "UPSTREAM_TIMEOUT", 1,
                            "the tool did not answer within its "
                            "timeout_seconds");
    case HUB_HTTP_TOO_LARGE:
        return upstream_err(res, HTTP_BAD_GATEWAY, "UPSTREAM_TOO_LARGE", 0,
                            "the tool's answer is larger than 1 MiB");
    default:
        return upstream_err(res, HTTP_BAD_GATEWAY, "UPSTREAM_UNREACHABLE", 1,
                            apr_psprintf(hr->pool,
                                         "the tool cannot be "
                                         "reached: %s",
                                         ans.error ? ans.error : "failed"));
    }
    ct = ans.headers ? apr_table_get(ans.headers, "Content-Type") : NULL;
    body = NULL;
    if (ans.body_len && (!ct || ap_strcasestr(ct, "json"))) {
        body = json_loadb(ans.body, ans.body_len,
                          JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    }
    if (!body) {
        body = json_stringn(ans.body ? ans.body : "", ans.body_len);
    }
    if (!body) {
        return upstream_err(res, HTTP_BAD_GATEWAY, "UPSTREAM_BAD_ANSWER", 0,
                            "the tool answered neither JSON nor text");
    }
    out->result = hub_json_own(hr->pool, body);
    out->http_status = ans.status;
    out->ok = ans.status >= 200 && ans.status < 300;
    return DECLINED;
}

static int call_mcp(hub_req_t *hr, hub_result_t *res, const hub_rows_t *tool,
                    const json_t *handler, const json_t *args,
                    hub_ctool_outcome_t *out)
{
    const char *argv[2], *why;
    const char *name = json_string_value(json_object_get(handler, "tool"));
    long timeout_ms = 1000L * atoi(hub_rows_get(tool, 0, "timeout_seconds"));
    hub_mcp_target_t target;
    hub_mcp_session_t *sess;
    const hub_mcp_probe_t *info;
    hub_rows_t *srv;
    hub_db_status_e st;
    json_t *result = NULL;
    int rc;

    argv[0] = hub_rows_get(tool, 0, "server_id");
    argv[1] = hr->who->tenant_id;
    st = hub_db_select(hr->r, TSTMT(ST_TOOL_TARGET), &srv, 2, argv);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!srv->rows->nelts) {
        return upstream_err(res, HTTP_CONFLICT, "TOOL_MISCONFIGURED", 0,
                            "the tool's MCP server is gone");
    }
    if (strcmp(hub_rows_get(srv, 0, "enabled"), "t")) {
        return upstream_err(res, HTTP_CONFLICT, "SERVER_DISABLED", 0,
                            "the tool's MCP server is disabled");
    }
    why = hub_servers_row_target(hr->pool, hr->r->server, hr->who->tenant_id,
                                 srv, 0, timeout_ms, &target);
    if (why) {
        return upstream_err(res, HTTP_BAD_GATEWAY, "UPSTREAM_UNREACHABLE", 0,
                            apr_psprintf(hr->pool,
                                         "the tool's MCP server "
                                         "cannot be called: %s",
                                         why));
    }
    rc = hub_mcp_open(hr->pool, &target, &sess);
    info = hub_mcp_info(sess);
    if (rc < 0) {
        hub_mcp_close(sess);
        if (info->unauthorized) {
            return upstream_err(res, HTTP_BAD_GATEWAY, "UPSTREAM_UNAUTHORIZED",
                                0,
                                "the tool's MCP server refused the "
                                "hub's credentials");
        }
        return upstream_err(
            res, info->timed_out ? HTTP_GATEWAY_TIME_OUT : HTTP_BAD_GATEWAY,
            info->timed_out ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNREACHABLE", 1,
            apr_psprintf(hr->pool, "the tool's MCP server: %s", info->error));
    }
    rc = hub_mcp_call(sess, name, json_deep_copy(args), &result);
    info = hub_mcp_info(sess);
    if (rc < 0) {
        const char *msg =
            info->rpc_code
                ? apr_psprintf(hr->pool,
                               "the MCP server "
                               "answered error %ld: %s",
                               info->rpc_code,
                               info->rpc_message ? info->rpc_message : "")
                : apr_psprintf(hr->pool,
                               "the tool's MCP "
                               "server: %s",
                               info->error ? info->error : "failed");
        int timed_out = info->timed_out;
        hub_mcp_close(sess);
        return upstream_err(res,
                            timed_out ? HTTP_GATEWAY_TIME_OUT
                                      : HTTP_BAD_GATEWAY,
                            timed_out ? "UPSTREAM_TIMEOUT" : "UPSTREAM_ERROR",
                            timed_out, msg);
    }
    hub_mcp_close(sess);
    out->result = result;
    out->ok = !json_is_true(json_object_get(result, "isError"));
    out->http_status = 0;
    return DECLINED;
}

int hub_ctool_invoke(hub_req_t *hr, hub_result_t *res, const char *id,
                     const json_t *args, const char *project_id,
                     hub_ctool_outcome_t *out)
{
    const char *argv[2];
    apr_array_header_t *problems;
    hub_rows_t *row;
    json_t *schema, *handler;
    const char *type;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!hub_is_uuid(id)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "tool not found");
    }
    argv[1] = hr->who->tenant_id;
    if (project_id) {
        hub_rows_t *p;
        argv[0] = project_id;
        if (!hub_is_uuid(project_id)) {
            return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                           "project not found");
        }
        if (hub_select_one(hr, res, TSTMT(ST_TOOL_PROJECT), 2, argv, &p,
                           "project not found")
            != DECLINED) {
            return HUB_DONE;
        }
    }
    argv[0] = id;
    if (hub_select_one(hr, res, TSTMT(ST_TOOL_CALL), 2, argv, &row,
                       "tool not found")
        != DECLINED) {
        return HUB_DONE;
    }
    if (strcmp(hub_rows_get(row, 0, "enabled"), "t")) {
        return hub_err(res, HTTP_CONFLICT, "TOOL_DISABLED",
                       "the tool is disabled");
    }
    schema = hub_json_own(hr->pool,
                          json_loads(hub_rows_get(row, 0, "parameters"), 0,
                                     NULL));
    handler = hub_json_own(hr->pool, json_loads(hub_rows_get(row, 0, "handler"),
                                                0, NULL));
    problems = apr_array_make(hr->pool, 4, sizeof(hub_invalid_t));
    if (hub_schema_check(hr->pool, schema, args, "args", problems)) {
        return hub_err_invalid(res, "body", problems);
    }
    type = json_string_value(json_object_get(handler, "type"));
    rc = type && !strcmp(type, "mcp")
             ? call_mcp(hr, res, row, handler, args, out)
             : call_http(hr, res, row, handler, args, project_id, out);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB01071: custom tool %s (%s, %s handler) called in "
                  "tenant %s by %s: %s",
                  id, hub_rows_get(row, 0, "name"), type ? type : "?",
                  hr->who->tenant_slug, hr->who->name,
                  rc != DECLINED ? (res->detail ? res->detail : "failed")
                  : out->ok      ? "ok"
                                 : "the tool failed");
    return rc;
}
