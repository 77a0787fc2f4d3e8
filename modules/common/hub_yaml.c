#include <string.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_yaml.h"

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
} ybuf_t;

static void put(ybuf_t *b, const char *s)
{
    apr_size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = (b->cap + n + 1) * 2;
        char *nb = apr_palloc(b->p, cap);
        if (b->len) {
            memcpy(nb, b->buf, b->len);
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void indent(ybuf_t *b, int level)
{
    int i;
    for (i = 0; i < level; i++) {
        put(b, "  ");
    }
}

static int is_container(const json_t *j)
{
    return (json_is_object(j) && json_object_size(j))
           || (json_is_array(j) && json_array_size(j));
}

/* A double-quoted YAML string: JSON's escapes, plus \uXXXX for DEL and
 * the C1 controls, which YAML does not allow raw (and YAML 1.1 reads a
 * raw NEL as a line break). */
static const char *quoted(apr_pool_t *p, const char *s, size_t len)
{
    char *out = apr_palloc(p, 6 * len + 3), *o = out;
    size_t i;
    *o++ = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned char d = i + 1 < len ? (unsigned char)s[i + 1] : 0;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        }
        else if (c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else if (c == '\t') {
            *o++ = '\\';
            *o++ = 't';
        }
        else if (c < 0x20 || c == 0x7f) {
            o += apr_snprintf(o, 7, "\\u%04x", c);
        }
        else if (c == 0xc2 && d >= 0x80 && d <= 0x9f) {
            o += apr_snprintf(o, 7, "\\u%04x", d);
            i++;
        }
        else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* A scalar (or an empty container) on the current line. */
static void scalar(ybuf_t *b, const json_t *j)
{
    if (json_is_object(j)) {
        put(b, "{}");
    }
    else if (json_is_array(j)) {
        put(b, "[]");
    }
    else if (json_is_string(j)) {
        put(b, quoted(b->p, json_string_value(j), json_string_length(j)));
    }
    else {
        put(b, hub_json_text(b->p, j));
    }
}

static void node(ybuf_t *b, const json_t *j, int level);

static void entry_value(ybuf_t *b, const json_t *v, int level)
{
    if (is_container(v)) {
        put(b, "\n");
        node(b, v, level);
    }
    else {
        put(b, " ");
        scalar(b, v);
        put(b, "\n");
    }
}

static void node(ybuf_t *b, const json_t *j, int level)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            indent(b, level);
            put(b, quoted(b->p, k, strlen(k)));
            put(b, ":");
            entry_value(b, v, level + 1);
        }
    }
    else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            indent(b, level);
            put(b, "-");
            entry_value(b, v, level + 1);
        }
    }
}

char *hub_json_to_yaml(apr_pool_t *p, const json_t *j)
{
    ybuf_t b = { p, NULL, 0, 0 };
    put(&b, "");
    if (is_container(j)) {
        node(&b, j, 0);
    }
    else {
        scalar(&b, j);
        put(&b, "\n");
    }
    return b.buf;
}
