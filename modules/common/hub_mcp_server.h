/* The server side of MCP, as far as it needs no httpd: JSON-RPC messages
 * read and answered, protocol versions negotiated, and the opaque cursors
 * of list pages.  The gateway (modules/servers/hub_servers_gateway.c)
 * serves navigator instances with it; the client side is hub_mcp.h.
 * httpd-free (APR + jansson). */
#ifndef HUB_MCP_SERVER_H
#define HUB_MCP_SERVER_H

#include <apr_pools.h>
#include <jansson.h>
#include "hub_mcp.h" /* the version names */

/* JSON-RPC 2.0's codes, and MCP's own */
#define HUB_RPC_PARSE_ERROR         -32700
#define HUB_RPC_INVALID_REQUEST     -32600
#define HUB_RPC_METHOD_NOT_FOUND    -32601
#define HUB_RPC_INVALID_PARAMS      -32602
#define HUB_RPC_INTERNAL_ERROR      -32603
#define HUB_RPC_SERVER_ERROR        -32000 /* the SDKs' transport errors */
#define HUB_RPC_SESSION_UNKNOWN     -32001
#define HUB_RPC_HEADER_MISMATCH     -32020 /* 2026-07-28: header vs body */
#define HUB_RPC_UNSUPPORTED_VERSION -32022

typedef enum {
    HUB_RPC_REQUEST,      /* method and id */
    HUB_RPC_NOTIFICATION, /* method, no id */
    HUB_RPC_RESPONSE,     /* result or error for one of ours */
    HUB_RPC_INVALID
} hub_rpc_kind_e;

typedef struct hub_rpc_msg {
    hub_rpc_kind_e kind;
    json_t *id;         /* borrowed from the message; NULL without */
    const char *method; /* borrowed */
    json_t *params;     /* borrowed; NULL when absent */
    const char *why;    /* HUB_RPC_INVALID: what is wrong */
} hub_rpc_msg_t;

/* What msg is (one message; a batch is the caller's to refuse).  The id
 * must be a string or an integer (MCP: never null); params, when there,
 * an object.  Returns out->kind. */
hub_rpc_kind_e hub_rpc_read(json_t *msg, hub_rpc_msg_t *out);

/* {"jsonrpc":"2.0","id":id,"result":result}; result is stolen (NULL: {}),
 * id copied (NULL: null). */
json_t *hub_rpc_result(const json_t *id, json_t *result);

/* {"jsonrpc":"2.0","id":id,"error":{"code","message"[,"data"]}}; data is
 * stolen and may be NULL. */
json_t *hub_rpc_error(const json_t *id, int code, const char *message,
                      json_t *data);

/* The version the server answers an initialize with: the client's when
 * it is one of hub_mcp_session_versions (hub_mcp.h), else the newest
 * (the client then decides whether to go on). */
const char *hub_mcp_negotiate(const char *requested);

/* ---- the two eras on one endpoint (2026-07-28's "era classification",
 * as the official SDK v2 serves both) ----------------------------------- */

#define HUB_MCP_ERA_SESSION  0x1 /* 2025-11-25 and before: initialize */
#define HUB_MCP_ERA_MODERN   0x2 /* 2026-07-28: stateless */
#define HUB_MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"
#define HUB_MCP_META_CAPS    "io.modelcontextprotocol/clientCapabilities"
#define HUB_MCP_META_CLIENT  "io.modelcontextprotocol/clientInfo"
#define HUB_MCP_META_SERVER  "io.modelcontextprotocol/serverInfo"

/* What a message is to the endpoint: an era to serve it in, or a refusal
 * (status nonzero: that HTTP status with a JSON-RPC error of code,
 * message and data, owned by the caller). */
typedef struct hub_mcp_verdict {
    int era;             /* HUB_MCP_ERA_* */
    const char *version; /* modern: the revision the body names */
    int status;
    int code;
    const char *message;
    json_t *data;
} hub_mcp_verdict_t;

/* The era of m, from its body: a request whose params._meta has the
 * protocolVersion key is modern (its envelope checked: -32602), else it
 * is of the 2025 era; the MCP-Protocol-Version header (hv) and Mcp-Method
 * (hm), trimmed, only cross-check it (-32020).  A notification with no
 * envelope but a modern header is modern.  0, or -1 refused. */
int hub_mcp_classify(apr_pool_t *p, const hub_rpc_msg_t *m, const char *hv,
                     const char *hm, hub_mcp_verdict_t *v);

/* A modern request's own checks, in the SDK's order: the revision
 * (-32022), then MCP-Protocol-Version and Mcp-Method present, then
 * Mcp-Name (hn) against params.name / uri / taskId for the methods that
 * mirror one, Base64 sentinels (=?base64?...?=) decoded (-32020).  0, or
 * -1 refused. */
int hub_mcp_check_modern(apr_pool_t *p, const hub_rpc_msg_t *m, const char *hv,
                         const char *hm, const char *hn, hub_mcp_verdict_t *v);

/* A header value as MCP compares it: a Base64 sentinel decoded (NULL
 * when it does not decode to UTF-8), anything else as it is. */
const char *hub_mcp_header_text(apr_pool_t *p, const char *raw);

/* A list page's cursor for the next offset, and back: 0 with *offset, or
 * -1 when the text is not a cursor this server gave (-32602). */
const char *hub_mcp_cursor(apr_pool_t *p, long offset);
int hub_mcp_cursor_offset(const char *cursor, long *offset);

#endif
