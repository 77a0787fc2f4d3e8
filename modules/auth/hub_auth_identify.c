/* Who is calling.  The credentials a request carries are resolved once,
 * when something first asks (a hub route that is not public, or an
 * authorization provider), and kept for the rest of the request.
 *
 *   Authorization: Bearer hub_...   an API key (also X-API-Key: hub_...)
 *   Authorization: Bearer hubs_...  a server key: speaks for one server
 *   Authorization: Bearer <token>   GoClaw's gateway token
 *   Authorization: Bearer a.b.c     a JWT: the hub's own access tokens, or
 *                                   Tool Hub's, signed with the same key
 *   Cookie: pw_sessionid / DS       a session (Patchwork / Caylex)
 *
 * A user (JWT, session) acts in one tenant per request: the one the
 * X-Hub-Tenant header names (by slug) if they are an active member there,
 * else the one their token or session was issued for, else their default
 * tenant, else the first they joined.
 *
 * Keys are looked up by their SHA-256; a revoked or expired key resolves
 * to nobody at once, on every child, because nothing is cached yet. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_key.h"
#include "mod_hub_auth.h"

const hub_stmt_t hub_auth_identify_stmts[] = {
    { "hub_auth_key_find",
      "SELECT k.id, k.tenant_id, t.slug, k.user_id, u.email, k.scopes,"
      "       coalesce(u.is_superuser, false) AS superuser, k.name,"
      "       floor(extract(epoch FROM k.expires_at))::bigint AS expires"
      "  FROM api_keys k"
      "  JOIN tenants t ON t.id = k.tenant_id"
      "  LEFT JOIN users u ON u.id = k.user_id AND u.is_active"
      " WHERE k.key_hash = %s AND k.revoked_at IS NULL"
      /* a navigator-instance key is for its MCP endpoint alone (sql/021);
       * on every other route it is no credential */
      "   AND k.kind <> 'navigator'"
      "   AND (k.expires_at IS NULL OR k.expires_at > now())"
      /* a user's key lives only while the user is an active member */
      "   AND (k.user_id IS NULL OR EXISTS (SELECT 1 FROM memberships m"
      "        WHERE m.tenant_id = k.tenant_id AND m.user_id = k.user_id"
      "          AND m.state = 'active'))" },
    /* at most one write a minute per key, not one per request */
    { "hub_auth_key_touch",
      "UPDATE api_keys SET last_used_at = now()"
      " WHERE id = %s::uuid"
      "   AND (last_used_at IS NULL OR last_used_at < now() - interval '60 s')" },
    { "hub_auth_tenant_by_slug",
      "SELECT id, slug FROM tenants WHERE slug = %s" },
    /* a user acting in a tenant: requested slug, else bound tenant, else
     * default, else first joined; with a live login family when sid */
    { "hub_auth_user_acting",
      "SELECT u.id AS user_id, u.email, u.is_superuser, t.id AS tenant_id,"
      "       t.slug, m.role"
      "  FROM users u"
      "  JOIN memberships m ON m.user_id = u.id AND m.state = 'active'"
      "  JOIN tenants t ON t.id = m.tenant_id"
      " WHERE u.id = %s::uuid AND u.is_active"
      "   AND (%s::text IS NULL OR t.slug = %s::text)"
      "   AND (%s::uuid IS NULL OR EXISTS (SELECT 1 FROM refresh_tokens r"
      "        WHERE r.family_id = %s::uuid AND r.user_id = u.id"
      "          AND r.revoked_at IS NULL))"
      " ORDER BY (t.id = %s::uuid) DESC NULLS LAST,"
      "          (t.slug = %s::text) DESC NULLS LAST,"
      "          (t.id = u.default_tenant_id) DESC NULLS LAST, m.created_at"
      " LIMIT 1" },
    { "hub_auth_session_find",
      "SELECT user_id, tenant_id FROM sessions"
      " WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > now()" },
    { "hub_auth_external_user",
      "SELECT u.id, m.role FROM users u"
      "  LEFT JOIN tenants t ON t.slug = %s"
      "  LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = t.id"
      " WHERE u.external_id = %s" },
    /* first sight of a user in another service's token: the user, their
     * tenant and their role there, in one atomic statement */
    { "hub_auth_external_provision",
      "WITH u AS ("
      "  INSERT INTO users (external_id, email) VALUES (%s, %s)"
      "  ON CONFLICT (external_id) DO UPDATE SET updated_at = now()"
      "  RETURNING id),"
      " t AS ("
      "  INSERT INTO tenants (slug, name, owner_email) VALUES (%s, %s, %s)"
      "  ON CONFLICT (slug) DO UPDATE SET updated_at = tenants.updated_at"
      "  RETURNING id),"
      " m AS ("
      "  INSERT INTO memberships (tenant_id, user_id, role)"
      "  SELECT t.id, u.id, %s FROM t, u"
      "  ON CONFLICT (tenant_id, user_id)"
      "  DO UPDATE SET role = EXCLUDED.role, updated_at = now()"
      "  RETURNING user_id)"
      " SELECT user_id FROM m" },
    { "hub_auth_server_key_find",
      "SELECT k.id, k.tenant_id, t.slug AS tenant_slug, k.server_id,"
      "       s.slug AS server_slug"
      "  FROM server_keys k"
      "  JOIN servers s ON s.id = k.server_id AND s.tenant_id = k.tenant_id"
      "  JOIN tenants t ON t.id = k.tenant_id"
      " WHERE k.key_hash = %s AND k.revoked_at IS NULL" },
    { "hub_auth_server_key_touch",
      "UPDATE server_keys SET last_used_at = now()"
      " WHERE id = %s::uuid"
      "   AND (last_used_at IS NULL OR last_used_at < now() - interval '60 s')" },
    { NULL, NULL }
};

#define ST_SKEY_FIND     (&hub_auth_identify_stmts[7])
#define ST_SKEY_TOUCH    (&hub_auth_identify_stmts[8])
#define ST_KEY_FIND      (&hub_auth_identify_stmts[0])
#define ST_KEY_TOUCH     (&hub_auth_identify_stmts[1])
#define ST_TENANT        (&hub_auth_identify_stmts[2])
#define ST_USER_ACTING   (&hub_auth_identify_stmts[3])
#define ST_SESSION       (&hub_auth_identify_stmts[4])
#define ST_EXT_USER      (&hub_auth_identify_stmts[5])
#define ST_EXT_PROVISION (&hub_auth_identify_stmts[6])

/* The role a key's scopes amount to, for what reads a role. */
static const char *role_of_scopes(unsigned scopes)
{
    return (scopes & HUB_SCOPE_ADMIN)   ? "admin"
           : (scopes & HUB_SCOPE_WRITE) ? "member"
           : (scopes & HUB_SCOPE_READ)  ? "viewer"
                                        : NULL;
}

/* What a credential resolves to while the database cannot say. */
const hub_principal_t hub_auth_unchecked = { .unavailable = 1 };

const hub_principal_t *hub_auth_key_principal(
    request_rec *r, const char *ck, const hub_stmt_t *st, int nargs,
    const char **args, hub_auth_key_build_fn *build)
{
    const char *touch[1];
    const char *expires;
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e rc;

    if ((who = (hub_principal_t *)hub_auth_cache_get(r, ck)) != NULL) {
        return who;
    }
    rc = hub_db_select(r, st, &rows, nargs, args);
    if (rc == HUB_DB_UNAVAILABLE) {
        return &hub_auth_unchecked;
    }
    if (rc != HUB_DB_OK || rows->rows->nelts != 1 || !(who = build(r, rows))) {
        return NULL;
    }
    who->via = HUB_IN_APIKEY;
    who->key_id = hub_rows_get(rows, 0, "id");
    who->tenant_id = hub_rows_get(rows, 0, "tenant_id");
    who->tenant_slug = hub_rows_get(rows, 0, "slug");
    touch[0] = who->key_id;
    hub_db_exec(r, ST_KEY_TOUCH, NULL, 1, touch);
    expires = hub_rows_get(rows, 0, "expires");
    hub_auth_cache_put(r, ck, who,
                       expires ? apr_time_from_sec(apr_atoi64(expires)) : 0);
    return who;
}

/* An API key's own: its user, its scopes and what they amount to. */
static hub_principal_t *api_key_of(request_rec *r, const hub_rows_t *rows)
{
    hub_principal_t *who = apr_pcalloc(r->pool, sizeof(*who));
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
    who->name = who->email
                    ? who->email
                    : apr_pstrcat(r->pool,
                                  "key:", hub_rows_get(rows, 0, "name"), NULL);
    return who;
}

const hub_principal_t *hub_auth_from_api_key(request_rec *r, const char *key)
{
    const char *hash = hub_key_hash(r->pool, key);
    const char *args[1] = { hash };
    if (!hash) {
        return NULL;
    }
    return hub_auth_key_principal(r, apr_pstrcat(r->pool, "a:", hash, NULL),
                                  ST_KEY_FIND, 1, args, api_key_of);
}

/* A server key: the one server it belongs to, in its tenant, allowed to
 * report (heartbeats, feedback) and nothing else: no role, no scope. */
static const hub_principal_t *from_server_key(request_rec *r, const char *key)
{
    const char *hash = hub_key_hash(r->pool, key);
    const char *ckey = apr_pstrcat(r->pool, "k:", hash, NULL);
    const char *args[1] = { hash };
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st;
    const hub_principal_t *cached = hub_auth_cache_get(r, ckey);

    if (cached) {
        return cached;
    }
    st = hub_db_select(r, ST_SKEY_FIND, &rows, 1, args);
    if (st == HUB_DB_UNAVAILABLE) {
        return &hub_auth_unchecked;
    }
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        return NULL;
    }
    who = apr_pcalloc(r->pool, sizeof(*who));
    who->via = HUB_IN_SERVERKEY;
    who->key_id = hub_rows_get(rows, 0, "id");
    who->tenant_id = hub_rows_get(rows, 0, "tenant_id");
    who->tenant_slug = hub_rows_get(rows, 0, "tenant_slug");
    who->server_id = hub_rows_get(rows, 0, "server_id");
    who->name = apr_pstrcat(r->pool, "server:",
                            hub_rows_get(rows, 0, "server_slug"), NULL);
    args[0] = who->key_id;
    hub_db_exec(r, ST_SKEY_TOUCH, NULL, 1, args);
    hub_auth_cache_put(r, ckey, who, 0);
    return who;
}

/* GoClaw's gateway token: admin of the configured tenant. */
static const hub_principal_t *as_gateway(request_rec *r,
                                         const hub_auth_srv_t *c)
{
    const char *args[1] = { hub_auth_gateway_tenant(c) };
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(r, ST_TENANT, &rows, 1, args);
    if (st == HUB_DB_UNAVAILABLE) {
        return &hub_auth_unchecked;
    }
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "HUB00104: gateway "
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

/* A user acting in one tenant.  bound_id / bound_slug: the tenant a
 * session or token was issued for; sid: a login family that must still be
 * live (NULL: none to check). */
const hub_principal_t *hub_auth_as_user(
    request_rec *r, unsigned via, const char *user_id, const char *bound_id,
    const char *bound_slug, const char *sid)
{
    const char *want = apr_table_get(r->headers_in, "X-Hub-Tenant");
    const char *args[7];
    hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!user_id || !hub_is_uuid(user_id)
        || (bound_id && !hub_is_uuid(bound_id)) || (sid && !hub_is_uuid(sid))) {
        return NULL;
    }
    args[0] = user_id;
    args[1] = args[2] = want && *want ? want : NULL;
    args[3] = args[4] = sid;
    args[5] = bound_id;
    args[6] = bound_slug;
    st = hub_db_select(r, ST_USER_ACTING, &rows, 7, args);
    if (st == HUB_DB_UNAVAILABLE) {
        return &hub_auth_unchecked;
    }
    if (st != HUB_DB_OK || rows->rows->nelts != 1) {
        return NULL;
    }
    who = apr_pcalloc(r->pool, sizeof(*who));
    who->via = via;
    who->user_id = hub_rows_get(rows, 0, "user_id");
    who->email = who->name = hub_rows_get(rows, 0, "email");
    who->tenant_id = hub_rows_get(rows, 0, "tenant_id");
    who->tenant_slug = hub_rows_get(rows, 0, "slug");
    who->role = hub_rows_get(rows, 0, "role");
    who->superuser = !strcmp(hub_rows_get(rows, 0, "is_superuser"), "t");
    return who;
}

/* Tool Hub's roles onto the hub's: admin stays admin; user, editor and
 * operator may change things (member); viewer only reads. */
static const char *map_role(const char *role)
{
    if (!role || !strcmp(role, "user") || !strcmp(role, "editor")
        || !strcmp(role, "operator") || !strcmp(role, "member")) {
        return "member";
    }
    if (!strcmp(role, "admin") || !strcmp(role, "viewer")) {
        return role;
    }
    return "viewer"; /* an unknown role gets the least */
}

/* A token minted by another service (Tool Hub): its user by `sub`,
 * provisioned with their tenant and role the first time (a tenant of
 * their own unless the token names one), the role kept in step with the
 * token afterwards.  A local account's email is never taken over. */
static const hub_principal_t *from_external(request_rec *r,
                                            const hub_jwt_claims_t *c)
{
    const char *subhash = hub_sha256_hex(r->pool, c->sub, strlen(c->sub));
    const char *role = map_role(c->role);
    const char *tenant =
        c->tenant ? c->tenant
                  : apr_pstrcat(r->pool, "u-",
                                apr_pstrmemdup(r->pool, subhash, 16), NULL);
    const char *email = c->email && strchr(c->email, '@')
                            ? c->email
                            : apr_pstrcat(r->pool, "external-", subhash,
                                          "@users.invalid", NULL);
    const char *args[6] = { tenant, c->sub };
    const char *user_id, *have;
    hub_rows_t *rows;
    hub_db_status_e st = hub_db_select(r, ST_EXT_USER, &rows, 2, args);

    if (st != HUB_DB_OK) {
        return st == HUB_DB_UNAVAILABLE ? &hub_auth_unchecked : NULL;
    }
    user_id = hub_rows_get(rows, 0, "id");
    have = hub_rows_get(rows, 0, "role");
    if (!user_id || !have || strcmp(have, role)) {
        args[0] = c->sub;
        args[1] = email;
        args[2] = tenant;
        args[3] = c->tenant ? c->tenant
                            : apr_pstrcat(r->pool, email, "'s tenant", NULL);
        args[4] = email;
        args[5] = role;
        st = hub_db_select(r, ST_EXT_PROVISION, &rows, 6, args);
        if (st != HUB_DB_OK || rows->rows->nelts != 1) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                          "HUB00111: "
                          "cannot provision the user of an external token "
                          "(is its email a local account's?)");
            return st == HUB_DB_UNAVAILABLE ? &hub_auth_unchecked : NULL;
        }
        user_id = hub_rows_get(rows, 0, "user_id");
    }
    return hub_auth_as_user(r, HUB_IN_JWT, user_id, NULL, tenant, NULL);
}

static const hub_principal_t *from_jwt(request_rec *r, const char *token)
{
    hub_jwt_claims_t c;
    const hub_principal_t *who;
    const char *key;
    if (!hub_auth_jwt_verify(r, token, &c)) {
        return NULL;
    }
    /* the signature and expiry are checked above every time; the cache
     * spares the lookups behind them.  X-Hub-Tenant picks among the
     * user's tenants, so it is part of the key. */
    key = apr_pstrcat(r->pool,
                      "j:", hub_sha256_hex(r->pool, token, strlen(token)), ":",
                      apr_table_get(r->headers_in, "X-Hub-Tenant"), NULL);
    if ((who = hub_auth_cache_get(r, key)) != NULL) {
        return who;
    }
    if (c.iss && !strcmp(c.iss, HUB_JWT_ISSUER)) {
        /* the hub's own: bound to its login's tenant, and only while the
         * login (its refresh family) has not been ended */
        if (!c.sid) {
            return NULL;
        }
        who = hub_auth_as_user(r, HUB_IN_JWT, c.sub, NULL, c.tenant, c.sid);
    }
    else {
        who = from_external(r, &c);
    }
    if (who) {
        hub_auth_cache_put(r, key, who, apr_time_from_sec(c.exp));
    }
    return who;
}

/* The value of a cookie by name, NULL when absent. */
static const char *cookie(request_rec *r, const char *name)
{
    const char *h = apr_table_get(r->headers_in, "Cookie");
    size_t n = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';') {
            h++;
        }
        if (!strncmp(h, name, n) && h[n] == '=') {
            return apr_pstrmemdup(r->pool, h + n + 1, strcspn(h + n + 1, ";"));
        }
        h = strchr(h, ';');
    }
    return NULL;
}

/* A session cookie.  A request that changes something must also carry the
 * session's CSRF token in X-CSRF-Token: a page on another site can make
 * the browser send the cookie, not read the token. */
static const hub_principal_t *from_session(request_rec *r, const char *token)
{
    const char *args[1];
    hub_rows_t *rows;
    hub_db_status_e st;
    hub_principal_t *who;
    const hub_principal_t *p;
    const char *key;

    if (strlen(token) > 128) {
        return NULL;
    }
    args[0] = hub_sha256_hex(r->pool, token, strlen(token));
    key = apr_pstrcat(r->pool, "s:", args[0], ":",
                      apr_table_get(r->headers_in, "X-Hub-Tenant"), NULL);
    if (!(p = hub_auth_cache_get(r, key))) {
        st = hub_db_select(r, ST_SESSION, &rows, 1, args);
        if (st == HUB_DB_UNAVAILABLE) {
            return &hub_auth_unchecked;
        }
        if (st != HUB_DB_OK || rows->rows->nelts != 1) {
            return NULL;
        }
        p = hub_auth_as_user(r, HUB_IN_SESSION,
                             hub_rows_get(rows, 0, "user_id"),
                             hub_rows_get(rows, 0, "tenant_id"), NULL, NULL);
        if (!p || p->unavailable) {
            return p;
        }
        hub_auth_cache_put(r, key, p, 0);
    }
    who = apr_pmemdup(r->pool, p, sizeof(*p));
    if (r->method_number != M_GET && r->method_number != M_OPTIONS) {
        const char *sent = apr_table_get(r->headers_in, "X-CSRF-Token");
        who->csrf_failed =
            !sent
            || !hub_secure_equal(sent, hub_auth_csrf_token(r->pool, token));
    }
    return who;
}

/* The credential in "Authorization: Bearer x" or "X-API-Key: x". */
const char *hub_auth_bearer(request_rec *r)
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
    const char *cred = hub_auth_bearer(r);
    const hub_match_t *m;

    if (cred && strlen(cred) > 512) {
        return NULL;
    }
    if (hub_key_is(cred, HUB_KEY_SERVER)) {
        return from_server_key(r, cred);
    }
    if (hub_key_is(cred, HUB_KEY_API)) {
        return hub_auth_from_api_key(r, cred);
    }
    if (cred && c->gateway_token_hash
        && hub_secure_equal(hub_sha256_hex(r->pool, cred, strlen(cred)),
                            c->gateway_token_hash)) {
        return as_gateway(r, c);
    }
    if (cred && strchr(cred, '.')) {
        return from_jwt(r, cred);
    }
    if (!cred) {
        const char *s = cookie(r, HUB_COOKIE_PATCHWORK);
        if (!s) {
            s = cookie(r, HUB_COOKIE_CAYLEX);
        }
        if (s) {
            return from_session(r, s);
        }
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
