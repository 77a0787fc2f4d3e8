/* Who is calling.  The credentials a request carries are resolved once,
 * when something first asks (a hub route that is not public, or later an
 * authorization provider), and kept for the rest of the request.
 *
 *   Authorization: Bearer hub_...   an API key (also X-API-Key: hub_...)
 *   Authorization: Bearer <token>   GoClaw's gateway token
 *
 * Keys are looked up by their SHA-256; a revoked or expired key resolves
 * to nobody at once, on every child, because nothing is cached yet. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "mod_hub_auth.h"

#define KEY_PREFIX "hub_"

const hub_stmt_t hub_auth_identify_stmts[] = {
    { "hub_auth_key_find",
      "SELECT k.id, k.tenant_id, t.slug, k.user_id, u.email, k.scopes,"
      "       coalesce(u.is_superuser, false) AS superuser, k.name"
      "  FROM api_keys k"
      "  JOIN tenants t ON t.id = k.tenant_id"
      "  LEFT JOIN users u ON u.id = k.user_id AND u.is_active"
      " WHERE k.key_hash = %s AND k.revoked_at IS NULL"
      "   AND (k.expires_at IS NULL OR k.expires_at > now())" },
    /* at most one write a minute per key, not one per request */
    { "hub_auth_key_touch",
      "UPDATE api_keys SET last_used_at = now()"
      " WHERE id = %s::uuid"
      "   AND (last_used_at IS NULL OR last_used_at < now() - interval '60 s')" },
    { "hub_auth_tenant_by_slug",
      "SELECT id, slug FROM tenants WHERE slug = %s" },
    { NULL, NULL }
};

/* The role a key's scopes amount to, for what reads a role. */
static const char *role_of_scopes(unsigned scopes)
{
    return (scopes & HUB_SCOPE_ADMIN) ? "admin"
           : (scopes & HUB_SCOPE_WRITE) ? "member"
           : (scopes & HUB_SCOPE_READ) ? "viewer" : NULL;
}

/* What a credential resolves to while the database cannot say. */
static const hub_principal_t unchecked = { .unavailable = 1 };

static const hub_principal_t *from_api_key(request_rec *r, const char *key)
{
    const char *hash = hub_sha256_hex(r->pool, key, strlen(key));
    const char *args[1] = { hash };
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!hash) {
        return NULL;
    }
    st = hub_db_select(r, &hub_auth_identify_stmts[0], &rows, 1, args);
    if (st == HUB_DB_UNAVAILABLE) {
        return &unchecked;
    }
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        return NULL;
    }
    who = apr_pcalloc(r->pool, sizeof(*who));
    who->via = HUB_IN_APIKEY;
    who->key_id = hub_rows_get(rows, 0, "id");
    who->tenant_id = hub_rows_get(rows, 0, "tenant_id");
    who->tenant_slug = hub_rows_get(rows, 0, "slug");
    who->user_id = hub_rows_get(rows, 0, "user_id");
    who->email = hub_rows_get(rows, 0, "email");
    if (hub_scopes_parse(hub_rows_get(rows, 0, "scopes"), &who->scopes)) {
        return NULL;
    }
    /* a key's powers are its scopes, whatever its user's role; a
     * superuser's key is a superuser's only with the admin scope */
    who->role = role_of_scopes(who->scopes);
    who->superuser = (who->scopes & HUB_SCOPE_ADMIN)
                     && !strcmp(hub_rows_get(rows, 0, "superuser"), "t");
    who->name = who->email ? who->email
                           : apr_pstrcat(r->pool, "key:",
                                         hub_rows_get(rows, 0, "name"), NULL);
    args[0] = who->key_id;
    hub_db_exec(r, &hub_auth_identify_stmts[1], NULL, 1, args);
    return who;
}

/* GoClaw's gateway token: admin of the configured tenant. */
static const hub_principal_t *as_gateway(request_rec *r,
                                         const hub_auth_srv_t *c)
{
    const char *args[1] = { hub_auth_gateway_tenant(c) };
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(r, &hub_auth_identify_stmts[2], &rows,
                                       1, args);
    if (st == HUB_DB_UNAVAILABLE) {
        return &unchecked;
    }
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "HUB00104: gateway "
                      "tenant '%s' does not exist (HubGatewayTenant)",
                      args[0]);
        return NULL;
    }
    who = apr_pcalloc(r->pool, sizeof(*who));
    who->via = HUB_IN_GATEWAY;
    who->tenant_id = hub_rows_get(rows, 0, "id");
    who->tenant_slug = hub_rows_get(rows, 0, "slug");
    who->scopes = HUB_SCOPE_ADMIN | HUB_SCOPE_READ | HUB_SCOPE_WRITE
                  | HUB_SCOPE_APPROVALS | HUB_SCOPE_PAIRING;
    who->role = "admin";
    who->name = "gateway";
    return who;
}

/* The credential in "Authorization: Bearer x" or "X-API-Key: x". */
static const char *bearer(request_rec *r)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7)) {
        h += 7;
        while (*h == ' ') {
            h++;
        }
        return *h ? h : NULL;
    }
    h = apr_table_get(r->headers_in, "X-API-Key");
    return h && *h ? h : NULL;
}

static const hub_principal_t *identify(request_rec *r)
{
    const hub_auth_srv_t *c = hub_auth_srv(r->server);
    const char *cred = bearer(r);
    const hub_match_t *m;

    if (cred && strlen(cred) > 512) {
        return NULL;
    }
    if (cred && !strncmp(cred, KEY_PREFIX, sizeof(KEY_PREFIX) - 1)) {
        return from_api_key(r, cred);
    }
    if (cred && c->gateway_token_hash
        && hub_secure_equal(hub_sha256_hex(r->pool, cred, strlen(cred)),
                            c->gateway_token_hash)) {
        return as_gateway(r, c);
    }
    /* GoClaw without a token: only when the operator said so */
    m = hub_auth_req(r)->match;
    if (!cred && !c->gateway_token_hash && hub_auth_gateway_open(c) && m
        && m->route && m->route->profile == HUB_GOCLAW) {
        return as_gateway(r, c);
    }
    return NULL;
}

const hub_principal_t *hub_auth_identify(request_rec *r)
{
    hub_auth_req_t *ar = hub_auth_req(r);
    if (!ar->identified) {
        ar->who = identify(r);
        ar->identified = 1;
    }
    return ar->who;
}
