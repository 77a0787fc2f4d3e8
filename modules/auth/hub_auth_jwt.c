/* JSON Web Tokens with libjwt: HS256 only, the key from HubJwtKeyFile.
 *
 * Two kinds are honoured.  The hub's own access tokens (iss "mod_hub",
 * sub = the user's id, sid = the login's refresh family) and tokens minted
 * by another service holding the same key, as Tool Hub's
 * create_access_token(user_id, email, role) does (sub, email, role, exp,
 * iat).  A wrong algorithm, "none", a bad signature, a missing or past
 * exp all fail here. */
#include <errno.h>
#include <stdlib.h>
#include <jwt.h>
#include <apr_strings.h>
#include "hub_auth_private.h"

#define LEEWAY_S 60 /* clock skew tolerated on iat */

static void free_jwt(jwt_t *j)
{
    if (j) {
        jwt_free(j);
    }
}

/* The algorithm the header names, before any verification, so "none" and
 * everything but HS256 are refused whatever the library would do. */
static int header_alg_ok(request_rec *r, const char *token)
{
    jwt_t *j = NULL;
    const char *alg;
    int ok;
    if (jwt_decode(&j, token, NULL, 0) != 0) {
        return 0;
    }
    /* copied: the string belongs to j, freed next */
    alg = jwt_get_header(j, "alg");
    alg = alg ? apr_pstrdup(r->pool, alg) : NULL;
    ok = alg && !strcmp(alg, "HS256");
    free_jwt(j);
    if (!ok) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "HUB00110: JWT refused: "
                      "algorithm %s is not HS256",
                      alg ? alg : "(none)");
    }
    return ok;
}

static const char *grant(apr_pool_t *p, jwt_t *j, const char *name)
{
    const char *v = jwt_get_grant(j, name);
    return v ? apr_pstrdup(p, v) : NULL;
}

int hub_auth_jwt_verify(request_rec *r, const char *token,
                        hub_jwt_claims_t *out)
{
    const hub_auth_srv_t *c = hub_auth_srv(r->server);
    jwt_t *j = NULL;
    long exp, iat;
    apr_time_t now = apr_time_sec(apr_time_now());

    memset(out, 0, sizeof(*out));
    if (!c->jwt_key || !header_alg_ok(r, token)) {
        return 0;
    }
    if (jwt_decode(&j, token, c->jwt_key, (int)c->jwt_key_len) != 0
        || jwt_get_alg(j) != JWT_ALG_HS256) {
        free_jwt(j);
        return 0;
    }
    errno = 0;
    exp = jwt_get_grant_int(j, "exp");
    if (errno == ENOENT || exp <= now) {
        free_jwt(j);
        return 0;
    }
    errno = 0;
    iat = jwt_get_grant_int(j, "iat");
    if (errno != ENOENT && iat > now + LEEWAY_S) {
        free_jwt(j);
        return 0;
    }
    out->sub = grant(r->pool, j, "sub");
    out->email = grant(r->pool, j, "email");
    out->role = grant(r->pool, j, "role");
    out->tenant = grant(r->pool, j, "tenant");
    out->sid = grant(r->pool, j, "sid");
    out->iss = grant(r->pool, j, "iss");
    out->exp = exp;
    free_jwt(j);
    return out->sub && *out->sub;
}

const char *hub_auth_jwt_issue(request_rec *r, const hub_jwt_claims_t *in,
                               long ttl_s)
{
    const hub_auth_srv_t *c = hub_auth_srv(r->server);
    jwt_t *j = NULL;
    char *s;
    const char *out = NULL;
    long now = (long)apr_time_sec(apr_time_now());

    if (!c->jwt_key || jwt_new(&j) != 0) {
        return NULL;
    }
    if (jwt_set_alg(j, JWT_ALG_HS256, c->jwt_key, (int)c->jwt_key_len) == 0
        && jwt_add_grant(j, "iss", HUB_JWT_ISSUER) == 0
        && jwt_add_grant(j, "sub", in->sub) == 0
        && (!in->email || jwt_add_grant(j, "email", in->email) == 0)
        && (!in->role || jwt_add_grant(j, "role", in->role) == 0)
        && (!in->tenant || jwt_add_grant(j, "tenant", in->tenant) == 0)
        && (!in->sid || jwt_add_grant(j, "sid", in->sid) == 0)
        && jwt_add_grant_int(j, "iat", now) == 0
        && jwt_add_grant_int(j, "exp", now + ttl_s) == 0
        && (s = jwt_encode_str(j)) != NULL) {
        out = apr_pstrdup(r->pool, s);
        free(s);
    }
    jwt_free(j);
    return out;
}
