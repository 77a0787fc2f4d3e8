#include <stdlib.h>
#include <string.h>
#include <apr_base64.h>
#include <apr_strings.h>
#include "hub_mcp_server.h"

hub_rpc_kind_e hub_rpc_read(json_t *msg, hub_rpc_msg_t *out)
{
    json_t *id, *params;
    const char *version;

    memset(out, 0, sizeof(*out));
    out->kind = HUB_RPC_INVALID;
    if (!json_is_object(msg)) {
        out->why = "a JSON-RPC message is an object";
        return out->kind;
    }
    version = json_string_value(json_object_get(msg, "jsonrpc"));
    if (!version || strcmp(version, "2.0")) {
        out->why = "jsonrpc must be \"2.0\"";
        return out->kind;
    }
    id = json_object_get(msg, "id");
    if (id && !json_is_string(id) && !json_is_integer(id)) {
        out->why = "id must be a string or an integer";
        return out->kind;
    }
    out->id = id;
    if (!json_object_get(msg, "method")) {
        if (id
            && (json_object_get(msg, "result")
                || json_is_object(json_object_get(msg, "error")))) {
            out->kind = HUB_RPC_RESPONSE;
        }
        else {
            out->why = "neither a request nor a response";
        }
        return out->kind;
    }
    out->method = json_string_value(json_object_get(msg, "method"));
    if (!out->method || !*out->method) {
        out->why = "method must be a non-empty string";
        return out->kind;
    }
    params = json_object_get(msg, "params");
    if (params && !json_is_object(params)) {
        out->why = "params must be an object";
        return out->kind;
    }
    out->params = params;
    out->kind = id ? HUB_RPC_REQUEST : HUB_RPC_NOTIFICATION;
    return out->kind;
}

static json_t *envelope(const json_t *id)
{
    json_t *m = json_object();
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "id", id ? json_deep_copy(id) : json_null());
    return m;
}

json_t *hub_rpc_result(const json_t *id, json_t *result)
{
    json_t *m = envelope(id);
    json_object_set_new(m, "result", result ? result : json_object());
    return m;
}

json_t *hub_rpc_error(const json_t *id, int code, const char *message,
                      json_t *data)
{
    json_t *m = envelope(id), *e = json_object();
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", json_string(message ? message : ""));
    if (data) {
        json_object_set_new(e, "data", data);
    }
    json_object_set_new(m, "error", e);
    return m;
}

const char *hub_mcp_negotiate(const char *requested)
{
    return hub_mcp_session_version(requested) ? requested
                                              : hub_mcp_session_versions[0];
}

/* "hub1:<offset>" in base64: opaque to clients, as the specification
 * wants cursors, and recognisable here */
#define CURSOR_TAG "hub1:"

const char *hub_mcp_cursor(apr_pool_t *p, long offset)
{
    const char *plain = apr_psprintf(p, CURSOR_TAG "%ld", offset);
    int n = (int)strlen(plain);
    char *out = apr_palloc(p, (apr_size_t)apr_base64_encode_len(n));
    apr_base64_encode(out, plain, n);
    return out;
}

int hub_mcp_cursor_offset(const char *cursor, long *offset)
{
    char plain[64], *end;
    size_t n = cursor ? strlen(cursor) : 0;
    long v;
    if (!n || n > 40
        || strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "abcdefghijklmnopqrstuvwxyz0123456789+/=")
               != n) {
        return -1;
    }
    plain[apr_base64_decode(plain, cursor)] = '\0';
    if (strncmp(plain, CURSOR_TAG, sizeof(CURSOR_TAG) - 1)) {
        return -1;
    }
    v = strtol(plain + sizeof(CURSOR_TAG) - 1, &end, 10);
    if (end == plain + sizeof(CURSOR_TAG) - 1 || *end || v < 0
        || v > 100000000L) {
        return -1;
    }
    *offset = v;
    return 0;
}

/* ---- eras ------------------------------------------------------------------ */

static int is_modern(const char *v)
{
    return v && strcmp(v, HUB_MCP_VERSION_MODERN) >= 0;
}

static int refuse(hub_mcp_verdict_t *v, int status, int code,
                  const char *message, json_t *data)
{
    v->status = status;
    v->code = code;
    v->message = message;
    v->data = data;
    return -1;
}

/* -32020 on HTTP 400, with the SDK's data */
static int mismatch(apr_pool_t *p, hub_mcp_verdict_t *v, const char *header,
                    const char *detail)
{
    return refuse(v, 400, HUB_RPC_HEADER_MISMATCH,
                  apr_pstrcat(p,
                              "Bad Request: the request headers and body "
                              "disagree: ",
                              detail, NULL),
                  json_pack("{s:{s:s,s:s}}", "mismatch", "header",
                            header ? header : "(missing)", "body", detail));
}

/* The first thing wrong with an envelope, or NULL. */
static const char *envelope_problem(json_t *meta, const char **key)
{
    json_t *info = json_object_get(meta, HUB_MCP_META_CLIENT);
    *key = HUB_MCP_META_VERSION;
    if (!json_is_string(json_object_get(meta, HUB_MCP_META_VERSION))) {
        return "must be a string";
    }
    *key = HUB_MCP_META_CAPS;
    if (!json_object_get(meta, HUB_MCP_META_CAPS)) {
        return "missing";
    }
    if (!json_is_object(json_object_get(meta, HUB_MCP_META_CAPS))) {
        return "must be an object";
    }
    *key = HUB_MCP_META_CLIENT;
    if (info
        && (!json_is_object(info)
            || !json_is_string(json_object_get(info, "name"))
            || !json_is_string(json_object_get(info, "version")))) {
        return "must be an Implementation (name and version)";
    }
    return NULL;
}

static int missing_envelope(apr_pool_t *p, const hub_rpc_msg_t *m,
                            const char *hv, hub_mcp_verdict_t *v)
{
    json_t *meta = json_object_get(m->params, "_meta"), *missing = json_array();
    const char *list = NULL, *k;
    size_t i;
    json_t *x;
    if (!json_is_object(meta)) {
        json_array_append_new(missing, json_string("_meta"));
    }
    else {
        if (!json_object_get(meta, HUB_MCP_META_VERSION)) {
            json_array_append_new(missing, json_string(HUB_MCP_META_VERSION));
        }
        if (!json_object_get(meta, HUB_MCP_META_CAPS)) {
            json_array_append_new(missing, json_string(HUB_MCP_META_CAPS));
        }
    }
    json_array_foreach(missing, i, x) {
        k = json_string_value(x);
        list = list ? apr_pstrcat(p, list, ", ", k, NULL) : k;
    }
    return refuse(v, 400, HUB_RPC_INVALID_PARAMS,
                  apr_psprintf(p,
                               "Invalid params: the MCP-Protocol-Version "
                               "header names protocol revision %s, but the "
                               "request is missing the required per-request "
                               "envelope key(s): %s",
                               hv, list ? list : "_meta"),
                  json_pack("{s:{s:o}}", "envelope", "missing", missing));
}

int hub_mcp_classify(apr_pool_t *p, const hub_rpc_msg_t *m, const char *hv,
                     const char *hm, hub_mcp_verdict_t *v)
{
    json_t *meta = json_object_get(m->params, "_meta");
    const char *key, *problem, *claimed;

    memset(v, 0, sizeof(*v));
    v->era = HUB_MCP_ERA_SESSION;
    if (m->kind == HUB_RPC_RESPONSE || m->kind == HUB_RPC_INVALID) {
        return 0;
    }
    if (json_is_object(meta) && json_object_get(meta, HUB_MCP_META_VERSION)) {
        if ((problem = envelope_problem(meta, &key))) {
            return refuse(v, 400, HUB_RPC_INVALID_PARAMS,
                          apr_psprintf(p,
                                       "Invalid _meta envelope for protocol "
                                       "revision %s: %s: %s",
                                       HUB_MCP_VERSION_MODERN, key, problem),
                          json_pack("{s:{s:s,s:s}}", "envelope", "key", key,
                                    "problem", problem));
        }
        claimed = json_string_value(
            json_object_get(meta, HUB_MCP_META_VERSION));
        if (hv && strcmp(hv, claimed)) {
            return mismatch(p, v, hv,
                            apr_psprintf(p,
                                         "the body envelope names protocol "
                                         "version %s but the "
                                         "MCP-Protocol-Version header names %s",
                                         claimed, hv));
        }
        if (hm && strcmp(hm, m->method)) {
            return mismatch(p, v, hm,
                            apr_psprintf(p,
                                         "the body names method %s but the "
                                         "Mcp-Method header names %s",
                                         m->method, hm));
        }
        v->era = HUB_MCP_ERA_MODERN;
        v->version = claimed;
        return 0;
    }
    if (!is_modern(hv)) {
        return 0;
    }
    if (m->kind == HUB_RPC_REQUEST && !strcmp(m->method, "initialize")) {
        return mismatch(p, v, hv,
                        "an initialize request (legacy handshake) was sent "
                        "with a modern MCP-Protocol-Version header");
    }
    if (m->kind == HUB_RPC_REQUEST) {
        return missing_envelope(p, m, hv, v);
    }
    if (hm && strcmp(hm, m->method)) {
        return mismatch(p, v, hm,
                        apr_psprintf(p,
                                     "the notification body names method %s "
                                     "but the Mcp-Method header names %s",
                                     m->method, hm));
    }
    v->era = HUB_MCP_ERA_MODERN;
    v->version = hv;
    return 0;
}

/* canonical Base64: groups of four, padding only at the end */
static int canonical_b64(const char *s, apr_size_t n)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789+/";
    apr_size_t i, pad = 0;
    if (n % 4) {
        return 0;
    }
    if (n && s[n - 1] == '=') {
        pad = n > 1 && s[n - 2] == '=' ? 2 : 1;
    }
    for (i = 0; i < n - pad; i++) {
        if (!s[i] || !strchr(set, s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *hub_mcp_header_text(apr_pool_t *p, const char *raw)
{
    apr_size_t n = raw ? strlen(raw) : 0;
    const char *b64;
    char *out, *copy;
    json_t *check;
    int len;

    if (n < 12 || strncmp(raw, "=?base64?", 9) || strcmp(raw + n - 2, "?=")) {
        return raw;
    }
    b64 = raw + 9;
    n -= 11;
    if (!canonical_b64(b64, n)) {
        return NULL;
    }
    copy = apr_pstrmemdup(p, b64, n);
    out = apr_palloc(p, (apr_size_t)apr_base64_decode_len(copy) + 1);
    len = apr_base64_decode(out, copy);
    out[len] = '\0';
    /* jansson takes only UTF-8 without NULs: the same test */
    if ((apr_size_t)len != strlen(out) || !(check = json_stringn(out, len))) {
        return NULL;
    }
    json_decref(check);
    return out;
}

/* The body field a method's Mcp-Name mirrors, or NULL. */
static const char *name_source(const char *method)
{
    if (!strcmp(method, "tools/call") || !strcmp(method, "prompts/get")) {
        return "name";
    }
    if (!strcmp(method, "resources/read")) {
        return "uri";
    }
    if (!strcmp(method, "tasks/get") || !strcmp(method, "tasks/update")
        || !strcmp(method, "tasks/cancel")) {
        return "taskId";
    }
    return NULL;
}

int hub_mcp_check_modern(apr_pool_t *p, const hub_rpc_msg_t *m, const char *hv,
                         const char *hm, const char *hn, hub_mcp_verdict_t *v)
{
    const char *field = name_source(m->method), *body, *text;

    if (strcmp(v->version, HUB_MCP_VERSION_MODERN)) {
        return refuse(v, 400, HUB_RPC_UNSUPPORTED_VERSION,
                      apr_psprintf(p, "Unsupported protocol version: %s",
                                   v->version),
                      json_pack("{s:[s],s:s}", "supported",
                                HUB_MCP_VERSION_MODERN, "requested",
                                v->version));
    }
    if (m->kind != HUB_RPC_REQUEST) {
        return 0; /* notifications need no headers */
    }
    if (!hv) {
        return mismatch(p, v, NULL,
                        apr_psprintf(p,
                                     "the body envelope names protocol "
                                     "version %s but the required "
                                     "MCP-Protocol-Version header is absent",
                                     v->version));
    }
    if (!hm) {
        return mismatch(p, v, NULL,
                        apr_psprintf(p,
                                     "the body names method %s but the "
                                     "required Mcp-Method header is absent",
                                     m->method));
    }
    body = field ? json_string_value(json_object_get(m->params, field)) : NULL;
    if (!body) {
        return 0;
    }
    if (!hn) {
        return mismatch(p, v, NULL,
                        apr_psprintf(p,
                                     "the body carries params.%s=\"%s\" but "
                                     "the required Mcp-Name header is absent",
                                     field, body));
    }
    if (!(text = hub_mcp_header_text(p, hn))) {
        return mismatch(p, v, hn,
                        "the Mcp-Name header carries an invalid Base64 "
                        "sentinel value");
    }
    if (strcmp(text, body)) {
        return mismatch(p, v, hn,
                        apr_psprintf(p,
                                     "the body carries params.%s=\"%s\" but "
                                     "the Mcp-Name header names \"%s\"",
                                     field, body, text));
    }
    return 0;
}
