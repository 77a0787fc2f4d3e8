/* The MCP stdio transport: run an MCP server as a child process and speak
 * JSON-RPC to it as newline-delimited messages on its stdin and stdout.
 * httpd-free (APR + jansson).
 *
 * The command is started with apr_proc_create, no shell: argv[0] is
 * looked up in PATH (or taken as is when it holds a '/') and run with
 * execve, an explicit argv and an environment holding only PATH plus the
 * target's env entries.  Its stderr goes to /dev/null.
 *
 * The exchange is hub_mcp.c's (initialize → notifications/initialized →
 * tools/list page by page, tools/call, ...); this file is the transport
 * under it (hub_stdio_transport, hub_mcp_transport.h), and closing the
 * session closes stdin.  Requests the server sends meanwhile are
 * answered (ping with an empty result, anything else "method not found");
 * its notifications are ignored.  The whole session is bounded by the
 * policy's timeout_ms (poll on the pipes; a session kept for more calls
 * gets it again before each, hub_mcp_renew), and the child is always ended
 * and reaped when the session is closed, on success, failure and timeout
 * alike: stdin closed, a short wait, SIGTERM, a short grace, SIGKILL,
 * apr_proc_wait.
 *
 * Whether a command may run at all is the caller's business (mod_hub's
 * HubStdioAllow). */
#ifndef HUB_STDIO_H
#define HUB_STDIO_H

#include "hub_mcp.h"

#define HUB_STDIO_DEFAULT_TIMEOUT_MS 15000L
#define HUB_STDIO_DEFAULT_MAX_LINE   (8L * 1024 * 1024)

#endif
