/* Logging in and out, whatever the profile: passwords (Argon2id) and API
 * keys become a login family of refresh tokens with short access tokens
 * (G4F), or a server-side session behind a cookie (Patchwork, Caylex).
 *
 * Failed logins are counted per account and per client address in the
 * database, so every httpd host sees the same counts: 5 failures of an
 * account or 20 from an address within 15 minutes block it for 15
 * minutes (429 with Retry-After).  An unknown account is counted and
 * answered exactly like a wrong password, after the same Argon2 work. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_crypto.h"
#include "hub_key.h"
#include "hub_time.h"

#define ACCESS_TTL_S     900 /* 15 minutes */
#define REFRESH_TTL      "30 days"
#define SESSION_TTL      "12 hours"
#define ACCOUNT_FAILURES "5"
#define ADDRESS_FAILURES "20"

/* clang-format off */
const hub_stmt_t hub_auth_login_stmts[] = {
    { "hub_login_throttled",
      "SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::bigint"
      "       AS retry_after"
      "  FROM login_throttle"
      " WHERE key IN (%s, %s) AND blocked_until > now()" },
    { "hub_login_failed",
      "INSERT INTO login_throttle AS l (key, failures, window_start)"
      " VALUES (%s, 1, now())"
      " ON CONFLICT (key) DO UPDATE SET"
      "  failures = CASE WHEN l.window_start < now() - interval '15 min'"
      "                  THEN 1 ELSE l.failures + 1 END,"
      "  window_start = CASE WHEN l.window_start < now() - interval '15 min'"
      "                      THEN now() ELSE l.window_start END,"
      "  blocked_until = CASE WHEN l.window_start >= now() - interval '15 min'"
      "                        AND l.failures + 1 >= %s::int"
      "                       THEN now() + interval '15 min'"
      "                       ELSE l.blocked_until END" },
    { "hub_login_cleared",
      "DELETE FROM login_throttle WHERE key = %s" },
    { "hub_login_user",
      "SELECT id, password_hash FROM users"
      " WHERE lower(email) = lower(%s) AND is_active" },
    { "hub_login_refresh_new",
      "INSERT INTO refresh_tokens (token_hash, family_id, user_id, tenant_id,"
      "                            expires_at)"
      " VALUES (%s, %s::uuid, %s::uuid, %s::uuid,"
      "         now() + interval '" REFRESH_TTL "')" },
    /* rotation: only an unused, live token moves on, atomically */
    { "hub_login_refresh_rotate",
      "WITH used AS ("
      "  UPDATE refresh_tokens SET used_at = now()"
      "   WHERE token_hash = %s AND used_at IS NULL AND revoked_at IS NULL"
      "     AND expires_at > now()"
      "  RETURNING family_id, user_id, tenant_id),"
      " next AS ("
      "  INSERT INTO refresh_tokens (token_hash, family_id, user_id,"
      "                              tenant_id, expires_at)"
      "  SELECT %s, family_id, user_id, tenant_id,"
      "         now() + interval '" REFRESH_TTL "' FROM used"
      "  RETURNING family_id, user_id, tenant_id)"
      " SELECT n.family_id, n.user_id, n.tenant_id FROM next n" },
    /* a token used before: it leaked, end everything it started */
    { "hub_login_refresh_reused",
      "UPDATE refresh_tokens SET revoked_at = now()"
      " WHERE family_id = (SELECT family_id FROM refresh_tokens"
      "                     WHERE token_hash = %s AND used_at IS NOT NULL)"
      "   AND revoked_at IS NULL" },
    { "hub_login_family_end",
      "UPDATE refresh_tokens SET revoked_at = now()"
      " WHERE user_id = %s::uuid AND revoked_at IS NULL"
      "   AND (family_id = %s::uuid OR family_id = (SELECT family_id"
      "        FROM refresh_tokens WHERE token_hash = %s))" },
    { "hub_login_session_new",
      "INSERT INTO sessions (token_hash, user_id, tenant_id, expires_at)"
      " VALUES (%s, %s::uuid, %s::uuid, now() + interval '" SESSION_TTL "')"
      " RETURNING iso8601(expires_at) AS expires_at" },
    { "hub_login_session_end",
      "UPDATE sessions SET revoked_at = now()"
      " WHERE token_hash = %s AND revoked_at IS NULL" },
    { NULL, NULL }
};
/* clang-format on */

#define ST_THROTTLED   (&hub_auth_login_stmts[0])
#define ST_FAILED      (&hub_auth_login_stmts[1])
#define ST_CLEARED     (&hub_auth_login_stmts[2])
#define ST_USER        (&hub_auth_login_stmts[3])
#define ST_REFRESH_NEW (&hub_auth_login_stmts[4])
#define ST_ROTATE      (&hub_auth_login_stmts[5])
#define ST_REUSED      (&hub_auth_login_stmts[6])
#define ST_FAMILY_END  (&hub_auth_login_stmts[7])
#define ST_SESSION_NEW (&hub_auth_login_stmts[8])
#define ST_SESSION_END (&hub_auth_login_stmts[9])

static hub_login_e from_db(hub_db_status_e st)
{
    return st == HUB_DB_OK            ? HUB_LOGIN_OK
           : st == HUB_DB_UNAVAILABLE ? HUB_LOGIN_UNAVAILABLE
                                      : HUB_LOGIN_ERROR;
}

const char *hub_auth_csrf_token(apr_pool_t *p, const char *session_token)
{
    const char *h = hub_sha256_hex(p,
                                   apr_pstrcat(p, "csrf:", session_token, NULL),
                                   strlen(session_token) + 5);
    return apr_pstrmemdup(p, h, 32);
}

static const char *account_key(apr_pool_t *p, const char *email)
{
    return apr_pstrcat(p, "acct:", apr_pstrdup(p, email ? email : ""), NULL);
}

static const char *address_key(request_rec *r)
{
    /* useragent_ip: the client as mod_remoteip sees it behind a proxy */
    return apr_pstrcat(r->pool, "ip:", r->useragent_ip, NULL);
}

/* Is either key blocked?  *retry_after seconds when it is. */
static hub_login_e throttled(request_rec *r, const char *acct, long *retry)
{
    const char *args[2] = { acct ? acct : "", address_key(r) };
    hub_rows_t *rows;
    const char *v;
    hub_db_status_e st = hub_db_select(r, ST_THROTTLED, &rows, 2, args);
    if (st != HUB_DB_OK) {
        return from_db(st);
    }
    v = hub_rows_get(rows, 0, "retry_after");
    if (v) {
        *retry = atol(v) > 0 ? atol(v) : 1;
        return HUB_LOGIN_THROTTLED;
    }
    return HUB_LOGIN_OK;
}

static void count_failure(request_rec *r, const char *acct)
{
    const char *args[2];
    if (acct) {
        args[0] = acct;
        args[1] = ACCOUNT_FAILURES;
        hub_db_exec(r, ST_FAILED, NULL, 2, args);
    }
    args[0] = address_key(r);
    args[1] = ADDRESS_FAILURES;
    hub_db_exec(r, ST_FAILED, NULL, 2, args);
}

hub_login_e hub_auth_login_password(
    hub_req_t *hr, const char *email, const char *password,
    const hub_principal_t **who, long *retry_after)
{
    request_rec *r = hr->r;
    const char *acct = account_key(r->pool, email), *hash = NULL;
    const char *args[1] = { email };
    hub_rows_t *rows;
    hub_login_e rc = throttled(r, acct, retry_after);
    hub_db_status_e st;

    if (rc != HUB_LOGIN_OK) {
        return rc;
    }
    st = hub_db_select(r, ST_USER, &rows, 1, args);
    if (st != HUB_DB_OK) {
        return from_db(st);
    }
    hash = hub_rows_get(rows, 0, "password_hash");
    /* the same Argon2 work whether or not the account exists */
    if (!hub_auth_password_verify(hash, password)) {
        count_failure(r, acct);
        return HUB_LOGIN_DENIED;
    }
    args[0] = acct;
    hub_db_exec(r, ST_CLEARED, NULL, 1, args);
    *who = hub_auth_as_user(r, HUB_IN_SESSION, hub_rows_get(rows, 0, "id"),
                            NULL, NULL, NULL);
    if (*who && (*who)->unavailable) {
        return HUB_LOGIN_UNAVAILABLE;
    }
    return *who ? HUB_LOGIN_OK : HUB_LOGIN_DENIED; /* in no tenant */
}

hub_login_e hub_auth_login_api_key(hub_req_t *hr, const char *key,
                                   const hub_principal_t **who,
                                   long *retry_after)
{
    request_rec *r = hr->r;
    const hub_principal_t *k;
    hub_login_e rc = throttled(r, NULL, retry_after);
    if (rc != HUB_LOGIN_OK) {
        return rc;
    }
    k = hub_key_is(key, HUB_KEY_API) && strlen(key) < 512
            ? hub_auth_from_api_key(r, key)
            : NULL;
    if (k && k->unavailable) {
        return HUB_LOGIN_UNAVAILABLE;
    }
    /* a key bound to no user has nobody to log in */
    if (!k || !k->user_id) {
        count_failure(r, NULL);
        return HUB_LOGIN_DENIED;
    }
    *who = hub_auth_as_user(r, HUB_IN_JWT, k->user_id, k->tenant_id, NULL,
                            NULL);
    if (*who && (*who)->unavailable) {
        return HUB_LOGIN_UNAVAILABLE;
    }
    return *who ? HUB_LOGIN_OK : HUB_LOGIN_DENIED;
}

static hub_login_e access_token(hub_req_t *hr, const hub_principal_t *who,
                                const char *family, hub_tokens_t *out)
{
    hub_jwt_claims_t c = { 0 };
    c.sub = who->user_id;
    c.email = who->email;
    c.role = who->role;
    c.tenant = who->tenant_slug;
    c.sid = family;
    out->access = hub_auth_jwt_issue(hr->r, &c, ACCESS_TTL_S);
    out->expires_in = ACCESS_TTL_S;
    if (!out->access) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, hr->r,
                      "HUB00112: cannot "
                      "sign an access token: is HubJwtKeyFile set?");
        return HUB_LOGIN_ERROR;
    }
    return HUB_LOGIN_OK;
}

hub_login_e hub_auth_tokens_issue(hub_req_t *hr, const hub_principal_t *who,
                                  hub_tokens_t *out)
{
    const char *family = hub_uuid4(hr->pool);
    const char *refresh = hub_secret(hr->pool, "hubr_", 32);
    const char *args[4];
    hub_login_e rc = access_token(hr, who, family, out);
    if (rc != HUB_LOGIN_OK || !refresh) {
        return rc != HUB_LOGIN_OK ? rc : HUB_LOGIN_ERROR;
    }
    args[0] = hub_sha256_hex(hr->pool, refresh, strlen(refresh));
    args[1] = family;
    args[2] = who->user_id;
    args[3] = who->tenant_id;
    rc = from_db(hub_db_exec(hr->r, ST_REFRESH_NEW, NULL, 4, args));
    out->refresh = refresh;
    return rc;
}

hub_login_e hub_auth_tokens_refresh(hub_req_t *hr, const char *refresh,
                                    hub_tokens_t *out)
{
    const char *next = hub_secret(hr->pool, "hubr_", 32);
    const char *args[2];
    const hub_principal_t *who;
    hub_rows_t *rows;
    hub_db_status_e st;
    int n = 0;

    if (!refresh || strncmp(refresh, "hubr_", 5) || strlen(refresh) > 128
        || !next) {
        return HUB_LOGIN_DENIED;
    }
    args[0] = hub_sha256_hex(hr->pool, refresh, strlen(refresh));
    args[1] = hub_sha256_hex(hr->pool, next, strlen(next));
    st = hub_db_select(hr->r, ST_ROTATE, &rows, 2, args);
    if (st != HUB_DB_OK) {
        return from_db(st);
    }
    if (rows->rows->nelts != 1) {
        hub_db_exec(hr->r, ST_REUSED, &n, 1, args);
        if (n) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, hr->r,
                          "HUB00113: a "
                          "refresh token was used twice: its login family "
                          "is revoked");
        }
        return HUB_LOGIN_DENIED;
    }
    who = hub_auth_as_user(hr->r, HUB_IN_JWT, hub_rows_get(rows, 0, "user_id"),
                           hub_rows_get(rows, 0, "tenant_id"), NULL,
                           hub_rows_get(rows, 0, "family_id"));
    if (!who || who->unavailable) {
        return who ? HUB_LOGIN_UNAVAILABLE : HUB_LOGIN_DENIED;
    }
    out->refresh = next;
    return access_token(hr, who, hub_rows_get(rows, 0, "family_id"), out);
}

/* Drop what this host cached for a credential (kind 'j' or 's'), with
 * and without the tenant the request names. */
static void forget(request_rec *r, char kind, const char *hash)
{
    char k[2] = { kind, '\0' };
    const char *want = apr_table_get(r->headers_in, "X-Hub-Tenant");
    hub_auth_cache_forget(r, apr_pstrcat(r->pool, k, ":", hash, ":", NULL));
    if (want) {
        hub_auth_cache_forget(r, apr_pstrcat(r->pool, k, ":", hash, ":", want,
                                             NULL));
    }
}

hub_login_e hub_auth_tokens_revoke(hub_req_t *hr, const char *refresh)
{
    hub_jwt_claims_t c;
    const char *token = hub_auth_bearer(hr->r);
    const char *args[3];
    if (token) {
        forget(hr->r, 'j', hub_sha256_hex(hr->pool, token, strlen(token)));
    }
    args[0] = hr->who->user_id;
    args[1] = token && hub_auth_jwt_verify(hr->r, token, &c) && c.sid
                      && hub_is_uuid(c.sid)
                  ? c.sid
                  : NULL;
    args[2] = refresh ? hub_sha256_hex(hr->pool, refresh, strlen(refresh))
                      : NULL;
    return from_db(hub_db_exec(hr->r, ST_FAMILY_END, NULL, 3, args));
}

hub_login_e hub_auth_session_create(hub_req_t *hr, const hub_principal_t *who,
                                    const char **token, const char **expires)
{
    const char *t = hub_secret(hr->pool, "", 32);
    const char *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!t) {
        return HUB_LOGIN_ERROR;
    }
    args[0] = hub_sha256_hex(hr->pool, t, strlen(t));
    args[1] = who->user_id;
    args[2] = who->tenant_id;
    st = hub_db_select(hr->r, ST_SESSION_NEW, &rows, 3, args);
    if (st != HUB_DB_OK) {
        return from_db(st);
    }
    *token = t;
    *expires = hub_rows_get(rows, 0, "expires_at");
    return HUB_LOGIN_OK;
}

hub_login_e hub_auth_session_end(hub_req_t *hr, const char *token)
{
    const char *args[1];
    if (!token) {
        return HUB_LOGIN_OK;
    }
    args[0] = hub_sha256_hex(hr->pool, token, strlen(token));
    forget(hr->r, 's', args[0]);
    return from_db(hub_db_exec(hr->r, ST_SESSION_END, NULL, 1, args));
}

int hub_auth_login_fail(hub_req_t *hr, hub_result_t *res, hub_login_e rc,
                        long retry_after)
{
    switch (rc) {
    case HUB_LOGIN_THROTTLED:
        hub_result_header(res, "Retry-After", apr_ltoa(hr->pool, retry_after));
        return hub_err(res, HTTP_TOO_MANY_REQUESTS, "RATE_LIMITED",
                       "too many failed logins; try again in %ld s",
                       retry_after);
    case HUB_LOGIN_UNAVAILABLE:
        return hub_err_db(res, HUB_DB_UNAVAILABLE, NULL, hr->request_id);
    case HUB_LOGIN_ERROR:
        return hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
    default:
        return hub_err(res, HTTP_UNAUTHORIZED, "INVALID_CREDENTIALS",
                       "invalid credentials");
    }
}
