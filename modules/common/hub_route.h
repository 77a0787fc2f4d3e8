/* Declarative route tables and the path matcher.  httpd-free: the glue in
 * hub_dispatch.c maps httpd's method numbers onto HUB_M_*. */
#ifndef HUB_ROUTE_H
#define HUB_ROUTE_H

#include <apr_pools.h>
#include <apr_tables.h>

/* marks a parameter a hook's signature imposes but the function does not
 * use, so -Wextra stays quiet without dropping the warning everywhere */
#define HUB_UNUSED __attribute__((unused))

#define HUB_M_GET     0
#define HUB_M_PUT     1
#define HUB_M_POST    2
#define HUB_M_DELETE  3
#define HUB_M_PATCH   4
#define HUB_M_OPTIONS 5
#define HUB_M_HEAD    6
#define HUB_M_COUNT   7

/* ways in: how a caller may authenticate for a route (mod_hub_auth) */
#define HUB_IN_PUBLIC    0x01u /* no credentials needed */
#define HUB_IN_APIKEY    0x02u /* Authorization: Bearer hub_... or X-API-Key */
#define HUB_IN_GATEWAY   0x04u /* GoClaw's gateway token (HubGatewayToken) */
#define HUB_IN_JWT       0x08u /* a signed access token */
#define HUB_IN_SESSION   0x10u /* a session cookie */
#define HUB_IN_SERVERKEY 0x20u /* a per-server key (heartbeats) */

/* route flags */
#define HUB_ROUTE_DIAG 0x01u /* served only with HubDiagnostics On */

#define HUB_MAX_PARAMS 8

/* What a route needs of its caller (hub_access.h): checked by the
 * dispatcher before the operation runs, refused in the profile's words. */
typedef enum {
    HUB_NEED_ANY = 0,  /* any caller that came in a way the route
                          accepts; the operation decides the rest */
    HUB_NEED_PUBLIC,   /* no credentials at all */
    HUB_NEED_READ,     /* read access in the caller's tenant */
    HUB_NEED_WRITE,    /* change things in it */
    HUB_NEED_ADMIN,    /* administer it (owner, admin, admin scope) */
    HUB_NEED_SUPERUSER /* the hub's own superusers */
} hub_need_e;

typedef struct hub_req hub_req_t;
typedef struct hub_field hub_field_t;
typedef struct hub_qfield hub_qfield_t;
typedef struct hub_shape hub_shape_t;
typedef struct hub_result hub_result_t;

/* What the served OpenAPI document says of a route's answer that its row
 * cannot (hub_openapi.c): the spec's name of its model, and the schema of
 * an answer the operation builds by hand, written where the route is
 * (hub_openapi_schema.h).  One item of the answer: the route's wrapper
 * and paging apply to it as to a shape.  t/http/63-openapi-complete.t
 * checks each against live answers. */
typedef struct hub_doc {
    const char *model;  /* components.schemas name (the spec's model);
                           NULL: made from the route's summary */
    const char *schema; /* JSON text; NULL: the route's shape */
    int one;            /* one object, though the route is a GET of a
                           path that ends in a literal (which lists) */
} hub_doc_t;
#define HUB_DOC(model, schema)     (&(const hub_doc_t){ (model), (schema), 0 })
#define HUB_DOC_ONE(model, schema) (&(const hub_doc_t){ (model), (schema), 1 })

/* An operation: parsed input and the caller in, a result out (it never
 * writes the response; hub_dispatch renders the result once). */
typedef int (*hub_op_fn)(hub_req_t *req, hub_result_t *res);

/* One endpoint of one profile.  The first eight members are written in
 * order; the rest by name (.need = ..., .shape = ...), zero when unsaid. */
typedef struct hub_route {
    unsigned profile; /* one HUB_<profile> bit */
    int method;       /* HUB_M_* */
    const char *path; /* as the document writes it: {p} or :p */
    hub_op_fn op;
    const hub_field_t *body;   /* JSON body fields; NULL: no body read */
    unsigned ways_in;          /* HUB_IN_*; 0: the profile's default */
    unsigned flags;            /* HUB_ROUTE_* */
    const char *summary;       /* for the served OpenAPI documents */
    hub_need_e need;           /* checked before op runs */
    const hub_qfield_t *query; /* query parameters; NULL: not parsed */
    const hub_shape_t *shape;  /* rows -> JSON, for results of rows */
    int wrap;                  /* hub_wrap_e: how the answer is wrapped */
    const char *key;           /* HUB_WRAP_KEY's member name */
    int status;                /* success status; 0: 200 (204 when empty) */
    const void *words;         /* what an operation shared by several
                                  profiles reads of this one (its words,
                                  answers, hooks); the operation's header
                                  names the type.  NULL: nothing */
    const hub_doc_t *doc;      /* the answer in the OpenAPI document
                                  beyond .shape; NULL: the shape alone */
} hub_route_t;

/* A module's table, ended by a row whose path is NULL. */
typedef struct hub_route_table {
    const char *owner; /* "hub_auth", "hub_servers", ... */
    const hub_route_t *routes;
} hub_route_table_t;

typedef struct hub_match {
    const hub_route_t *route; /* NULL when only the path matched: 405;
                                 or when one of the two below is set */
    const char *owner;        /* owner of route's table */
    unsigned allow;           /* bit per HUB_M_* the path answers to */
    unsigned profile;         /* profile of the best path match */
    int missing;              /* no route, in the space of `profile`: its
                                 404 */
    const char *redirect;     /* the route's path (relative to the
                                 mount) this one differs from by its
                                 trailing slash: a 307 there */
    int nparams;
    const char *names[HUB_MAX_PARAMS];
    const char *values[HUB_MAX_PARAMS];
} hub_match_t;

/* Match one pattern against a raw (still %-encoded) relative path.  Literal
 * segments compare after decoding; parameters are captured decoded.  A
 * trailing slash must agree.  Returns the number of literal segments plus
 * one on a match (higher is more specific), 0 otherwise. */
int hub_route_match_path(const char *pattern, const char *path, apr_pool_t *p,
                         hub_match_t *m);

/* Look a request up in every table (an array of hub_route_table_t).
 * Only routes of the profiles in `profiles` and without flags outside
 * `flags_ok` take part.  Returns 1 when some route's path matched: then
 * out->route is the most specific route for this method, or NULL with
 * out->allow listing the methods that would match. */
int hub_routes_lookup(const apr_array_header_t *tables, unsigned profiles,
                      unsigned flags_ok, int method, const char *path,
                      apr_pool_t *p, hub_match_t *out);

/* The same lookup over an index of the tables (a tree of path segments),
 * built once at post_config (in the parent, before any request) in a pool
 * that outlives the tables' use; the answer is always the scan's. */
typedef struct hub_route_index hub_route_index_t;
hub_route_index_t *hub_route_index_make(apr_pool_t *p,
                                        const apr_array_header_t *tables);
int hub_route_index_lookup(const hub_route_index_t *ix, unsigned profiles,
                           unsigned flags_ok, int method, const char *path,
                           apr_pool_t *p, hub_match_t *out);
/* how many routes it holds */
int hub_route_index_size(const hub_route_index_t *ix);
/* Which of `profiles` a path no route matched belongs to: the profile of
 * the routes sharing its longest leading run of segments (literal, or a
 * parameter's place), the earliest profile bit on a tie; 0 when not even
 * its first segment begins a route of theirs (a static file, say). */
unsigned hub_route_index_claim(const hub_route_index_t *ix, unsigned profiles,
                               const char *path, apr_pool_t *p);

/* The value of a captured parameter, NULL when absent. */
const char *hub_match_param(const hub_match_t *m, const char *name);

/* "GET, POST" for a method mask. */
const char *hub_methods_allow(apr_pool_t *p, unsigned mask);
const char *hub_method_name(int method);
int hub_method_from_name(const char *name);

/* Decode %XX escapes of one path segment; NULL on a bad escape or NUL. */
char *hub_url_decode(apr_pool_t *p, const char *s, size_t len);

/* Strip a Location prefix from a raw path by skipping as many segments as
 * the prefix has (httpd decoded the path it matched, not the raw one).
 * Returns the remainder starting with "/", or NULL when the path lies
 * outside the prefix. */
const char *hub_path_relative(const char *prefix, const char *raw_path);

#endif
