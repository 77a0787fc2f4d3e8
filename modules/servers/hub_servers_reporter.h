/* Who may report about a server (heartbeats, feedback): see
 * hub_servers_reporter.c. */
#ifndef HUB_SERVERS_REPORTER_H
#define HUB_SERVERS_REPORTER_H

#include "hub_request.h"
#include "hub_result.h"

#define HUB_REPORTER_NARGS 5

typedef struct hub_reporter {
    int by_server;    /* a server key, not an API key */
    const char *slug; /* the body's server_slug, or NULL */
    /* the statement's first arguments: tenant, the key's server (NULL
     * for an API key), server_slug, via ("server_key" | "api_key"), the
     * key's id */
    const char *args[HUB_REPORTER_NARGS];
} hub_reporter_t;

/* Fill rep for this request.  DECLINED, or the 403 in res ("<what> needs
 * write access") for an API key without write access.  An API key that
 * names no server_slug adds a "missing" problem to problems, worded
 * "Field required with an API key: <slug_why>". */
int hub_servers_reporter(hub_req_t *hr, hub_result_t *res, const char *what,
                         const char *slug_why, apr_array_header_t *problems,
                         hub_reporter_t *rep);

/* The statement found no server for rep: a server key that named another
 * server (403), or no such server in the tenant (404). */
int hub_servers_reporter_missing(const hub_reporter_t *rep, hub_result_t *res);

#endif
