/* Caylex's auth links of a project:
 * GET /projects/{project_id}/auth-links, POST .../auth-links/user,
 * POST .../auth-link/project, PATCH .../auth-links/user/{auth_link_id},
 * PATCH .../auth-links/project/{auth_link_id},
 * GET|DELETE .../auth-links/{auth_link_id},
 * GET .../auth-links/{auth_link_id}/users and .../users/search, and
 * POST .../authenticate-servers.  The rows come from the one store
 * (hub_auth_links_store.c), always in the caller's tenant.
 *
 * Decisions where the document is open:
 * - A link is its id and a token (hubl_..., hub_key.h), shown once: the
 *   invite_link a create answers is HubAuthLinkUrl (default: this
 *   mount's GET /invite/metadata) with ?auth_link_id=...&token=...;
 *   everything that lists a link gives its auth_link without the token.
 *   The /invite endpoints need both.
 * - A user link's instances are all valid_for its domain (lower case, a
 *   leading @ dropped); a project link's each for one address.  An id
 *   that is no server instance of the tenant is 404 "One or more server
 *   instances not found"; one of another project of the tenant is that
 *   404 for user links and 400 "Server instance not found in project"
 *   for project links, as the document lists them.  Lists hold 1 to 100
 *   instances; an id given twice counts once (a project link's instance
 *   may have one address only: twice is 422).
 * - link_expires_at must lie in the future (422).  A PATCH changes what
 *   it names; server_instances replace the link's (and need the
 *   domain), a domain alone moves every instance to it.  A PATCH of a
 *   link of the other type is 404 "Auth link not found".
 * - status=active: not expired; expired: the rest (the hub's links have
 *   no use counts).  server_instance_ids may be repeated or
 *   comma-separated.  Newest first.
 * - users of a link: for a project link its addresses, each with the
 *   times its owner completed the link (null before), and whoever else
 *   completed it; for a user link whoever completed it.  The users
 *   endpoints list who completed it, by e-mail, with their
 *   authentications to the link's instances.
 * - POST .../authenticate-servers makes a user link for the instances
 *   whose server takes credentials per user (auth_credentials_level
 *   user) and a project link for the others, valid for whoever holds
 *   them; null for a link it did not need.
 * - DELETE removes the link (its completions go with it; a user's
 *   authentication made through it stays, current_auth_link null).
 * - Reading needs read access; making, changing and deleting links
 *   needs the tenant's admin: whoever completes a link joins the tenant. */
#include <apr_hash.h>
#include <apr_strings.h>
#include <httpd.h>
#include "hub_auth_links.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_key.h"
#include "hub_openapi_schema.h"
#include "hub_time.h"
#include "hub_validate.h"

#define MAX_INSTANCES 100

#define PROJECT_NOT_FOUND   "Project not found"
#define LINK_NOT_FOUND      "Auth link not found"
#define INSTANCES_NOT_FOUND "One or more server instances not found"
#define NOT_IN_PROJECT      "Server instance not found in project"

/* ---- input shared with hub_auth_project_users.c ------------------------ */

int hub_auth_project_not_found(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", PROJECT_NOT_FOUND);
}

/* id appended to ids unless taken (the ids so far, a hash: a body of
 * thousands of ids costs no more than reading it) already holds it */
static void take_once(apr_hash_t *taken, apr_array_header_t *ids,
                      const char *id)
{
    if (!apr_hash_get(taken, id, APR_HASH_KEY_STRING)) {
        apr_hash_set(taken, id, APR_HASH_KEY_STRING, id);
        APR_ARRAY_PUSH(ids, const char *) = id;
    }
}

apr_array_header_t *hub_auth_uuid_list(hub_req_t *hr, hub_result_t *res,
                                       const char *field)
{
    const json_t *list = json_object_get(hr->body, field), *v;
    apr_array_header_t *ids = apr_array_make(hr->pool, 4, sizeof(char *));
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    apr_hash_t *taken = apr_hash_make(hr->pool);
    size_t i;

    json_array_foreach(list, i, v) {
        const char *at = apr_psprintf(hr->pool, "%s[%u]", field, (unsigned)i);
        if (!json_is_string(v)) {
            hub_invalid_add(problems, at, "string_type",
                            "Input should be a valid string");
        }
        else if (!hub_is_uuid(json_string_value(v))) {
            hub_invalid_add(problems, at, "uuid_parsing",
                            "Input should be a valid UUID");
        }
        else {
            take_once(taken, ids, hub_lower(hr->pool, json_string_value(v)));
        }
    }
    if (!problems->nelts && !json_array_size(list)) {
        hub_invalid_add(problems, field, "too_short",
                        "List should have at least 1 item after validation, "
                        "not 0");
    }
    if (!problems->nelts && ids->nelts > MAX_INSTANCES) {
        hub_invalid_add(problems, field, "too_long",
                        apr_psprintf(hr->pool,
                                     "List should have at most %d items "
                                     "after validation, not %d",
                                     MAX_INSTANCES, ids->nelts));
    }
    if (problems->nelts) {
        hub_err_invalid(res, "body", problems);
        return NULL;
    }
    return ids;
}

/* Append the ids of one value (a comma-separated list) to ids: -1 when
 * one is no UUID. */
static int ids_take(apr_pool_t *p, char *value, apr_hash_t *taken,
                    apr_array_header_t *ids)
{
    char *last, *id;
    for (id = apr_strtok(value, ",", &last); id;
         id = apr_strtok(NULL, ",", &last)) {
        if (!hub_is_uuid(id)) {
            return -1;
        }
        take_once(taken, ids, hub_lower(p, id));
    }
    return 0;
}

int hub_auth_query_uuids(hub_req_t *hr, hub_result_t *res, const char *name,
                         const char **pg)
{
    apr_array_header_t *ids = apr_array_make(hr->pool, 4, sizeof(char *));
    apr_hash_t *taken = apr_hash_make(hr->pool);
    char *args = apr_pstrdup(hr->pool, hr->r->args ? hr->r->args : "");
    char *last, *pair;
    size_t n = strlen(name);
    int bad = 0;

    *pg = NULL;
    /* the raw query: the decoded table keeps one value per name */
    for (pair = apr_strtok(args, "&", &last); pair && !bad;
         pair = apr_strtok(NULL, "&", &last)) {
        if (strncmp(pair, name, n) || pair[n] != '=') {
            continue;
        }
        bad = ap_unescape_urlencoded(pair + n + 1) != OK
              || ids_take(hr->pool, pair + n + 1, taken, ids);
    }
    if (bad) {
        hub_err_field(res, "query", name, "uuid_parsing",
                      "Input should be a valid UUID");
        return -1;
    }
    if (ids->nelts) {
        *pg = hub_pg_array_strv(hr->pool, ids);
    }
    return 0;
}

int hub_auth_expiry(hub_req_t *hr, hub_result_t *res, const char *field,
                    const char **iso)
{
    const char *s = json_string_value(json_object_get(hr->body, field));
    apr_time_t when;
    *iso = NULL;
    if (!s) {
        return 0;
    }
    if (hub_parse_iso8601(s, &when)) {
        hub_err_field(res, "body", field, "datetime_parsing",
                      "Input should be a valid datetime");
        return -1;
    }
    if (when <= apr_time_now()) {
        hub_err_field(res, "body", field, "value_error",
                      apr_pstrcat(hr->pool, "Value error, ", field,
                                  " must be in the future", NULL));
        return -1;
    }
    *iso = hub_iso8601(hr->pool, when);
    return 0;
}

/* ---- domains and addresses ---------------------------------------------- */

/* A DNS name of two labels or more: letters, digits and inner hyphens. */
static int domain_ok(const char *d)
{
    int labels = 0;
    size_t n = strlen(d);
    if (!n || n > 253) {
        return 0;
    }
    while (*d) {
        size_t k = strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789-");
        if (!k || k > 63 || d[0] == '-' || d[k - 1] == '-'
            || (d[k] && d[k] != '.')) {
            return 0;
        }
        labels++;
        d += k + (d[k] == '.');
        if (d[-1] == '.' && !*d) {
            return 0;
        }
    }
    return labels >= 2;
}

/* The body's domain, lower case and without a leading @: NULL when absent
 * or null, "" with the 422 in res when it is no domain. */
static const char *domain_of(hub_req_t *hr, hub_result_t *res)
{
    const char *s = json_string_value(json_object_get(hr->body, "domain"));
    char *d;
    if (!s) {
        return NULL;
    }
    d = hub_lower(hr->pool, s + (*s == '@'));
    if (!domain_ok(d)) {
        hub_err_field(res, "body", "domain", "value_error",
                      "Value error, domain must be a domain name such as "
                      "example.com");
        return "";
    }
    return d;
}

/* An address: one @, a local part of 1..64 characters without spaces,
 * and a domain. */
static int email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    size_t local = at ? (size_t)(at - e) : 0;
    return at && local >= 1 && local <= 64 && !strchr(at + 1, '@')
           && strcspn(e, " \t\r\n\"<>(),;:[]\\") == strlen(e)
           && domain_ok(at + 1);
}

/* ---- answers -------------------------------------------------------------- */

/* What a link's holder opens: HubAuthLinkUrl, else this mount's
 * /invite/metadata, with the link's id and (only when it is made) its
 * token. */
static const char *link_url(hub_req_t *hr, const char *id, const char *token)
{
    const hub_auth_srv_t *c = hub_auth_srv(hr->r->server);
    const char *base = c->auth_link_url ? c->auth_link_url
                                        : apr_pstrcat(hr->pool, hr->base_url,
                                                      "/invite/metadata", NULL);
    return apr_pstrcat(hr->pool, base, strchr(base, '?') ? "&" : "?",
                       "auth_link_id=", id, token ? "&token=" : "",
                       token ? token : "", NULL);
}

/* clang-format off */
static const hub_shape_t link_out[] = {
    { "expires_at", NULL, HUB_J_STRING },
    { "auth_credentials_level", "link_type", HUB_J_STRING },
    { "server_instances", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "users", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};
static const hub_shape_t link_details_out[] = {
    { "expires_at", NULL, HUB_J_STRING },
    { "auth_credentials_level", "link_type", HUB_J_STRING },
    { "server_instances", NULL, HUB_J_JSON },
    { "created_at", NULL, HUB_J_STRING },
    { "user_count", NULL, HUB_J_INT },
    { NULL, NULL, 0 }
};
/* clang-format on */

/* Row i as InviteLinkResponse (or AuthLinkDetailsResponse by shape). */
static json_t *link_json(hub_req_t *hr, const hub_rows_t *rows, int i,
                         const hub_shape_t *shape)
{
    const char *id = hub_rows_get(rows, i, "id");
    json_t *o = json_pack("{s:s,s:s}", "id", id, "auth_link",
                          link_url(hr, id, NULL));
    json_t *rest = hub_row_json(rows, i, shape);
    json_object_update(o, rest);
    json_decref(rest);
    return o;
}

/* The link after a change, answered as InviteLinkResponse. */
static int link_answer(hub_req_t *hr, hub_result_t *res, const char *project,
                       const char *id)
{
    hub_rows_t *row;
    hub_db_status_e st = hub_auth_link_get(hr, project, id, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!row->rows->nelts || !hub_rows_get(row, 0, "id")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", LINK_NOT_FOUND);
    }
    return hub_ok(res, link_json(hr, row, 0, link_out));
}

/* The store's verdict on a write: DECLINED when it was done, else
 * HUB_DONE with the answer (no project, no link, instances). */
static int verdict(hub_req_t *hr, hub_result_t *res, hub_db_status_e st,
                   const hub_rows_t *row, const char *type, int need_link)
{
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1 || !hub_rows_get(row, 0, "project")) {
        return hub_auth_project_not_found(res);
    }
    if (need_link && !hub_rows_get(row, 0, "link")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", LINK_NOT_FOUND);
    }
    if (strcmp(hub_rows_get(row, 0, "unknown"), "0")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", INSTANCES_NOT_FOUND);
    }
    if (strcmp(hub_rows_get(row, 0, "elsewhere"), "0")) {
        return !strcmp(type, "project")
                   ? hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                             NOT_IN_PROJECT)
                   : hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                             INSTANCES_NOT_FOUND);
    }
    return DECLINED;
}

/* ---- the instances of a body ---------------------------------------------- */

/* [{"id", "valid_for"}] of ids, each valid for `valid_for` (NULL: null) */
static const char *instances_for(hub_req_t *hr, const apr_array_header_t *ids,
                                 const char *valid_for)
{
    json_t *list = hub_json_own(hr->pool, json_array());
    int i;
    for (i = 0; i < ids->nelts; i++) {
        json_array_append_new(list,
                              json_pack("{s:s,s:o}", "id",
                                        APR_ARRAY_IDX(ids, i, const char *),
                                        "valid_for",
                                        hub_json_str_or_null(valid_for)));
    }
    return hub_json_text(hr->pool, list);
}

/* clang-format off */
static const hub_field_t pair_fields[] = {
    { "server_instance_id", HUB_T_STRING, HUB_F_REQUIRED, 0, 0, NULL, NULL },
    { "email", HUB_T_STRING, HUB_F_REQUIRED, 3, 254, NULL, NULL },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* One pair of server_instance_emails checked into ids and list, or its
 * problems appended (named server_instance_emails[i].field). */
static void pair_take(hub_req_t *hr, const json_t *pair, size_t i,
                      apr_hash_t *taken, apr_array_header_t *ids, json_t *list,
                      apr_array_header_t *problems)
{
    const char *at = apr_psprintf(hr->pool, "server_instance_emails[%u]",
                                  (unsigned)i);
    apr_array_header_t *mine = apr_array_make(hr->pool, 2,
                                              sizeof(hub_invalid_t));
    const char *id, *email;
    int k;

    if (!hub_validate(pair, pair_fields, hr->pool, mine)) {
        id = json_string_value(json_object_get(pair, "server_instance_id"));
        email = hub_lower(hr->pool,
                          json_string_value(json_object_get(pair, "email")));
        if (!hub_is_uuid(id)) {
            hub_invalid_add(mine, "server_instance_id", "uuid_parsing",
                            "Input should be a valid UUID");
        }
        else if (apr_hash_get(taken, hub_lower(hr->pool, id),
                              APR_HASH_KEY_STRING)) {
            hub_invalid_add(mine, "server_instance_id", "value_error",
                            "Value error, each server instance can be "
                            "given once");
        }
        if (!email_ok(email)) {
            hub_invalid_add(mine, "email", "value_error",
                            "value is not a valid email address");
        }
        if (!mine->nelts) {
            id = hub_lower(hr->pool, id);
            take_once(taken, ids, id);
            json_array_append_new(list, json_pack("{s:s,s:s}", "id", id,
                                                  "valid_for", email));
        }
    }
    for (k = 0; k < mine->nelts; k++) {
        hub_invalid_t *inv = &APR_ARRAY_IDX(mine, k, hub_invalid_t);
        hub_invalid_add(problems,
                        inv->field
                            ? apr_pstrcat(hr->pool, at, ".", inv->field, NULL)
                            : at,
                        inv->type, inv->msg);
    }
}

/* server_instance_emails as the store's instances, or NULL with the 422
 * in res. */
static const char *pairs_of(hub_req_t *hr, hub_result_t *res)
{
    const json_t *pairs = json_object_get(hr->body, "server_instance_emails");
    const json_t *pair;
    apr_array_header_t *ids = apr_array_make(hr->pool, 4, sizeof(char *));
    apr_array_header_t *problems = apr_array_make(hr->pool, 2,
                                                  sizeof(hub_invalid_t));
    json_t *list = hub_json_own(hr->pool, json_array());
    apr_hash_t *taken = apr_hash_make(hr->pool);
    size_t i;

    json_array_foreach(pairs, i, pair) {
        pair_take(hr, pair, i, taken, ids, list, problems);
    }
    if (!problems->nelts && !ids->nelts) {
        hub_invalid_add(problems, "server_instance_emails", "too_short",
                        "List should have at least 1 item after validation, "
                        "not 0");
    }
    if (!problems->nelts && ids->nelts > MAX_INSTANCES) {
        hub_invalid_add(problems, "server_instance_emails", "too_long",
                        apr_psprintf(hr->pool,
                                     "List should have at most %d items "
                                     "after validation, not %d",
                                     MAX_INSTANCES, ids->nelts));
    }
    if (problems->nelts) {
        hub_err_invalid(res, "body", problems);
        return NULL;
    }
    return hub_json_text(hr->pool, list);
}

/* ---- making links ---------------------------------------------------------- */

/* A fresh token: the raw one in *raw, its hash returned; NULL when the
 * system has no randomness (answered in res). */
static const char *token_new(hub_req_t *hr, hub_result_t *res, const char **raw)
{
    const hub_key_t *k = hub_key_mint(hr->pool, HUB_KEY_LINK);
    if (!k) {
        hub_err_db(res, HUB_DB_ERROR, NULL, hr->request_id);
        return NULL;
    }
    *raw = k->raw;
    return k->hash;
}

static void link_made_log(hub_req_t *hr, const char *id, const char *type,
                          const char *project)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00600: %s auth link %s made for project %s in tenant "
                  "%s by %s",
                  type, id, project, hr->who->tenant_slug, hr->who->name);
}

/* Store a link of `type` over `instances` and answer its invite link. */
static int link_make(hub_req_t *hr, hub_result_t *res, const char *project,
                     const char *type, const char *instances,
                     const char *expires)
{
    hub_link_new_t in = { project, type, instances, NULL, expires };
    const char *raw, *id;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!(in.token_hash = token_new(hr, res, &raw))) {
        return HUB_DONE;
    }
    st = hub_auth_link_insert(hr, &in, &row);
    if (verdict(hr, res, st, row, type, 0) != DECLINED) {
        return HUB_DONE;
    }
    id = hub_rows_get(row, 0, "id");
    link_made_log(hr, id, type, project);
    return hub_ok(res,
                  json_pack("{s:s,s:s}", "invite_link", link_url(hr, id, raw),
                            "invite_link_expires_at",
                            hub_rows_get(row, 0, "expires_at")));
}

static int user_link_create(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *domain, *expires;
    apr_array_header_t *ids;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(ids = hub_auth_uuid_list(hr, res, "server_instances"))
        || !(domain = domain_of(hr, res)) || !*domain
        || hub_auth_expiry(hr, res, "link_expires_at", &expires)) {
        return HUB_DONE;
    }
    return link_make(hr, res, project, "user", instances_for(hr, ids, domain),
                     expires);
}

static int project_link_create(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *instances, *expires;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(instances = pairs_of(hr, res))
        || hub_auth_expiry(hr, res, "link_expires_at", &expires)) {
        return HUB_DONE;
    }
    return link_make(hr, res, project, "project", instances, expires);
}

/* A user link for the instances that take per-user credentials, a
 * project link for the others. */
static int authenticate_servers(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *expires, *uraw, *praw, *uhash, *phash, *ul, *pl;
    apr_array_header_t *ids;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(ids = hub_auth_uuid_list(hr, res, "server_instances"))
        || hub_auth_expiry(hr, res, "link_expires_at", &expires)
        || !(uhash = token_new(hr, res, &uraw))
        || !(phash = token_new(hr, res, &praw))) {
        return HUB_DONE;
    }
    st = hub_auth_links_for_instances(hr, project,
                                      hub_pg_array_strv(hr->pool, ids), uhash,
                                      phash, expires, &row);
    if (verdict(hr, res, st, row, "user", 0) != DECLINED) {
        return HUB_DONE;
    }
    ul = hub_rows_get(row, 0, "user_link");
    pl = hub_rows_get(row, 0, "project_link");
    if (ul) {
        link_made_log(hr, ul, "user", project);
    }
    if (pl) {
        link_made_log(hr, pl, "project", project);
    }
    /* clang-format off */
    return hub_ok(res, json_pack("{s:o,s:o,s:o,s:o}",
        "user_invite_link",
        hub_json_str_or_null(ul ? link_url(hr, ul, uraw) : NULL),
        "user_invite_link_expires_at",
        hub_json_str_or_null(hub_rows_get(row, 0, "user_expires_at")),
        "project_invite_link",
        hub_json_str_or_null(pl ? link_url(hr, pl, praw) : NULL),
        "project_invite_link_expires_at",
        hub_json_str_or_null(hub_rows_get(row, 0, "project_expires_at"))));
    /* clang-format on */
}

/* ---- changing and deleting ------------------------------------------------- */

static int link_change(hub_req_t *hr, hub_result_t *res, hub_link_change_t *c)
{
    hub_rows_t *row;
    hub_db_status_e st = hub_auth_link_update(hr, c, &row);
    if (verdict(hr, res, st, row, c->type, 1) != DECLINED) {
        return HUB_DONE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00601: auth link %s of project %s changed in tenant %s "
                  "by %s",
                  c->id, c->project_id, hr->who->tenant_slug, hr->who->name);
    return link_answer(hr, res, c->project_id, c->id);
}

static int user_link_update(hub_req_t *hr, hub_result_t *res)
{
    hub_link_change_t c = { 0 };
    json_t *list = json_object_get(hr->body, "server_instances");
    apr_array_header_t *ids;

    c.type = "user";
    if (!(c.project_id = hub_param_uuid(hr, res, "project_id"))
        || !(c.id = hub_param_uuid(hr, res, "auth_link_id"))
        || hub_auth_expiry(hr, res, "link_expires_at", &c.expires_at)) {
        return HUB_DONE;
    }
    if ((c.domain = domain_of(hr, res)) && !*c.domain) {
        return HUB_DONE;
    }
    if (json_is_array(list)) {
        if (!c.domain) {
            return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                           "domain is required when updating "
                           "server_instances");
        }
        if (!(ids = hub_auth_uuid_list(hr, res, "server_instances"))) {
            return HUB_DONE;
        }
        c.instances = instances_for(hr, ids, c.domain);
    }
    return link_change(hr, res, &c);
}

static int project_link_update(hub_req_t *hr, hub_result_t *res)
{
    hub_link_change_t c = { 0 };

    c.type = "project";
    if (!(c.project_id = hub_param_uuid(hr, res, "project_id"))
        || !(c.id = hub_param_uuid(hr, res, "auth_link_id"))
        || hub_auth_expiry(hr, res, "link_expires_at", &c.expires_at)) {
        return HUB_DONE;
    }
    if (json_is_array(json_object_get(hr->body, "server_instance_emails"))
        && !(c.instances = pairs_of(hr, res))) {
        return HUB_DONE;
    }
    return link_change(hr, res, &c);
}

static int link_delete(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(id = hub_param_uuid(hr, res, "auth_link_id"))) {
        return HUB_DONE;
    }
    st = hub_auth_link_delete(hr, project, id, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!hub_rows_get(row, 0, "project")) {
        return hub_auth_project_not_found(res);
    }
    if (strcmp(hub_rows_get(row, 0, "deleted"), "1")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", LINK_NOT_FOUND);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00602: auth link %s of project %s deleted in tenant %s "
                  "by %s",
                  id, project, hr->who->tenant_slug, hr->who->name);
    return hub_ok_empty(res, HTTP_NO_CONTENT);
}

/* ---- reading ---------------------------------------------------------------- */

static int link_get(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(id = hub_param_uuid(hr, res, "auth_link_id"))) {
        return HUB_DONE;
    }
    st = hub_auth_link_get(hr, project, id, &row);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!row->rows->nelts) {
        return hub_auth_project_not_found(res);
    }
    if (!hub_rows_get(row, 0, "id")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", LINK_NOT_FOUND);
    }
    return hub_ok(res, link_json(hr, row, 0, link_details_out));
}

static const char *const statuses[] = { "active", "expired", NULL };
static const char *const levels[] = { "user", "project", NULL };

/* clang-format off */
static const hub_qfield_t links_query[] = {
    { "status", HUB_Q_ENUM, 0, 0, 0, 0, statuses,
      "active: not expired; expired; absent: both" },
    { "auth_credentials_level", HUB_Q_ENUM, 0, 0, 0, 0, levels,
      "user or project links only" },
    { "server_instance_ids", HUB_Q_STRING, 0, 0, 0, 0, NULL,
      "links of any of these server instances (repeat, or comma-separate)" },
    HUB_Q_CX_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int links_list(hub_req_t *hr, hub_result_t *res)
{
    hub_link_filter_t f = { 0 };
    hub_rows_t *rows;
    hub_db_status_e st;
    json_t *items;
    long total;
    int i;

    if (!(f.project_id = hub_param_uuid(hr, res, "project_id"))
        || hub_auth_query_uuids(hr, res, "server_instance_ids", &f.ids)) {
        return HUB_DONE;
    }
    f.status = hub_qv_str(&hr->q, "status");
    f.type = hub_qv_str(&hr->q, "auth_credentials_level");
    hub_qv_page(&hr->q, "size", "cursor", &f.page);
    st = hub_auth_links_page(hr, &f, &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_auth_project_not_found(res);
    }
    total = hub_rows_page_total(rows);
    items = json_array();
    for (i = 0; i < rows->rows->nelts; i++) {
        json_array_append_new(items, link_json(hr, rows, i, link_out));
    }
    return hub_ok_page(res, items, total, &f.page);
}

/* clang-format off */
static const hub_shape_t link_user_out[] = {
    { "user_email", NULL, HUB_J_STRING },
    { "authenticated_servers", NULL, HUB_J_JSON },
    { NULL, NULL, 0 }
};

static const hub_qfield_t link_users_query[] = {
    HUB_Q_CX_PAGE,
    HUB_Q_END
};
static const hub_qfield_t link_users_search_query[] = {
    { "search", HUB_Q_STRING, HUB_Q_REQUIRED, 0, 0, 0, NULL,
      "in the user's e-mail, any case" },
    HUB_Q_CX_PAGE,
    HUB_Q_END
};
/* clang-format on */

static int link_users(hub_req_t *hr, hub_result_t *res)
{
    const char *project, *id, *search = hub_qv_str(&hr->q, "search");
    hub_page_t pg;
    hub_rows_t *rows;
    hub_db_status_e st;
    long total;

    if (!(project = hub_param_uuid(hr, res, "project_id"))
        || !(id = hub_param_uuid(hr, res, "auth_link_id"))) {
        return HUB_DONE;
    }
    hub_qv_page(&hr->q, "size", "cursor", &pg);
    st = hub_auth_link_users_page(hr, project, id,
                                  search && *search ? search : NULL, &pg,
                                  &rows);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (!rows->rows->nelts) {
        return hub_auth_project_not_found(res);
    }
    if (!hub_rows_get(rows, 0, "link")) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", LINK_NOT_FOUND);
    }
    total = hub_rows_page_total(rows);
    return hub_ok_page(res, hub_rows_json(rows, link_user_out), total, &pg);
}

/* ---- routes ------------------------------------------------------------------ */

/* clang-format off */
static const hub_field_t authenticate_in[] = {
    { "server_instances", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "server instance ids of the project (1..100)" },
    { "link_expires_at", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "ISO-8601, in the future" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t user_link_in[] = {
    { "server_instances", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "server instance ids of the project (1..100)" },
    { "domain", HUB_T_STRING, HUB_F_REQUIRED, 1, 254, NULL,
      "users must sign in with an address of this domain" },
    { "link_expires_at", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "ISO-8601, in the future" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t project_link_in[] = {
    { "server_instance_emails", HUB_T_ARRAY, HUB_F_REQUIRED, 0, 0, NULL,
      "[{server_instance_id, email}] (1..100)" },
    { "link_expires_at", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL,
      "ISO-8601, in the future" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t user_link_patch_in[] = {
    { "link_expires_at", HUB_T_STRING, HUB_F_NULLABLE, 1, 64, NULL,
      "new expiry; null keeps it" },
    { "server_instances", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "replaces the link's; needs domain" },
    { "domain", HUB_T_STRING, HUB_F_NULLABLE, 1, 254, NULL,
      "every instance's domain" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
static const hub_field_t project_link_patch_in[] = {
    { "link_expires_at", HUB_T_STRING, HUB_F_NULLABLE, 1, 64, NULL,
      "new expiry; null keeps it" },
    { "server_instance_emails", HUB_T_ARRAY, HUB_F_NULLABLE, 0, 0, NULL,
      "replaces the link's instances and their addresses" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};
/* clang-format on */

/* ---- what the routes answer, for the served document ---------------------- */

/* link_json: the link's id and URL, then link_out or link_details_out */
#define LINK_MEMBERS \
    "\"id\":" STR ",\"auth_link\":" STR ",\"expires_at\":" STR \
    ",\"auth_credentials_level\":" ENUM( \
        "\"user\",\"project\"") ",\"created_at\":" STR \
                                ",\"server_instances\":" ARRAY_OF(OBJ( \
                                    "\"id\":" STR ",\"name\":" STR \
                                    ",\"logo_url\":" NSTR \
                                    ",\"valid_for\":" NSTR, \
                                    "\"id\",\"name\",\"logo_url\",\"valid_for\""))
#define LINK_REQUIRED \
    "\"id\",\"auth_link\",\"expires_at\",\"auth_credentials_level\"," \
    "\"created_at\",\"server_instances\""
#define LINK_OUT \
    HUB_DOC("InviteLinkResponse", \
            OBJ(LINK_MEMBERS ",\"users\":" ARRAY_OF( \
                    OBJ("\"email\":" STR ",\"first_authenticated\":" NSTR \
                        ",\"last_authenticated\":" NSTR, \
                        "\"email\",\"first_authenticated\"," \
                        "\"last_authenticated\"")), \
                LINK_REQUIRED ",\"users\""))
#define LINK_DETAILS_OUT \
    HUB_DOC("AuthLinkDetailsResponse", \
            OBJ(LINK_MEMBERS ",\"user_count\":" INT, \
                LINK_REQUIRED ",\"user_count\""))
/* link_make: the new link with its token, shown this once */
#define LINK_MADE_OUT \
    HUB_DOC("CreateAuthLinkResponse", \
            OBJ("\"invite_link\":" STR ",\"invite_link_expires_at\":" STR, \
                "\"invite_link\",\"invite_link_expires_at\""))
#define LINKS_MADE_OUT \
    HUB_DOC("AuthenticateServersResponse", \
            OBJ("\"user_invite_link\":" NSTR \
                ",\"user_invite_link_expires_at\":" NSTR \
                ",\"project_invite_link\":" NSTR \
                ",\"project_invite_link_expires_at\":" NSTR, \
                "\"user_invite_link\",\"user_invite_link_expires_at\"," \
                "\"project_invite_link\",\"project_invite_link_expires_at\""))
/* link_user_out */
#define LINK_USER_OUT \
    HUB_DOC("AuthLinkUserResponse", \
            OBJ("\"user_email\":" STR ",\"authenticated_servers\":" ARRAY_OF( \
                    OBJ("\"server_instance_id\":" STR \
                        ",\"authenticated_at\":" NSTR \
                        ",\"current_auth_link\":" NSTR, \
                        "\"server_instance_id\",\"authenticated_at\"," \
                        "\"current_auth_link\"")), \
                "\"user_email\",\"authenticated_servers\""))

#define LINKS "/projects/{project_id}/auth-links"

/* clang-format off */
const hub_route_t hub_auth_links_routes[] = {
    { HUB_CAYLEX, HUB_M_POST, "/projects/{project_id}/authenticate-servers",
      authenticate_servers, authenticate_in, 0, 0,
      "Authenticate Server Instances",
      .need = HUB_NEED_ADMIN, .doc = LINKS_MADE_OUT },
    { HUB_CAYLEX, HUB_M_GET, LINKS, links_list, NULL, 0, 0, "Get Auth Links",
      .need = HUB_NEED_READ, .query = links_query, .wrap = HUB_WRAP_CX_PAGE,
      .doc = LINK_OUT },
    { HUB_CAYLEX, HUB_M_POST, LINKS "/user", user_link_create, user_link_in,
      0, 0, "Create User Auth Link",
      .need = HUB_NEED_ADMIN, .doc = LINK_MADE_OUT },
    { HUB_CAYLEX, HUB_M_POST, "/projects/{project_id}/auth-link/project",
      project_link_create, project_link_in, 0, 0, "Create Project Auth Link",
      .need = HUB_NEED_ADMIN, .doc = LINK_MADE_OUT },
    { HUB_CAYLEX, HUB_M_PATCH, LINKS "/user/{auth_link_id}", user_link_update,
      user_link_patch_in, 0, 0, "Update User Auth Link",
      .need = HUB_NEED_ADMIN, .doc = LINK_OUT },
    { HUB_CAYLEX, HUB_M_PATCH, LINKS "/project/{auth_link_id}",
      project_link_update, project_link_patch_in, 0, 0,
      "Update Project Auth Link",
      .need = HUB_NEED_ADMIN, .doc = LINK_OUT },
    { HUB_CAYLEX, HUB_M_DELETE, LINKS "/{auth_link_id}", link_delete, NULL, 0,
      0, "Delete Auth Link",
      .need = HUB_NEED_ADMIN, .status = 204 },
    { HUB_CAYLEX, HUB_M_GET, LINKS "/{auth_link_id}", link_get, NULL, 0, 0,
      "Get Auth Link Details",
      .need = HUB_NEED_READ, .doc = LINK_DETAILS_OUT },
    { HUB_CAYLEX, HUB_M_GET, LINKS "/{auth_link_id}/users", link_users, NULL,
      0, 0, "Get Auth Link Users",
      .need = HUB_NEED_READ, .query = link_users_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = LINK_USER_OUT },
    { HUB_CAYLEX, HUB_M_GET, LINKS "/{auth_link_id}/users/search", link_users,
      NULL, 0, 0, "Search Auth Link Users",
      .need = HUB_NEED_READ, .query = link_users_search_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = LINK_USER_OUT },
    { 0 }
};
/* clang-format on */
