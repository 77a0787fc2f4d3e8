/* Micro-benchmark of route lookup: the scan of every table against the
 * index, a tree of path segments (hub_route.h), over the 313 endpoints of
 * the five API documents (t/bench/endpoints.txt), each profile a table of
 * its own as the modules register them.
 *
 *   bench-route [ENDPOINTS-FILE] [ROUNDS]
 *
 * Requests: every endpoint with its parameters filled in, as its own
 * profile's Location would see it; the same path with a method it does
 * not serve (405s); and a path of no route (404s).  Before timing, every
 * request is looked up both ways and the answers compared: a difference
 * is reported and the exit status is 1.  Prints nanoseconds per lookup,
 * best of ROUNDS (default 5) rounds, one line per way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "hub_profile.h"
#include "hub_route.h"

static int op(hub_req_t *r, hub_result_t *res)
{
    (void)r;
    (void)res;
    return 0;
}

typedef struct request {
    unsigned profile;
    int method;
    const char *path;
} request_t;

/* "/servers/{id}/tools/:name" -> "/servers/x42/tools/x42" */
static const char *filled(apr_pool_t *p, const char *pattern)
{
    char *out = apr_palloc(p, strlen(pattern) * 3 + 8), *o = out;
    const char *s = pattern;
    while (*s) {
        if (*s == '/' && (s[1] == '{' || s[1] == ':')) {
            *o++ = '/';
            s++;
            s += strcspn(s, "/");
            memcpy(o, "x42", 3);
            o += 3;
        }
        else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int same(int a, const hub_match_t *m, int b, const hub_match_t *n)
{
    int i;
    if (a != b || m->route != n->route || m->allow != n->allow
        || m->profile != n->profile || m->nparams != n->nparams) {
        return 0;
    }
    for (i = 0; i < m->nparams; i++) {
        if (strcmp(m->values[i], n->values[i])) {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "t/bench/endpoints.txt";
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    apr_pool_t *p, *scratch;
    apr_array_header_t *rows[32] = { 0 }, *tables, *reqs;
    hub_route_index_t *ix;
    char line[1024];
    FILE *f;
    int i, r, bad = 0, nroutes = 0;
    unsigned b;
    double best[2] = { 0, 0 };

    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&scratch, p);
    if (!(f = fopen(file, "r"))) {
        perror(file);
        return 2;
    }
    reqs = apr_array_make(p, 1024, sizeof(request_t));
    while (fgets(line, sizeof(line), f)) {
        char prof[32], meth[16], path[900];
        unsigned bit;
        hub_route_t *rt;
        request_t *q;
        int m;
        if (line[0] == '#'
            || sscanf(line, "%31s %15s %899s", prof, meth, path) != 3) {
            continue;
        }
        bit = hub_profile_from_name(prof);
        m = hub_method_from_name(meth);
        if (!bit || m < 0) {
            fprintf(stderr, "%s: bad line: %s", file, line);
            return 2;
        }
        for (b = 0; !(bit & (1u << b)); b++) {
        }
        if (!rows[b]) {
            rows[b] = apr_array_make(p, 64, sizeof(hub_route_t));
        }
        rt = apr_array_push(rows[b]);
        memset(rt, 0, sizeof(*rt));
        rt->profile = bit;
        rt->method = m;
        rt->path = apr_pstrdup(p, path);
        rt->op = op;
        nroutes++;
        q = apr_array_push(reqs);
        q->profile = bit;
        q->method = m;
        q->path = filled(p, path);
        q = apr_array_push(reqs); /* a method the path may lack */
        q->profile = bit;
        q->method = m == HUB_M_PUT ? HUB_M_OPTIONS : HUB_M_PUT;
        q->path = filled(p, path);
        q = apr_array_push(reqs); /* no route at all */
        q->profile = bit;
        q->method = HUB_M_GET;
        q->path = apr_pstrcat(p, filled(p, path), "/nothing-here", NULL);
    }
    fclose(f);

    tables = apr_array_make(p, 8, sizeof(hub_route_table_t));
    for (b = 0; b < 32; b++) {
        if (rows[b]) {
            hub_route_table_t *t = apr_array_push(tables);
            memset(apr_array_push(rows[b]), 0, sizeof(hub_route_t));
            t->owner = hub_profile_name(1u << b);
            t->routes = (const hub_route_t *)rows[b]->elts;
        }
    }
    ix = hub_route_index_make(p, tables);

    for (i = 0; i < reqs->nelts; i++) {
        const request_t *q = &APR_ARRAY_IDX(reqs, i, request_t);
        hub_match_t m, n;
        int a = hub_routes_lookup(tables, q->profile, 0, q->method, q->path,
                                  scratch, &m);
        int c = hub_route_index_lookup(ix, q->profile, 0, q->method, q->path,
                                       scratch, &n);
        if (!same(a, &m, c, &n)) {
            fprintf(stderr, "differs: %s %s\n", hub_method_name(q->method),
                    q->path);
            bad = 1;
        }
        apr_pool_clear(scratch);
    }

    for (r = 0; r < rounds; r++) {
        int way;
        for (way = 0; way < 2; way++) {
            double t0 = now_ns(), ns;
            int rep;
            for (rep = 0; rep < 20; rep++) {
                for (i = 0; i < reqs->nelts; i++) {
                    const request_t *q = &APR_ARRAY_IDX(reqs, i, request_t);
                    hub_match_t m;
                    if (way == 0) {
                        hub_routes_lookup(tables, q->profile, 0, q->method,
                                          q->path, scratch, &m);
                    }
                    else {
                        hub_route_index_lookup(ix, q->profile, 0, q->method,
                                               q->path, scratch, &m);
                    }
                    apr_pool_clear(scratch);
                }
            }
            ns = (now_ns() - t0) / (20.0 * reqs->nelts);
            if (r == 0 || ns < best[way]) {
                best[way] = ns;
            }
        }
    }
    printf("route lookup, %d routes in %d tables, %d requests "
           "(hits, 405s, 404s), best of %d rounds:\n",
           nroutes, tables->nelts, reqs->nelts, rounds);
    printf("  scan of every table   %8.0f ns/lookup\n", best[0]);
    printf("  index (segment tree) %8.0f ns/lookup  (%.1fx)\n", best[1],
           best[0] / best[1]);
    printf("  answers %s\n", bad ? "DIFFER (see above)" : "identical");
    apr_pool_destroy(p);
    apr_terminate();
    return bad;
}
