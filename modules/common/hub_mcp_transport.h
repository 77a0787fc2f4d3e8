/* The inside of the MCP client (hub_mcp.h): a session over a transport.
 * Private to hub_mcp.c and the transports (hub_stdio.c); httpd-free.
 *
 * hub_mcp.c writes the protocol once (the discover probe of 2026-07-28,
 * the initialize handshake, tools/list paging, tools/call) over the small
 * interface a transport fills: reach the server, send one request and
 * judge its answer, send one notification, end.  The transports are
 * Streamable HTTP and legacy HTTP+SSE (hub_mcp.c) and stdio
 * (hub_stdio.c). */
#ifndef HUB_MCP_TRANSPORT_H
#define HUB_MCP_TRANSPORT_H

#include "hub_mcp.h"

typedef enum {
    HUB_MCP_REPLY_RESULT,     /* a JSON-RPC result object */
    HUB_MCP_REPLY_RPC_ERROR,  /* a JSON-RPC error object */
    HUB_MCP_REPLY_HTTP_ERROR, /* a non-2xx status, no JSON-RPC error */
    HUB_MCP_REPLY_FAILED,     /* no answer: refused, timeout, ... */
    HUB_MCP_REPLY_UNUSABLE    /* an answer, but not a usable reply */
} hub_mcp_reply_kind_e;

/* What one request got back. */
typedef struct hub_mcp_reply {
    hub_mcp_reply_kind_e kind;
    long status;          /* HTTP status (0: none) */
    json_t *result;       /* RESULT: the result object (pool-owned) */
    long code;            /* RPC_ERROR */
    const char *message;  /* RPC_ERROR, cut */
    json_t *data;         /* RPC_ERROR */
    const char *error;    /* FAILED, UNUSABLE, HTTP_ERROR */
    apr_table_t *headers; /* of the HTTP answer, or NULL */
} hub_mcp_reply_t;

typedef struct hub_mcp_transport {
    const char *name;
    int discover; /* try the stateless 2026-07-28 era first */
    /* Reach the server (start the child, open the stream): 0, or -1
     * with s->info.error set. */
    int (*open)(hub_mcp_session_t *s);
    /* Send the request body (id: its JSON-RPC id; name: the Mcp-Name of
     * a tools/call, or NULL) and judge its answer into r. */
    void (*request)(hub_mcp_session_t *s, const char *method, const char *name,
                    const char *body, const json_t *id, hub_mcp_reply_t *r);
    /* Send a notification: 0 when it was taken, else -1 and *why. */
    int (*notify)(hub_mcp_session_t *s, const char *method, const char *body,
                  const char **why);
    /* End the session and release what open took; called once. */
    void (*close)(hub_mcp_session_t *s);
    /* A kept session is about to serve another call: its time limit
     * begins again (NULL: the transport bounds each request itself). */
    void (*renew)(hub_mcp_session_t *s);
} hub_mcp_transport_t;

struct hub_mcp_session {
    apr_pool_t *p;
    const hub_mcp_target_t *t;
    hub_http_policy_t pol;
    const hub_mcp_transport_t *tp;
    void *tx;               /* the transport's own state */
    hub_mcp_probe_t info;   /* what is known; error of the last failure */
    int modern;             /* 2026-07-28 envelope on requests */
    const char *version;    /* MCP-Protocol-Version to send */
    const char *session_id; /* Mcp-Session-Id the server gave */
    long next_id;
    int opened, closed;
};

/* A server's text (an error message), cut to a sane length. */
const char *hub_mcp_cut(apr_pool_t *p, const char *s);

/* The stdio transport (hub_stdio.c). */
extern const hub_mcp_transport_t hub_stdio_transport;

#endif
