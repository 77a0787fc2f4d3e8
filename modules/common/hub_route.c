/* Route matching over declarative tables: no strcmp chains anywhere else. */
#include <string.h>
#include <apr_strings.h>
#include "hub_route.h"

static const char *const method_names[HUB_M_COUNT] = {
    "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD"
};

const char *hub_method_name(int method)
{
    return (method >= 0 && method < HUB_M_COUNT) ? method_names[method] : "?";
}

int hub_method_from_name(const char *name)
{
    int i;
    for (i = 0; name && i < HUB_M_COUNT; i++) {
        if (!strcmp(name, method_names[i])) {
            return i;
        }
    }
    return -1;
}

const char *hub_methods_allow(apr_pool_t *p, unsigned mask)
{
    const char *out = NULL;
    int i;
    for (i = 0; i < HUB_M_COUNT; i++) {
        if (mask & (1u << i)) {
            out = out ? apr_pstrcat(p, out, ", ", method_names[i], NULL)
                      : method_names[i];
        }
    }
    return out ? out : "";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *hub_url_decode(apr_pool_t *p, const char *s, size_t len)
{
    char *out = apr_palloc(p, len + 1);
    size_t i, o = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len) {
                return NULL;
            }
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Next segment of a path: skips empty segments ("//"), returns its start
 * and length, 0 length at the end. */
static const char *next_segment(const char *s, size_t *len)
{
    while (*s == '/') {
        s++;
    }
    *len = strcspn(s, "/");
    return s;
}

static int has_trailing_slash(const char *s)
{
    size_t n = strlen(s);
    return n > 1 && s[n - 1] == '/';
}

int hub_route_match_path(const char *pattern, const char *path,
                         apr_pool_t *p, hub_match_t *m)
{
    const char *ps = pattern, *qs = path;
    size_t pl, ql;
    int literals = 0;
    int nparams = 0;
    const char *names[HUB_MAX_PARAMS], *values[HUB_MAX_PARAMS];

    if (has_trailing_slash(pattern) != has_trailing_slash(path)) {
        return 0;
    }
    for (;;) {
        ps = next_segment(ps, &pl);
        qs = next_segment(qs, &ql);
        if (pl == 0 || ql == 0) {
            if (pl != ql) {
                return 0;
            }
            break;
        }
        if (ps[0] == ':' || (ps[0] == '{' && ps[pl - 1] == '}')) {
            char *val = hub_url_decode(p, qs, ql);
            if (!val || !*val || nparams == HUB_MAX_PARAMS) {
                return 0;
            }
            names[nparams] = ps[0] == ':' ? apr_pstrmemdup(p, ps + 1, pl - 1)
                                          : apr_pstrmemdup(p, ps + 1, pl - 2);
            values[nparams++] = val;
        }
        else {
            char *lit = hub_url_decode(p, qs, ql);
            if (!lit || strlen(lit) != pl || memcmp(lit, ps, pl)) {
                return 0;
            }
            literals++;
        }
        ps += pl;
        qs += ql;
    }
    if (m) {
        m->nparams = nparams;
        memcpy(m->names, names, sizeof(names[0]) * nparams);
        memcpy(m->values, values, sizeof(values[0]) * nparams);
    }
    return literals + 1;
}

int hub_routes_lookup(const apr_array_header_t *tables, unsigned profiles,
                      unsigned flags_ok, int method, const char *path,
                      apr_pool_t *p, hub_match_t *out)
{
    int t, best = 0, best_any = 0;
    hub_match_t cand;

    memset(out, 0, sizeof(*out));
    for (t = 0; tables && t < tables->nelts; t++) {
        const hub_route_table_t *tab =
            &APR_ARRAY_IDX(tables, t, hub_route_table_t);
        const hub_route_t *rt;
        for (rt = tab->routes; rt->path; rt++) {
            int score;
            if (!(rt->profile & profiles) || (rt->flags & ~flags_ok)) {
                continue;
            }
            score = hub_route_match_path(rt->path, path, p, &cand);
            if (!score) {
                continue;
            }
            if (score > best_any) {
                best_any = score;
                out->profile = rt->profile;
            }
            out->allow |= 1u << rt->method;
            /* Starlette's rule: a route matching path and method wins over
             * a more specific one matching only the path. */
            if (rt->method == method && score > best) {
                best = score;
                memcpy(out->names, cand.names, sizeof(cand.names));
                memcpy(out->values, cand.values, sizeof(cand.values));
                out->nparams = cand.nparams;
                out->route = rt;
                out->owner = tab->owner;
            }
        }
    }
    if (out->allow & (1u << HUB_M_GET)) {
        out->allow |= 1u << HUB_M_HEAD;   /* httpd answers HEAD with GET */
    }
    return best_any > 0;
}

const char *hub_match_param(const hub_match_t *m, const char *name)
{
    int i;
    for (i = 0; i < m->nparams; i++) {
        if (!strcmp(m->names[i], name)) {
            return m->values[i];
        }
    }
    return NULL;
}

/* Does a raw (%-encoded) segment decode to the literal lit? */
static int segment_is(const char *raw, size_t rl, const char *lit, size_t ll)
{
    size_t i = 0, o = 0;
    while (i < rl) {
        int c = (unsigned char)raw[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= rl) {
                return 0;
            }
            hi = hexval(raw[i + 1]);
            lo = hexval(raw[i + 2]);
            if (hi < 0 || lo < 0) {
                return 0;
            }
            c = hi * 16 + lo;
            i += 3;
        }
        else {
            i++;
        }
        if (o >= ll || lit[o++] != (char)c) {
            return 0;
        }
    }
    return o == ll;
}

const char *hub_path_relative(const char *prefix,
                              const char *raw_path)
{
    const char *ps = prefix ? prefix : "/", *qs = raw_path;
    size_t pl, ql;
    for (;;) {
        ps = next_segment(ps, &pl);
        if (pl == 0) {
            break;
        }
        qs = next_segment(qs, &ql);
        if (ql == 0 || !segment_is(qs, ql, ps, pl)) {
            return NULL;
        }
        ps += pl;
        qs += ql;
    }
    if (*qs == '\0') {
        return "/";
    }
    return *qs == '/' ? qs : NULL;
}
