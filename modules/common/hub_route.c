/* Route matching over declarative tables: no strcmp chains anywhere else. */
#include <string.h>
#include <apr_hash.h>
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
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
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

int hub_route_match_path(const char *pattern, const char *path, apr_pool_t *p,
                         hub_match_t *m)
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

/* What a lookup has seen so far: the best path match of any method (for
 * the 405's Allow) and the best of the request's method. */
typedef struct lookup {
    int method;
    int best;     /* score of out->route */
    int best_any; /* score of the best path match */
    hub_match_t cand;
} lookup_t;

/* Weigh one route against the path: the one step of both lookups, so the
 * index can only ever answer what the scan would have. */
static void consider(lookup_t *lk, const hub_route_t *rt, const char *owner,
                     const char *path, apr_pool_t *p, hub_match_t *out)
{
    int score = hub_route_match_path(rt->path, path, p, &lk->cand);
    if (!score) {
        return;
    }
    if (score > lk->best_any) {
        lk->best_any = score;
        out->profile = rt->profile;
    }
    out->allow |= 1u << rt->method;
    /* Starlette's rule: a route matching path and method wins over a more
     * specific one matching only the path. */
    if (rt->method == lk->method && score > lk->best) {
        lk->best = score;
        memcpy(out->names, lk->cand.names, sizeof(lk->cand.names));
        memcpy(out->values, lk->cand.values, sizeof(lk->cand.values));
        out->nparams = lk->cand.nparams;
        out->route = rt;
        out->owner = owner;
    }
}

static int takes_part(const hub_route_t *rt, unsigned profiles,
                      unsigned flags_ok)
{
    return (rt->profile & profiles) && !(rt->flags & ~flags_ok);
}

static int lookup_done(const lookup_t *lk, hub_match_t *out)
{
    if (out->allow & (1u << HUB_M_GET)) {
        out->allow |= 1u << HUB_M_HEAD; /* httpd answers HEAD with GET */
    }
    return lk->best_any > 0;
}

int hub_routes_lookup(const apr_array_header_t *tables, unsigned profiles,
                      unsigned flags_ok, int method, const char *path,
                      apr_pool_t *p, hub_match_t *out)
{
    lookup_t lk = { method, 0, 0, { 0 } };
    int t;

    memset(out, 0, sizeof(*out));
    for (t = 0; tables && t < tables->nelts; t++) {
        const hub_route_table_t *tab = &APR_ARRAY_IDX(tables, t,
                                                      hub_route_table_t);
        const hub_route_t *rt;
        for (rt = tab->routes; rt->path; rt++) {
            if (takes_part(rt, profiles, flags_ok)) {
                consider(&lk, rt, tab->owner, path, p, out);
            }
        }
    }
    return lookup_done(&lk, out);
}

/* The index: the tables' patterns as a tree of path segments.  A node's
 * children are its literal next segments (by their text; a request's
 * segment finds its child once decoded, as the matcher compares) and one
 * child for a parameter in that place, which any segment fills; a route
 * hangs on the node where its pattern ends.  The routes a request can
 * match are those found by walking its segments down both kinds of child,
 * and weighing them in table order (ties go to the earlier row, as in the
 * scan) gives the scan's answer; hub_route_match_path still decides each.
 * Methods are not split into trees of their own: a path matched only by
 * other methods has to name them in the 405's Allow, so every method's
 * rows at the node are weighed.  A first segment alone is not enough of a
 * key: most of a profile's paths share it (GoClaw's "/v1", Tool Hub's
 * "/api"). */
typedef struct entry {
    const hub_route_t *route;
    const char *owner;
    int order; /* position in the scan */
} entry_t;

typedef struct node node_t;
struct node {
    apr_hash_t *literal;      /* segment text -> node_t */
    node_t *param;            /* a parameter in this place */
    apr_array_header_t *ends; /* entry_t of patterns ending here */
    unsigned below;           /* profiles of the routes at or under it */
};

struct hub_route_index {
    node_t root;
    int routes;
    int deepest; /* most segments of any pattern */
};

static int is_param(const char *seg, size_t len)
{
    return seg[0] == ':' || (seg[0] == '{' && seg[len - 1] == '}');
}

static node_t *child(apr_pool_t *p, node_t *n, const char *seg, size_t len)
{
    node_t *c;
    if (is_param(seg, len)) {
        if (!n->param) {
            n->param = apr_pcalloc(p, sizeof(*n->param));
        }
        return n->param;
    }
    if (!n->literal) {
        n->literal = apr_hash_make(p);
    }
    c = apr_hash_get(n->literal, seg, (apr_ssize_t)len);
    if (!c) {
        c = apr_pcalloc(p, sizeof(*c));
        apr_hash_set(n->literal, apr_pstrmemdup(p, seg, len), (apr_ssize_t)len,
                     c);
    }
    return c;
}

hub_route_index_t *hub_route_index_make(apr_pool_t *p,
                                        const apr_array_header_t *tables)
{
    hub_route_index_t *ix = apr_pcalloc(p, sizeof(*ix));
    int t;

    for (t = 0; tables && t < tables->nelts; t++) {
        const hub_route_table_t *tab = &APR_ARRAY_IDX(tables, t,
                                                      hub_route_table_t);
        const hub_route_t *rt;
        for (rt = tab->routes; rt->path; rt++) {
            entry_t *e;
            node_t *n = &ix->root;
            const char *seg = rt->path;
            size_t len;
            int depth = 0;
            for (;;) {
                seg = next_segment(seg, &len);
                if (len == 0) {
                    break;
                }
                n = child(p, n, seg, len);
                n->below |= rt->profile;
                seg += len;
                depth++;
            }
            if (depth > ix->deepest) {
                ix->deepest = depth;
            }
            if (!n->ends) {
                n->ends = apr_array_make(p, 2, sizeof(entry_t));
            }
            e = apr_array_push(n->ends);
            e->route = rt;
            e->owner = tab->owner;
            e->order = ix->routes++;
        }
    }
    return ix;
}

int hub_route_index_size(const hub_route_index_t *ix)
{
    return ix ? ix->routes : 0;
}

unsigned hub_route_index_claim(const hub_route_index_t *ix, unsigned profiles,
                               const char *path, apr_pool_t *p)
{
    const node_t *n = ix ? &ix->root : NULL;
    const char *seg = path;
    unsigned best = 0;
    size_t len;

    while (n) {
        const node_t *next = NULL;
        char *lit;
        seg = next_segment(seg, &len);
        if (len == 0) {
            break;
        }
        lit = hub_url_decode(p, seg, len);
        if (lit && n->literal) {
            next = apr_hash_get(n->literal, lit, APR_HASH_KEY_STRING);
        }
        if (!next || !(next->below & profiles)) {
            next = n->param;
        }
        if (!next || !(next->below & profiles)) {
            break;
        }
        best = next->below & profiles;
        n = next;
        seg += len;
    }
    return best & (~best + 1u); /* the lowest bit */
}

/* Every route a request of these segments can match, into found. */
static void walk(const node_t *n, char *const *segs, int nsegs,
                 apr_array_header_t *found)
{
    for (; nsegs > 0; segs++, nsegs--) {
        const node_t *lit = n->literal ? apr_hash_get(n->literal, segs[0],
                                                      APR_HASH_KEY_STRING)
                                       : NULL;
        if (n->param) {
            if (!lit) {
                n = n->param; /* one way on: no need to recurse */
                continue;
            }
            walk(n->param, segs + 1, nsegs - 1, found);
        }
        if (!lit) {
            return;
        }
        n = lit;
    }
    if (n->ends) {
        apr_array_cat(found, n->ends);
    }
}

int hub_route_index_lookup(const hub_route_index_t *ix, unsigned profiles,
                           unsigned flags_ok, int method, const char *path,
                           apr_pool_t *p, hub_match_t *out)
{
    lookup_t lk = { method, 0, 0, { 0 } };
    char **segs = apr_palloc(p, sizeof(*segs) * (ix->deepest + 1));
    int nsegs = 0, i, j;
    const char *seg = path;
    size_t len;
    apr_array_header_t *found;
    entry_t *e;

    memset(out, 0, sizeof(*out));
    for (;;) {
        seg = next_segment(seg, &len);
        if (len == 0) {
            break;
        }
        /* no pattern matches a bad escape, nor more segments than it has */
        if (nsegs > ix->deepest
            || !(segs[nsegs++] = hub_url_decode(p, seg, len))) {
            return 0;
        }
        seg += len;
    }
    found = apr_array_make(p, 8, sizeof(entry_t));
    walk(&ix->root, segs, nsegs, found);
    /* back into table order: a handful of rows, insertion sort */
    e = (entry_t *)found->elts;
    for (i = 1; i < found->nelts; i++) {
        entry_t x = e[i];
        for (j = i; j > 0 && e[j - 1].order > x.order; j--) {
            e[j] = e[j - 1];
        }
        e[j] = x;
    }
    for (i = 0; i < found->nelts; i++) {
        if (takes_part(e[i].route, profiles, flags_ok)) {
            consider(&lk, e[i].route, e[i].owner, path, p, out);
        }
    }
    return lookup_done(&lk, out);
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

const char *hub_path_relative(const char *prefix, const char *raw_path)
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
