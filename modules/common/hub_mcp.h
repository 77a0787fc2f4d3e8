/* The hub's MCP client: sessions with one MCP server (probe it, list and
 * call its tools), httpd-free (APR + jansson + hub_http).
 *
 * Streamable HTTP, both protocol eras:
 *
 *  1. The stateless revision 2026-07-28 first: one POST of
 *     `server/discover` carrying `_meta` (protocolVersion, clientInfo,
 *     clientCapabilities) and the `MCP-Protocol-Version` and `Mcp-Method`
 *     headers.  A result whose supportedVersions names 2026-07-28 selects
 *     that era; then `tools/list` with the same envelope, page by page.
 *  2. Otherwise the sessionful handshake of 2025-11-25 and before:
 *     `initialize` → `notifications/initialized` → `tools/list` pages, with
 *     `Mcp-Session-Id` echoed when the server gave one and
 *     `MCP-Protocol-Version` set to the negotiated version; the session is
 *     ended with DELETE.
 *
 * When the discover probe falls back, as the official SDK's classifier
 * does: a JSON-RPC error (method not found, unsupported version, ...), an
 * HTTP 4xx other than 401/403 (a 2025 server that wants a session answers
 * 400 or 404), or a result that is not a discover result.  What does not
 * fall back: no connection, a timeout, an internal address refused, 401 or
 * 403 (reachable, not authorised), a 5xx, and a 2xx answer that is not a
 * usable JSON-RPC reply (garbage, HTML, wrong id) — a server that answers
 * nonsense to one method is not assumed to be fine for another.
 *
 * Answers are accepted as application/json or as text/event-stream (the
 * response with the request's id is picked out of the stream).
 *
 * The legacy HTTP+SSE transport (2024-11-05: a GET stream whose first event
 * `endpoint` names where to POST, answers arriving on the stream) is used
 * when transport is "sse".  It needs a streaming GET: hub_http's streaming
 * interface, with the same address policy as every other request.
 *
 * The stdio transport (transport "stdio": a child process speaking
 * newline-delimited JSON-RPC) is in hub_stdio.h.
 *
 * A session (hub_mcp_open ... hub_mcp_close) is the one place the
 * sequence above is written, whatever the transport (the interface a
 * transport fills is hub_mcp_transport.h); hub_mcp_probe is open →
 * hub_mcp_list_tools → close.
 *
 * Upstream auth headers are sent as given and never appear in `error`. */
#ifndef HUB_MCP_H
#define HUB_MCP_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_http.h"

#define HUB_MCP_VERSION_MODERN "2026-07-28"
#define HUB_MCP_VERSION_LEGACY "2025-11-25"
#define HUB_MCP_MAX_PAGES      100 /* tools/list pages followed at most */

/* The initialize era's versions, newest first, NULL-ended: the ones this
 * client speaks and the gateway serves (hub_mcp_server.h); 1 when v is
 * one of them. */
extern const char *const hub_mcp_session_versions[];
int hub_mcp_session_version(const char *v);

typedef struct hub_mcp_target {
    const char *url;      /* the MCP endpoint (or the SSE URL) */
    apr_table_t *headers; /* upstream auth headers (secrets: never
                                     * logged); may be NULL */
    const hub_http_policy_t *policy;
    const char *transport; /* NULL/"streamable-http", "sse" or "stdio" */
    /* stdio (hub_stdio.h): the command and its arguments, NULL-terminated,
     * argv[0] the command (looked up in PATH); env entries "NAME=value",
     * NULL-terminated or NULL, added to PATH (secrets: never logged).
     * url and headers are not used. */
    const char *const *argv;
    const char *const *env;
} hub_mcp_target_t;

typedef struct hub_mcp_probe {
    int ok;                       /* tools listed */
    int unauthorized;             /* 401/403: reachable, not authorised */
    long http_status;             /* of the last answer (0: none) */
    const char *protocol_version; /* negotiated: "2026-07-28", ... */
    const char *server_name, *server_version;
    json_t *tools;       /* every tool of every page, as the
                                     * server gave them; owned by the pool */
    int pages;           /* tools/list pages read */
    int session_deleted; /* DELETE of the session answered 2xx */
    double latency_ms;   /* the whole probe */
    const char *error;   /* why not ok; never a header value */
    /* the last failure was the server's JSON-RPC error: its code (else
     * 0) and message (cut), for a gateway that passes them on */
    long rpc_code;
    const char *rpc_message;
    int timed_out; /* the last failure was a time limit's */
} hub_mcp_probe_t;

typedef struct hub_mcp_session hub_mcp_session_t;

/* Open a session with t: reach the server and do the handshake (the
 * discover probe, or initialize and notifications/initialized).  *s is
 * set in every case: 0 when the session is usable, -1 when not (why in
 * hub_mcp_info(*s)->error).  Close it in every case (a cleanup of p does
 * when it is not).  Everything is allocated in p.  The whole session is
 * bounded by the policy's timeout_ms on the stdio and SSE transports
 * (each HTTP exchange by it on Streamable HTTP). */
int hub_mcp_open(apr_pool_t *p, const hub_mcp_target_t *t,
                 hub_mcp_session_t **s);

/* What the session knows: protocol_version, server_name/version,
 * http_status (of the last answer), unauthorized, error (of the last
 * failure), and after hub_mcp_list_tools tools and pages. */
const hub_mcp_probe_t *hub_mcp_info(const hub_mcp_session_t *s);

/* One JSON-RPC request: params is stolen (may be NULL: {}).  0 with
 * *result the result object (pool-owned), or -1 with the error in
 * hub_mcp_info(s)->error ("method: why"). */
int hub_mcp_request(hub_mcp_session_t *s, const char *method, json_t *params,
                    json_t **result);

/* tools/call of tool with args (stolen; may be NULL: {}): 0 with *result
 * the CallToolResult, which may say "isError": true (the tool failed and
 * said so; that is an answer, not a failure of the call); -1 as
 * hub_mcp_request. */
int hub_mcp_call(hub_mcp_session_t *s, const char *tool, json_t *args,
                 json_t **result);

/* Every tool of every tools/list page (at most HUB_MCP_MAX_PAGES): 0 with
 * *tools the array (pool-owned), or -1. */
int hub_mcp_list_tools(hub_mcp_session_t *s, json_t **tools);

/* A session kept for another call: the time limit of a transport that
 * bounds the whole session (stdio) begins again, so that a long-lived
 * session is bounded call by call. */
void hub_mcp_renew(hub_mcp_session_t *s);

/* End the session: DELETE it (sessionful Streamable HTTP), close the
 * stream (SSE), end and reap the child (stdio).  Idempotent. */
void hub_mcp_close(hub_mcp_session_t *s);

/* Probe t: everything allocated in p (jansson values tied to p).  Returns
 * out->ok.  Thread-safe once curl_global_init has run. */
int hub_mcp_probe(apr_pool_t *p, const hub_mcp_target_t *t,
                  hub_mcp_probe_t *out);

#endif
