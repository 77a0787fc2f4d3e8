/* G4F's login: POST /auth/login (password or API key) gives an access
 * token (a 15-minute JWT) and a refresh token; /auth/refresh rotates the
 * refresh token and refuses a reused one; /auth/logout ends the login;
 * GET /me says who is calling. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_openapi_schema.h"
#include "hub_validate.h"

/* clang-format off */
static const hub_stmt_t me_stmts[] = {
    { "hub_g4f_me",
      "SELECT id, coalesce(display_name, '') AS name, email,"
      "       iso8601(created_at) AS created_at"
      "  FROM users WHERE id = %s::uuid" },
    { NULL, NULL }
};
/* clang-format on */
const hub_stmt_t *const hub_auth_g4f_auth_stmts = me_stmts;

static int send_tokens(hub_result_t *res, const hub_tokens_t *t)
{
    return hub_ok(res,
                  json_pack("{s:s,s:s,s:I,s:s}", "access_token", t->access,
                            "refresh_token", t->refresh, "expires_in",
                            (json_int_t)t->expires_in, "token_type", "bearer"));
}

static int login(hub_req_t *hr, hub_result_t *res)
{
    const char *method = json_string_value(json_object_get(hr->body, "method"));
    const hub_principal_t *who = NULL;
    hub_tokens_t t = { 0 };
    long retry = 0;
    hub_login_e rc;

    if (!strcmp(method, "password")) {
        const char *email = json_string_value(
            json_object_get(hr->body, "email"));
        const char *pw = json_string_value(
            json_object_get(hr->body, "password"));
        if (!email || !pw) {
            return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                           "method password needs email and password");
        }
        rc = hub_auth_login_password(hr, email, pw, &who, &retry);
    }
    else {
        const char *key = json_string_value(
            json_object_get(hr->body, "api_key"));
        if (!key) {
            return hub_err(res, HTTP_BAD_REQUEST, "VALIDATION_ERROR",
                           "method api_key needs api_key");
        }
        rc = hub_auth_login_api_key(hr, key, &who, &retry);
    }
    if (rc == HUB_LOGIN_OK) {
        rc = hub_auth_tokens_issue(hr, who, &t);
    }
    return rc == HUB_LOGIN_OK ? send_tokens(res, &t)
                              : hub_auth_login_fail(hr, res, rc, retry);
}

static int refresh(hub_req_t *hr, hub_result_t *res)
{
    hub_tokens_t t = { 0 };
    hub_login_e rc = hub_auth_tokens_refresh(
        hr, json_string_value(json_object_get(hr->body, "refresh_token")), &t);
    return rc == HUB_LOGIN_OK ? send_tokens(res, &t)
                              : hub_auth_login_fail(hr, res, rc, 0);
}

static int logout(hub_req_t *hr, hub_result_t *res)
{
    hub_login_e rc = hub_auth_tokens_revoke(
        hr, json_string_value(json_object_get(hr->body, "refresh_token")));
    return rc == HUB_LOGIN_OK ? hub_ok(res, json_pack("{s:b}", "ok", 1))
                              : hub_auth_login_fail(hr, res, rc, 0);
}

/* G4F's roles: the caller's role in its tenant, and superuser. */
static json_t *roles(const hub_principal_t *who)
{
    json_t *a = json_array();
    if (who->role) {
        json_array_append_new(a, json_string(who->role));
    }
    if (who->superuser) {
        json_array_append_new(a, json_string("superuser"));
    }
    return a;
}

static int me(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->user_id };
    hub_rows_t *rows;
    json_t *user;
    hub_db_status_e st;
    if (!hr->who->user_id) {
        /* an API key bound to no user: the key itself is the caller */
        return hub_ok(res, json_pack("{s:{s:n,s:s,s:n,s:o,s:n}}", "user", "id",
                                     "name", hr->who->name, "email", "roles",
                                     roles(hr->who), "created_at"));
    }
    st = hub_db_select(hr->r, &me_stmts[0], &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "user not found");
    }
    /* clang-format off */
    user = json_pack("{s:s,s:s,s:s,s:o,s:s}",
                     "id", hub_rows_get(rows, 0, "id"),
                     "name", hub_rows_get(rows, 0, "name"),
                     "email", hub_rows_get(rows, 0, "email"),
                     "roles", roles(hr->who),
                     "created_at", hub_rows_get(rows, 0, "created_at"));
    /* clang-format on */
    json_object_set_new(user, "tenant", json_string(hr->who->tenant_slug));
    return hub_ok(res, json_pack("{s:o}", "user", user));
}

static const char *const login_methods[] = { "password", "api_key", NULL };

static const hub_field_t login_in[] = {
    { "method", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, login_methods,
      "password or api_key" },
    { "email", HUB_T_STRING, 0, 3, 320, NULL, "for method password" },
    { "password", HUB_T_STRING, 0, 1, 256, NULL, "for method password" },
    { "api_key", HUB_T_STRING, 0, 1, 512, NULL, "for method api_key" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t refresh_in[] = {
    { "refresh_token", HUB_T_STRING, HUB_F_REQUIRED, 1, 256, NULL,
      "the refresh token of the last login or refresh" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t logout_in[] = {
    { "refresh_token", HUB_T_STRING, 0, 1, 256, NULL,
      "also end the login of this refresh token" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* send_tokens: a new login's tokens */
#define TOKENS_OUT \
    HUB_DOC("Tokens", \
            OBJ("\"access_token\":" STR ",\"refresh_token\":" STR \
                ",\"expires_in\":" INT ",\"token_type\":" ENUM("\"bearer\""), \
                "\"access_token\",\"refresh_token\",\"expires_in\"," \
                "\"token_type\""))

/* clang-format off */
const hub_route_t hub_auth_g4f_auth_routes[] = {
    { HUB_G4F, HUB_M_POST, "/auth/login", login, login_in, 0, 0,
      "Auth: POST /auth/login",
      .need = HUB_NEED_PUBLIC, .doc = TOKENS_OUT },
    { HUB_G4F, HUB_M_POST, "/auth/refresh", refresh, refresh_in, 0, 0,
      "Auth: POST /auth/refresh",
      .need = HUB_NEED_PUBLIC, .doc = TOKENS_OUT },
    /* a login's own access token only: an API key has no login to end */
    { HUB_G4F, HUB_M_POST, "/auth/logout", logout, logout_in, HUB_IN_JWT, 0,
      "Auth: POST /auth/logout",
      .need = HUB_NEED_ANY, .doc = HUB_DOC("Ok", G4F_OK) },
    { HUB_G4F, HUB_M_GET, "/me", me, NULL, 0, 0, "Auth: GET /me",
      .need = HUB_NEED_ANY },
    { 0 }
};
/* clang-format on */
