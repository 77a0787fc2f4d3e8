/* Cookie logins for the browser-facing profiles: Patchwork's pw_sessionid
 * and Caylex's DS.  The documents name the cookies but not how one gets
 * them; the hub adds a login and a logout per profile:
 *
 *   patchwork  POST /api/v1/auth/login/   POST /api/v1/auth/logout/
 *   caylex     POST /auth/login           POST /auth/logout
 *
 * The cookie is HttpOnly, SameSite=Lax, Secure over TLS, scoped to the
 * profile's mount and as long-lived as the session (12 hours).  The login
 * answer carries the session's CSRF token, which every change made with
 * the cookie must send back in X-CSRF-Token. */
#include <apr_strings.h>
#include <http_protocol.h>
#include "hub_auth_private.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

static const char *cookie_name(const hub_req_t *hr)
{
    return hr->profile == HUB_CAYLEX ? HUB_COOKIE_CAYLEX : HUB_COOKIE_PATCHWORK;
}

static void set_cookie(hub_req_t *hr, hub_result_t *res, const char *value,
                       long max_age)
{
    const char *path = hr->conf->prefix;
    int tls = !strcmp(ap_http_scheme(hr->r), "https");
    hub_result_header_add(res, "Set-Cookie",
                          apr_psprintf(hr->pool,
                                       "%s=%s; Path=%s; Max-Age=%ld; "
                                       "HttpOnly; SameSite=Lax%s",
                                       cookie_name(hr), value, path, max_age,
                                       tls ? "; Secure" : ""));
}

static int login(hub_req_t *hr, hub_result_t *res)
{
    const char *email = json_string_value(json_object_get(hr->body, "email"));
    const char *pw = json_string_value(json_object_get(hr->body, "password"));
    const hub_principal_t *who = NULL;
    const char *token, *expires;
    long retry = 0;
    hub_login_e rc = hub_auth_login_password(hr, email, pw, &who, &retry);
    if (rc == HUB_LOGIN_OK) {
        rc = hub_auth_session_create(hr, who, &token, &expires);
    }
    if (rc != HUB_LOGIN_OK) {
        return hub_auth_login_fail(hr, res, rc, retry);
    }
    set_cookie(hr, res, token, 12 * 3600);
    return hub_ok(res, json_pack("{s:s,s:s,s:s,s:s}", "email", who->email,
                                 "team", who->tenant_slug, "csrf_token",
                                 hub_auth_csrf_token(hr->pool, token),
                                 "expires_at", expires));
}

/* Ends the session the cookie names (if any) and clears the cookie: safe
 * to call twice, and without a session. */
static int logout(hub_req_t *hr, hub_result_t *res)
{
    const char *h = apr_table_get(hr->r->headers_in, "Cookie"), *token = NULL;
    const char *name = cookie_name(hr);
    size_t n = strlen(name);
    hub_login_e rc;
    while (h && *h && !token) {
        while (*h == ' ' || *h == ';') {
            h++;
        }
        if (!strncmp(h, name, n) && h[n] == '=') {
            token = apr_pstrmemdup(hr->pool, h + n + 1,
                                   strcspn(h + n + 1, ";"));
        }
        h = strchr(h, ';');
    }
    rc = hub_auth_session_end(hr, token);
    if (rc != HUB_LOGIN_OK) {
        return hub_auth_login_fail(hr, res, rc, 0);
    }
    set_cookie(hr, res, "", 0);
    return hub_ok(res, json_pack("{s:s}", "message", "logged out"));
}

static const hub_field_t login_in[] = {
    { "email", HUB_T_STRING, HUB_F_REQUIRED, 3, 320, NULL, "account email" },
    { "password", HUB_T_STRING, HUB_F_REQUIRED, 1, 256, NULL, "password" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* what login and logout answer (their cookie aside) */
#define LOGIN_OUT \
    HUB_DOC("LoginOut", OBJ("\"email\":" STR ",\"team\":" STR \
                            ",\"csrf_token\":" STR ",\"expires_at\":" STR, \
                            "\"email\",\"team\",\"csrf_token\"," \
                            "\"expires_at\""))
#define LOGOUT_OUT HUB_DOC("LogoutOut", OBJ("\"message\":" STR, "\"message\""))

/* clang-format off */
const hub_route_t hub_auth_sessions_routes[] = {
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/auth/login/", login, login_in, 0,
      0, "Log in: a pw_sessionid session cookie",
      .need = HUB_NEED_PUBLIC, .doc = LOGIN_OUT },
    { HUB_PATCHWORK, HUB_M_POST, "/api/v1/auth/logout/", logout, NULL, 0, 0,
      "Log out: end the session",
      .need = HUB_NEED_PUBLIC, .doc = LOGOUT_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/auth/login", login, login_in, 0, 0,
      "Log in: a DS session cookie",
      .need = HUB_NEED_PUBLIC, .doc = LOGIN_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/auth/logout", logout, NULL, 0, 0,
      "Log out: end the session",
      .need = HUB_NEED_PUBLIC, .doc = LOGOUT_OUT },
    { 0 }
};
/* clang-format on */
