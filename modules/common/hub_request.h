/* One hub request: route, parameters, body, and the answers in the
 * profile's own shapes.  Every module's handler is hub_dispatch(). */
#ifndef HUB_REQUEST_H
#define HUB_REQUEST_H

#include <httpd.h>
#include <jansson.h>
#include "hub_conf.h"
#include "hub_principal.h"
#include "hub_route.h"

struct hub_req {
    request_rec *r;
    apr_pool_t *pool;              /* r->pool */
    const hub_route_t *route;
    const hub_match_t *match;
    const hub_loc_conf_t *conf;
    unsigned profile;              /* the route's profile */
    apr_table_t *query;            /* decoded query arguments */
    json_t *body;                  /* validated body, NULL when none */
    const char *request_id;
    const char *base_url;          /* scheme://host[:port]/location */
    const hub_principal_t *who;    /* the caller; NULL on public routes */
};

/* Register a module's table with mod_hub_auth (from post_config). */
void hub_dispatch_register(const char *owner, const hub_route_t *routes);

/* The handler of every hub module: DECLINED unless the request matched one
 * of `owner`'s routes; answers 405, reads and validates the body, runs the
 * operation.  Returns OK once a response was sent. */
int hub_dispatch(request_rec *r, const char *owner);

/* Send `body` (a reference this call takes) as JSON with `status`. */
int hub_send_json(hub_req_t *hr, int status, json_t *body);

/* Send a text document as it is. */
int hub_send_text(hub_req_t *hr, int status, const char *content_type,
                  const char *text);

/* Send an error in the profile's envelope; code may be NULL. */
int hub_fail(hub_req_t *hr, int status, const char *code,
             const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Send a validation error for the problems (hub_invalid_t) found in
 * `where` ("body", "query", "path"). */
int hub_fail_invalid(hub_req_t *hr, const char *where,
                     apr_array_header_t *problems);

/* One problem with one field of `where` ("query", "path", "body"),
 * answered as hub_fail_invalid does. */
int hub_fail_field(hub_req_t *hr, const char *where, const char *field,
                   const char *type, const char *msg);

/* Caylex's pages: `size` (1..100, default 20) and an opaque `cursor`
 * from the query.  DECLINED, or the 422 already sent. */
struct hub_page;
int hub_query_size_cursor(hub_req_t *hr, struct hub_page *pg);

/* 503 in the envelope: the database cannot be reached. */
int hub_fail_unavailable(hub_req_t *hr);

/* The HUB_M_* of a request, -1 for methods no route can have. */
int hub_method_of(const request_rec *r);

const char *hub_param(const hub_req_t *hr, const char *name);
const char *hub_query(const hub_req_t *hr, const char *name);

#endif
