/* The OpenAPI document of what this hub serves for one profile, built from
 * the same route and field tables that drive routing and validation.
 * httpd-free.
 *
 * Everything comes from the route rows: the success status (route.status,
 * else 200), the answer's schema from the shape and the wrapper (a named
 * schema per shape in components.schemas, arrays and pages of it), query
 * parameters from the query table, the body from the field table, the
 * error statuses the dispatcher itself can give (401/403/503 when not
 * public, the profile's validation status, 404 with path parameters,
 * 413/415 with a body) in the profile's error envelope, and the security
 * schemes of the route's ways in.  A hand-built answer's schema and the
 * spec's name of a model are declared on the row too (.doc, hub_doc_t,
 * written with hub_openapi_schema.h next to the code that builds the
 * answer).  What is left (a status an operation picks itself, documents
 * that are not JSON, answers not yet moved onto their rows) comes from
 * the hints of hub_openapi_hints.c, which win over the row. */
#ifndef HUB_OPENAPI_H
#define HUB_OPENAPI_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

struct hub_field;

/* tables: hub_route_table_t; flags_ok as for hub_routes_lookup;
 * server_url: where the profile is mounted; raw_body: the body table of
 * operations that read their body themselves (hub_body_raw: an upload,
 * multipart/form-data).  A new reference. */
json_t *hub_openapi_build(apr_pool_t *p, const apr_array_header_t *tables,
                          unsigned profile, unsigned flags_ok,
                          const char *version, const char *server_url,
                          const struct hub_field *raw_body);

/* The document's path for a route path: ":id" becomes "{id}". */
const char *hub_openapi_path(apr_pool_t *p, const char *route_path);

/* What the document says of one route beyond its row. */
typedef enum {
    HUB_OA_BY_PATH = 0, /* rows: an array for a GET of a collection (the
                           path ends in a literal), else one object */
    HUB_OA_ONE,         /* one object */
    HUB_OA_MANY         /* an array */
} hub_oa_many_e;

typedef struct hub_openapi_hint {
    /* the route: one HUB_<profile> bit (0 ends the table), HUB_M_*, and
     * its path as its row writes it */
    unsigned profile;
    int method;
    const char *path;
    /* components.schemas name of the route's shape, or of `schema` (the
     * spec's model where it has one) */
    const char *model;
    /* one object or an array of the shape */
    hub_oa_many_e many;
    /* success statuses, space-separated, replacing the row's ("200 503":
     * a health check) */
    const char *ok;
    /* JSON text: the schema of a hand-built answer (no shape) */
    const char *schema;
    /* more error statuses the operation gives ("409 429") */
    const char *errors;
    /* documents that are not JSON: their types, space-separated */
    const char *content_type;
} hub_openapi_hint_t;

/* The hint of one route, NULL when it has none. */
const hub_openapi_hint_t *hub_openapi_hint(unsigned profile, int method,
                                           const char *path);

/* The whole table, ended by a row whose profile is 0 (for its tests). */
const hub_openapi_hint_t *hub_openapi_hints(void);

#endif
