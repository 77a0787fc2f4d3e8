/* The server registry's one data model and its operations, for every
 * profile that shows servers (Patchwork, Tool Hub, GoClaw, Caylex).
 *
 * The statements (hub_servers_store.c) are the only SQL over `servers`.
 * The operations list, get, create, update and delete are written once;
 * a profile describes itself in a hub_srv_profile_t: how its body members
 * map onto the store's fields, its words (not found, name taken, in use),
 * what it answers, and small hooks for the rules only it has (Tool Hub's
 * stdio command, GoClaw's transports, Caylex's auth configs).  Its route
 * rows name the operation and carry the shape, wrapper and status. */
#ifndef HUB_SERVERS_STORE_H
#define HUB_SERVERS_STORE_H

#include <jansson.h>
#include "hub_db.h"
#include "hub_request.h"
#include "hub_result.h"
#include "hub_rows.h"

/* the columns a request can write, in the order of the statements */
typedef enum {
    HUB_SRV_SLUG = 0,
    HUB_SRV_NAME,
    HUB_SRV_DESCRIPTION,
    HUB_SRV_MODE,      /* remote | stdio | heartbeat */
    HUB_SRV_TRANSPORT, /* streamable_http | sse | stdio */
    HUB_SRV_ENDPOINT,
    HUB_SRV_COMMAND,
    HUB_SRV_ARGS,         /* JSON array text */
    HUB_SRV_ENV_NAMES,    /* text[] literal */
    HUB_SRV_AUTH_METHOD,  /* none | header | query | path | oauth */
    HUB_SRV_AUTH_LEVEL,   /* project | user */
    HUB_SRV_QUERY_PARAMS, /* JSON array text */
    HUB_SRV_SERVER_TYPE,  /* caylex | external | foundry */
    HUB_SRV_REGISTRY_ID,
    HUB_SRV_LOGO_URL,
    HUB_SRV_GITHUB_REPO,
    HUB_SRV_DEFAULT_BRANCH,
    HUB_SRV_TOOL_PREFIX,
    HUB_SRV_TIMEOUT,
    HUB_SRV_ENABLED,
    HUB_SRV_NFIELDS
} hub_srv_field_e;

/* What a request says about a server.  set[f]: given; val[f]: its text
 * (NULL: SQL NULL).  auth_config: keys merged over the stored object
 * (JSON text, "{}" for none).  secrets: name -> plaintext value, or JSON
 * true to keep the stored value of that name; replace: LIKE patterns
 * ("header:%") of stored secrets dropped first. */
typedef struct hub_server_in {
    int set[HUB_SRV_NFIELDS];
    const char *val[HUB_SRV_NFIELDS];
    json_t *auth_config;
    json_t *secrets;
    apr_array_header_t *replace; /* const char * */
} hub_server_in_t;

void hub_servers_in_init(apr_pool_t *p, hub_server_in_t *in);
void hub_servers_in_set(hub_server_in_t *in, hub_srv_field_e f,
                        const char *val);
/* A secret value for name ("header:X-Api-Key"); value NULL keeps the
 * stored one. */
void hub_servers_in_secret(hub_server_in_t *in, const char *name,
                           const char *value);
void hub_servers_in_replace(hub_server_in_t *in, const char *pattern);

/* The columns a list selects: every one, or only those of Patchwork's
 * ServerOut (its shape; no decorator is called on such a list) */
typedef enum { HUB_SRV_COLS_ALL = 0, HUB_SRV_COLS_OUT } hub_srv_cols_e;

typedef struct hub_server_filter {
    const char *mode, *transport, *auth_method, *server_type, *auth_level;
    const char *q;    /* in slug, name or description, any case */
    const char *sort; /* name_asc|name_desc|created_asc|created_desc */
    long limit;       /* < 0: all */
    long offset;
    hub_srv_cols_e cols;
} hub_server_filter_t;

typedef enum {
    HUB_SRV_STORED = 0,
    HUB_SRV_NO_KEY, /* secrets given but no HubSecretKeyFile */
    HUB_SRV_SEAL_FAILED
} hub_srv_seal_e;

/* Rows carry the columns of SERVER_COLS (hub_servers_store.c): never a
 * secret, only secret_names.  Every call acts in the caller's tenant. */
hub_db_status_e hub_servers_create(hub_req_t *hr, hub_server_in_t *in,
                                   hub_rows_t **row, hub_srv_seal_e *seal);
/* No row when there is no such server in the tenant, or id is no UUID. */
hub_db_status_e hub_servers_get(hub_req_t *hr, const char *id,
                                hub_rows_t **row);
hub_db_status_e hub_servers_update(hub_req_t *hr, const char *id,
                                   hub_server_in_t *in, hub_rows_t **row,
                                   hub_srv_seal_e *seal);
/* *found 0: no such server; *in_use: the projects using it (a text[]
 * literal, NULL when none): then nothing was deleted. */
hub_db_status_e hub_servers_delete(hub_req_t *hr, const char *id, int *found,
                                   const char **slug, const char **in_use);
hub_db_status_e hub_servers_list(hub_req_t *hr, const hub_server_filter_t *f,
                                 hub_rows_t **rows, long *total);

/* NULL, or why a server cannot be registered at url: its host is a
 * literal internal address outside HubOutboundAllow (hub_addr.h).  Names
 * resolve at connect time, where hub_http checks them again. */
const char *hub_servers_url_refused(hub_req_t *hr, const char *url);

/* A seal that failed (logged): 500. */
int hub_servers_seal_fail(hub_req_t *hr, hub_result_t *res,
                          hub_srv_seal_e seal);

/* JSON of a text[] column ("{a,b}"), [] for NULL. */
json_t *hub_servers_names_json(const char *pg_array);
/* PostgreSQL's text[] literal of a JSON array of strings (hub_pg_array). */
const char *hub_servers_pg_array(apr_pool_t *p, const json_t *strings);
/* The secret names of a row with this prefix ("header:") as an object
 * of name -> "********". */
json_t *hub_servers_masked(const char *pg_array, const char *prefix);

#define HUB_SRV_MASK "********"

extern const hub_stmt_t hub_servers_store_stmts[];

/* ---- one operation per verb ---------------------------------------- */

/* How a body member goes into a field (hub_srv_map_t.how). */
typedef enum {
    HUB_SRV_TEXT = 0, /* a string; null: SQL NULL */
    HUB_SRV_JSON,     /* the value as JSON text; null: SQL NULL */
    HUB_SRV_INT,
    HUB_SRV_BOOL,
    HUB_SRV_SLUG_OF, /* slugified into SLUG, given into NAME */
    HUB_SRV_IS_SLUG, /* must already be a slug: into SLUG */
    HUB_SRV_URL      /* an http(s) URL that may be registered */
} hub_srv_how_e;

#define HUB_SRV_SKIP_NULL  0x01u /* null: as if absent */
#define HUB_SRV_EMPTY_NULL 0x02u /* "": SQL NULL */

typedef struct hub_srv_map {
    const char *member; /* the body's name; NULL ends a table */
    hub_srv_field_e to;
    hub_srv_how_e how;
    unsigned flags; /* HUB_SRV_SKIP_NULL, _EMPTY_NULL */
} hub_srv_map_t;

/* A body and how its problems are said: bad_status 0 for the profile's
 * validation error naming the field (FastAPI's 422), else that status
 * with bad_code and "<member>: why". */
typedef struct hub_srv_input {
    const hub_srv_map_t *map;
    int bad_status;
    const char *bad_code;
} hub_srv_input_t;

typedef enum {
    HUB_SRV_LISTED = 0, /* an item of a list */
    HUB_SRV_READ,       /* one server, asked for */
    HUB_SRV_WRITTEN     /* the server just created */
} hub_srv_view_e;

typedef struct hub_srv_profile {
    unsigned profile;
    const char *id_param; /* the path parameter naming a server */
    /* words */
    const char *not_found_code;
    const char *not_found; /* may hold one %s: the id */
    const char *conflict;  /* 409: a name taken */
    int in_use_status;     /* delete of a server projects use */
    const char *in_use_code;
    int in_use_counted;       /* 1: "associated with N project(s)...
                                 IDs: a, b" (Caylex), 0: "connected
                                 to projects {..}" */
    const char *default_sort; /* NULL: newest first */
    /* input */
    hub_srv_input_t create_in, update_in;
    /* not NULL: mode remote with an endpoint, else this (Patchwork's
     * servers without one report through heartbeats) */
    const char *mode_by_endpoint;
    /* the profile's own rules after the map: DECLINED, or HUB_DONE with
     * the error in res.  old: the stored row (NULL on create). */
    int (*take)(hub_req_t *hr, hub_result_t *res, const hub_srv_input_t *how,
                hub_server_in_t *in, const hub_rows_t *old);
    /* output: members the route's shape cannot say, added to o */
    void (*decorate)(hub_req_t *hr, const hub_rows_t *rows, int i, json_t *o,
                     hub_srv_view_e view);
    hub_srv_cols_e list_cols;    /* what its lists select */
    int created_id;              /* 1: create answers {"id"} only */
    const char *updated_status;  /* {"status": this}; NULL: {"id"} */
    const char *deleted_status;  /* {"status": this} */
    const char *deleted_message; /* {server_id, message} ("%s": slug);
                                    neither: no body (204) */
} hub_srv_profile_t;

extern const hub_srv_profile_t hub_servers_pw_profile;
extern const hub_srv_profile_t hub_servers_th_profile;
extern const hub_srv_profile_t hub_servers_gc_profile;
extern const hub_srv_profile_t hub_servers_cx_profile;

/* The registry's description of a profile (Patchwork's for a profile
 * without a registry of its own), and its 404 for a server: id for the
 * words' %s (NULL: ""). */
const hub_srv_profile_t *hub_servers_profile(unsigned profile);
int hub_servers_not_found(hub_result_t *res, const hub_srv_profile_t *P,
                          const char *id);

/* The operations, for the route rows of every profile.  List reads
 * mode, transport, auth_method, server_type, auth_level, sort_by and
 * search from the row's query table (those it has), and pages when the
 * row wraps HUB_WRAP_CX_PAGE. */
int hub_servers_op_list(hub_req_t *hr, hub_result_t *res);
int hub_servers_op_get(hub_req_t *hr, hub_result_t *res);
int hub_servers_op_create(hub_req_t *hr, hub_result_t *res);
int hub_servers_op_update(hub_req_t *hr, hub_result_t *res);
int hub_servers_op_delete(hub_req_t *hr, hub_result_t *res);

/* A problem with a member, said as how says it.  HUB_DONE. */
int hub_servers_bad(hub_req_t *hr, hub_result_t *res,
                    const hub_srv_input_t *how, const char *member,
                    const char *type, const char *why);
/* The body's members by how->map into in (initialised here): DECLINED,
 * or HUB_DONE with the first problem. */
int hub_servers_take_map(hub_req_t *hr, hub_result_t *res,
                         const hub_srv_input_t *how, hub_server_in_t *in);
/* An endpoint checked (form, then address): DECLINED or HUB_DONE. */
int hub_servers_check_url(hub_req_t *hr, hub_result_t *res,
                          const hub_srv_input_t *how, const char *member,
                          const char *url);

#endif
