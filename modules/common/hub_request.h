/* One hub request: route, parameters, body, and the answers in the
 * profile's own shapes.  Every module's handler is hub_dispatch(). */
#ifndef HUB_REQUEST_H
#define HUB_REQUEST_H

#include <httpd.h>
#include <jansson.h>
#include "hub_conf.h"
#include "hub_principal.h"
#include "hub_query.h"
#include "hub_result.h"
#include "hub_route.h"

struct hub_req {
    request_rec *r;
    apr_pool_t *pool; /* r->pool */
    const hub_route_t *route;
    const hub_match_t *match;
    const hub_loc_conf_t *conf;
    unsigned profile;   /* the route's profile */
    apr_table_t *query; /* decoded query arguments */
    json_t *body;       /* validated body, NULL when none */
    const char *request_id;
    const char *base_url;       /* scheme://host[:port]/location */
    const hub_principal_t *who; /* the caller; NULL on public routes */
    hub_qvals_t q;              /* the query, by the route's table */
    hub_result_t *res;          /* what the operation answers */
};

/* The origin (scheme://host[:port]) clients reach this request's server
 * at: HubPublicUrl's, else httpd's own view (ap_construct_url). */
const char *hub_req_origin(request_rec *r);

/* Register a module's table with mod_hub_auth (from post_config). */
void hub_dispatch_register(const char *owner, const hub_route_t *routes);

/* The handler of every hub module: DECLINED unless the request matched one
 * of `owner`'s routes.  Then, in order: 405; the ways in and the route's
 * need (401, 403); the query by the route's table and the body by its
 * fields (400/422); the operation; and the one rendering of its result in
 * the profile's envelope and the route's wrapper and status.  Nothing
 * else in the hub writes a response, but hub_stream.c's event streams. */
int hub_dispatch(request_rec *r, const char *owner);

/* The request body, refused past `limit` bytes: OK, 413 or 400.  For the
 * operations whose route takes the body raw (uploads). */
int hub_read_body(hub_req_t *hr, apr_off_t limit, char **buf, apr_size_t *len);

/* For a handler that is no route's (the MCP gateway speaks JSON-RPC,
 * not a profile's REST): the body, refused past limit (OK, 413 or 400),
 * and a JSON answer through the same one writer (body NULL: none),
 * returning the bytes of its body. */
int hub_body_read(request_rec *r, apr_off_t limit, char **buf, apr_size_t *len);
apr_size_t hub_send_json(request_rec *r, int status, json_t *body);

/* The HUB_M_* of a request, -1 for methods no route can have. */
int hub_method_of(const request_rec *r);

const char *hub_param(const hub_req_t *hr, const char *name);
const char *hub_query(const hub_req_t *hr, const char *name);

/* The path parameter `name` when it is a UUID; else NULL with FastAPI's
 * 422 for it (uuid_parsing, in "path") in res. */
const char *hub_param_uuid(hub_req_t *hr, hub_result_t *res, const char *name);

/* Run st with args (as hub_db_select) for the one row it finds: DECLINED
 * with it in *row, else HUB_DONE with the answer in res (the database's
 * failure, or 404 with the detail not_found). */
struct hub_stmt;
int hub_select_one(hub_req_t *hr, hub_result_t *res, const struct hub_stmt *st,
                   int nargs, const char **args, hub_rows_t **row,
                   const char *not_found);

/* Run a page statement (its first column the total, hub_rows_page_total;
 * no row at all when not_found is said: the parent is not there) and
 * answer its rows in shape as page pg of the route's wrapper: HUB_DONE,
 * the answer in res. */
struct hub_page;
int hub_select_page(hub_req_t *hr, hub_result_t *res, const struct hub_stmt *st,
                    int nargs, const char **args, const hub_shape_t *shape,
                    const struct hub_page *pg, const char *not_found);

#endif
