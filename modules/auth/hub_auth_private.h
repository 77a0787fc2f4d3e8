/* mod_hub_auth's private declarations. */
#ifndef HUB_AUTH_PRIVATE_H
#define HUB_AUTH_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "hub_conf.h"
#include "hub_db.h"
#include "hub_profile.h"
#include "hub_request.h"
#include "hub_route.h"
#include "hub_stats.h"

/* the module record's file declares the module itself */
#ifndef HUB_MODULE_RECORD
APLOG_USE_MODULE(hub_auth);
#endif
extern module AP_MODULE_DECLARE_DATA hub_auth_module;

/* the server-wide configuration of mod_hub_auth */
typedef struct hub_auth_srv {
    const char *gateway_token_file; /* HubGatewayToken */
    const char *gateway_token_hash; /* SHA-256 of its content, read at start */
    const char *gateway_tenant;     /* HubGatewayTenant */
    int gateway_open;               /* HubGatewayAuthDisabled, HUB_UNSET */
    const char *smtp_url;           /* HubSmtpServer smtp://host:port */
    const char *smtp_from;          /* HubMailFrom */
    const char *auth_link_url;      /* HubAuthLinkUrl: the page auth links
                                       open */
    int cache_ttl;                  /* HubAuthCacheTTL, HUB_UNSET */
    const char *jwt_key_file;       /* HubJwtKeyFile */
    const unsigned char *jwt_key;   /* its content, read at start */
    apr_size_t jwt_key_len;
} hub_auth_srv_t;

/* hub_auth_config.c */
extern const command_rec hub_auth_cmds[];
const hub_loc_conf_t *hub_auth_conf(request_rec *r);
const hub_auth_srv_t *hub_auth_srv(server_rec *s);
void *hub_auth_srv_create(apr_pool_t *p, server_rec *s);
void *hub_auth_srv_merge(apr_pool_t *p, void *base, void *add);
/* read the gateway token files while still root; 0 or an error status */
int hub_auth_config_load(apr_pool_t *p, server_rec *s);
const char *hub_auth_gateway_tenant(const hub_auth_srv_t *c);
int hub_auth_gateway_open(const hub_auth_srv_t *c);

/* per-request state: the route matched and the caller */
typedef struct hub_auth_req {
    hub_match_t *match;
    const hub_principal_t *who;
    int identified; /* who was looked for already */
} hub_auth_req_t;
hub_auth_req_t *hub_auth_req(request_rec *r);

/* hub_auth_httpd.c: AuthType Hub and Require hub-role|hub-scope|hub-team */
void hub_auth_httpd_hooks(apr_pool_t *p);

/* hub_auth_cache.c: credential -> principal, shared by the children */
int hub_auth_cache_pre_config(apr_pool_t *pconf);
int hub_auth_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s);
void hub_auth_cache_child_init(apr_pool_t *p, server_rec *s);
/* keys: a one-letter kind, ':', the credential's SHA-256 */
const hub_principal_t *hub_auth_cache_get(request_rec *r, const char *key);
void hub_auth_cache_put(request_rec *r, const char *key,
                        const hub_principal_t *who, apr_time_t not_after);
void hub_auth_cache_forget(request_rec *r, const char *key);
int hub_auth_cache_ttl(const hub_auth_srv_t *c);

/* hub_auth_jwt.c: HS256 tokens */
#define HUB_JWT_ISSUER "mod_hub"
typedef struct hub_jwt_claims {
    const char *iss, *sub, *email, *role, *tenant, *sid;
    long exp;
} hub_jwt_claims_t;
/* 1 when token is a valid, unexpired HS256 token under HubJwtKeyFile */
int hub_auth_jwt_verify(request_rec *r, const char *token,
                        hub_jwt_claims_t *out);
/* a signed access token with these claims, valid for ttl_s seconds */
const char *hub_auth_jwt_issue(request_rec *r, const hub_jwt_claims_t *in,
                               long ttl_s);

/* session cookies: Patchwork's and Caylex's names */
#define HUB_COOKIE_PATCHWORK "pw_sessionid"
#define HUB_COOKIE_CAYLEX    "DS"
/* the CSRF token of a session, derived from its secret (hub_auth_login.c) */
const char *hub_auth_csrf_token(apr_pool_t *p, const char *session_token);

/* hub_auth_identify.c */
extern const hub_stmt_t hub_auth_identify_stmts[];
const hub_principal_t *hub_auth_identify(request_rec *r);
/* the pieces, for the login endpoints */
extern const hub_principal_t hub_auth_unchecked; /* database away */
const char *hub_auth_bearer(request_rec *r);
/* The principal of a key that st (args) finds in one row (id, tenant_id,
 * slug, expires and what build reads): this host's cached one under ck,
 * else build's, which fills what is the key kind's own (via, key_id and
 * the tenant are filled here), then touched at most once a minute and
 * cached until the key's expiry.  &hub_auth_unchecked while the database
 * is away; NULL for no such key. */
typedef hub_principal_t *hub_auth_key_build_fn(request_rec *r,
                                               const hub_rows_t *rows);
const hub_principal_t *hub_auth_key_principal(
    request_rec *r, const char *ck, const hub_stmt_t *st, int nargs,
    const char **args, hub_auth_key_build_fn *build);
const hub_principal_t *hub_auth_from_api_key(request_rec *r, const char *key);
const hub_principal_t *hub_auth_as_user(
    request_rec *r, unsigned via, const char *user_id, const char *bound_id,
    const char *bound_slug, const char *sid);

/* hub_auth_login.c: what logging in and out does, for every profile */
typedef enum {
    HUB_LOGIN_OK = 0,
    HUB_LOGIN_DENIED,      /* 401, the same for every reason */
    HUB_LOGIN_THROTTLED,   /* 429, *retry_after seconds */
    HUB_LOGIN_UNAVAILABLE, /* 503 */
    HUB_LOGIN_ERROR        /* 500 */
} hub_login_e;
/* email + password, throttled per account and per client address */
hub_login_e hub_auth_login_password(
    hub_req_t *hr, const char *email, const char *password,
    const hub_principal_t **who, long *retry_after);
/* an API key bound to a user, throttled per client address */
hub_login_e hub_auth_login_api_key(hub_req_t *hr, const char *key,
                                   const hub_principal_t **who,
                                   long *retry_after);
typedef struct hub_tokens {
    const char *access, *refresh;
    long expires_in;
} hub_tokens_t;
/* a new login family for who: an access and a refresh token */
hub_login_e hub_auth_tokens_issue(hub_req_t *hr, const hub_principal_t *who,
                                  hub_tokens_t *out);
/* rotate a refresh token; a reused one revokes its whole family */
hub_login_e hub_auth_tokens_refresh(hub_req_t *hr, const char *refresh,
                                    hub_tokens_t *out);
/* end the caller's login family, and the family of `refresh` if given */
hub_login_e hub_auth_tokens_revoke(hub_req_t *hr, const char *refresh);
/* a session for who: its cookie value (*token) and expiry (ISO-8601) */
hub_login_e hub_auth_session_create(hub_req_t *hr, const hub_principal_t *who,
                                    const char **token, const char **expires);
hub_login_e hub_auth_session_end(hub_req_t *hr, const char *token);
extern const hub_stmt_t hub_auth_login_stmts[];
extern const hub_stmt_t *const hub_auth_g4f_auth_stmts;
extern const hub_route_t hub_auth_g4f_auth_routes[];
extern const hub_route_t hub_auth_sessions_routes[];
/* answer a failed login step in the profile's envelope */
int hub_auth_login_fail(hub_req_t *hr, hub_result_t *res, hub_login_e rc,
                        long retry_after);

/* hub_auth_keys.c: API keys and platform access tokens (rows of api_keys
 * of two kinds), for the Patchwork, GoClaw and Caylex shapes */
extern const hub_stmt_t hub_auth_keys_stmts[];
#define HUB_AUTH_KEY_API       "api_key" /* api_keys.kind */
#define HUB_AUTH_KEY_PLATFORM  "platform"
#define HUB_AUTH_KEY_NAVIGATOR "navigator"
typedef struct hub_key_new {
    const char *kind; /* HUB_AUTH_KEY_*; NULL: an API key */
    /* a navigator key of this instance: kind, user and scopes follow */
    const char *navigator_instance_id;
    const char *name;
    const char *description; /* NULL: none */
    unsigned scopes;
    int is_prod;
    const char *expires_at; /* ISO-8601; NULL: by expires_in */
    long expires_in;        /* seconds, 0: never */
} hub_key_new_t;
/* Mint a key and store it in the caller's tenant; *row gets the stored
 * row (id, name, description, prefix, preview, scopes, is_prod,
 * expires_at, created_at, ...) and *raw the key, which exists nowhere
 * else.  A navigator key whose instance is not the tenant's stores
 * nothing: HUB_DB_OK and no row. */
hub_db_status_e hub_auth_key_create(hub_req_t *hr, const hub_key_new_t *k,
                                    hub_rows_t **row, const char **raw);
/* The same as an operation's answer (the route's status, 201): the row
 * in `shape` and the key itself as `member`. */
int hub_auth_key_issue(hub_req_t *hr, hub_result_t *res, const hub_key_new_t *k,
                       const hub_shape_t *shape, const char *member);
/* API keys of a tenant; active_only for Patchwork's listing. */
hub_db_status_e hub_auth_keys_list(hub_req_t *hr, const char *tenant_id,
                                   int active_only, hub_rows_t **rows);
/* The one revocation, an operation for every profile's route: the key the
 * path names, of the kind the route's words (hub_key_revoke_words_t)
 * manage, in the caller's tenant; forgotten by this host's cache at once;
 * answered as the words say. */
typedef enum {
    HUB_REVOKED_STATUS,    /* {"status":"revoked"} (GoClaw) */
    HUB_REVOKED_PATCHWORK, /* {"uuid","message"} */
    HUB_REVOKED_EMPTY,     /* 204 */
    HUB_REVOKED_ID         /* {"id"} */
} hub_revoked_e;
typedef struct hub_key_revoke_words {
    const char *param;          /* the path parameter with the key's id */
    const char *kind;           /* HUB_AUTH_KEY_* */
    const char *instance_param; /* navigator keys: their instance's */
    const char *not_found;      /* the 404's words */
    int uuid_422;               /* a malformed id: FastAPI's 422 */
    hub_revoked_e answer;
} hub_key_revoke_words_t;
int hub_auth_key_revoke(hub_req_t *hr, hub_result_t *res);
extern const hub_key_revoke_words_t hub_auth_revoke_patchwork,
    hub_auth_revoke_goclaw, hub_auth_revoke_platform, hub_auth_revoke_navigator;
/* hub_auth_nav_keys.c: the cache key of a navigator key on its instance */
const char *hub_auth_nav_cache_key(apr_pool_t *p, const char *hash,
                                   const char *instance);

/* hub_auth_members.c: the members of a tenant */
extern const hub_stmt_t hub_auth_members_stmts[];
/* The one removal of a member, an operation for Caylex's and G4F's
 * routes: the membership the path names, in the caller's tenant, never
 * the last active owner; that user's keys here revoked and forgotten by
 * this host's cache at once; refused and answered in the profile's
 * words. */
int hub_auth_member_remove(hub_req_t *hr, hub_result_t *res);

/* the profiles' identity endpoints */
extern const hub_route_t hub_auth_patchwork_routes[];
extern const hub_stmt_t hub_auth_patchwork_stmts[];
extern const hub_route_t hub_auth_goclaw_routes[];
extern const hub_route_t hub_auth_caylex_routes[];
extern const hub_stmt_t hub_auth_caylex_stmts[];
extern const hub_route_t hub_auth_caylex_projects_routes[];
extern const hub_route_t hub_auth_caylex_access_routes[];
extern const hub_stmt_t hub_auth_caylex_access_stmts[];
/* hub_auth_nav_keys.c: Caylex's navigator-instance API keys */
extern const hub_route_t hub_auth_nav_keys_routes[];
extern const hub_stmt_t hub_auth_nav_keys_stmts[];
/* mod_hub_auth.h's hub_auth_mcp_principal (registered by the router) */
const hub_principal_t *hub_auth_mcp_principal(request_rec *r,
                                              const char *instance_id);
extern const hub_route_t hub_auth_g4f_routes[];
extern const hub_stmt_t hub_auth_g4f_stmts[];
extern const hub_route_t hub_auth_g4f_projects_routes[];
extern const hub_route_t hub_auth_g4f_users_routes[];
extern const hub_stmt_t hub_auth_g4f_users_stmts[];

/* hub_auth_password.c: Argon2id */
/* An encoded Argon2id hash of the password, NULL on failure. */
const char *hub_auth_password_hash(apr_pool_t *p, const char *password);
/* 1 when password matches encoded; also spends the time of a check when
 * encoded is NULL (no such account), so the answer's timing says nothing */
int hub_auth_password_verify(const char *encoded, const char *password);
/* made before the children fork (post_config) */
void hub_auth_password_init(void);
/* minimum rules for a new password: NULL when fine, else why not */
const char *hub_auth_password_weak(const char *password);

/* hub_auth_router.c: the registry and the request hooks */
void hub_auth_router_hooks(void);
const apr_array_header_t *hub_auth_tables(void);

/* hub_auth_core.c: health and root endpoints of every profile */
extern const hub_route_t hub_auth_core_routes[];
extern const hub_stmt_t hub_auth_core_stmts[];
apr_time_t hub_auth_started(void);
/* 1 when a round trip to PostgreSQL succeeds */
int hub_auth_db_ok(request_rec *r);

/* hub_auth_docs.c: /docs, the OpenAPI documents, the Swagger UI pages */
extern const hub_route_t hub_auth_docs_routes[];
/* HubSwaggerUi DIR */
const char *hub_auth_docs_set_ui(cmd_parms *cmd, void *dconf, const char *arg);

/* hub_auth_stats.c: this httpd's request timings, g4f /server/stats */
extern const hub_route_t hub_auth_stats_routes[];
void hub_auth_stats_hooks(void);

/* hub_auth_links.c: an expiry of a key, a link, ... (a body field) */
/* The body's date-time `field` in *iso (NULL when absent or null): 0, or
 * -1 with the 422 in res when it is no date-time or not in the future. */
int hub_auth_expiry(hub_req_t *hr, hub_result_t *res, const char *field,
                    const char **iso);

/* hub_auth_diag.c: the HubDiagnostics echo endpoint */
extern const hub_route_t hub_auth_diag_routes[];

#endif
