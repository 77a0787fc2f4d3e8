/* Caylex: GET /servers/discover-oauth-metadata, POST /servers/upload-logo,
 * and GET /servers/logos/{logo_id} (the hub's own: where uploaded logos
 * are served back).
 *
 * discover-oauth-metadata really asks the server:
 * 1. the MCP endpoint itself (GET); a 401 whose WWW-Authenticate carries
 *    `resource_metadata="..."` names the protected-resource metadata
 *    (RFC 9728 section 5.1);
 * 2. else /.well-known/oauth-protected-resource on the resource's origin,
 *    with the resource's path appended first (RFC 9728 section 3.1), then
 *    without it;
 * 3. the protected resource's first `authorization_servers` entry, or
 *    the resource's origin when there is no such metadata (MCP's
 *    2025-03-26 fallback), is the issuer: its RFC 8414
 *    /.well-known/oauth-authorization-server (path inserted after the
 *    well-known name, then appended), falling back to OpenID's
 *    /.well-known/openid-configuration.
 * Every request goes through hub_http (timeouts, 256 KiB limit, no
 * redirects, internal addresses refused unless HubOutboundAllow).
 *
 * Decisions where the document is open:
 * - found is true when authorization-server metadata with an
 *   authorization_endpoint and a token_endpoint was found; then the
 *   three documented endpoints come from it (registration_endpoint null
 *   when the server has none).  redirect_url is null (the hub has no
 *   OAuth callback of its own yet).  Beside the documented fields the
 *   answer carries `scopes` (the resource's scopes_supported, else the
 *   server's), `authorization_server` (the issuer used) and
 *   `resource_metadata_url` (where RFC 9728 metadata was found), each
 *   null when unknown.
 * - an unreachable server, one that answers garbage or nothing useful:
 *   200 with found=false (the document has no error for it).  A `url`
 *   that is not http(s): 422 as FastAPI words it.  A url whose address
 *   the operator does not allow (loopback, private, link-local/metadata,
 *   ...): 400 {"detail": ...}, so the caller learns why.
 *
 * upload-logo takes the documented multipart/form-data body with one file
 * part named `logo`, read here (the route has no JSON body) with a limit:
 * - the type is decided by the bytes: PNG, JPEG, GIF or WebP; anything
 *   else (text, HTML, SVG - which can carry script -, a PNG name on other
 *   bytes) is 400 "File must be a PNG, JPEG, GIF or WebP image".  The
 *   part's claimed type and file name are not trusted.
 * - the document's maximum, 5 MB (5 MiB here): larger is 413; an empty
 *   file is 400; a body that is not multipart/form-data is 415; no
 *   `logo` part is 422 (loc body.logo, "Field required").
 * - stored in PostgreSQL (table logos) in the caller's tenant; the answer's
 *   logo_url is this hub's GET /servers/logos/{logo_id}.
 * - logos are NOT public by id: GET /servers/logos/{id} needs the same
 *   credentials as the other Caylex routes (a session cookie works for a
 *   browser's <img>), and a logo of another tenant is 404 like one that
 *   does not exist.  Served with the stored type, nosniff, a CSP that
 *   allows nothing, and Cache-Control private (a shared cache must not
 *   give one tenant's logo to another). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_filter.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"

const hub_stmt_t hub_servers_oauth_logo_stmts[] = {
    { "hub_logos_insert",
      "INSERT INTO logos (tenant_id, content_type, bytes, sha256)"
      " VALUES (%s::uuid, %s, decode(%s, 'hex'), %s) RETURNING id" },
    { "hub_logos_get",
      "SELECT content_type, sha256, encode(bytes, 'hex') AS hex"
      " FROM logos WHERE tenant_id = %s::uuid AND id = %s::uuid" },
    { NULL, NULL }
};

#define ST_INSERT (&hub_servers_oauth_logo_stmts[0])
#define ST_GET    (&hub_servers_oauth_logo_stmts[1])

#define META_MAX     (256 * 1024)
#define META_TIMEOUT 5000L
#define LOGO_MAX     (5 * 1024 * 1024)
#define BODY_MAX     (LOGO_MAX + 64 * 1024) /* room for the multipart */

/* ---- discover-oauth-metadata ------------------------------------------ */

typedef struct meta_ctx {
    hub_req_t *hr;
    hub_http_policy_t pol;
    int refused; /* the first request was refused by policy */
} meta_ctx_t;

/* GET url; the answer when one came, else NULL. */
static hub_http_response_t *fetch(meta_ctx_t *mc, const char *url,
                                  const char *accept)
{
    hub_http_request_t req = { 0 };
    hub_http_response_t *res = apr_pcalloc(mc->hr->pool, sizeof(*res));
    req.method = "GET";
    req.url = url;
    req.headers = apr_table_make(mc->hr->pool, 2);
    apr_table_setn(req.headers, "Accept", accept);
    apr_table_setn(req.headers, "MCP-Protocol-Version", "2025-11-25");
    hub_http_do(mc->hr->pool, &mc->pol, &req, res);
    if (res->result != HUB_HTTP_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, mc->hr->r,
                      "HUB00561: "
                      "OAuth discovery: %s: %s",
                      url, res->error ? res->error : "failed");
        return res->result == HUB_HTTP_REFUSED ? res : NULL;
    }
    return res;
}

/* A JSON object from a 200 answer to GET url, else NULL (owned by pool). */
static json_t *fetch_json(meta_ctx_t *mc, const char *url)
{
    hub_http_response_t *res = fetch(mc, url, "application/json");
    json_t *j;
    if (!res || res->result != HUB_HTTP_OK || res->status != 200
        || !res->body_len) {
        return NULL;
    }
    j = json_loadb(res->body, res->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return hub_json_own(mc->hr->pool, j);
}

/* scheme://authority of an http(s) URL and its path (without query or
 * fragment, "" for "/"); 0 when url is no such URL. */
static int split_url(apr_pool_t *p, const char *url, const char **origin,
                     const char **path)
{
    const char *rest, *end;
    size_t n;
    if (!strncasecmp(url, "https://", 8)) {
        rest = url + 8;
    }
    else if (!strncasecmp(url, "http://", 7)) {
        rest = url + 7;
    }
    else {
        return 0;
    }
    n = strcspn(rest, "/?#");
    if (!n) {
        return 0;
    }
    *origin = apr_pstrmemdup(p, url, (size_t)(rest - url) + n);
    rest += n;
    end = rest + strcspn(rest, "?#");
    while (end > rest && end[-1] == '/') {
        end--;
    }
    *path = apr_pstrmemdup(p, rest, (size_t)(end - rest));
    return 1;
}

static int is_http_url(const char *s)
{
    return s
           && (!strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7))
           && strlen(s) <= 2048;
}

/* The resource_metadata parameter of a WWW-Authenticate value, or NULL. */
static const char *metadata_hint(apr_pool_t *p, const char *www)
{
    const char *s = www;
    static const char key[] = "resource_metadata=";
    while (s && *s) {
        const char *at = ap_strcasestr(s, key);
        const char *v;
        size_t n;
        if (!at) {
            return NULL;
        }
        /* a parameter name starts after a separator */
        if (at != www && !(at[-1] == ' ' || at[-1] == ',' || at[-1] == '\t')) {
            s = at + 1;
            continue;
        }
        v = at + sizeof(key) - 1;
        if (*v == '"') {
            v++;
            n = strcspn(v, "\"");
            if (v[n] != '"') {
                return NULL;
            }
        }
        else {
            n = strcspn(v, " ,\t");
        }
        return n ? apr_pstrmemdup(p, v, n) : NULL;
    }
    return NULL;
}

static json_t *string_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return is_http_url(json_string_value(v)) ? json_string(json_string_value(v))
                                             : json_null();
}

static json_t *scopes_of(json_t *o)
{
    json_t *v = json_object_get(o, "scopes_supported"), *s, *out;
    size_t i;
    if (!json_is_array(v)) {
        return NULL;
    }
    out = json_array();
    json_array_foreach(v, i, s) {
        if (json_is_string(s) && json_array_size(out) < 100) {
            json_array_append(out, s);
        }
    }
    return out;
}

/* Authorization-server metadata for an issuer, or NULL. */
static json_t *as_metadata(meta_ctx_t *mc, const char *issuer)
{
    apr_pool_t *p = mc->hr->pool;
    const char *origin, *path, *urls[4];
    json_t *m;
    int i, n = 0;
    if (!split_url(p, issuer, &origin, &path)) {
        return NULL;
    }
    if (*path) {
        urls[n++] = apr_pstrcat(p, origin,
                                "/.well-known/oauth-authorization-server", path,
                                NULL);
        urls[n++] = apr_pstrcat(p, origin, "/.well-known/openid-configuration",
                                path, NULL);
        urls[n++] = apr_pstrcat(p, origin, path,
                                "/.well-known/openid-configuration", NULL);
    }
    else {
        urls[n++] = apr_pstrcat(p, origin,
                                "/.well-known/oauth-authorization-server",
                                NULL);
        urls[n++] = apr_pstrcat(p, origin, "/.well-known/openid-configuration",
                                NULL);
    }
    for (i = 0; i < n; i++) {
        m = fetch_json(mc, urls[i]);
        if (m
            && is_http_url(
                json_string_value(json_object_get(m, "authorization_endpoint")))
            && is_http_url(
                json_string_value(json_object_get(m, "token_endpoint")))) {
            return m;
        }
    }
    return NULL;
}

static int discover(hub_req_t *hr, hub_result_t *res)
{
    const hub_servers_srv_t *c = hub_servers_srv(hr->r->server);
    const char *url = hub_query(hr, "url"), *origin, *path, *hint = NULL;
    const char *prm_url = NULL, *issuer = NULL;
    meta_ctx_t mc;
    hub_http_response_t *http;
    json_t *prm = NULL, *as = NULL, *scopes = NULL, *out;

    if (!url) {
        return hub_err_field(res, "query", "url", "missing", "Field required");
    }
    if (!is_http_url(url) || !split_url(hr->pool, url, &origin, &path)) {
        return hub_err_field(res, "query", "url", "value_error",
                             "Value error, url must be an http or https URL");
    }
    memset(&mc, 0, sizeof(mc));
    mc.hr = hr;
    mc.pol.connect_timeout_ms = 3000;
    mc.pol.timeout_ms = META_TIMEOUT;
    mc.pol.max_response = META_MAX;
    mc.pol.allow = c->outbound_allow;

    /* 1. the MCP endpoint: a 401 may name its metadata */
    http = fetch(&mc, url, "application/json, text/event-stream");
    if (http && http->result == HUB_HTTP_REFUSED) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                      "HUB00562: OAuth "
                      "discovery for %s refused: internal address not in "
                      "HubOutboundAllow",
                      url);
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "The hub may not connect to this server's address "
                       "(loopback, private and link-local addresses are "
                       "refused unless the operator allows them)");
    }
    if (http && http->status == 401 && http->headers) {
        hint = metadata_hint(hr->pool,
                             apr_table_get(http->headers, "WWW-Authenticate"));
        if (hint && is_http_url(hint) && (prm = fetch_json(&mc, hint))) {
            prm_url = hint;
        }
    }
    /* 2. the well-known protected-resource metadata */
    if (!prm && *path) {
        const char *u = apr_pstrcat(hr->pool, origin,
                                    "/.well-known/oauth-protected-resource",
                                    path, NULL);
        if ((prm = fetch_json(&mc, u))) {
            prm_url = u;
        }
    }
    if (!prm) {
        const char *u = apr_pstrcat(hr->pool, origin,
                                    "/.well-known/oauth-protected-resource",
                                    NULL);
        if ((prm = fetch_json(&mc, u))) {
            prm_url = u;
        }
    }
    /* 3. its authorization server, else the origin's */
    if (prm) {
        json_t *list = json_object_get(prm, "authorization_servers");
        const char *first = json_string_value(json_array_get(list, 0));
        if (is_http_url(first)) {
            issuer = first;
        }
        scopes = scopes_of(prm);
    }
    if (!issuer) {
        issuer = origin;
    }
    as = as_metadata(&mc, issuer);
    if (as && !scopes) {
        scopes = scopes_of(as);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, hr->r,
                  "HUB00560: OAuth "
                  "discovery for %s: resource metadata %s, authorization "
                  "server metadata %s",
                  url, prm ? "found" : "not found", as ? "found" : "not found");
    out = json_object();
    json_object_set_new(out, "found", json_boolean(as != NULL));
    json_object_set_new(out, "auth_endpoint",
                        as ? string_or_null(as, "authorization_endpoint")
                           : json_null());
    json_object_set_new(out, "token_endpoint",
                        as ? string_or_null(as, "token_endpoint")
                           : json_null());
    json_object_set_new(out, "registration_endpoint",
                        as ? string_or_null(as, "registration_endpoint")
                           : json_null());
    json_object_set_new(out, "redirect_url", json_null());
    json_object_set_new(out, "scopes", scopes ? scopes : json_null());
    json_object_set_new(out, "authorization_server",
                        as ? json_string(issuer) : json_null());
    json_object_set_new(out, "resource_metadata_url",
                        prm_url ? json_string(prm_url) : json_null());
    return hub_ok(res, out);
}

/* ---- upload-logo --------------------------------------------------------- */

static const char *find_bytes(const char *hay, apr_size_t hlen,
                              const char *needle, apr_size_t nlen)
{
    return memmem(hay, hlen, needle, nlen);
}

/* The value of a parameter (name="value" or name=value) of a header
 * value, or NULL. */
static const char *header_param(apr_pool_t *p, const char *value,
                                const char *name)
{
    const char *s = value;
    size_t nl = strlen(name);
    while ((s = strchr(s, ';'))) {
        s++;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!strncasecmp(s, name, nl) && s[nl] == '=') {
            const char *v = s + nl + 1;
            size_t n;
            if (*v == '"') {
                v++;
                n = strcspn(v, "\"");
                return v[n] == '"' ? apr_pstrmemdup(p, v, n) : NULL;
            }
            n = strcspn(v, "; \t");
            return apr_pstrmemdup(p, v, n);
        }
    }
    return NULL;
}

/* The content of the form part named `want`: 1 found, 0 not, -1 the body
 * is no well-formed multipart body. */
static int multipart_part(apr_pool_t *p, const char *body, apr_size_t len,
                          const char *boundary, const char *want,
                          const char **data, apr_size_t *dlen)
{
    const char *delim = apr_pstrcat(p, "--", boundary, NULL);
    const char *crlf_delim = apr_pstrcat(p, "\r\n--", boundary, NULL);
    apr_size_t dl = strlen(delim);
    const char *end = body + len, *s;

    s = find_bytes(body, len, delim, dl);
    if (!s) {
        return -1;
    }
    s += dl;
    for (;;) {
        const char *head, *head_end, *next, *line, *name = NULL;
        if (end - s >= 2 && s[0] == '-' && s[1] == '-') {
            return 0; /* the closing delimiter */
        }
        /* transport padding, then CRLF */
        while (s < end && (*s == ' ' || *s == '\t')) {
            s++;
        }
        if (end - s < 2 || s[0] != '\r' || s[1] != '\n') {
            return -1;
        }
        head = s + 2;
        head_end = find_bytes(head, (apr_size_t)(end - head), "\r\n\r\n", 4);
        if (!head_end || head_end - head > 8192) {
            return -1;
        }
        for (line = head; line < head_end + 2;) {
            const char *eol =
                find_bytes(line, (apr_size_t)(head_end + 2 - line), "\r\n", 2);
            char *h;
            if (!eol) {
                break;
            }
            h = apr_pstrmemdup(p, line, (apr_size_t)(eol - line));
            if (!strncasecmp(h, "Content-Disposition:", 20)) {
                name = header_param(p, h, "name");
            }
            line = eol + 2;
        }
        s = head_end + 4;
        next = find_bytes(s, (apr_size_t)(end - s), crlf_delim,
                          strlen(crlf_delim));
        if (!next) {
            return -1;
        }
        if (name && !strcmp(name, want)) {
            *data = s;
            *dlen = (apr_size_t)(next - s);
            return 1;
        }
        s = next + strlen(crlf_delim);
    }
}

/* The image type the bytes show, or NULL. */
static const char *image_type(const unsigned char *b, apr_size_t n)
{
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) {
        return "image/png";
    }
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        return "image/jpeg";
    }
    if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6))) {
        return "image/gif";
    }
    if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4)) {
        return "image/webp";
    }
    return NULL;
}

static const char *hex_of(apr_pool_t *p, const unsigned char *b, apr_size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, 2 * n + 1), *o = out;
    apr_size_t i;
    for (i = 0; i < n; i++) {
        *o++ = digits[b[i] >> 4];
        *o++ = digits[b[i] & 15];
    }
    *o = '\0';
    return out;
}

static int upload_logo(hub_req_t *hr, hub_result_t *res)
{
    request_rec *r = hr->r;
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    const char *boundary, *data, *type, *args[4];
    char *body = NULL;
    apr_size_t len = 0, dlen = 0;
    hub_rows_t *row;
    hub_db_status_e st;
    int rc;

    if (!ct || strncasecmp(ct, "multipart/form-data", 19)
        || (ct[19] && ct[19] != ';' && ct[19] != ' ')
        || !(boundary = header_param(r->pool, ct, "boundary")) || !*boundary
        || strlen(boundary) > 70) {
        res->close = 1; /* the body is left unread */
        return hub_err(res, HTTP_UNSUPPORTED_MEDIA_TYPE,
                       "UNSUPPORTED_MEDIA_TYPE",
                       "Content-Type must be "
                       "multipart/form-data with a boundary");
    }
    rc = hub_read_body(hr, BODY_MAX, &body, &len);
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        res->close = 1; /* the body is left unread */
        return hub_err(res, rc, "PAYLOAD_TOO_LARGE",
                       "File too large (maximum 5 MB)");
    }
    if (rc != OK) {
        res->close = 1; /* the body is left unread */
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "request body incomplete");
    }
    rc = multipart_part(r->pool, body, len, boundary, "logo", &data, &dlen);
    if (rc < 0) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "malformed multipart/form-data body");
    }
    if (rc == 0) {
        return hub_err_field(res, "body", "logo", "missing", "Field required");
    }
    if (dlen == 0) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST", "File is empty");
    }
    if (dlen > LOGO_MAX) {
        return hub_err(res, HTTP_REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                       "File too large (maximum 5 MB)");
    }
    if (!(type = image_type((const unsigned char *)data, dlen))) {
        return hub_err(res, HTTP_BAD_REQUEST, "BAD_REQUEST",
                       "File must be a PNG, JPEG, GIF or WebP image");
    }
    args[0] = hr->who->tenant_id;
    args[1] = type;
    args[2] = hex_of(r->pool, (const unsigned char *)data, dlen);
    args[3] = hub_sha256_hex(r->pool, data, dlen);
    st = hub_db_select(r, ST_INSERT, &row, 4, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "HUB00563: logo %s (%s, %" APR_SIZE_T_FMT
                  " bytes) uploaded in tenant %s by %s",
                  hub_rows_get(row, 0, "id"), type, dlen, hr->who->tenant_slug,
                  hr->who->name);
    return hub_ok(res,
                  json_pack("{s:s}", "logo_url",
                            apr_pstrcat(r->pool, hr->base_url,
                                        "/servers/logos/",
                                        hub_rows_get(row, 0, "id"), NULL)));
}

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int logo_get(hub_req_t *hr, hub_result_t *res)
{
    request_rec *r = hr->r;
    const char *id = hub_param(hr, "logo_id"), *args[2], *hex, *etag;
    unsigned char *bytes;
    apr_size_t n, i;
    hub_rows_t *row;
    hub_db_status_e st;

    if (!hub_is_uuid(id)) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Logo not found");
    }
    args[0] = hr->who->tenant_id;
    args[1] = id;
    st = hub_db_select(r, ST_GET, &row, 2, args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (row->rows->nelts != 1) {
        return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "Logo not found");
    }
    hex = hub_rows_get(row, 0, "hex");
    n = strlen(hex) / 2;
    bytes = apr_palloc(r->pool, n ? n : 1);
    for (i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "HUB00564: logo %s: "
                          "the database answered no hex text",
                          id);
            return hub_err(res, HTTP_INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                           "internal error; see the server log (request "
                           "%s)",
                           hr->request_id);
        }
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    etag = apr_pstrcat(r->pool, "\"", hub_rows_get(row, 0, "sha256"), "\"",
                       NULL);
    hub_result_header(res, "ETag", etag);
    hub_result_header(res, "X-Content-Type-Options", "nosniff");
    hub_result_header(res, "Content-Security-Policy",
                      "default-src 'none'; sandbox");
    hub_result_header(res, "Cache-Control", "private, max-age=86400");
    hub_result_header(res, "Content-Disposition", "inline");
    {
        const char *inm = apr_table_get(r->headers_in, "If-None-Match");
        return hub_ok_text(res,
                           inm && !strcmp(inm, etag) ? HTTP_NOT_MODIFIED
                                                     : HTTP_OK,
                           hub_rows_get(row, 0, "content_type"),
                           (const char *)bytes, n);
    }
}

/* The dispatcher discards the body of a route without JSON fields before
 * the op runs; hub_body_raw (hub_request.h, HUB_BODY_RAW) asks it to leave
 * the body to the op.  Without it upload-logo sees an empty body. */
#ifdef HUB_BODY_RAW
#define LOGO_BODY hub_body_raw
#else
#define LOGO_BODY NULL
#endif

/* discover: what the server's metadata says, null where it says nothing */
#define DISCOVERED_OUT \
    HUB_DOC_ONE("DiscoverOAuthMetadataResponse", \
                OBJ("\"found\":" BOOL ",\"auth_endpoint\":" NSTR \
                    ",\"token_endpoint\":" NSTR \
                    ",\"registration_endpoint\":" NSTR \
                    ",\"redirect_url\":" NSTR ",\"scopes\":" \
                    "{\"type\":\"array\",\"items\":" STR ",\"nullable\":true}" \
                    ",\"authorization_server\":" NSTR \
                    ",\"resource_metadata_url\":" NSTR, \
                    "\"found\",\"auth_endpoint\",\"token_endpoint\"," \
                    "\"registration_endpoint\",\"redirect_url\",\"scopes\"," \
                    "\"authorization_server\",\"resource_metadata_url\""))
#define LOGO_OUT \
    HUB_DOC("UploadLogoResponse", OBJ("\"logo_url\":" STR, "\"logo_url\""))

/* clang-format off */
const hub_route_t hub_servers_oauth_logo_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/servers/discover-oauth-metadata", discover,
      NULL, 0, 0, "Discover OAuth Metadata",
      .need = HUB_NEED_READ, .doc = DISCOVERED_OUT },
    /* no JSON body: upload_logo reads the multipart body itself */
    { HUB_CAYLEX, HUB_M_POST, "/servers/upload-logo", upload_logo,
      LOGO_BODY, 0, 0, "Upload Server Logo",
      .need = HUB_NEED_WRITE, .doc = LOGO_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/servers/logos/{logo_id}", logo_get, NULL,
      0, 0, "Get Server Logo",
      .need = HUB_NEED_READ },
    { 0 }
};
/* clang-format on */
