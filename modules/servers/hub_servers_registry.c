/* The server registry catalog (Caylex `GET /server-registry`,
 * `/server-registry/search`, `/server-registry/{id}`,
 * `/server-registry/{id}/tools`): pre-built servers a tenant can add,
 * read from the JSON file HubRegistryFile names.
 *
 * Decisions:
 * - The catalog is kept in memory, not in a table.  It is the operator's
 *   configuration, like any other directive: read and checked as root in
 *   post_config (a malformed file stops the start, naming the entry and
 *   what is wrong with it), inherited by the children, read again on a
 *   graceful restart.  Removing an entry from the file removes it (an
 *   upsert into a shared table never would), and post_config has no
 *   database connection to write with (mod_dbd opens them in the
 *   children).  Hosts sharing a database agree when they are given the
 *   same file, as they are given the same configuration.  Nothing the
 *   catalog answers depends on a tenant, so nothing in it needs SQL; a
 *   tenant's own servers refer to an entry by `registry_id`.
 * - Entries are answered in the order of their names (then ids);
 *   `search` matches the name, the description or a category, any case;
 *   without `search` the search lists everything.
 * - GET .../tools answers the tools the tenant's servers made from this
 *   entry have (their last listing, by name); when there are none, the
 *   tools the catalog file lists for the entry; when it lists none, the
 *   documented 404.
 * - The children only read the entries; each answer parses its entry's
 *   JSON text again, so no jansson object is shared between threads. */
#include <apr_strings.h>
#include "hub_openapi_schema.h"
#include "hub_servers_private.h"
#include "hub_addr.h"
#include "hub_crypto.h"
#include "hub_json.h"
#include "hub_rows.h"
#include "hub_text.h"

#define REG_MAX_FILE (16L * 1024 * 1024)

typedef struct reg_entry {
    const char *id; /* lower case */
    const char *name;
    const char *haystack; /* name, description, categories: lower */
    const char *answer;   /* GetServerRegistryResponse, JSON text */
    const char *tools;    /* [{name, description}] text, or NULL */
} reg_entry_t;

struct hub_servers_catalog {
    const char *file;
    int loaded;
    apr_array_header_t *entries; /* reg_entry_t, by name then id */
};

/* clang-format off */
static const char *const reg_transports[] = { "sse", "streamable_http",
                                              NULL };
static const char *const reg_types[] = { "caylex", "external", "foundry",
                                         NULL };
static const char *const reg_methods[] = { "header", "oauth", "path", "query",
                                           "none", NULL };
static const char *const reg_keys[] = {
    "id", "name", "description", "endpoint", "transport", "logo_url",
    "server_type", "auth_methods", "auth_method", "auth_config", "tools",
    "categories", NULL
};
/* clang-format on */

hub_servers_catalog_t *hub_servers_catalog_make(apr_pool_t *p, const char *file)
{
    hub_servers_catalog_t *cat = apr_pcalloc(p, sizeof(*cat));
    cat->file = file;
    return cat;
}

/* ---- reading the file (post_config, as root) --------------------------- */

/* An optional string member (its type already checked): NULL and *out
 * NULL when absent; else why it cannot be used. */
static const char *opt_string(json_t *e, const char *key, long max,
                              const char **out)
{
    json_t *v = json_object_get(e, key);
    if (!json_is_string(v)) {
        return NULL;
    }
    if ((long)json_string_length(v) > max) {
        return "too long";
    }
    *out = json_string_value(v);
    return NULL;
}

/* The string members of an entry: why one is wrong, or NULL. */
static const char *check_strings(apr_pool_t *p, json_t *e, const char **name,
                                 const char **desc, const char **endpoint,
                                 const char **transport, const char **type,
                                 const char **logo)
{
    /* clang-format off */
    static const struct { const char *key; long max; int required; } k[] = {
        { "name", 200, 1 }, { "description", 5000, 0 },
        { "endpoint", 2048, 1 }, { "transport", 100, 0 },
        { "server_type", 100, 0 }, { "logo_url", 2048, 0 }
    };
    /* clang-format on */
    const char **out[6];
    const char *why;
    size_t i;
    out[0] = name;
    out[1] = desc;
    out[2] = endpoint;
    out[3] = transport;
    out[4] = type;
    out[5] = logo;
    for (i = 0; i < 6; i++) {
        json_t *v = json_object_get(e, k[i].key);
        *out[i] = NULL;
        if (v && !json_is_null(v) && !json_is_string(v)) {
            return apr_psprintf(p, "\"%s\" must be a string", k[i].key);
        }
        if ((why = opt_string(e, k[i].key, k[i].max, out[i]))) {
            return apr_psprintf(p, "\"%s\" is %s (at most %ld characters)",
                                k[i].key, why, k[i].max);
        }
        if (k[i].required && (!*out[i] || !**out[i])) {
            return apr_psprintf(p, "\"%s\" is required", k[i].key);
        }
    }
    if ((why = hub_url_problem(p, *endpoint))) {
        return apr_psprintf(p, "\"endpoint\": %s", why);
    }
    if (*transport && !hub_one_of(*transport, reg_transports)) {
        return "\"transport\" must be \"sse\" or \"streamable_http\"";
    }
    if (*type && !hub_one_of(*type, reg_types)) {
        return "\"server_type\" must be \"caylex\", \"external\" or "
               "\"foundry\"";
    }
    return NULL;
}

/* auth_methods (or one auth_method) as a JSON array; NULL and *why. */
static json_t *check_methods(apr_pool_t *p, json_t *e, const char **why)
{
    json_t *list = json_object_get(e, "auth_methods");
    json_t *one = json_object_get(e, "auth_method"), *v;
    size_t i;
    *why = NULL;
    if (one && list) {
        *why = "give \"auth_methods\" or \"auth_method\", not both";
        return NULL;
    }
    if (one) {
        if (!json_is_string(one)
            || !hub_one_of(json_string_value(one), reg_methods)) {
            *why = "\"auth_method\" must be one of header, oauth, path, "
                   "query, none";
            return NULL;
        }
        return json_pack("[O]", one);
    }
    if (!list) {
        return json_pack("[s]", "none");
    }
    if (!json_is_array(list)) {
        *why = "\"auth_methods\" must be an array";
        return NULL;
    }
    json_array_foreach(list, i, v) {
        if (!json_is_string(v)
            || !hub_one_of(json_string_value(v), reg_methods)) {
            *why = apr_psprintf(p,
                                "\"auth_methods\"[%u] must be one of "
                                "header, oauth, path, query, none",
                                (unsigned)i);
            return NULL;
        }
    }
    return json_incref(list);
}

/* tools: [{name, description}] as JSON text; NULL with *why, or NULL
 * and no why when there are none. */
static const char *check_tools(apr_pool_t *p, json_t *e, const char **why)
{
    json_t *list = json_object_get(e, "tools"), *t, *out;
    const char *text;
    size_t i;
    *why = NULL;
    if (!list || json_is_null(list)) {
        return NULL;
    }
    if (!json_is_array(list)) {
        *why = "\"tools\" must be an array";
        return NULL;
    }
    out = json_array();
    json_array_foreach(list, i, t) {
        json_t *name = json_object_get(t, "name");
        json_t *desc = json_object_get(t, "description");
        if (!json_is_object(t) || !json_is_string(name)
            || !json_string_length(name)
            || (desc && !json_is_null(desc) && !json_is_string(desc))) {
            *why = apr_psprintf(p,
                                "\"tools\"[%u] must be an object with a "
                                "\"name\" and an optional \"description\" "
                                "(strings)",
                                (unsigned)i);
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:O,s:O}", "name", name,
                                             "description",
                                             desc ? desc : json_null()));
    }
    text = json_array_size(out) ? hub_json_text(p, out) : NULL;
    json_decref(out);
    return text;
}

/* The search text: name, description and categories, lower case. */
static const char *check_categories(apr_pool_t *p, json_t *e, const char *base,
                                    const char **why)
{
    json_t *list = json_object_get(e, "categories"), *v;
    const char *out = base;
    size_t i;
    *why = NULL;
    if (!list || json_is_null(list)) {
        return out;
    }
    if (!json_is_array(list)) {
        *why = "\"categories\" must be an array of strings";
        return NULL;
    }
    json_array_foreach(list, i, v) {
        if (!json_is_string(v)) {
            *why = "\"categories\" must be an array of strings";
            return NULL;
        }
        out = apr_pstrcat(p, out, "\n", json_string_value(v), NULL);
    }
    return out;
}

/* One entry of the file into *re; NULL, or why it cannot be used. */
static const char *take_entry(apr_pool_t *p, json_t *e, reg_entry_t *re)
{
    const char *name, *desc, *endpoint, *transport, *type, *logo, *why;
    const char *key, *id;
    json_t *v, *methods, *cfg, *answer;

    if (!json_is_object(e)) {
        return "an entry must be an object";
    }
    json_object_foreach(e, key, v) {
        if (!hub_one_of(key, reg_keys)) {
            return apr_psprintf(p, "unknown member \"%s\"", key);
        }
    }
    id = json_string_value(json_object_get(e, "id"));
    if (!hub_is_uuid(id)) {
        return "\"id\" must be a UUID";
    }
    if ((why = check_strings(p, e, &name, &desc, &endpoint, &transport, &type,
                             &logo))) {
        return why;
    }
    cfg = json_object_get(e, "auth_config");
    if (cfg && !json_is_null(cfg) && !json_is_object(cfg)) {
        return "\"auth_config\" must be an object or null";
    }
    if (!(methods = check_methods(p, e, &why))) {
        return why;
    }
    re->tools = check_tools(p, e, &why);
    if (why) {
        json_decref(methods);
        return why;
    }
    re->haystack = check_categories(
        p, e, apr_pstrcat(p, name, "\n", desc ? desc : "", NULL), &why);
    if (why) {
        json_decref(methods);
        return why;
    }
    re->id = hub_lower(p, id);
    re->name = apr_pstrdup(p, name);
    re->haystack = hub_lower(p, re->haystack);
    /* clang-format off */
    answer = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:O}",
        "id", re->id, "name", name, "description", desc ? desc : "",
        "endpoint", endpoint, "logo_url", logo ? logo : "",
        "server_type", type ? type : "external",
        "transport", transport ? transport : "streamable_http",
        "auth_methods", methods,
        "auth_config", cfg ? cfg : json_null());
    /* clang-format on */
    re->answer = hub_json_text(p, answer);
    json_decref(answer);
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    const reg_entry_t *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

/* The file's text, at most REG_MAX_FILE bytes; NULL with *why. */
static char *read_file(apr_pool_t *p, const char *path, apr_size_t *len,
                       const char **why)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char *buf;
    char err[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && fi.size > REG_MAX_FILE) {
            apr_file_close(f);
            *why = "the file is larger than 16 MB";
            return NULL;
        }
        if (rv == APR_SUCCESS) {
            buf = apr_palloc(p, (apr_size_t)fi.size + 1);
            rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, len);
            if (rv == APR_EOF && *len == 0) {
                rv = APR_SUCCESS;
            }
        }
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        *why = apr_pstrcat(p, "cannot read it: ",
                           apr_strerror(rv, err, sizeof(err)), NULL);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static int load_fail(server_rec *s, const hub_servers_catalog_t *cat,
                     const char *why)
{
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                 "HUB00520: HubRegistryFile "
                 "%s: %s",
                 cat->file, why);
    return HTTP_INTERNAL_SERVER_ERROR;
}

int hub_servers_registry_load(apr_pool_t *pconf, server_rec *s,
                              hub_servers_catalog_t *cat)
{
    apr_hash_t *seen = apr_hash_make(pconf);
    json_error_t jerr;
    json_t *all, *e;
    apr_size_t len = 0;
    const char *why = NULL;
    char *text;
    size_t i;

    if (cat->loaded) {
        return OK; /* a virtual host that inherits it */
    }
    if (!(text = read_file(pconf, cat->file, &len, &why))) {
        return load_fail(s, cat, why);
    }
    all = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!all) {
        return load_fail(s, cat,
                         apr_psprintf(pconf,
                                      "not JSON: %s (line "
                                      "%d, column %d)",
                                      jerr.text, jerr.line, jerr.column));
    }
    hub_json_own(pconf, all);
    if (!json_is_array(all)) {
        return load_fail(s, cat,
                         "the file must hold a JSON array of "
                         "catalog entries");
    }
    cat->entries = apr_array_make(pconf, (int)json_array_size(all) + 1,
                                  sizeof(reg_entry_t));
    json_array_foreach(all, i, e) {
        reg_entry_t *re = apr_array_push(cat->entries);
        memset(re, 0, sizeof(*re));
        if ((why = take_entry(pconf, e, re))) {
            const char *id = json_string_value(json_object_get(e, "id"));
            return load_fail(s, cat,
                             apr_psprintf(pconf, "entry %u%s%s%s: %s",
                                          (unsigned)i, id ? " (id " : "",
                                          id ? id : "", id ? ")" : "", why));
        }
        if (apr_hash_get(seen, re->id, APR_HASH_KEY_STRING)) {
            return load_fail(s, cat,
                             apr_psprintf(pconf,
                                          "entry %u: the id "
                                          "%s is already used by another entry",
                                          (unsigned)i, re->id));
        }
        apr_hash_set(seen, re->id, APR_HASH_KEY_STRING, re);
    }
    qsort(cat->entries->elts, (size_t)cat->entries->nelts, sizeof(reg_entry_t),
          by_name);
    cat->loaded = 1;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                 "HUB00521: HubRegistryFile "
                 "%s: %d catalog entries",
                 cat->file, cat->entries->nelts);
    return OK;
}

/* ---- lookups ------------------------------------------------------------ */

static const hub_servers_catalog_t *catalog(const request_rec *r)
{
    const hub_servers_catalog_t *cat = hub_servers_srv(r->server)->registry;
    return cat && cat->loaded ? cat : NULL;
}

static const reg_entry_t *find(const request_rec *r, const char *id)
{
    const hub_servers_catalog_t *cat = catalog(r);
    int i;
    for (i = 0; cat && id && i < cat->entries->nelts; i++) {
        const reg_entry_t *re = &APR_ARRAY_IDX(cat->entries, i, reg_entry_t);
        if (!strcasecmp(re->id, id)) {
            return re;
        }
    }
    return NULL;
}

json_t *hub_servers_registry_entry(request_rec *r, const char *id)
{
    const reg_entry_t *re = find(r, id);
    return re ? hub_json_own(r->pool, json_loads(re->answer, 0, NULL)) : NULL;
}

/* ---- answers ------------------------------------------------------------ */

const hub_stmt_t hub_servers_registry_stmts[] = {
    /* the tools of the tenant's servers made from an entry, one per name */
    { "hub_registry_tools",
      "SELECT DISTINCT ON (t.name) t.name, t.description"
      "  FROM servers s JOIN tools t ON t.server_id = s.id"
      "   AND t.tenant_id = s.tenant_id"
      " WHERE s.tenant_id = %s::uuid AND s.registry_id = %s::uuid"
      " ORDER BY t.name, s.created_at, s.id" },
    { NULL, NULL }
};

enum { ST_TOOLS };

/* clang-format off */
static const hub_qfield_t list_query[] = { HUB_Q_CX_PAGE, HUB_Q_END };
static const hub_qfield_t search_query[] = {
    HUB_Q_CX_PAGE,
    { "search", HUB_Q_STRING, HUB_Q_EMPTY_NONE, 0, 0, 0, NULL,
      "in the name, description or categories, any case" },
    HUB_Q_END,
};
/* clang-format on */

/* The catalog's entries, a page of them; the search's when it has one. */
static int registry_list(hub_req_t *hr, hub_result_t *res)
{
    const hub_servers_catalog_t *cat = catalog(hr->r);
    const char *q = hub_qv_str(&hr->q, "search");
    json_t *items = json_array();
    hub_page_t pg;
    long total = 0;
    int i;

    hub_qv_page(&hr->q, "size", "cursor", &pg);
    q = q ? hub_lower(hr->pool, q) : NULL;
    for (i = 0; cat && i < cat->entries->nelts; i++) {
        const reg_entry_t *re = &APR_ARRAY_IDX(cat->entries, i, reg_entry_t);
        if (q && !strstr(re->haystack, q)) {
            continue;
        }
        if (total >= pg.offset && total < pg.offset + pg.limit) {
            json_array_append_new(items, json_loads(re->answer, 0, NULL));
        }
        total++;
    }
    return hub_ok_page(res, items, total, &pg);
}

/* The entry the path names; NULL with the error in res. */
static const reg_entry_t *path_entry(hub_req_t *hr, hub_result_t *res,
                                     const char *missing)
{
    const char *id = hub_param(hr, "server_registry_id");
    const reg_entry_t *re;
    if (!hub_is_uuid(id)) {
        hub_err_field(res, "path", "server_registry_id", "uuid_parsing",
                      "Input should be a valid UUID");
        return NULL;
    }
    if (!(re = find(hr->r, id))) {
        hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND", "%s", missing);
    }
    return re;
}

static int registry_get(hub_req_t *hr, hub_result_t *res)
{
    const reg_entry_t *re = path_entry(hr, res,
                                       "Server from registry not found");
    return re ? hub_ok(res, json_loads(re->answer, 0, NULL)) : HUB_DONE;
}

/* {"tools": [...]}: of the tenant's servers made from the entry, else the
 * catalog's own listing */
static int registry_tools(hub_req_t *hr, hub_result_t *res)
{
    static const hub_shape_t tool[] = {
        { "name", NULL, HUB_J_STRING },
        { "description", NULL, HUB_J_STRING },
        { NULL, NULL, 0 },
    };
    const reg_entry_t *re = path_entry(hr, res,
                                       "Server registry entry not found");
    const char *args[2];
    hub_rows_t *rows;
    hub_db_status_e st;

    if (!re) {
        return HUB_DONE;
    }
    args[0] = hr->who->tenant_id;
    args[1] = re->id;
    st = hub_db_select(hr->r, &hub_servers_registry_stmts[ST_TOOLS], &rows, 2,
                       args);
    if (st != HUB_DB_OK) {
        return hub_err_db(res, st, NULL, hr->request_id);
    }
    if (rows->rows->nelts) {
        return hub_ok_rows(res, rows, tool);
    }
    if (re->tools) {
        return hub_ok(res, json_loads(re->tools, 0, NULL));
    }
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "Tool listing is not "
                   "yet available for this server. You can still add this "
                   "server to your library and authenticate to get tool "
                   "listings.");
}

/* an entry's answer, made once when the catalog is read (entry_check) */
#define ENTRY_OUT \
    HUB_DOC("GetServerRegistryResponse", \
            OBJ("\"id\":" STR ",\"name\":" STR ",\"description\":" STR \
                ",\"endpoint\":" STR ",\"logo_url\":" STR \
                ",\"server_type\":" STR ",\"transport\":" STR \
                ",\"auth_methods\":" STRS ",\"auth_config\":" \
                "{\"type\":\"object\",\"nullable\":true," \
                "\"additionalProperties\":true}", \
                "\"id\",\"name\",\"description\",\"endpoint\",\"logo_url\"," \
                "\"server_type\",\"transport\",\"auth_methods\"," \
                "\"auth_config\""))
/* registry_tools: the tenant's tools of the entry, or the catalog's */
#define TOOL_OUT \
    HUB_DOC("RegistryTool", OBJ("\"name\":" STR ",\"description\":" NSTR, \
                                "\"name\",\"description\""))

/* clang-format off */
const hub_route_t hub_servers_registry_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/server-registry", registry_list, NULL, 0, 0,
      "List Servers from Registry",
      .need = HUB_NEED_READ, .query = list_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = ENTRY_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-registry/search", registry_list, NULL,
      0, 0, "Search Servers from Registry",
      .need = HUB_NEED_READ, .query = search_query,
      .wrap = HUB_WRAP_CX_PAGE, .doc = ENTRY_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-registry/{server_registry_id}",
      registry_get, NULL, 0, 0, "Get Server from Registry by ID",
      .need = HUB_NEED_READ, .doc = ENTRY_OUT },
    { HUB_CAYLEX, HUB_M_GET, "/server-registry/{server_registry_id}/tools",
      registry_tools, NULL, 0, 0, "Get tools for server from registry",
      .need = HUB_NEED_READ, .wrap = HUB_WRAP_KEY, .key = "tools",
      .doc = TOOL_OUT },
    { 0 },
};
/* clang-format on */
