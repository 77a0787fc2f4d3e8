/* hub_wf_template.h */
#include <ctype.h>
#include <string.h>
#include <sys/uio.h>
#include <apr_strings.h>
#include "hub_wf_expr.h"
#include "hub_wf_template.h"

/* The path between {{ and }} (spaces trimmed) in p, *end past the }};
 * NULL when s does not start a placeholder. */
static char *placeholder(apr_pool_t *p, const char *s, const char **end)
{
    const char *close, *a, *b;
    if (s[0] != '{' || s[1] != '{' || !(close = strstr(s + 2, "}}"))) {
        return NULL;
    }
    for (a = s + 2; a < close && isspace((unsigned char)*a); a++)
        ;
    for (b = close; b > a && isspace((unsigned char)b[-1]); b--)
        ;
    *end = close + 2;
    return apr_pstrmemdup(p, a, b - a);
}

const char *hub_wf_template_render(apr_pool_t *p, const char *tpl,
                                   const json_t *ctx)
{
    struct iovec parts[64];
    const char *s = tpl, *mark = tpl, *end;
    char *path, *acc = "";
    int n = 0;
    if (!tpl || !strstr(tpl, "{{")) {
        return tpl;
    }
    while (*s) {
        if ((path = placeholder(p, s, &end))) {
            const json_t *v = hub_wf_path(ctx, path);
            char *text = NULL;
            if (json_is_string(v)) {
                text = apr_pstrdup(p, json_string_value(v));
            }
            else if (v && !json_is_null(v)) {
                char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                text = apr_pstrdup(p, d ? d : "");
                free(d);
            }
            parts[n].iov_base = (void *)mark;
            parts[n++].iov_len = s - mark;
            parts[n].iov_base = text ? text : "";
            parts[n++].iov_len = text ? strlen(text) : 0;
            mark = s = end;
            if (n >= 62) {
                acc = apr_pstrcat(p, acc, apr_pstrcatv(p, parts, n, NULL),
                                  NULL);
                n = 0;
            }
            continue;
        }
        s++;
    }
    parts[n].iov_base = (void *)mark;
    parts[n++].iov_len = s - mark;
    return apr_pstrcat(p, acc, apr_pstrcatv(p, parts, n, NULL), NULL);
}

json_t *hub_wf_template_json(apr_pool_t *p, const json_t *v, const json_t *ctx)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v), *end;
        char *path = placeholder(p, s, &end);
        if (path && !*end) {
            const json_t *got = hub_wf_path(ctx, path);
            return got ? json_deep_copy(got) : json_null();
        }
        return json_string(hub_wf_template_render(p, s, ctx));
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        for (i = 0; i < json_array_size(v); i++) {
            json_array_append_new(a,
                                  hub_wf_template_json(p, json_array_get(v, i),
                                                       ctx));
        }
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            json_object_set_new(o, k, hub_wf_template_json(p, m, ctx));
        }
        return o;
    }
    return v ? json_deep_copy(v) : json_null();
}
