/* mod_hub_servers's private declarations. */
#ifndef HUB_SERVERS_PRIVATE_H
#define HUB_SERVERS_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_db.h"
#include "hub_page.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_route.h"
#include "hub_http.h"
#include "hub_mcp.h"
#include "hub_secret.h"
#include "hub_validate.h"

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_servers);
#endif
extern module AP_MODULE_DECLARE_DATA hub_servers_module;

#define HUB_SERVERS_OWNER "hub_servers"

/* ---- hub_servers_config.c ------------------------------------------- */

/* The server registry catalog of HubRegistryFile (hub_servers_registry.c) */
typedef struct hub_servers_catalog hub_servers_catalog_t;

typedef struct hub_servers_srv {
    const char *secret_key_file;          /* HubSecretKeyFile; NULL unset */
    const hub_secret_key_t *secret_key;   /* read from it in post_config */
    apr_array_header_t *stdio_allow;      /* HubStdioAllow; NULL unset */
    apr_array_header_t *outbound_allow;   /* HubOutboundAllow: hub_cidr_t */
    int probe_interval;                   /* HubProbeInterval s, HUB_UNSET */
    int probe_timeout;                    /* HubProbeTimeout s, HUB_UNSET */
    int degraded_after, down_after;       /* HubProbeThresholds, HUB_UNSET */
    hub_servers_catalog_t *registry;      /* HubRegistryFile; NULL unset */
} hub_servers_srv_t;

/* getters: the defaults live here (STYLE.md, habit 4) */
int hub_servers_probe_interval(const hub_servers_srv_t *c);   /* 300 */
int hub_servers_probe_timeout(const hub_servers_srv_t *c);    /* 10 */
int hub_servers_degraded_after(const hub_servers_srv_t *c);   /* 1 */
int hub_servers_down_after(const hub_servers_srv_t *c);       /* 3 */

extern const command_rec hub_servers_cmds[];
void *hub_servers_srv_create(apr_pool_t *p, server_rec *s);
void *hub_servers_srv_merge(apr_pool_t *p, void *basev, void *addv);
const hub_servers_srv_t *hub_servers_srv(const server_rec *s);
/* Read every virtual host's key file (as root, before the children
 * start).  OK, or an error that stops httpd. */
int hub_servers_config_load(apr_pool_t *pconf, server_rec *s);
/* The secret key of this request's server; NULL without HubSecretKeyFile. */
const hub_secret_key_t *hub_servers_key(const request_rec *r);
/* 1 when the operator allows this stdio command (exact match). */
int hub_servers_stdio_allowed(const request_rec *r, const char *command);
/* The same for a server_rec (the prober, checking again at probe time). */
int hub_servers_stdio_allowed_s(const server_rec *s, const char *command);

/* ---- hub_servers_store.c: one data model, every profile --------------- */

/* the columns a request can write, in the order of the statements */
typedef enum {
    HUB_SRV_SLUG = 0,
    HUB_SRV_NAME,
    HUB_SRV_DESCRIPTION,
    HUB_SRV_MODE,            /* remote | stdio | heartbeat */
    HUB_SRV_TRANSPORT,       /* streamable_http | sse | stdio */
    HUB_SRV_ENDPOINT,
    HUB_SRV_COMMAND,
    HUB_SRV_ARGS,            /* JSON array text */
    HUB_SRV_ENV_NAMES,       /* text[] literal */
    HUB_SRV_AUTH_METHOD,     /* none | header | query | path | oauth */
    HUB_SRV_AUTH_LEVEL,      /* project | user */
    HUB_SRV_QUERY_PARAMS,    /* JSON array text */
    HUB_SRV_SERVER_TYPE,     /* caylex | external | foundry */
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
    apr_array_header_t *replace;          /* const char * */
} hub_server_in_t;

void hub_servers_in_init(apr_pool_t *p, hub_server_in_t *in);
void hub_servers_in_set(hub_server_in_t *in, hub_srv_field_e f,
                        const char *val);
/* A secret value for name ("header:X-Api-Key"); value NULL keeps the
 * stored one. */
void hub_servers_in_secret(hub_server_in_t *in, const char *name,
                           const char *value);
void hub_servers_in_replace(hub_server_in_t *in, const char *pattern);

/* The slug of a name: lowercase letters, digits, '-' and '_' (other runs
 * become '-'), at most 100; NULL when nothing is left. */
char *hub_servers_slugify(apr_pool_t *p, const char *name);
/* 1 when s is already a slug. */
int hub_servers_is_slug(const char *s);
/* NULL when url is an http(s) URL the hub may store, else why not. */
const char *hub_servers_url_problem(apr_pool_t *p, const char *url);
/* NULL, or why a server cannot be registered at url: its host is a
 * literal internal address outside HubOutboundAllow (hub_addr.h).  Names
 * resolve at connect time, where hub_http checks them again. */
const char *hub_servers_url_refused(hub_req_t *hr, const char *url);

typedef struct hub_server_filter {
    const char *mode, *transport, *auth_method, *server_type, *auth_level;
    const char *q;              /* in slug, name or description, any case */
    const char *sort;           /* name_asc|name_desc|created_asc|created_desc */
    long limit;                 /* < 0: all */
    long offset;
} hub_server_filter_t;

/* Rows carry the columns of SERVER_COLS (hub_servers_store.c): never a
 * secret, only secret_names.  Every call acts in the caller's tenant. */
typedef enum {
    HUB_SRV_STORED = 0,
    HUB_SRV_NO_KEY,             /* secrets given but no HubSecretKeyFile */
    HUB_SRV_SEAL_FAILED
} hub_srv_seal_e;

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
hub_db_status_e hub_servers_delete(hub_req_t *hr, const char *id,
                                   int *found, const char **slug,
                                   const char **in_use);
hub_db_status_e hub_servers_list(hub_req_t *hr, const hub_server_filter_t *f,
                                 hub_rows_t **rows, long *total);

/* The profile's answer for a failed store call (503, 409, 500) and for
 * a seal that failed; both log what the operator needs. */
int hub_servers_db_fail(hub_req_t *hr, hub_db_status_e st);
int hub_servers_seal_fail(hub_req_t *hr, hub_srv_seal_e seal);

/* JSON of a text[] column ("{a,b}"), [] for NULL. */
json_t *hub_servers_names_json(const char *pg_array);
/* The secret names of a row with this prefix ("header:"), without it. */
json_t *hub_servers_secret_names(apr_pool_t *p, const char *pg_array,
                                 const char *prefix);
/* PostgreSQL's text[] literal of a JSON array of strings. */
const char *hub_servers_pg_array(apr_pool_t *p, const json_t *strings);

#define HUB_SRV_MASK "********"

extern const hub_stmt_t hub_servers_store_stmts[];

/* ---- the profiles (one route table each) ------------------------------ */
extern const hub_route_t hub_servers_patchwork_routes[];
extern const hub_route_t hub_servers_toolhub_routes[];
extern const hub_route_t hub_servers_goclaw_routes[];
extern const hub_route_t hub_servers_caylex_routes[];

/* hub_servers_routes.c: every table and statement list */
void hub_servers_register(server_rec *s);

/* ---- the endpoint groups over probed and reported data ------------- */
extern const hub_route_t hub_servers_tools_routes[];
extern const hub_stmt_t hub_servers_tools_stmts[];
extern const hub_route_t hub_servers_quality_routes[];
extern const hub_stmt_t hub_servers_quality_stmts[];
extern const hub_route_t hub_servers_heartbeat_routes[];
extern const hub_stmt_t hub_servers_heartbeat_stmts[];
extern const hub_route_t hub_servers_feedback_routes[];
extern const hub_stmt_t hub_servers_feedback_stmts[];

extern const hub_route_t hub_servers_secrets_routes[];
extern const hub_stmt_t hub_servers_secrets_stmts[];
extern const hub_route_t hub_servers_registry_routes[];
extern const hub_stmt_t hub_servers_registry_stmts[];
extern const hub_route_t hub_servers_instances_routes[];
extern const hub_stmt_t hub_servers_instances_stmts[];
extern const hub_route_t hub_servers_oauth_logo_routes[];
extern const hub_stmt_t hub_servers_oauth_logo_stmts[];

/* hub_servers_registry.c: the catalog HubRegistryFile names, in memory */
hub_servers_catalog_t *hub_servers_catalog_make(apr_pool_t *p,
                                                const char *file);
/* Read and check the file (post_config, as root); OK, or an error that
 * stops httpd (logged as HUB00520).  Loads a shared catalog once. */
int hub_servers_registry_load(apr_pool_t *pconf, server_rec *s,
                              hub_servers_catalog_t *cat);
/* The entry with this id as GetServerRegistryResponse (owned by
 * r->pool), NULL when the catalog has none. */
json_t *hub_servers_registry_entry(request_rec *r, const char *id);
/* Caylex's page: {items, meta} with size, total and the next cursor. */
json_t *hub_servers_cx_page(hub_req_t *hr, const hub_page_t *pg,
                            json_t *items, long total);

/* ---- hub_servers_probe.c: the prober on mod_watchdog ----------------- */
extern const hub_stmt_t hub_servers_probe_stmts[];
extern const hub_route_t hub_servers_probe_routes[];
/* register the watchdog callback (post_config, not in the dry run) */
int hub_servers_prober_init(apr_pool_t *pconf, server_rec *s);
/* Fill target's url, headers and transport for a server's row (its
 * endpoint, transport, auth_config and sealed secrets), decrypting the
 * secrets for tenant in p; target->policy is left as it is.  NULL, or
 * why the server cannot be reached with what is stored (no key, a
 * secret that does not decrypt): never a secret. */
const char *hub_servers_mcp_target(apr_pool_t *p, server_rec *s,
                                   const char *tenant, const char *endpoint,
                                   const char *transport,
                                   const char *auth_text,
                                   const char *secrets_text,
                                   hub_mcp_target_t *target);
/* The same for a stdio server: its command (still on HubStdioAllow), its
 * arguments and its decrypted environment; NULL, or why it cannot run. */
const char *hub_servers_stdio_target(apr_pool_t *p, server_rec *s,
                                     const char *tenant, const char *command,
                                     const char *args_text,
                                     const char *secrets_text,
                                     hub_mcp_target_t *target);

#endif
