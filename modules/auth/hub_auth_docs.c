/* The documentation endpoints: an OpenAPI document per profile, built from
 * the registered route tables, so it lists what this hub really serves. */
#include <apr_strings.h>
#include "hub_auth_private.h"
#include "hub_openapi.h"
#include "hub_yaml.h"
#include "mod_hub_auth.h"

static json_t *document(hub_req_t *hr)
{
    return hub_openapi_build(hr->pool, hub_auth_tables(), hr->profile,
                             hub_conf_diagnostics(hr->conf) ? HUB_ROUTE_DIAG
                                                            : 0,
                             HUB_VERSION, hr->base_url);
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
    return hub_ok(res, json_pack("{s:s,s:s,s:{s:s,s:s}}", "title",
                                 "Caylex API Service Documentation", "version",
                                 HUB_VERSION, "endpoints", "openapi_json",
                                 apr_pstrcat(hr->pool, hr->base_url,
                                             "/docs/openapi.json", NULL),
                                 "openapi_yaml",
                                 apr_pstrcat(hr->pool, hr->base_url,
                                             "/docs/openapi.yaml", NULL)));
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
    { 0 }
};
/* clang-format on */
