/* The MCP gateway: every navigator instance (a navigator connected to a
 * project) is one MCP endpoint that serves the tools of the project's
 * server instances, as the instance's tool permissions allow.
 *
 *   <Location /mcp>
 *       HubMcpGateway On
 *   </Location>
 *
 * serves instance X at /mcp/X over Streamable HTTP, to clients of both
 * protocol eras:
 *
 * - 2025-11-25 and before: `initialize` opens a session whose id
 *   (Mcp-Session-Id) every later request carries.  Sessions are rows of
 *   mcp_sessions (sql/022), so any httpd host sharing the database
 *   continues one another host opened; DELETE ends it; a session that is
 *   unknown, ended, idle past HubMcpSessionIdle or opened by another
 *   caller is 404, which tells the client to initialize again.  GET with
 *   the session opens its stream of list changes
 *   (hub_servers_gateway_stream.c); without one it is 405.
 * - 2026-07-28: stateless.  A request is of this era when its body says
 *   so (params._meta names the protocol version), as the official SDK v2
 *   classifies it; the headers are checked against the body
 *   (hub_mcp_classify, hub_mcp_check_modern in hub_mcp_server.c) and the
 *   results carry resultType, ttlMs/cacheScope and serverInfo in _meta.
 *   No session: Mcp-Session-Id is ignored; GET and DELETE are of the
 *   2025 era.
 *
 * Who may call: a navigator key of that instance (Authorization: Bearer
 * or X-API-Key; mod_hub_auth's hub_auth_mcp_principal), or any hub
 * credential of the instance's tenant with read access.  Anyone else is
 * 401 (403 for a credential without read), and an instance of another
 * tenant is 404, as an unknown one.  A request with an Origin header (a
 * browser's) is refused unless the origin is the hub's own or one of
 * HubMcpAllowOrigin: the DNS-rebinding defence the specification asks
 * for.
 *
 * Errors are JSON-RPC error objects with the HTTP status the official
 * SDKs give them (400 for a malformed message, 404 for a lost session,
 * 415, 413); the MCP methods themselves are hub_servers_gateway_methods.c.
 * Nothing here writes an answer but hub_send_json (hub_request.c); the
 * streams are written by hub_stream.c. */
#include <apr_strings.h>
#include <apr_uuid.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include "hub_servers_gateway.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_key.h"
#include "mod_hub_auth.h"

#define MAX_BODY     (4 * 1024 * 1024) /* one JSON-RPC message */
#define MAX_DEPTH    64
#define SESSION_KIND "mcps_" /* the prefix of a session id */

/* clang-format off */
const hub_stmt_t hub_servers_gateway_stmts[] = {
    /* the path's instance in the caller's tenant, and the session the
     * request names when it is live there */
    { "hub_gw_context",
      "SELECT ni.id, ni.project_id, n.name AS navigator_name,"
      "       n.tool_exposure, n.tool_naming,"
      "       s.protocol_version, s.owner, s.last_query_id,"
      "       s.last_seen_at < now() - interval '60 s' AS stale"
      "  FROM navigator_instances ni"
      "  JOIN navigators n ON n.id = ni.navigator_id"
      "  LEFT JOIN mcp_sessions s ON s.id_hash = %s"
      "       AND s.navigator_instance_id = ni.id AND s.ended_at IS NULL"
      "       AND s.last_seen_at > now() - make_interval(secs => %s::int)"
      " WHERE ni.id = %s::uuid AND ni.tenant_id = %s::uuid" },
    { "hub_gw_session_open",
      "INSERT INTO mcp_sessions (id_hash, tenant_id, navigator_instance_id,"
      "                          owner, protocol_version, client_name,"
      "                          client_version)"
      " VALUES (%s, %s::uuid, %s::uuid, %s, %s, %s, %s)" },
    /* at most one write a minute per session (hub_gw_context says when) */
    { "hub_gw_session_touch",
      "UPDATE mcp_sessions SET last_seen_at = now()"
      " WHERE id_hash = %s AND ended_at IS NULL" },
    /* a stream's look at its session: live or not, marked seen at most
     * once a minute (a data-modifying WITH runs unread) */
    { "hub_gw_session_keep",
      "WITH s AS (SELECT id_hash, last_seen_at FROM mcp_sessions"
      "            WHERE id_hash = %s AND ended_at IS NULL),"
      "     u AS (UPDATE mcp_sessions m SET last_seen_at = now() FROM s"
      "            WHERE m.id_hash = s.id_hash"
      "              AND s.last_seen_at < now() - interval '60 s')"
      "SELECT count(*) AS live FROM s" },
    { "hub_gw_session_end",
      "UPDATE mcp_sessions SET ended_at = now()"
      " WHERE id_hash = %s AND navigator_instance_id = %s::uuid"
      "   AND tenant_id = %s::uuid AND owner = %s AND ended_at IS NULL" },
    /* a query (search_tools) made in the session: the calls after it
     * belong to it (sql/030) */
    { "hub_gw_session_query",
      "UPDATE mcp_sessions SET last_query_id = %s::uuid"
      " WHERE id_hash = %s AND ended_at IS NULL" },
    { NULL, NULL }
};
/* clang-format on */

enum { ST_CONTEXT, ST_OPEN, ST_TOUCH, ST_KEEP, ST_END, ST_QUERY };
#define STMT(i) (&hub_servers_gateway_stmts[i])

static APR_OPTIONAL_FN_TYPE(hub_auth_mcp_principal) *mcp_principal;

/* ---- answers --------------------------------------------------------- */

static int send_rpc(hub_gw_t *g, int status, json_t *msg)
{
    hub_send_json(g->r, status, hub_json_own(g->pool, msg));
    return OK;
}

int hub_gw_send_error(hub_gw_t *g, int status, const json_t *id, int code,
                      const char *message)
{
    return send_rpc(g, status, hub_rpc_error(id, code, message, NULL));
}

static int send_empty(hub_gw_t *g, int status)
{
    hub_send_json(g->r, status, NULL);
    return OK;
}

static json_t *str_or_null(apr_pool_t *p, const char *s, apr_size_t max)
{
    return hub_json_str_or_null(
        s && strlen(s) > max ? apr_pstrndup(p, s, max) : s);
}

/* The call record of a request answered with reply (sent bytes): the
 * error type the operation named, else protocol for a JSON-RPC error,
 * execution for an isError result. */
static void record(hub_gw_t *g, const hub_rpc_msg_t *m, json_t *reply,
                   apr_size_t sent)
{
    json_t *err = json_object_get(reply, "error");
    json_t *res = json_object_get(reply, "result"), *rec;
    const char *type = g->rec.error_type, *why = g->rec.error;
    const char *tool = g->rec.tool_name;

    if (!tool && !strcmp(m->method, "tools/call")) {
        tool = json_string_value(json_object_get(m->params, "name"));
    }

    if (!type && err) {
        type = "protocol";
        why = json_string_value(json_object_get(err, "message"));
    }
    if (!type && json_is_true(json_object_get(res, "isError"))) {
        type = "execution";
        why = json_string_value(
            json_object_get(json_array_get(json_object_get(res, "content"), 0),
                            "text"));
    }
    rec = json_object();
    json_object_set_new(rec, "at_us", json_integer(g->started));
    json_object_set_new(rec, "tenant_id", json_string(g->tenant_id));
    json_object_set_new(rec, "navigator_instance_id",
                        json_string(g->instance_id));
    json_object_set_new(rec, "project_id",
                        str_or_null(g->pool, g->project_id, 64));
    json_object_set_new(rec, "method", str_or_null(g->pool, m->method, 100));
    json_object_set_new(rec, "tool_name", str_or_null(g->pool, tool, 300));
    json_object_set_new(rec, "server_id",
                        str_or_null(g->pool, g->rec.server_id, 64));
    json_object_set_new(rec, "server_instance_id",
                        str_or_null(g->pool, g->rec.server_instance_id, 64));
    json_object_set_new(rec, "tool_id",
                        str_or_null(g->pool, g->rec.tool_id, 64));
    json_object_set_new(rec, "key_id",
                        str_or_null(g->pool, g->who->key_id, 64));
    json_object_set_new(rec, "user_id",
                        str_or_null(g->pool, g->who->user_id, 64));
    json_object_set_new(rec, "session_hash",
                        str_or_null(g->pool, g->session, 64));
    json_object_set_new(rec, "protocol_version",
                        str_or_null(g->pool, g->version, 20));
    json_object_set_new(rec, "gateway_ms",
                        json_real(
                            (double)(apr_time_now() - g->started) / 1000.0));
    json_object_set_new(rec, "upstream_ms",
                        g->rec.upstream_ms >= 0 ? json_real(g->rec.upstream_ms)
                                                : json_null());
    json_object_set_new(rec, "ok", json_boolean(!type));
    json_object_set_new(rec, "error_type", str_or_null(g->pool, type, 20));
    json_object_set_new(rec, "error", str_or_null(g->pool, why, 500));
    json_object_set_new(rec, "request_bytes",
                        json_integer((json_int_t)g->request_bytes));
    json_object_set_new(rec, "response_bytes", json_integer((json_int_t)sent));
    json_object_set_new(rec, "query_id", hub_json_str_or_null(g->rec.query_id));
    json_object_set_new(rec, "query", str_or_null(g->pool, g->rec.query, 2000));
    hub_servers_record(rec);
}

void hub_gw_record_stream(hub_gw_t *g, const char *method, apr_size_t sent)
{
    hub_rpc_msg_t m = { 0 };
    m.method = method;
    record(g, &m, NULL, sent);
}

/* A query (search_tools) begins: a new id for its record and the calls
 * that follow it in this session.  The session's row is told at once, so
 * the next request (on any host) reads it with the session. */
void hub_gw_query_begin(hub_gw_t *g, const char *text)
{
    apr_uuid_t u;
    char *id = apr_palloc(g->pool, APR_UUID_FORMATTED_LENGTH + 1);

    apr_uuid_get(&u);
    apr_uuid_format(id, &u);
    g->rec.query = text;
    g->rec.query_id = id;
    if (g->session) {
        const char *args[2] = { id, g->session };
        if (hub_db_exec(g->r, STMT(ST_QUERY), NULL, 2, args) != HUB_DB_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, g->r,
                          "HUB00806: a query's session could not be told; "
                          "the calls after it are recorded without it");
        }
    }
}

/* The answer to request m, sent and recorded. */
static int answer(hub_gw_t *g, const hub_rpc_msg_t *m, int status,
                  json_t *reply)
{
    apr_size_t sent = hub_send_json(g->r, status, hub_json_own(g->pool, reply));
    record(g, m, reply, sent);
    return OK;
}

int hub_gw_fail(hub_gw_answer_t *a, int code, const char *message)
{
    a->code = code;
    a->message = message;
    return 0;
}

/* The method's operation, as a JSON-RPC reply to m. */
static json_t *run_method(hub_gw_t *g, const hub_rpc_msg_t *m, int era)
{
    const hub_gw_method_t *x;
    hub_gw_answer_t a = { 0 };
    for (x = hub_gw_methods; x->name; x++) {
        if (!strcmp(x->name, m->method) && (x->eras & era)) {
            x->op(g, m->params, &a);
            return a.code ? hub_rpc_error(m->id, a.code, a.message, a.data)
                          : hub_rpc_result(m->id, a.result);
        }
    }
    return hub_rpc_error(m->id, HUB_RPC_METHOD_NOT_FOUND,
                         apr_psprintf(g->pool, "Method not found: %s",
                                      m->method),
                         NULL);
}

/* ---- who, and where from --------------------------------------------- */

/* A browser's request from a page of another site is refused: the hub's
 * own origin and HubMcpAllowOrigin's may call. */
static int origin_allowed(hub_gw_t *g)
{
    const char *o = apr_table_get(g->r->headers_in, "Origin");
    const apr_array_header_t *allow = g->dir->origins;
    int i;
    if (!o) {
        return 1; /* not a browser */
    }
    if (!strcasecmp(o, hub_req_origin(g->r))
        || !strcasecmp(o, ap_construct_url(g->pool, "", g->r))) {
        return 1;
    }
    for (i = 0; allow && i < allow->nelts; i++) {
        if (!strcasecmp(o, APR_ARRAY_IDX(allow, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

/* Who opened a session: only the same caller continues it. */
const char *hub_gw_owner(hub_gw_t *g)
{
    const hub_principal_t *w = g->who;
    return w->key_id    ? apr_pstrcat(g->pool, "key:", w->key_id, NULL)
           : w->user_id ? apr_pstrcat(g->pool, "user:", w->user_id, NULL)
                        : "gateway";
}

/* The caller, then the instance in the caller's tenant: DECLINED to go
 * on, else the answer has been sent. */
static int admit(hub_gw_t *g, const char *session_id, hub_rows_t **ctx)
{
    const char *args[4];
    hub_db_status_e st;

    if (!origin_allowed(g)) {
        return hub_gw_send_error(
            g, HTTP_FORBIDDEN, NULL, HUB_RPC_SERVER_ERROR,
            "Forbidden: this Origin may not call the endpoint");
    }
    if (!hub_is_uuid(g->instance_id)) {
        return hub_gw_send_error(g, HTTP_NOT_FOUND, NULL, HUB_RPC_SERVER_ERROR,
                                 "Navigator instance not found");
    }
    g->who = mcp_principal ? mcp_principal(g->r, g->instance_id) : NULL;
    if (g->who && g->who->unavailable) {
        return hub_gw_send_error(g, HTTP_SERVICE_UNAVAILABLE, NULL,
                                 HUB_RPC_INTERNAL_ERROR,
                                 "the hub's database is unavailable");
    }
    if (!g->who || g->who->csrf_failed) {
        apr_table_setn(g->r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_hub\"");
        return hub_gw_send_error(
            g, HTTP_UNAUTHORIZED, NULL, HUB_RPC_SERVER_ERROR,
            "Unauthorized: a navigator instance's API key or "
            "a hub credential is required");
    }
    if (!g->who->navigator_instance_id && !hub_principal_can_read(g->who)) {
        return hub_gw_send_error(g, HTTP_FORBIDDEN, NULL, HUB_RPC_SERVER_ERROR,
                                 "Forbidden: this credential cannot read the "
                                 "tenant's navigators");
    }
    args[0] = session_id
                  ? hub_sha256_hex(g->pool, session_id, strlen(session_id))
                  : NULL;
    args[1] = apr_itoa(g->pool, hub_servers_session_idle(g->dir));
    args[2] = g->instance_id;
    args[3] = g->tenant_id = g->who->tenant_id;
    st = hub_db_select(g->r, STMT(ST_CONTEXT), ctx, 4, args);
    if (st != HUB_DB_OK) {
        return hub_gw_send_error(g, hub_db_http_status(st), NULL,
                                 HUB_RPC_INTERNAL_ERROR,
                                 "the navigator instance cannot be read now");
    }
    if (!(*ctx)->rows->nelts) {
        return hub_gw_send_error(g, HTTP_NOT_FOUND, NULL, HUB_RPC_SERVER_ERROR,
                                 "Navigator instance not found");
    }
    g->project_id = hub_rows_get(*ctx, 0, "project_id");
    g->navigator_name = hub_rows_get(*ctx, 0, "navigator_name");
    g->compact = !strcmp(hub_rows_get(*ctx, 0, "tool_exposure"), "compact");
    g->bare = !strcmp(hub_rows_get(*ctx, 0, "tool_naming"), "bare");
    if (session_id && hub_rows_get(*ctx, 0, "owner")
        && !strcmp(hub_rows_get(*ctx, 0, "owner"), hub_gw_owner(g))) {
        g->session = args[0];
        g->version = hub_rows_get(*ctx, 0, "protocol_version");
        g->session_query = hub_rows_get(*ctx, 0, "last_query_id");
    }
    return DECLINED;
}

/* ---- the 2025 era: sessions --------------------------------------------- */

static const char *cut(apr_pool_t *p, const char *s, apr_size_t max)
{
    return s && strlen(s) > max ? apr_pstrndup(p, s, max) : s;
}

static int initialize(hub_gw_t *g, const hub_rpc_msg_t *m)
{
    const char *asked = json_string_value(
        json_object_get(m->params, "protocolVersion"));
    const hub_key_t *sid;
    const char *args[7];
    json_t *result, *info;

    if (!asked) {
        return answer(g, m, HTTP_OK,
                      hub_rpc_error(m->id, HUB_RPC_INVALID_PARAMS,
                                    "initialize: protocolVersion is "
                                    "required",
                                    NULL));
    }
    if (!(sid = hub_key_mint(g->pool, SESSION_KIND))) {
        return hub_gw_send_error(g, HTTP_SERVICE_UNAVAILABLE, m->id,
                                 HUB_RPC_INTERNAL_ERROR,
                                 "no session can be made now");
    }
    g->version = hub_mcp_negotiate(asked);
    info = json_object_get(m->params, "clientInfo");
    args[0] = sid->hash;
    args[1] = g->tenant_id;
    args[2] = g->instance_id;
    args[3] = hub_gw_owner(g);
    args[4] = g->version;
    args[5] = cut(g->pool, json_string_value(json_object_get(info, "name")),
                  200);
    args[6] = cut(g->pool, json_string_value(json_object_get(info, "version")),
                  100);
    if (hub_db_exec(g->r, STMT(ST_OPEN), NULL, 7, args) != HUB_DB_OK) {
        return hub_gw_send_error(g, HTTP_SERVICE_UNAVAILABLE, m->id,
                                 HUB_RPC_INTERNAL_ERROR,
                                 "no session can be made now");
    }
    result = hub_gw_server_description(g);
    json_object_set_new(result, "protocolVersion", json_string(g->version));
    apr_table_setn(g->r->headers_out, "Mcp-Session-Id", sid->raw);
    g->session = sid->hash;
    return answer(g, m, HTTP_OK, hub_rpc_result(m->id, result));
}

static int serve_session(hub_gw_t *g, const hub_rpc_msg_t *m,
                         const hub_rows_t *ctx)
{
    const char *hv = apr_table_get(g->r->headers_in, "MCP-Protocol-Version");
    const char *sid = apr_table_get(g->r->headers_in, "Mcp-Session-Id");
    const char *args[1];

    if (m->kind == HUB_RPC_REQUEST && !strcmp(m->method, "initialize")) {
        return initialize(g, m);
    }
    if (!sid) {
        return hub_gw_send_error(
            g, HTTP_BAD_REQUEST, m->id, HUB_RPC_SERVER_ERROR,
            "Bad Request: Mcp-Session-Id header is required");
    }
    if (!g->session) {
        return hub_gw_send_error(g, HTTP_NOT_FOUND, m->id,
                                 HUB_RPC_SESSION_UNKNOWN, "Session not found");
    }
    if (hv && !hub_mcp_session_version(hv)) {
        return hub_gw_send_error(
            g, HTTP_BAD_REQUEST, m->id, HUB_RPC_SERVER_ERROR,
            apr_psprintf(g->pool,
                         "Bad Request: Unsupported protocol "
                         "version: %s",
                         hv));
    }
    if (!strcmp(hub_rows_get(ctx, 0, "stale"), "t")) {
        args[0] = g->session;
        hub_db_exec(g->r, STMT(ST_TOUCH), NULL, 1, args);
    }
    if (m->kind != HUB_RPC_REQUEST) {
        return send_empty(g, HTTP_ACCEPTED); /* notifications, responses */
    }
    return answer(g, m, HTTP_OK, run_method(g, m, HUB_MCP_ERA_SESSION));
}

int hub_gw_session_live(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                        const char *hash)
{
    const char *args[1] = { hash };
    hub_rows_t *rows;
    if (hub_db_select_on(p, s, dbd, STMT(ST_KEEP), &rows, 1, args) != HUB_DB_OK
        || !rows->rows->nelts) {
        return -1;
    }
    return strcmp(hub_rows_get(rows, 0, "live"), "0") != 0;
}

static int end_session(hub_gw_t *g)
{
    const char *sid = apr_table_get(g->r->headers_in, "Mcp-Session-Id");
    const char *args[4];
    hub_rows_t *ctx;
    int rc, n = 0;

    if (!sid) {
        return hub_gw_send_error(
            g, HTTP_BAD_REQUEST, NULL, HUB_RPC_SERVER_ERROR,
            "Bad Request: Mcp-Session-Id header is required");
    }
    if ((rc = admit(g, sid, &ctx)) != DECLINED) {
        return rc;
    }
    args[0] = g->session;
    args[1] = g->instance_id;
    args[2] = g->tenant_id;
    args[3] = hub_gw_owner(g);
    if (!g->session || hub_db_exec(g->r, STMT(ST_END), &n, 4, args) != HUB_DB_OK
        || !n) {
        return hub_gw_send_error(g, HTTP_NOT_FOUND, NULL,
                                 HUB_RPC_SESSION_UNKNOWN, "Session not found");
    }
    return send_empty(g, HTTP_OK);
}

/* GET with a session: the stream that tells the session's client when
 * the tool list changes (hub_servers_gateway_stream.c). */
static int open_stream(hub_gw_t *g)
{
    const char *sid = apr_table_get(g->r->headers_in, "Mcp-Session-Id");
    const char *accept = apr_table_get(g->r->headers_in, "Accept");
    hub_rows_t *ctx;
    int rc;

    if ((rc = admit(g, sid, &ctx)) != DECLINED) {
        return rc;
    }
    if (!g->session) {
        return hub_gw_send_error(g, HTTP_NOT_FOUND, NULL,
                                 HUB_RPC_SESSION_UNKNOWN, "Session not found");
    }
    if (!accept || !ap_strcasestr(accept, "text/event-stream")) {
        return hub_gw_send_error(g, HTTP_NOT_ACCEPTABLE, NULL,
                                 HUB_RPC_SERVER_ERROR,
                                 "Not Acceptable: Client must accept "
                                 "text/event-stream");
    }
    return hub_gw_stream_get(g);
}

/* ---- one POST ----------------------------------------------------------- */

static int is_json(const char *ct)
{
    apr_size_t n = sizeof("application/json") - 1;
    return ct && !strncasecmp(ct, "application/json", n)
           && (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

/* The message of the body: DECLINED with it in *msg, else answered. */
static int read_message(hub_gw_t *g, json_t **msg)
{
    hub_json_error_t jerr = { 0 };
    char *buf = NULL;
    apr_size_t len = 0;
    int rc;

    if (!is_json(apr_table_get(g->r->headers_in, "Content-Type"))) {
        return hub_gw_send_error(g, HTTP_UNSUPPORTED_MEDIA_TYPE, NULL,
                                 HUB_RPC_SERVER_ERROR,
                                 "Unsupported Media Type: Content-Type must be "
                                 "application/json");
    }
    rc = hub_body_read(g->r, MAX_BODY, &buf, &len);
    g->request_bytes = len;
    if (rc != OK) {
        if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
            g->r->connection->keepalive = AP_CONN_CLOSE;
        }
        return hub_gw_send_error(g, rc, NULL, HUB_RPC_PARSE_ERROR,
                                 rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                                     ? "the message is larger than 4 MiB"
                                     : "the message is incomplete");
    }
    *msg = len ? hub_json_parse(g->pool, buf, len, MAX_DEPTH, &jerr) : NULL;
    if (!*msg) {
        return hub_gw_send_error(g, HTTP_BAD_REQUEST, NULL, HUB_RPC_PARSE_ERROR,
                                 "Parse error: the body is not one JSON value");
    }
    if (json_is_array(*msg)) {
        return hub_gw_send_error(g, HTTP_BAD_REQUEST, NULL,
                                 HUB_RPC_INVALID_REQUEST,
                                 "Invalid Request: batches are not supported");
    }
    return DECLINED;
}

/* ---- the 2026-07-28 era: stateless ----------------------------------------- */

/* A header as MCP reads it: leading and trailing SP and HTAB stripped. */
static const char *header(hub_gw_t *g, const char *name)
{
    const char *v = apr_table_get(g->r->headers_in, name), *end;
    if (!v) {
        return NULL;
    }
    v += strspn(v, " \t");
    for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t');
         end--) {
    }
    return apr_pstrmemdup(g->pool, v, (apr_size_t)(end - v));
}

static int send_verdict(hub_gw_t *g, const json_t *id, hub_mcp_verdict_t *v)
{
    return send_rpc(g, v->status,
                    hub_rpc_error(id, v->code, v->message, v->data));
}

/* The 2026 envelope of every result: resultType, serverInfo in _meta,
 * and a cache lifetime on the lists (none: permissions change at once). */
static void modern_result(const char *method, json_t *result)
{
    json_t *meta = json_object_get(result, "_meta");
    if (!json_object_get(result, "resultType")) {
        json_object_set_new(result, "resultType", json_string("complete"));
    }
    if (!strcmp(method, "tools/list") || !strcmp(method, "server/discover")) {
        json_object_set_new(result, "ttlMs", json_integer(0));
        json_object_set_new(result, "cacheScope", json_string("private"));
    }
    if (!json_is_object(meta)) {
        meta = json_object();
        json_object_set_new(result, "_meta", meta);
    }
    json_object_set_new(meta, HUB_MCP_META_SERVER, hub_gw_server_info());
}

static int serve_modern(hub_gw_t *g, const hub_rpc_msg_t *m,
                        hub_mcp_verdict_t *v)
{
    const hub_gw_method_t *x;
    hub_gw_answer_t a = { 0 };

    if (hub_mcp_check_modern(g->pool, m, header(g, "MCP-Protocol-Version"),
                             header(g, "Mcp-Method"), header(g, "Mcp-Name"),
                             v)) {
        return send_verdict(g, m->id, v);
    }
    if (m->kind != HUB_RPC_REQUEST) {
        return send_empty(g, HTTP_ACCEPTED);
    }
    g->version = v->version;
    for (x = hub_gw_methods; x->name; x++) {
        if (!strcmp(x->name, m->method) && (x->eras & HUB_MCP_ERA_MODERN)) {
            break;
        }
    }
    if (!x->name && !strcmp(m->method, "subscriptions/listen")
        && hub_gw_streams_on(g)) {
        return hub_gw_listen(g, m);
    }
    if (!x->name) {
        /* the one error of this era the SDK answers with 404 */
        return answer(g, m, HTTP_NOT_FOUND,
                      hub_rpc_error(m->id, HUB_RPC_METHOD_NOT_FOUND,
                                    "Method not found", NULL));
    }
    x->op(g, m->params, &a);
    if (a.code) {
        return answer(g, m, HTTP_OK,
                      hub_rpc_error(m->id, a.code, a.message, a.data));
    }
    modern_result(m->method, a.result);
    return answer(g, m, HTTP_OK, hub_rpc_result(m->id, a.result));
}

static int serve_post(hub_gw_t *g)
{
    const char *sid = apr_table_get(g->r->headers_in, "Mcp-Session-Id");
    hub_mcp_verdict_t v;
    hub_rpc_msg_t m;
    hub_rows_t *ctx;
    json_t *msg = NULL;
    int rc;

    if ((rc = read_message(g, &msg)) != DECLINED) {
        return rc;
    }
    if (hub_rpc_read(msg, &m) == HUB_RPC_INVALID) {
        return hub_gw_send_error(g, HTTP_BAD_REQUEST, m.id,
                                 HUB_RPC_INVALID_REQUEST,
                                 apr_pstrcat(g->pool,
                                             "Invalid Request: ", m.why, NULL));
    }
    if (hub_mcp_classify(g->pool, &m, header(g, "MCP-Protocol-Version"),
                         header(g, "Mcp-Method"), &v)) {
        return send_verdict(g, m.id, &v);
    }
    /* no session in the modern era, whatever a header says */
    if ((rc = admit(g, v.era == HUB_MCP_ERA_MODERN ? NULL : sid, &ctx))
        != DECLINED) {
        return rc;
    }
    return v.era == HUB_MCP_ERA_MODERN ? serve_modern(g, &m, &v)
                                       : serve_session(g, &m, ctx);
}

/* ---- httpd's side --------------------------------------------------------- */

/* A request under a HubMcpGateway <Location>, /{instance}, is ours. */
static int translate(request_rec *r)
{
    const hub_servers_dir_t *d = hub_servers_dir(r);
    const char *rest;
    apr_size_t n;

    if (!hub_servers_gateway_on(d) || r->proxyreq || !r->parsed_uri.path) {
        return DECLINED;
    }
    n = strlen(d->gateway_prefix);
    while (n && d->gateway_prefix[n - 1] == '/') {
        n--;
    }
    if (strncmp(r->parsed_uri.path, d->gateway_prefix, n)
        || r->parsed_uri.path[n] != '/') {
        return DECLINED;
    }
    rest = r->parsed_uri.path + n + 1;
    if (!*rest || strchr(rest, '/')) {
        return DECLINED;
    }
    ap_set_module_config(r->request_config, &hub_servers_module,
                         apr_pstrdup(r->pool, rest));
    r->handler = HUB_GW_HANDLER;
    r->filename = apr_pstrcat(r->pool, "hub:", r->uri, NULL);
    return OK;
}

static int map_to_storage(request_rec *r)
{
    return r->handler && !strcmp(r->handler, HUB_GW_HANDLER) ? OK : DECLINED;
}

static int handler(request_rec *r)
{
    hub_gw_t g = { 0 };
    hub_rows_t *ctx;
    int rc;

    if (!r->handler || strcmp(r->handler, HUB_GW_HANDLER)) {
        return DECLINED;
    }
    g.r = r;
    g.pool = r->pool;
    g.started = r->request_time;
    g.rec.upstream_ms = -1;
    g.dir = hub_servers_dir(r);
    g.instance_id = ap_get_module_config(r->request_config,
                                         &hub_servers_module);
    if (!g.instance_id) {
        return DECLINED;
    }
    switch (r->method_number) {
    case M_POST: return serve_post(&g);
    case M_DELETE: return end_session(&g);
    case M_GET:
        if (hub_gw_streams_on(&g)
            && apr_table_get(r->headers_in, "Mcp-Session-Id")) {
            return open_stream(&g);
        }
        /* fall through */
    default:
        /* no stream without a session (and none at all with
         * HubMcpStreams 0: allowed, the client then works without
         * one); the caller is still checked first */
        if ((rc = admit(&g, NULL, &ctx)) != DECLINED) {
            return rc;
        }
        apr_table_setn(r->headers_out, "Allow", "POST, DELETE");
        r->allowed = (AP_METHOD_BIT << M_POST) | (AP_METHOD_BIT << M_DELETE);
        return hub_gw_send_error(&g, HTTP_METHOD_NOT_ALLOWED, NULL,
                                 HUB_RPC_SERVER_ERROR,
                                 "Method Not Allowed: POST a JSON-RPC message");
    }
}

static void retrieve(void)
{
    mcp_principal = APR_RETRIEVE_OPTIONAL_FN(hub_auth_mcp_principal);
}

void hub_servers_gateway_hooks(void)
{
    ap_hook_translate_name(translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_optional_fn_retrieve(retrieve, NULL, NULL, APR_HOOK_MIDDLE);
}
