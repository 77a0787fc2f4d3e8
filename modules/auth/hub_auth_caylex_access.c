/* Caylex: platform access tokens, invites (auth links), the user's general
 * settings and password resets by mail.
 *
 * Platform access tokens are rows of api_keys of kind 'platform' with the
 * admin scope: they authenticate as any API key does (hub_..., SHA-256),
 * bound to the tenant they were made in.
 *
 * An invite is one of a project's auth links (hub_auth_links.c): its id
 * and its token (hubl_...) are the capability the link carries; whoever
 * holds both and is signed in with an address the link is valid for may
 * join the inviting tenant and become a user of its project.  That
 * crosses tenants on purpose, so an invite is found by its id and token
 * alone (hub_auth_links_store.c); everything else here is the caller's
 * own tenant.
 *
 * Password resets: a random token is mailed (hub_http_mail, HubSmtpServer)
 * as a link; the database keeps its SHA-256 only; it lives 30 minutes and
 * is spent by its first use, which also spends the user's other tokens. */
#include <apr_strings.h>
#include "hub_auth_links.h"
#include "hub_crypto.h"
#include "hub_key.h"
#include "hub_json.h"
#include "hub_http.h"
#include "hub_openapi_schema.h"
#include "hub_time.h"
#include "hub_validate.h"

#define PAT_COLUMNS \
    "id, name, description, prefix, iso8601(expires_at) AS expires_at," \
    " iso8601(created_at) AS created_at"

/* how long a mailed reset link works */
#define RESET_TTL "30 minutes"

/* clang-format off */
const hub_stmt_t hub_auth_caylex_access_stmts[] = {
    /* tokens are made and revoked as every key is (hub_auth_keys.c) */
    { "hub_cx_pat_list",
      "SELECT " PAT_COLUMNS " FROM api_keys"
      " WHERE tenant_id = %s::uuid AND kind = 'platform'"
      "   AND revoked_at IS NULL"
      " ORDER BY created_at DESC, id" },
    { "hub_cx_general_get",
      "SELECT coalesce(nullif(u.display_name, ''),"
      "                split_part(u.email, '@', 1)) AS name,"
      "       u.email, u.timezone, t.name AS tenant_name,"
      "       t.id AS tenant_id, m.role AS member_role"
      "  FROM users u"
      "  JOIN tenants t ON t.id = %s::uuid"
      "  LEFT JOIN memberships m ON m.tenant_id = t.id AND m.user_id = u.id"
      " WHERE u.id = %s::uuid AND u.is_active" },
    { "hub_cx_general_update",
      "WITH tz AS ("
      "  SELECT %s::text IS NULL"
      "      OR EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = %s)"
      "         AS ok),"
      " u AS ("
      "  UPDATE users SET display_name = coalesce(%s, display_name),"
      "                   timezone = coalesce(%s, timezone),"
      "                   updated_at = now()"
      "    FROM tz WHERE tz.ok AND users.id = %s::uuid AND users.is_active"
      "  RETURNING users.id)"
      " SELECT (SELECT ok FROM tz) AS tz_ok,"
      "        (SELECT count(*) FROM u) AS updated" },
    /* a new link spends the ones sent before it */
    { "hub_cx_reset_create",
      "WITH old AS ("
      "  UPDATE password_resets SET used_at = now()"
      "   WHERE user_id = %s::uuid AND used_at IS NULL)"
      " INSERT INTO password_resets (token_hash, user_id, expires_at)"
      " VALUES (%s, %s::uuid, now() + interval '" RESET_TTL "')"
      " RETURNING iso8601(expires_at) AS expires_at" },
    { "hub_cx_reset_drop",
      "DELETE FROM password_resets WHERE token_hash = %s" },
    { "hub_cx_reset_check",
      "SELECT iso8601(r.expires_at) AS expires_at FROM password_resets r"
      "  JOIN users u ON u.id = r.user_id AND u.is_active"
      " WHERE r.token_hash = %s AND r.used_at IS NULL"
      "   AND r.expires_at > now()" },
    { "hub_cx_reset_complete",
      "WITH t AS ("
      "  UPDATE password_resets SET used_at = now()"
      "   WHERE token_hash = %s AND used_at IS NULL AND expires_at > now()"
      "  RETURNING user_id),"
      " u AS ("
      "  UPDATE users SET password_hash = %s, updated_at = now() FROM t"
      "   WHERE users.id = t.user_id AND users.is_active RETURNING users.id),"
      " others AS ("
      "  UPDATE password_resets SET used_at = now()"
      "   WHERE user_id IN (SELECT id FROM u) AND used_at IS NULL"
      "     AND token_hash <> %s),"
      /* a new password ends every session and login made with the old
       * one: whoever reset it may be locking someone out */
      " sessions_ended AS ("
      "  UPDATE sessions SET revoked_at = now()"
      "   WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL),"
      " logins_ended AS ("
      "  UPDATE refresh_tokens SET revoked_at = now()"
      "   WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL)"
      " SELECT count(*) AS done FROM u" },
    { NULL, NULL }
};
/* clang-format on */

enum {
    ST_PAT_LIST,
    ST_GENERAL_GET,
    ST_GENERAL_UPDATE,
    ST_RESET_CREATE,
    ST_RESET_DROP,
    ST_RESET_CHECK,
    ST_RESET_COMPLETE
};
#define STMT(i) (&hub_auth_caylex_access_stmts[i])

/* clang-format off */
static const hub_shape_t pat_out[] = {
    { "id", NULL, HUB_J_STRING },
    { "name", NULL, HUB_J_STRING },
    { "description", NULL, HUB_J_STRING },
    { "expires_at", NULL, HUB_J_STRING },
    { "created_at", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static const hub_shape_t invite_meta_out[] = {
    { "tenant_name", NULL, HUB_J_STRING },
    { "project_name", NULL, HUB_J_STRING },
    { "expires_at", NULL, HUB_J_STRING },
    { "auth_link_type", "link_type", HUB_J_STRING },
    { "valid_for", NULL, HUB_J_STRINGS },
    { NULL, NULL, 0 }
};

/* clang-format off */
static const hub_shape_t general_out[] = {
    { "name", NULL, HUB_J_STRING },
    { "email", NULL, HUB_J_STRING },
    { "timezone", NULL, HUB_J_STRING },
    { "tenant_name", NULL, HUB_J_STRING },
    { "tenant_id", NULL, HUB_J_STRING },
    { NULL, NULL, 0 }
};
/* clang-format on */

static const char *body_str(hub_req_t *hr, const char *name)
{
    return json_string_value(json_object_get(hr->body, name));
}

/* ---- platform access tokens -------------------------------------------- */

/* The token's display preview: its visible prefix, the rest dotted out. */
static json_t *pat_json(hub_req_t *hr, hub_rows_t *rows, int i)
{
    json_t *o = hub_row_json(rows, i, pat_out);
    json_object_set_new(o, "preview",
                        json_string(apr_pstrcat(hr->pool,
                                                hub_rows_get(rows, i, "prefix"),
                                                "......", NULL)));
    json_object_set_new(o, "role", json_string("admin"));
    return o;
}

static int pat_create(hub_req_t *hr, hub_result_t *res)
{
    const char *role = body_str(hr, "role");
    const char *exp = body_str(hr, "expires_at");
    hub_key_new_t k = { 0 };
    const char *raw;
    apr_time_t when;
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *out;

    if (role && strcmp(role, "admin")) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Only admin role "
                       "is allowed for platform access tokens");
    }
    if (exp && hub_parse_iso8601(exp, &when)) {
        return hub_err_field(res, "body", "expires_at", "datetime_parsing",
                             "Input should be a valid datetime");
    }
    if (exp && when <= apr_time_now()) {
        return hub_err_field(res, "body", "expires_at", "value_error",
                             "Value error, expires_at must be in the "
                             "future");
    }
    k.kind = HUB_AUTH_KEY_PLATFORM;
    k.name = body_str(hr, "name");
    k.description = body_str(hr, "description");
    k.scopes = HUB_SCOPE_ADMIN;
    k.expires_at = exp ? hub_iso8601(hr->pool, when) : NULL;
    st = hub_auth_key_create(hr, &k, &rows, &raw);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    out = pat_json(hr, rows, 0);
    json_object_set_new(out, "token", json_string(raw));
    return hub_ok(res, out);
}

static int pat_list(hub_req_t *hr, hub_result_t *res)
{
    const char *args[1] = { hr->who->tenant_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *out;
    int i;
    st = hub_db_select(hr->r, STMT(ST_PAT_LIST), &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    out = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(out, pat_json(hr, rows, i));
    }
    return hub_ok(res, out);
}

/* ---- invites ----------------------------------------------------------- */

static int invite_invalid(hub_result_t *res)
{
    return hub_err(res, HTTP_UNAUTHORIZED, "UNAUTHORIZED", "Invite is invalid");
}

/* The SHA-256 a link's token is kept as, or NULL when `token` cannot be
 * one (absent, another kind of key, too long). */
static const char *token_hash_of(hub_req_t *hr, const char *token)
{
    if (!hub_key_is(token, HUB_KEY_LINK) || strlen(token) > 128) {
        return NULL;
    }
    return hub_key_hash(hr->pool, token);
}

/* The live invite named by `id` (a UUID) and `token`: DECLINED with its
 * row and the token's hash, or the answer in res when there is none.
 * Every way a link cannot be used has the one answer. */
static int invite_find(hub_req_t *hr, hub_result_t *res, const char *id,
                       const char *token, hub_rows_t **rows, const char **hash)
{
    hub_db_status_e st;
    if (!(*hash = token_hash_of(hr, token))) {
        return invite_invalid(res);
    }
    st = hub_auth_invite_find(hr, id, *hash, rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if ((*rows)->rows->nelts != 1) {
        return invite_invalid(res);
    }
    return DECLINED;
}

/* The same for the query's auth_link_id and token. */
static int invite_of_query(hub_req_t *hr, hub_result_t *res, hub_rows_t **rows,
                           const char **hash)
{
    return invite_find(hr, res, hub_qv_str(&hr->q, "auth_link_id"),
                       hub_qv_str(&hr->q, "token"), rows, hash);
}

/* Does the invite let `email` in?  'user' links list e-mail domains,
 * 'project' links e-mail addresses; no list lets anybody in. */
static int invite_admits(hub_rows_t *rows, const char *email)
{
    json_t *list = hub_pg_array_json(hub_rows_get(rows, 0, "valid_for"));
    const char *type = hub_rows_get(rows, 0, "link_type");
    const char *domain = email ? strrchr(email, '@') : NULL;
    json_t *v;
    size_t i;
    int ok = 0;
    if (!hub_rows_get(rows, 0, "valid_for")) {
        return email != NULL;
    }
    json_array_foreach(list, i, v) {
        const char *s = json_string_value(v);
        if (!strcmp(type, "user")) {
            ok |= domain && !strcasecmp(domain + 1, s + (*s == '@'));
        }
        else {
            ok |= email && !strcasecmp(email, s);
        }
    }
    json_decref(list);
    return ok;
}

static int invite_metadata(hub_req_t *hr, hub_result_t *res)
{
    hub_rows_t *rows;
    const char *hash;
    int rc = invite_of_query(hr, res, &rows, &hash);
    if (rc != DECLINED) {
        return rc;
    }
    return hub_ok_row(res, rows, invite_meta_out);
}

static int not_for_you(hub_result_t *res)
{
    return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
                   "This invite is not valid for the signed-in account");
}

/* What a header or path server asks the invitee for: the names of
 * auth_config[key] items (each's `from` member; `prefix_from` the
 * header's value prefix), as [{name[, prefix]}]. */
static json_t *asked_for(const char *auth_config, const char *key,
                         const char *from, const char *prefix_from)
{
    json_t *cfg = json_loads(auth_config ? auth_config : "{}", 0, NULL);
    json_t *out = json_array(), *item;
    size_t i;
    json_array_foreach(json_object_get(cfg, key), i, item) {
        json_t *name = json_object_get(item, from);
        json_t *one;
        if (!json_is_string(name)) {
            name = json_object_get(item, "name");
        }
        if (!json_is_string(name)) {
            continue;
        }
        one = json_pack("{s:O}", "name", name);
        if (prefix_from) {
            json_t *pre = json_object_get(item, prefix_from);
            json_object_set(one, "prefix",
                            json_is_string(pre) && json_string_length(pre)
                                ? pre
                                : json_null());
        }
        json_array_append_new(out, one);
    }
    json_decref(cfg);
    return out;
}

/* The link's instances the caller may authenticate to, by what their
 * servers need: OAuth, headers or path parameters.  Servers that need
 * nothing (auth method none) are authenticated by completing the link;
 * query-parameter servers are not offered (the document has no list for
 * them). */
static int invite_config(hub_req_t *hr, hub_result_t *res)
{
    json_t *oauth, *header, *path;
    hub_rows_t *rows, *inst;
    hub_db_status_e st;
    const char *hash;
    int rc = invite_of_query(hr, res, &rows, &hash), i;
    if (rc != DECLINED) {
        return rc;
    }
    if (!invite_admits(rows, hr->who->email)) {
        return not_for_you(res);
    }
    st = hub_auth_invite_instances(hr, hub_rows_get(rows, 0, "id"), hash,
                                   hr->who->email, &inst);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    oauth = json_array();
    header = json_array();
    path = json_array();
    for (i = 0; i < inst->rows->nelts; i++) {
        const char *method = hub_rows_get(inst, i, "auth_method");
        const char *cfg = hub_rows_get(inst, i, "auth_config");
        json_t *one = json_pack("{s:s,s:s,s:s}", "name",
                                hub_rows_get(inst, i, "server_name"), "id",
                                hub_rows_get(inst, i, "server_instance_id"),
                                "server_id",
                                hub_rows_get(inst, i, "server_id"));
        if (!strcmp(method, "oauth")) {
            /* the hub has no Descope outbound apps */
            json_object_set_new(one, "descope_outbound_app_id",
                                json_string(""));
            json_array_append_new(oauth, one);
        }
        else if (!strcmp(method, "header")) {
            json_object_set_new(one, "headers",
                                asked_for(cfg, "headers", "header_name",
                                          "header_value_prefix"));
            json_array_append_new(header, one);
        }
        else if (!strcmp(method, "path")) {
            json_object_set_new(one, "paths",
                                asked_for(cfg, "paths", "path_param_name",
                                          NULL));
            json_array_append_new(path, one);
        }
        else {
            json_decref(one);
        }
    }
    /* clang-format off */
    return hub_ok(res, json_pack(
        "{s:s,s:s,s:o,s:o,s:o}",
        "tenant_name", hub_rows_get(rows, 0, "tenant_name"),
        "auth_scope", hub_rows_get(rows, 0, "link_type"),
        "oauth_servers", oauth, "header_servers", header,
        "path_servers", path));
    /* clang-format on */
}

/* The row of inst whose server_instance_id is id, or -1. */
static int instance_row(const hub_rows_t *inst, const char *id)
{
    int i;
    for (i = 0; id && i < inst->rows->nelts; i++) {
        if (!strcasecmp(hub_rows_get(inst, i, "server_instance_id"), id)) {
            return i;
        }
    }
    return -1;
}

/* Each server the completion names must be one of the invite's that the
 * caller may authenticate to, in the list of its auth method; the OAuth
 * ones are collected into *oauth_ids (a text[] literal).  The hub keeps
 * no per-user header or path credentials yet: rather than drop them
 * silently, such a request is refused. */
static int invite_servers(hub_req_t *hr, hub_result_t *res,
                          const hub_rows_t *inst, const char **oauth_ids)
{
    static const char *const lists[] = { "oauth_servers", "header_servers",
                                         "path_servers", NULL };
    static const char *const methods[] = { "oauth", "header", "path" };
    apr_array_header_t *ids = apr_array_make(hr->pool, 4, sizeof(char *));
    int l, k;
    json_t *s;
    size_t i;
    for (l = 0; lists[l]; l++) {
        json_array_foreach(json_object_get(hr->body, lists[l]), i, s) {
            const char *id = json_string_value(
                json_object_get(s, "server_instance_id"));
            if (!hub_is_uuid(id) || (k = instance_row(inst, id)) < 0) {
                return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                               "%s[%u]: server instance is not part of "
                               "this invite",
                               lists[l], (unsigned)i);
            }
            if (strcmp(hub_rows_get(inst, k, "auth_method"), methods[l])) {
                return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                               "%s[%u]: the server does not use %s "
                               "authentication",
                               lists[l], (unsigned)i, methods[l]);
            }
            if (l) {
                return hub_err(res, HTTP_NOT_IMPLEMENTED, "NOT_IMPLEMENTED",
                               "per-user header and path credentials are "
                               "not supported yet");
            }
            APR_ARRAY_PUSH(ids, const char *) = id;
        }
    }
    *oauth_ids = hub_pg_array_strv(hr->pool, ids);
    return DECLINED;
}

static int invite_complete(hub_req_t *hr, hub_result_t *res)
{
    const char *email = body_str(hr, "user_email");
    const char *link = body_str(hr, "auth_link_id");
    hub_invite_done_t d = { 0 };
    hub_rows_t *rows, *inst, *done;
    hub_db_status_e st;
    int rc;
    if (!hub_is_uuid(link)) {
        return hub_err_field(res, "body", "auth_link_id", "uuid_parsing",
                             "Input should be a valid UUID");
    }
    rc = invite_find(hr, res, link, body_str(hr, "token"), &rows,
                     &d.token_hash);
    if (rc != DECLINED) {
        return rc;
    }
    /* an invite makes a membership for a user: the one signed in */
    if (!hr->who->user_id || !hr->who->email
        || strcasecmp(email, hr->who->email)) {
        return hub_err(res, HTTP_FORBIDDEN, "FORBIDDEN",
                       "user_email must "
                       "be the address of the signed-in user");
    }
    if (!invite_admits(rows, hr->who->email)) {
        return not_for_you(res);
    }
    st = hub_auth_invite_instances(hr, link, d.token_hash, hr->who->email,
                                   &inst);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if ((rc = invite_servers(hr, res, inst, &d.oauth_ids)) != DECLINED) {
        return rc;
    }
    d.id = link;
    d.descope_user_id = body_str(hr, "descope_user_id");
    st = hub_auth_invite_complete(hr, &d, &done);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (strcmp(hub_rows_get(done, 0, "found"), "1")) {
        return invite_invalid(res);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00605: auth link %s completed by %s: project user %s, "
                  "%s server instance(s) authenticated",
                  link, hr->who->name, hub_rows_get(done, 0, "user_token_id"),
                  hub_rows_get(done, 0, "authenticated"));
    /* the caller is signed in already: no new token to hand out */
    return hub_ok(res, json_pack("{s:b,s:n}", "is_new_user",
                                 *hub_rows_get(done, 0, "is_new") == 't',
                                 "user_token"));
}

/* ---- general settings -------------------------------------------------- */

static int user_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "User not found");
}

/* Caylex knows two roles: owners and admins of the tenant are "admin". */
static const char *general_role(hub_req_t *hr, const char *member_role)
{
    if (member_role) {
        return (!strcmp(member_role, "owner") || !strcmp(member_role, "admin"))
                   ? "admin"
                   : "user";
    }
    return hub_principal_is_admin(hr->who) ? "admin" : "user";
}

static int general_send(hub_req_t *hr, hub_result_t *res)
{
    const char *args[2] = { hr->who->tenant_id, hr->who->user_id };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *out;
    if (!hr->who->user_id) {
        return user_not_found(res);
    }
    st = hub_db_select(hr->r, STMT(ST_GENERAL_GET), &rows, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return user_not_found(res);
    }
    out = hub_row_json(rows, 0, general_out);
    json_object_set_new(
        out, "role",
        json_string(general_role(hr, hub_rows_get(rows, 0, "member_role"))));
    /* avatars are served elsewhere (/settings/avatar) */
    json_object_set_new(out, "avatar_url", json_null());
    return hub_ok(res, out);
}

static int general_get(hub_req_t *hr, hub_result_t *res)
{
    return general_send(hr, res);
}

static int only_blank(const char *s)
{
    return s && !s[strspn(s, " \t\r\n")];
}

static int general_update(hub_req_t *hr, hub_result_t *res)
{
    const char *name = body_str(hr, "name"), *tz = body_str(hr, "timezone");
    const char *args[5] = { tz, tz, name, tz, hr->who->user_id };
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!name && !tz) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "At least one "
                       "field (name or timezone) must be provided");
    }
    if (only_blank(name)) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Name value cannot be empty");
    }
    if (only_blank(tz)) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Timezone value cannot be empty");
    }
    if (!hr->who->user_id) {
        return user_not_found(res);
    }
    st = hub_db_select(hr->r, STMT(ST_GENERAL_UPDATE), &rows, 5, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (strcmp(hub_rows_get(rows, 0, "tz_ok"), "t")) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "Timezone '%s' "
                       "is not a known IANA time zone",
                       tz);
    }
    if (strcmp(hub_rows_get(rows, 0, "updated"), "1")) {
        return user_not_found(res);
    }
    return general_send(hr, res);
}

/* ---- mail -------------------------------------------------------------- */

/* An address fit for an SMTP envelope and a header: no line breaks or
 * angle brackets that could smuggle in another header or recipient. */
static int mail_address_ok(const char *a)
{
    return a && *a && strlen(a) < 255 && !a[strcspn(a, "\r\n<>,;\"")];
}

/* Send a plain-text mail through HubSmtpServer.  0 when the server took
 * it; logs why not otherwise. */
static int mail_send(request_rec *r, const char *to, const char *subject,
                     const char *text)
{
    const hub_auth_srv_t *c = hub_auth_srv(r->server);
    const char *from = c->smtp_from ? c->smtp_from : "hub@localhost";
    hub_http_mail_t m;
    const char *why = NULL;

    if (!c->smtp_url || !mail_address_ok(to) || !mail_address_ok(from)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "HUB00731: cannot send "
                      "mail: %s",
                      !c->smtp_url ? "HubSmtpServer is not set"
                                   : "unusable sender or recipient address");
        return -1;
    }
    m.url = c->smtp_url;
    m.from = from;
    m.to = to;
    m.message = apr_psprintf(
        r->pool,
        "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
        "Message-ID: <%s@mod_hub>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n%s",
        ap_ht_time(r->pool, apr_time_now(), "%a, %d %b %Y %H:%M:%S +0000", 1),
        from, to, subject, hub_uuid4(r->pool), text);
    if (hub_http_mail(r->pool, NULL, &m, &why) != HUB_HTTP_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "HUB00732: mail to the "
                      "SMTP server %s failed: %s",
                      c->smtp_url, why ? why : "unknown");
        return -1;
    }
    return 0;
}

/* ---- password reset ---------------------------------------------------- */

/* Where the mailed link points: under the mount's public URL. */
static const char *reset_link(hub_req_t *hr, const char *token)
{
    return apr_pstrcat(hr->pool, hr->base_url,
                       "/settings/password-reset/confirm"
                       "?token=",
                       token, NULL);
}

static int reset_failed(hub_result_t *res)
{
    return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "MAIL_FAILED",
                   "Failed to send password reset link. Please try again "
                   "later.");
}

/* Mail the signed-in user a link to set a new password. */
static int reset_send(hub_req_t *hr, hub_result_t *res)
{
    const char *token = hub_secret(hr->pool, "", 32);
    const char *args[3], *text;
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!hr->who->user_id || !hr->who->email) {
        return user_not_found(res);
    }
    if (!token) {
        return reset_failed(res);
    }
    args[0] = hr->who->user_id;
    args[1] = hub_sha256_hex(hr->pool, token, strlen(token));
    args[2] = hr->who->user_id;
    st = hub_db_select(hr->r, STMT(ST_RESET_CREATE), &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    text = apr_psprintf(
        hr->pool,
        "Someone asked to reset the password of %s.\r\n\r\n"
        "To choose a new password, use this link before %s (it works "
        "once):\r\n\r\n%s\r\n\r\n"
        "If you did not ask for this, ignore this mail: your password "
        "stays as it is.\r\n",
        hr->who->email, hub_rows_get(rows, 0, "expires_at"),
        reset_link(hr, token));
    if (mail_send(hr->r, hr->who->email, "Reset your password", text)) {
        /* nobody received it: it must not stay usable */
        hub_db_exec(hr->r, STMT(ST_RESET_DROP), NULL, 1, &args[1]);
        return reset_failed(res);
    }
    return hub_ok(res, json_pack("{s:s,s:s}", "message",
                                 "Password reset link sent successfully",
                                 "email", hr->who->email));
}

/* One answer for every token that cannot be used: unknown, spent,
 * expired, or its account gone. */
static int reset_token_invalid(hub_result_t *res)
{
    return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                   "Invalid or expired password reset token");
}

static int token_shape_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    return n >= 32 && n <= 128;
}

/* The mailed link itself: says whether the token still works, without
 * spending it (a browser or mail scanner opening the link must not). */
static int reset_check(hub_req_t *hr, hub_result_t *res)
{
    const char *token = hub_qv_str(&hr->q, "token");
    const char *args[1];
    hub_rows_t *rows;
    hub_db_status_e st;
    if (!token_shape_ok(token)) {
        return reset_token_invalid(res);
    }
    args[0] = hub_sha256_hex(hr->pool, token, strlen(token));
    st = hub_db_select(hr->r, STMT(ST_RESET_CHECK), &rows, 1, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts != 1) {
        return reset_token_invalid(res);
    }
    return hub_ok(res, json_pack("{s:b,s:s}", "valid", 1, "expires_at",
                                 hub_rows_get(rows, 0, "expires_at")));
}

/* Spend the token and set the new password, in one statement. */
static int reset_complete(hub_req_t *hr, hub_result_t *res)
{
    const char *token = body_str(hr, "token");
    const char *password = body_str(hr, "new_password");
    const char *weak = hub_auth_password_weak(password), *args[3];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (weak) {
        return hub_err_field(res, "body", "new_password", "value_error",
                             apr_pstrcat(hr->pool, "Value error, ", weak,
                                         NULL));
    }
    if (!token_shape_ok(token)) {
        return reset_token_invalid(res);
    }
    args[0] = args[2] = hub_sha256_hex(hr->pool, token, strlen(token));
    if (!(args[1] = hub_auth_password_hash(hr->pool, password))) {
        return hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
    }
    st = hub_db_select(hr->r, STMT(ST_RESET_COMPLETE), &rows, 3, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (strcmp(hub_rows_get(rows, 0, "done"), "1")) {
        return reset_token_invalid(res);
    }
    return hub_ok(res,
                  json_pack("{s:s}", "message", "Password has been reset"));
}

/* ---- routes ------------------------------------------------------------ */

static const hub_field_t pat_create_in[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 200, NULL,
      "Label for the token" },
    { "description", HUB_T_STRING, HUB_F_NULLABLE, 0, 1000, NULL,
      "Optional description for the token" },
    /* only admin is allowed, and any other value is the document's 400,
     * not a validation error: hence no one_of here */
    { "role", HUB_T_STRING, 0, 0, 0, NULL,
      "Only admin role is allowed for platform access tokens" },
    { "expires_at", HUB_T_STRING, HUB_F_NULLABLE, 0, 64, NULL,
      "Optional expiry (ISO-8601 date-time); null means no expiry" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t invite_complete_in[] = {
    { "auth_link_id", HUB_T_STRING, HUB_F_REQUIRED, 0, 64, NULL,
      "the invite (UUID)" },
    { "token", HUB_T_STRING, 0, 0, 128, NULL,
      "hub extension: the link's token (hubl_...), from its invite link" },
    { "user_email", HUB_T_STRING, HUB_F_REQUIRED, 3, 254, NULL,
      "the signed-in user's address" },
    { "descope_user_id", HUB_T_STRING, HUB_F_REQUIRED, 0, 200, NULL,
      "the identity provider's user id" },
    { "oauth_servers", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "OAuth servers authorized" },
    { "header_servers", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "header-authenticated servers" },
    { "path_servers", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "path-authenticated servers" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t general_in[] = {
    { "name", HUB_T_STRING, 0, 0, 100, NULL, "User's display name" },
    { "timezone", HUB_T_STRING, 0, 0, 50, NULL, "User's timezone (IANA)" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static const hub_field_t reset_complete_in[] = {
    { "token", HUB_T_STRING, HUB_F_REQUIRED, 1, 256, NULL,
      "the token of the mailed link" },
    { "new_password", HUB_T_STRING, HUB_F_REQUIRED, 1, 1024, NULL,
      "at least 10 characters" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* clang-format off */
static const hub_qfield_t invite_query[] = {
    { "auth_link_id", HUB_Q_UUID, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "the invite" },
    { "token", HUB_Q_STRING, 0, 0, 0, 0, NULL,
      "hub extension: the link's token (hubl_...), from its invite link" },
    HUB_Q_END
};

static const hub_qfield_t reset_check_query[] = {
    { "token", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "the token of the mailed link" },
    HUB_Q_END
};
/* clang-format on */

/* ---- what the routes answer, for the served document ------------------- */

/* pat_json: a token as listed; on create also the token itself */
#define PAT_MEMBERS \
    "\"id\":" STR ",\"name\":" STR ",\"description\":" NSTR \
    ",\"expires_at\":" NSTR ",\"created_at\":" STR ",\"preview\":" STR \
    ",\"role\":" ENUM("\"admin\",\"member\"")
#define PAT_REQUIRED \
    "\"id\",\"name\",\"description\",\"expires_at\",\"created_at\"," \
    "\"preview\",\"role\""
#define PAT_OUT \
    HUB_DOC("GetPlatformAccessTokenResponse", OBJ(PAT_MEMBERS, PAT_REQUIRED))
#define PAT_CREATED_OUT \
    HUB_DOC("CreatePlatformAccessTokenResponse", \
            OBJ(PAT_MEMBERS ",\"token\":" STR, PAT_REQUIRED ",\"token\""))
/* invite_meta_out */
#define INVITE_META_OUT \
    HUB_DOC_ONE( \
        "InviteMetadataResponse", \
        OBJ("\"tenant_name\":" STR ",\"project_name\":" STR \
            ",\"expires_at\":" STR ",\"auth_link_type\":" ENUM( \
                "\"user\",\"project\"") ",\"valid_for\":" \
                                        "{\"type\":\"array\",\"items\":" STR \
                                        ",\"nullable\":true}", \
            "\"tenant_name\",\"project_name\",\"expires_at\"," \
            "\"auth_link_type\",\"valid_for\""))
/* invite_config: the servers of the link by what they ask for */
#define INVITE_SERVER(more, req) \
    OBJ("\"name\":" STR ",\"id\":" STR ",\"server_id\":" STR more, \
        "\"name\",\"id\",\"server_id\"" req)
#define INVITE_CONFIG_OUT \
    HUB_DOC_ONE( \
        "InviteConfigResponse", \
        OBJ("\"tenant_name\":" STR \
            ",\"auth_scope\":" ENUM("\"user\",\"project\"") ",\"oauth_servers\":" ARRAY_OF(INVITE_SERVER(",\"descope_outbound_app_id\":" STR, ",\"descope_outbound_app_id\"")) ",\"header_servers\":" ARRAY_OF( \
                INVITE_SERVER( \
                    ",\"headers\":" ARRAY_OF( \
                        OBJ("\"name\":" STR ",\"prefix\":" NSTR, \
                            "\"name\",\"prefix\"")), \
                    ",\"headers\"")) ",\"path_servers\":" ARRAY_OF(INVITE_SERVER(",\"paths\":" ARRAY_OF(OBJ("\"name\":" STR, \
                                                                                                            "\"name\"")), \
                                                                                 ",\"paths\"")), \
            "\"tenant_name\",\"auth_scope\",\"oauth_servers\"," \
            "\"header_servers\",\"path_servers\""))
/* the caller is signed in already: user_token is always null */
#define INVITE_DONE_OUT \
    HUB_DOC("InviteCompleteResponse", \
            OBJ("\"is_new_user\":" BOOL ",\"user_token\":" NSTR, \
                "\"is_new_user\",\"user_token\""))
/* general_send */
#define GENERAL_OUT \
    HUB_DOC_ONE( \
        "GeneralSettingsResponse", \
        OBJ("\"name\":" NSTR ",\"role\":" ENUM( \
                "\"admin\",\"user\"") ",\"email\":" STR ",\"timezone\":" NSTR \
                                      ",\"tenant_name\":" STR \
                                      ",\"tenant_id\":" STR \
                                      ",\"avatar_url\":" NSTR, \
            "\"name\",\"role\",\"email\",\"timezone\",\"tenant_name\"," \
            "\"tenant_id\",\"avatar_url\""))
#define RESET_SENT_OUT \
    HUB_DOC("PasswordResetResponse", OBJ("\"message\":" STR ",\"email\":" STR, \
                                         "\"message\",\"email\""))
#define RESET_CHECK_OUT \
    HUB_DOC_ONE("PasswordResetCheckResponse", \
                OBJ("\"valid\":" BOOL ",\"expires_at\":" STR, \
                    "\"valid\",\"expires_at\""))
#define RESET_DONE_OUT \
    HUB_DOC("PasswordResetDoneResponse", OBJ("\"message\":" STR, "\"message\""))

#define CX_IN (HUB_IN_JWT | HUB_IN_SESSION | HUB_IN_APIKEY)

/* clang-format off */
const hub_route_t hub_auth_caylex_access_routes[] = {
    { HUB_CAYLEX, HUB_M_POST, "/platform-access-tokens", pat_create,
      pat_create_in, 0, 0, "Create Platform Access Token",
      .need = HUB_NEED_ADMIN, .status = 201, .doc = PAT_CREATED_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/platform-access-tokens", pat_list, NULL, 0, 0,
      "List Platform Access Tokens",
      .need = HUB_NEED_ADMIN, .doc = PAT_OUT },
    /* deleting revokes: the row stays, as every revoked key's does */
    { HUB_CAYLEX, HUB_M_DELETE, "/platform-access-tokens/{token_id}",
      hub_auth_key_revoke, NULL, 0, 0, "Delete Platform Access Token",
      .need = HUB_NEED_ADMIN, .words = &hub_auth_revoke_platform },
    { HUB_CAYLEX, HUB_M_GET, "/invite/metadata", invite_metadata, NULL,
      HUB_IN_PUBLIC, 0,
      "Get metadata for an invite link (no authentication required)",
      .need = HUB_NEED_PUBLIC, .query = invite_query,
      .doc = INVITE_META_OUT },
    /* any signed-in user: an invite crosses tenants on purpose */
    { HUB_CAYLEX, HUB_M_GET, "/invite/config", invite_config, NULL, CX_IN, 0,
      "Get configuration for an invite link",
      .need = HUB_NEED_ANY, .query = invite_query,
      .doc = INVITE_CONFIG_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/invite/complete", invite_complete,
      invite_complete_in, CX_IN, 0, "Complete an invite link",
      .need = HUB_NEED_ANY, .doc = INVITE_DONE_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/settings/general", general_get, NULL, CX_IN,
      0, "Get user general settings",
      .need = HUB_NEED_ANY, .doc = GENERAL_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/settings/general", general_update,
      general_in, CX_IN, 0, "Update user general settings",
      .need = HUB_NEED_ANY, .doc = GENERAL_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/settings/password-reset", reset_send, NULL,
      CX_IN, 0, "Send password reset link",
      .need = HUB_NEED_ANY, .doc = RESET_SENT_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/settings/password-reset/confirm", reset_check,
      NULL, HUB_IN_PUBLIC, 0, "Check a password reset link (hub addition)",
      .need = HUB_NEED_PUBLIC, .query = reset_check_query,
      .doc = RESET_CHECK_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/settings/password-reset/confirm",
      reset_complete, reset_complete_in, HUB_IN_PUBLIC, 0,
      "Set a new password with a reset token (hub addition)",
      .need = HUB_NEED_PUBLIC, .doc = RESET_DONE_OUT },
    { 0 }
};
/* clang-format on */
