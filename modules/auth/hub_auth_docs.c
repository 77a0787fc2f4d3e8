/* The documentation endpoints: an OpenAPI document per profile, built from
 * the registered route tables, so it lists what this hub really serves,
 * and a Swagger UI page per profile that loads it.
 *
 * The page is a few lines of HTML the hub writes; the Swagger UI files it
 * loads (swagger-ui-bundle.js, swagger-ui.css) come from the directory of
 * HubSwaggerUi (swagger-ui-dist as npm installs it: tools/hub puts it in
 * $HUB_BUILD_DIR/swagger-ui), served by the hub next to the page, so the
 * page works without the internet and without another Alias.  Without the
 * directive the pages answer 404 saying so; the documents still work. */
#include <apr_file_io.h>
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_openapi.h"
#include "hub_validate.h"
#include "hub_yaml.h"
#include "mod_hub_auth.h"

/* clang-format off */
/* the files of swagger-ui-dist a page loads, and nothing else */
static const struct {
    const char *name;
    const char *type;
    int required;
} files[] = {
    { "swagger-ui-bundle.js", "text/javascript; charset=utf-8", 1 },
    { "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8", 0 },
    { "swagger-ui.css", "text/css; charset=utf-8", 1 },
    { "favicon-32x32.png", "image/png", 0 },
    { "favicon-16x16.png", "image/png", 0 },
};
/* clang-format on */
#define NFILES (sizeof(files) / sizeof(files[0]))

/* HubSwaggerUi: the files, read once at start (as root, so the directory
 * need not be readable by the children's user), for the whole server */
static struct {
    const char *data;
    apr_size_t len;
} loaded[NFILES];
static const char *swagger_dir;

static const char *read_file(apr_pool_t *p, const char *path, const char **data,
                             apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n;
    char *buf;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                                    0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && fi.size > 32 * 1024 * 1024) {
            rv = APR_EGENERAL;
        }
        if (rv == APR_SUCCESS) {
            n = (apr_size_t)fi.size;
            buf = apr_palloc(p, n + 1);
            rv = apr_file_read_full(f, buf, n, &n);
            *data = buf;
            *len = n;
        }
        apr_file_close(f);
    }
    return rv == APR_SUCCESS ? NULL : "cannot be read";
}

/* the files live in the configuration's pool: forgotten with it, so a
 * restart without the directive has no pages rather than stale ones */
static apr_status_t forget_ui(void *unused HUB_UNUSED)
{
    memset(loaded, 0, sizeof(loaded));
    swagger_dir = NULL;
    return APR_SUCCESS;
}

const char *hub_auth_docs_set_ui(cmd_parms *cmd, void *dconf HUB_UNUSED,
                                 const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *dir;
    size_t i;
    if (err) {
        return err;
    }
    dir = ap_server_root_relative(cmd->pool, arg);
    if (!dir) {
        return "HubSwaggerUi: a bad path";
    }
    for (i = 0; i < NFILES; i++) {
        loaded[i].data = NULL;
        loaded[i].len = 0;
        if (read_file(cmd->pool,
                      apr_pstrcat(cmd->temp_pool, dir, "/", files[i].name,
                                  NULL),
                      &loaded[i].data, &loaded[i].len)
            && files[i].required) {
            return apr_psprintf(cmd->pool,
                                "HubSwaggerUi: %s/%s cannot be read (the "
                                "directory of npm's swagger-ui-dist)",
                                dir, files[i].name);
        }
    }
    swagger_dir = dir;
    apr_pool_cleanup_register(cmd->pool, NULL, forget_ui,
                              apr_pool_cleanup_null);
    return NULL;
}

static json_t *document(hub_req_t *hr)
{
    return hub_openapi_build(hr->pool, hub_auth_tables(), hr->profile,
                             hub_conf_diagnostics(hr->conf) ? HUB_ROUTE_DIAG
                                                            : 0,
                             HUB_VERSION, hr->base_url, hub_body_raw);
}

static int openapi_json(hub_req_t *hr, hub_result_t *res)
{
    return hub_ok(res, document(hr));
}

static int openapi_yaml(hub_req_t *hr, hub_result_t *res)
{
    json_t *doc = document(hr);
    const char *yaml = hub_json_to_yaml(hr->pool, doc);
    json_decref(doc);
    /* the Caylex document gives text/plain for both specifications */
    return hub_ok_text(res, HTTP_OK, "text/plain; charset=utf-8", yaml,
                       strlen(yaml));
}

static int caylex_docs(hub_req_t *hr, hub_result_t *res)
{
    return hub_ok(res, json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "title",
                                 "Caylex API Service Documentation", "version",
                                 HUB_VERSION, "endpoints", "openapi_json",
                                 apr_pstrcat(hr->pool, hr->base_url,
                                             "/docs/openapi.json", NULL),
                                 "openapi_yaml",
                                 apr_pstrcat(hr->pool, hr->base_url,
                                             "/docs/openapi.yaml", NULL),
                                 "swagger_ui",
                                 apr_pstrcat(hr->pool, hr->base_url, "/docs/ui",
                                             NULL)));
}

/* ---- Swagger UI ----------------------------------------------------------- */

/* Where each profile's page is and the document it loads; the files sit
 * under the page's path. */
/* clang-format off */
static const struct {
    unsigned profile;
    const char *page;
    const char *doc;
} pages[] = {
    { HUB_PATCHWORK, "/api/docs", "/api/openapi.json" },
    { HUB_CAYLEX, "/docs/ui", "/docs/openapi.json" },
    { HUB_GOCLAW, "/v1/docs", "/v1/openapi.json" },
    { HUB_TOOLHUB, "/docs", "/openapi.json" },
    { HUB_G4F, "/docs/ui", "/openapi.json" },
};

/* clang-format on */

static int page_of(unsigned profile)
{
    size_t i;
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        if (pages[i].profile == profile) {
            return (int)i;
        }
    }
    return 0;
}

static int not_installed(hub_result_t *res)
{
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "Swagger UI is not installed here (HubSwaggerUi); the "
                   "OpenAPI document is");
}

/* text with <, >, &, " escaped for an HTML attribute or a JS string in
 * a <script> (only the hub's own URLs go in, but a HubPublicUrl could
 * carry anything) */
static const char *html_escape(apr_pool_t *p, const char *s)
{
    return ap_escape_html2(p, s, 1);
}

static int swagger_page(hub_req_t *hr, hub_result_t *res)
{
    int i = page_of(hr->profile);
    const char *assets, *doc, *html;
    if (!swagger_dir) {
        return not_installed(res);
    }
    assets = html_escape(hr->pool, apr_pstrcat(hr->pool, hr->base_url,
                                               pages[i].page, NULL));
    doc = html_escape(hr->pool,
                      apr_pstrcat(hr->pool, hr->base_url, pages[i].doc, NULL));
    /* clang-format off */
    html = apr_pstrcat(hr->pool,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n"
        "<title>", html_escape(hr->pool, hub_profile_title(hr->profile)),
        " - Swagger UI</title>\n"
        "<link rel=\"stylesheet\" href=\"", assets, "/swagger-ui.css\">\n"
        "<link rel=\"icon\" type=\"image/png\" href=\"", assets,
        "/favicon-32x32.png\">\n"
        "</head>\n<body>\n<div id=\"swagger-ui\" data-url=\"", doc,
        "\"></div>\n"
        "<script src=\"", assets, "/swagger-ui-bundle.js\"></script>\n"
        "<script>\n"
        "window.ui = SwaggerUIBundle({\n"
        "  url: document.getElementById('swagger-ui').dataset.url,\n"
        "  dom_id: '#swagger-ui',\n"
        "  deepLinking: true,\n"
        "  withCredentials: true\n"
        "});\n"
        "</script>\n</body>\n</html>\n", NULL);
    /* clang-format on */
    return hub_ok_text(res, HTTP_OK, "text/html; charset=utf-8", html,
                       strlen(html));
}

static int swagger_file(hub_req_t *hr, hub_result_t *res)
{
    const char *name = hub_param(hr, "file");
    size_t i;
    if (!swagger_dir) {
        return not_installed(res);
    }
    for (i = 0; i < NFILES; i++) {
        if (name && !strcmp(name, files[i].name) && loaded[i].data) {
            /* the files change only with the installed version */
            hub_result_header(res, "Cache-Control", "public, max-age=3600");
            return hub_ok_text(res, HTTP_OK, files[i].type, loaded[i].data,
                               loaded[i].len);
        }
    }
    return hub_err(res, HTTP_NOT_FOUND, "NOT_FOUND",
                   "no Swagger UI file of that name");
}

/* clang-format off */
const hub_route_t hub_auth_docs_routes[] = {
    { HUB_CAYLEX, HUB_M_GET, "/docs", caylex_docs, NULL, HUB_IN_PUBLIC, 0,
      "Documentation index",
      .need = HUB_NEED_PUBLIC },
    { HUB_CAYLEX, HUB_M_GET, "/docs/openapi.json", openapi_json, NULL,
      HUB_IN_PUBLIC, 0, "Get comprehensive OpenAPI specification (JSON)",
      .need = HUB_NEED_PUBLIC },
    { HUB_CAYLEX, HUB_M_GET, "/docs/openapi.yaml", openapi_yaml, NULL,
      HUB_IN_PUBLIC, 0, "Get comprehensive OpenAPI specification",
      .need = HUB_NEED_PUBLIC },
    /* not in the documents, but where their roots and tools look */
    { HUB_PATCHWORK, HUB_M_GET, "/api/openapi.json", openapi_json, NULL,
      HUB_IN_PUBLIC, 0, "OpenAPI schema",
      .need = HUB_NEED_PUBLIC },
    { HUB_TOOLHUB, HUB_M_GET, "/openapi.json", openapi_json, NULL,
      HUB_IN_PUBLIC, 0, "OpenAPI schema",
      .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/openapi.json", openapi_json, NULL,
      HUB_IN_PUBLIC, 0, "OpenAPI schema",
      .need = HUB_NEED_PUBLIC },
    /* GoClaw's document names none: beside its other /v1 paths */
    { HUB_GOCLAW, HUB_M_GET, "/v1/openapi.json", openapi_json, NULL,
      HUB_IN_PUBLIC, 0, "OpenAPI schema",
      .need = HUB_NEED_PUBLIC },

    /* the Swagger UI pages (pages[] above) and their files */
    { HUB_PATCHWORK, HUB_M_GET, "/api/docs", swagger_page, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI", .need = HUB_NEED_PUBLIC },
    { HUB_PATCHWORK, HUB_M_GET, "/api/docs/{file}", swagger_file, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI file", .need = HUB_NEED_PUBLIC },
    { HUB_CAYLEX, HUB_M_GET, "/docs/ui", swagger_page, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI", .need = HUB_NEED_PUBLIC },
    { HUB_CAYLEX, HUB_M_GET, "/docs/ui/{file}", swagger_file, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI file", .need = HUB_NEED_PUBLIC },
    { HUB_GOCLAW, HUB_M_GET, "/v1/docs", swagger_page, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI", .need = HUB_NEED_PUBLIC },
    { HUB_GOCLAW, HUB_M_GET, "/v1/docs/{file}", swagger_file, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI file", .need = HUB_NEED_PUBLIC },
    { HUB_TOOLHUB, HUB_M_GET, "/docs", swagger_page, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI", .need = HUB_NEED_PUBLIC },
    { HUB_TOOLHUB, HUB_M_GET, "/docs/{file}", swagger_file, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI file", .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/docs/ui", swagger_page, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI", .need = HUB_NEED_PUBLIC },
    { HUB_G4F, HUB_M_GET, "/docs/ui/{file}", swagger_file, NULL,
      HUB_IN_PUBLIC, 0, "Swagger UI file", .need = HUB_NEED_PUBLIC },
    { 0 }
};
/* clang-format on */
