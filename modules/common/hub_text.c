/* Small text rules the endpoints share. */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "hub_rows.h"
#include "hub_text.h"

#define SLUG_MAX 100

int hub_is_slug(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    if (n < 1 || n > SLUG_MAX || !apr_isalnum(s[0])) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!(apr_islower(s[i]) || apr_isdigit(s[i]) || s[i] == '-'
              || s[i] == '_')) {
            return 0;
        }
    }
    return 1;
}

char *hub_tool_public_name(apr_pool_t *p, const char *prefix, const char *tool)
{
    int prefixed = prefix && *prefix;
    char *name = apr_pstrcat(p, prefixed ? prefix : "", prefixed ? "__" : "",
                             tool ? tool : "", NULL);
    apr_size_t n = strlen(name), i;
    unsigned int hash = 2166136261u; /* FNV-1a, 32 bits */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        hash = (hash ^ c) * 16777619u;
        if (!(apr_isalnum(c) && c < 0x80) && c != '_' && c != '.' && c != '-') {
            name[i] = '_';
        }
    }
    if (n > HUB_TOOL_NAME_MAX) {
        apr_snprintf(name + HUB_TOOL_NAME_MAX - 9, 10, "_%08x", hash);
    }
    return name;
}

char *hub_slugify(apr_pool_t *p, const char *name)
{
    size_t i, n = 0, len = name ? strlen(name) : 0;
    char *out = apr_palloc(p, len + 1);
    int dash = 0;
    for (i = 0; i < len && n < SLUG_MAX; i++) {
        unsigned char c = (unsigned char)name[i];
        if (apr_isalnum(c) && c < 0x80) {
            if (dash && n) {
                out[n++] = '-';
            }
            dash = 0;
            if (n < SLUG_MAX) {
                out[n++] = (char)apr_tolower(c);
            }
        }
        else if ((c == '_' || c == '-') && n) {
            dash = 0;
            out[n++] = (char)c;
        }
        else {
            dash = 1;
        }
    }
    while (n && (out[n - 1] == '-' || out[n - 1] == '_')) {
        n--;
    }
    out[n] = '\0';
    return n ? out : NULL;
}

/* One element, double-quoted, with " and \ escaped. */
static char *pg_quote(apr_pool_t *p, const char *s)
{
    char *q = apr_palloc(p, 2 * strlen(s) + 3), *w = q;
    const char *c;
    *w++ = '"';
    for (c = s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *w++ = '\\';
        }
        *w++ = *c;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

const char *hub_pg_array(apr_pool_t *p, const json_t *strings)
{
    const char *out = "{";
    json_t *v;
    size_t i;
    int n = 0;
    json_array_foreach(strings, i, v) {
        const char *s = json_string_value(v);
        if (s) {
            out = apr_pstrcat(p, out, n++ ? "," : "", pg_quote(p, s), NULL);
        }
    }
    return apr_pstrcat(p, out, "}", NULL);
}

const char *hub_pg_array_strv(apr_pool_t *p, const apr_array_header_t *a)
{
    const char *out = "{";
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        out = apr_pstrcat(p, out, i ? "," : "",
                          pg_quote(p, APR_ARRAY_IDX(a, i, const char *)), NULL);
    }
    return apr_pstrcat(p, out, "}", NULL);
}

json_t *hub_pg_array_prefixed(const char *pg_array, const char *prefix)
{
    json_t *all = pg_array ? hub_pg_array_json(pg_array) : NULL;
    json_t *out = json_array(), *v;
    size_t i, n = strlen(prefix);
    json_array_foreach(all, i, v) {
        const char *s = json_string_value(v);
        if (s && !strncmp(s, prefix, n)) {
            json_array_append_new(out, json_string(s + n));
        }
    }
    json_decref(all);
    return out;
}

int hub_is_env_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= 200 && !apr_isdigit(*s)
           && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_")
                  == n;
}

char *hub_lower(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s ? s : ""), *c;
    for (c = out; *c; c++) {
        *c = (char)apr_tolower((unsigned char)*c);
    }
    return out;
}

int hub_one_of(const char *s, const char *const *values)
{
    int i;
    for (i = 0; s && values[i]; i++) {
        if (!strcmp(s, values[i])) {
            return 1;
        }
    }
    return 0;
}

const char *hub_join(apr_pool_t *p, const json_t *strings, const char *sep)
{
    const char *out = NULL;
    json_t *v;
    size_t i;
    json_array_foreach(strings, i, v) {
        const char *s = json_string_value(v);
        if (s) {
            out = out ? apr_pstrcat(p, out, sep, s, NULL) : s;
        }
    }
    return out;
}

const char *hub_like_contains(apr_pool_t *p, const char *s)
{
    char *out, *o;
    if (!s) {
        return NULL;
    }
    out = o = apr_palloc(p, strlen(s) * 2 + 3);
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') {
            *o++ = '\\';
        }
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}
