#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "hub_rows.h"

const char *hub_rows_get(const hub_rows_t *rows, int i, const char *col)
{
    int c;
    if (!rows || i < 0 || i >= rows->rows->nelts) {
        return NULL;
    }
    for (c = 0; c < rows->ncols; c++) {
        /* the first letter before the call: a row shaped by name asks
         * this once per member, over every column */
        if (rows->cols[c][0] == col[0] && !strcmp(rows->cols[c], col)) {
            return APR_ARRAY_IDX(rows->rows, i, const char **)[c];
        }
    }
    return NULL;
}

long hub_rows_page_total(hub_rows_t *rows)
{
    const char *total = hub_rows_get(rows, 0, "total");
    if (!hub_rows_get(rows, 0, "id")) {
        rows->rows->nelts = 0; /* none, or past the end */
    }
    return total ? atol(total) : 0;
}

json_t *hub_pg_array_json(const char *s)
{
    json_t *arr;
    char *buf;
    if (!s || *s != '{') {
        return NULL;
    }
    /* no element is longer than the text it comes from */
    buf = malloc(strlen(s));
    if (!buf) {
        return NULL;
    }
    arr = json_array();
    s++;
    while (*s && *s != '}') {
        size_t n = 0;
        int quoted = (*s == '"');
        if (quoted) { /* quoted element, \ escapes */
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1]) {
                    s++;
                }
                buf[n++] = *s++;
            }
            if (*s != '"') {
                goto bad;
            }
            s++;
        }
        else {
            while (*s && *s != ',' && *s != '}') {
                buf[n++] = *s++;
            }
        }
        buf[n] = '\0';
        /* an unquoted NULL is SQL NULL; the string "NULL" comes quoted */
        json_array_append_new(arr, !quoted && !strcmp(buf, "NULL")
                                       ? json_null()
                                       : json_string(buf));
        if (*s == ',' && s[1] != '}') {
            s++;
        }
        else if (*s != '}') {
            goto bad;
        }
    }
    if (*s != '}' || s[1]) { /* unterminated, or junk after it */
        goto bad;
    }
    free(buf);
    return arr;
bad:
    free(buf);
    json_decref(arr);
    return NULL;
}

/* A number column's text (an integer or PostgreSQL's float8 output) as
 * the JSON number json_loads would make of it, without the parser; NULL
 * for anything else, which then goes through json_loads. */
static json_t *plain_number(const char *v)
{
    const char *c = v + (*v == '-');
    int frac = 0;
    char *end;
    if (!(*c >= '0' && *c <= '9')) {
        return NULL;
    }
    for (; *c; c++) {
        if (*c == '.' || *c == 'e' || *c == 'E' || *c == '+' || *c == '-') {
            frac = 1;
        }
        else if (!(*c >= '0' && *c <= '9')) {
            return NULL;
        }
    }
    if (frac) {
        double d = strtod(v, &end);
        return *end ? NULL : json_real(d);
    }
    else {
        long long n;
        errno = 0;
        n = strtoll(v, &end, 10);
        return *end || errno ? NULL : json_integer(n);
    }
}

/* Text from the database goes in unchecked: PostgreSQL stores only valid
 * UTF-8 in a UTF8 database (sql/018 refuses any other), and the encoder
 * checks every string again as it writes it, so bad bytes fail the dump
 * (HUB00048, a 500) rather than reach a client.  The check on the way in
 * was a fifth of the servers list's instructions (callgrind). */
static json_t *value(const char *v, hub_json_kind_e kind)
{
    json_t *j;
    if (!v) {
        return json_null();
    }
    switch (kind) {
    case HUB_J_INT: return json_integer(strtoll(v, NULL, 10));
    case HUB_J_BOOL: return json_boolean(*v == 't');
    case HUB_J_STRINGS: j = hub_pg_array_json(v); return j ? j : json_array();
    case HUB_J_JSON:
        j = plain_number(v);
        j = j ? j : json_loads(v, JSON_DECODE_ANY, NULL);
        return j ? j : json_null();
    default: return json_string_nocheck(v);
    }
}

json_t *hub_row_json(const hub_rows_t *rows, int i, const hub_shape_t *shape)
{
    json_t *obj = json_object();
    for (; shape->name; shape++) {
        const char *col = shape->col ? shape->col : shape->name;
        const char *v = hub_rows_get(rows, i, col);
        if (HUB_J_KIND(shape->kind) == HUB_J_OMITEMPTY && (!v || !*v)) {
            continue;
        }
        /* shape names are the program's own ASCII */
        json_object_set_new_nocheck(obj, shape->name,
                                    value(v, HUB_J_KIND(shape->kind)));
    }
    return obj;
}

const hub_rows_t *hub_rows_having(apr_pool_t *p, const hub_rows_t *rows,
                                  const char *col)
{
    hub_rows_t *out;
    int i, keep = 0;
    for (i = 0; i < rows->rows->nelts; i++) {
        keep += hub_rows_get(rows, i, col) != NULL;
    }
    if (keep == rows->rows->nelts) {
        return rows;
    }
    out = apr_pmemdup(p, rows, sizeof(*rows));
    out->rows = apr_array_make(p, keep ? keep : 1, sizeof(const char **));
    for (i = 0; i < rows->rows->nelts; i++) {
        if (hub_rows_get(rows, i, col)) {
            APR_ARRAY_PUSH(out->rows, const char **) =
                APR_ARRAY_IDX(rows->rows, i, const char **);
        }
    }
    return out;
}

json_t *hub_rows_json(const hub_rows_t *rows, const hub_shape_t *shape)
{
    json_t *arr = json_array();
    int i;
    for (i = 0; rows && i < rows->rows->nelts; i++) {
        json_array_append_new(arr, hub_row_json(rows, i, shape));
    }
    return arr;
}

/* One value straight from its text: the same JSON as value() makes,
 * without a json_t for the common kinds. */
static int write_value(hub_json_buf_t *b, const char *v, hub_json_kind_e kind)
{
    char num[32];
    json_t *j;
    int rc;
    if (!v) {
        hub_json_buf_put(b, "null", 4);
        return 0;
    }
    switch (kind) {
    case HUB_J_STRING:
    case HUB_J_OMITEMPTY: return hub_json_buf_string(b, v, strlen(v));
    case HUB_J_BOOL:
        hub_json_buf_put(b, *v == 't' ? "true" : "false", *v == 't' ? 4 : 5);
        return 0;
    case HUB_J_INT:
        /* json_integer's text, as the encoder writes it */
        hub_json_buf_put(b, num,
                         (apr_size_t)
                             snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                                      (json_int_t)strtoll(v, NULL, 10)));
        return 0;
    default:
        j = value(v, kind);
        rc = hub_json_buf_value(b, j);
        json_decref(j);
        return rc;
    }
}

static int write_row(hub_json_buf_t *b, const hub_rows_t *rows, int i,
                     const hub_shape_t *shape)
{
    int first = 1;
    hub_json_buf_put(b, "{", 1);
    for (; shape->name; shape++) {
        const char *col = shape->col ? shape->col : shape->name;
        const char *v = hub_rows_get(rows, i, col);
        if (HUB_J_KIND(shape->kind) == HUB_J_OMITEMPTY && (!v || !*v)) {
            continue;
        }
        if (!first) {
            hub_json_buf_put(b, ",", 1);
        }
        first = 0;
        if (hub_json_buf_string(b, shape->name, strlen(shape->name))) {
            return -1;
        }
        hub_json_buf_put(b, ":", 1);
        if (write_value(b, v, HUB_J_KIND(shape->kind))) {
            return -1;
        }
    }
    hub_json_buf_put(b, "}", 1);
    return 0;
}

int hub_rows_write(hub_json_buf_t *b, const hub_rows_t *rows,
                   const hub_shape_t *shape, int one)
{
    int i;
    if (one) { /* row 0 even when there is none: nulls, as hub_row_json */
        return write_row(b, rows, 0, shape);
    }
    hub_json_buf_put(b, "[", 1);
    for (i = 0; rows && i < rows->rows->nelts; i++) {
        if (i) {
            hub_json_buf_put(b, ",", 1);
        }
        if (write_row(b, rows, i, shape)) {
            return -1;
        }
    }
    hub_json_buf_put(b, "]", 1);
    return 0;
}
