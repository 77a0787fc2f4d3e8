/* libFuzzer target: the raw request path a client sends.
 * Input: one control byte (method, Location prefix, profiles, flags),
 * then the raw (%-encoded) path.  Runs hub_path_relative, then
 * hub_routes_lookup over a small static table with literal, {param} and
 * :param patterns, then hub_url_decode on every segment.  Checks the
 * lookup's answer is consistent (a route only with a matching method, its
 * parameters decoded, non-empty and NUL-free), and that the route index
 * (hub_route_index_lookup) gives the scan's answer exactly.
 * Build and run: tools/fuzz route */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_route.h"
#include "fuzz_pool.h"

#define P_A 0x1u
#define P_B 0x2u

static int op(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}

/* clang-format off */
static const hub_route_t servers[] = {
    { P_A, HUB_M_GET,    "/servers",                       op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_POST,   "/servers",                       op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_GET,    "/servers/search",                op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_GET,    "/servers/{id}",                  op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_PATCH,  "/servers/{id}",                  op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_DELETE, "/servers/{id}/",                 op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_GET,    "/servers/{id}/tools/{tool}",     op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A, HUB_M_GET,    "/debug/state",                   op, NULL, 0,
      HUB_ROUTE_DIAG, NULL,
      .need = HUB_NEED_ANY },
    { 0 }
};

static const hub_route_t goclaw[] = {
    { P_B, HUB_M_GET,  "/tools/:name",                     op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_B, HUB_M_POST, "/tools/:name/invoke",              op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_B, HUB_M_GET,  "/a/:p1/:p2/:p3/:p4/:p5/:p6/:p7/:p8/:p9",
      op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_A | P_B, HUB_M_GET, "/health",                     op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { P_B, HUB_M_PUT,  "/v1/{tenant}/keys/{key}",          op, NULL, 0, 0, NULL,
      .need = HUB_NEED_ANY },
    { 0 }
};

static const char *const prefixes[] = {
    "/", "/hub", "/hub/api/v1/", "/caf%C3%A9"
};
/* clang-format on */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_array_header_t *tables;
    hub_route_table_t *tab;
    hub_match_t m;
    const char *raw, *rel;
    unsigned ctl;
    int method, i;
    size_t s;

    if (size < 1) {
        return 0;
    }
    ctl = data[0];
    method = (int)(ctl % 8); /* 7: no such method */
    data++;
    size--;

    p = pool_make();
    /* httpd hands the path over as a C string */
    raw = apr_pstrmemdup(p, (const char *)data, size);

    tables = apr_array_make(p, 2, sizeof(hub_route_table_t));
    tab = apr_array_push(tables);
    tab->owner = "hub_servers";
    tab->routes = servers;
    tab = apr_array_push(tables);
    tab->owner = "hub_goclaw";
    tab->routes = goclaw;

    rel = hub_path_relative((ctl >> 3) & 4 ? NULL : prefixes[(ctl >> 3) & 3],
                            raw);
    if (rel) {
        unsigned profiles = (ctl >> 5) & 1 ? P_A : P_A | P_B;
        unsigned flags_ok = (ctl >> 6) & 1 ? HUB_ROUTE_DIAG : 0;
        if (*rel != '/') {
            abort();
        }
        hub_match_t im;
        int found = hub_routes_lookup(tables, profiles, flags_ok, method, rel,
                                      p, &m);
        int ifound = hub_route_index_lookup(hub_route_index_make(p, tables),
                                            profiles, flags_ok, method, rel, p,
                                            &im);
        if (found != ifound || m.route != im.route || m.allow != im.allow
            || m.profile != im.profile || m.nparams != im.nparams
            || (m.owner != im.owner
                && (!m.owner || !im.owner || strcmp(m.owner, im.owner)))) {
            abort();
        }
        for (i = 0; i < m.nparams; i++) {
            if (strcmp(m.names[i], im.names[i])
                || strcmp(m.values[i], im.values[i])) {
                abort();
            }
        }
        if (found) {
            if (!m.allow) {
                abort();
            }
            if (m.route) {
                if (m.route->method != method || !m.owner
                    || !(m.allow & (1u << method))) {
                    abort();
                }
                if (m.nparams < 0 || m.nparams > HUB_MAX_PARAMS) {
                    abort();
                }
                for (i = 0; i < m.nparams; i++) {
                    if (!m.values[i][0]
                        || hub_match_param(&m, m.names[i]) == NULL) {
                        abort();
                    }
                }
            }
            (void)hub_methods_allow(p, m.allow);
        }
        else if (m.route || m.allow) {
            abort();
        }
    }

    /* every segment of the raw path through the decoder */
    for (s = 0; s <= size;) {
        size_t n = strcspn(raw + s, "/");
        char *dec = hub_url_decode(p, raw + s, n);
        if (dec && strlen(dec) > n) {
            abort();
        }
        s += n + 1;
    }
    /* and the whole input, NULs and all */
    {
        char *dec = hub_url_decode(p, (const char *)data, size);
        if (dec && strlen(dec) > size) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
