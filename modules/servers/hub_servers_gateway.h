/* The MCP gateway's parts (hub_servers_gateway*.c): one exchange with an
 * agent on a navigator instance's endpoint, and the MCP methods it
 * answers, each an operation that returns its result or its error. */
#ifndef HUB_SERVERS_GATEWAY_H
#define HUB_SERVERS_GATEWAY_H

#include "hub_servers_private.h"
#include "hub_mcp_server.h"

#define HUB_GW_HANDLER "hub-mcp"

typedef struct hub_gw {
    request_rec *r;
    apr_pool_t *pool;
    const hub_servers_dir_t *dir;
    const hub_principal_t *who;
    const char *instance_id; /* the path's navigator instance */
    const char *tenant_id;   /* its tenant: the caller's */
    const char *project_id;
    const char *navigator_name;
    const char *version; /* the protocol version of this exchange */
    int compact;         /* the navigator's tool_exposure is compact */
    int bare;            /* its tool_naming is bare */
    const char *session; /* 2025 era: the session's hash, once known */
    apr_time_t started;
    apr_size_t request_bytes;
    /* what the operation adds to the call record (mcp_calls) */
    struct {
        const char *tool_name; /* call_tool's: the tool it called */
        const char *server_id, *server_instance_id, *tool_id;
        const char *error_type; /* when it failed (else: from the reply) */
        const char *error;
        double upstream_ms;   /* < 0: no upstream was called */
        const char *query;    /* search_tools': the query's text */
        const char *query_id; /* the query this call is or belongs to */
    } rec;
    const char *session_query; /* the session's last query (its id) */
} hub_gw_t;

/* What an MCP method answers: a result, or a JSON-RPC error. */
typedef struct hub_gw_answer {
    json_t *result;      /* owned by the answer (stolen into the reply) */
    int code;            /* 0: result */
    const char *message; /* the error's */
    json_t *data;        /* the error's, stolen; may be NULL */
} hub_gw_answer_t;

/* An MCP method's operation: params may be NULL.  Fills a; returns 0. */
typedef int hub_gw_op_fn(hub_gw_t *g, json_t *params, hub_gw_answer_t *a);

typedef struct hub_gw_method {
    const char *name;
    hub_gw_op_fn *op;
    int eras; /* HUB_MCP_ERA_* it exists in */
} hub_gw_method_t;

/* hub_servers_gateway_methods.c: the method table (NULL-name ended) */
extern const hub_gw_method_t hub_gw_methods[];
extern const hub_stmt_t hub_servers_gateway_tools_stmts[];
/* the result initialize and server/discover share: capabilities,
 * serverInfo, instructions */
json_t *hub_gw_server_description(hub_gw_t *g);
/* the hub's serverInfo of the 2026 era's _meta: name, version */
json_t *hub_gw_server_info(void);

int hub_gw_fail(hub_gw_answer_t *a, int code, const char *message);
/* compact mode's meta tools (search_tools, call_tool), MCP definitions:
 * the hub's built-in tools (hub_servers_builtin_tools.c).  New ref. */
json_t *hub_gw_meta_tools(void);
/* 1 unless the tenant disabled built-in tool name (PUT
 * /v1/tools/builtin/{name}); 1 too when that cannot be read. */
int hub_gw_builtin_enabled(hub_gw_t *g, const char *name);

/* hub_servers_gateway_guard.c: approvals and rate limits of the tool of
 * row i (tool_id, permission, rate_limit_per_minute): DECLINED to call
 * it, else 0 with the answer in a */
extern const hub_stmt_t hub_servers_gateway_guard_stmts[];
int hub_gw_guard(hub_gw_t *g, const hub_rows_t *rows, int i, const char *name,
                 json_t *args, const char *owner, hub_gw_answer_t *a);
/* counts of minutes gone (the prober, hourly) */
void hub_gw_guard_forget(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd);

/* hub_servers_gateway_upstreams.c: tools/call of tool with args (not
 * stolen) on t, over a kept session when t is Streamable HTTP: 0 with
 * *result (a reference the caller owns), or -1 with what went wrong in
 * *info (its strings in rp) */
int hub_gw_upstream_call(apr_pool_t *rp, const hub_mcp_target_t *t,
                         const char *tool, json_t *args, json_t **result,
                         hub_mcp_probe_t *info);
void hub_gw_upstreams_child_init(apr_pool_t *pchild);

/* The fingerprint of the tools an instance lists (name, definition, in
 * tools/list's order; "compact" in compact mode), on a background
 * connection: HUB_DB_OK with *fp, NULL when the instance is gone. */
hub_db_status_e hub_gw_tools_fingerprint(
    apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, const char *instance,
    const char *tenant, const char *user, const char **fp);
/* the user whose project-user state limits the tools (GW_TOOLS_FROM):
 * the caller's, NULL for a navigator key */
const char *hub_gw_caller_user(const hub_gw_t *g);

/* hub_servers_gateway_stream.c: the server-to-client streams that say
 * when the tool list changed.  GET with a 2025-era session (the session
 * checked, the answer sent) and subscriptions/listen (2026-07-28, m its
 * request); each answers the request. */
int hub_gw_stream_get(hub_gw_t *g);
int hub_gw_listen(hub_gw_t *g, const hub_rpc_msg_t *m);
/* whether this Location offers the streams (HubMcpStreams not 0) */
int hub_gw_streams_on(const hub_gw_t *g);
void hub_gw_streams_child_init(apr_pool_t *pchild);

/* hub_servers_gateway.c */
/* a JSON-RPC error as the answer, with its HTTP status: OK */
int hub_gw_send_error(hub_gw_t *g, int status, const json_t *id, int code,
                      const char *message);
/* who is calling, as sessions and approvals remember them */
const char *hub_gw_owner(hub_gw_t *g);
/* a stream's call record, once it has ended: method, bytes sent */
void hub_gw_record_stream(hub_gw_t *g, const char *method, apr_size_t sent);
/* A compact navigator's search_tools call is a query: its record gets the
 * text and a new query id, which the session's later calls carry. */
void hub_gw_query_begin(hub_gw_t *g, const char *text);
/* whether the 2025-era session (its hash) is live, marked seen when it
 * was last more than a minute ago; on a background connection.  1 live,
 * 0 ended or gone, -1 unknown (the database is away) */
int hub_gw_session_live(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd,
                        const char *hash);
extern const hub_stmt_t hub_servers_gateway_stmts[];
void hub_servers_gateway_hooks(void);

#endif
