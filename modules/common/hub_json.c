#include <string.h>
#include <apr_strings.h>
#include "hub_json.h"

int hub_json_depth(const char *buf, size_t len, int limit)
{
    int depth = 0, deepest = 0, in_string = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (c == '\\') {
                i++;
            }
            else if (c == '"') {
                in_string = 0;
            }
            continue;
        }
        switch (c) {
        case '"': in_string = 1; break;
        case '[':
        case '{':
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > limit) {
                    return deepest;
                }
            }
            break;
        case ']':
        case '}': depth--; break;
        default: break;
        }
    }
    return deepest;
}

static apr_status_t json_cleanup(void *data)
{
    json_decref((json_t *)data);
    return APR_SUCCESS;
}

json_t *hub_json_own(apr_pool_t *p, json_t *j)
{
    if (j) {
        apr_pool_cleanup_register(p, j, json_cleanup, apr_pool_cleanup_null);
    }
    return j;
}

json_t *hub_json_parse(apr_pool_t *p, const char *buf, size_t len,
                       int max_depth, hub_json_error_t *err)
{
    json_error_t je;
    json_t *j;

    memset(err, 0, sizeof(*err));
    if (hub_json_depth(buf, len, max_depth) > max_depth) {
        err->depth_exceeded = 1;
        apr_snprintf(err->text, sizeof(err->text),
                     "JSON nesting deeper than %d levels", max_depth);
        return NULL;
    }
    j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        err->line = je.line;
        err->column = je.column;
        err->position = (long)je.position;
        apr_cpystrn(err->text, je.text, sizeof(err->text));
        return NULL;
    }
    return hub_json_own(p, j);
}

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, size;
} dump_buf_t;

/* jansson calls this once per token: append, doubling the buffer in the
 * pool when it is full (the old one stays in the pool until it goes) */
static int dump_append(const char *s, size_t n, void *data)
{
    dump_buf_t *b = data;
    if (b->len + n + 1 > b->size) {
        char *bigger;
        while (b->len + n + 1 > b->size) {
            b->size *= 2;
        }
        bigger = apr_palloc(b->p, b->size);
        memcpy(bigger, b->buf, b->len);
        b->buf = bigger;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    return 0;
}

char *hub_json_dump(apr_pool_t *p, const json_t *j, size_t flags,
                    apr_size_t *len)
{
    dump_buf_t b = { p, NULL, 0, 1024 };
    b.buf = apr_palloc(p, b.size);
    if (json_dump_callback(j, dump_append, &b, flags) != 0) {
        return NULL;
    }
    b.buf[b.len] = '\0';
    if (len) {
        *len = b.len;
    }
    return b.buf;
}

char *hub_json_text(apr_pool_t *p, const json_t *j)
{
    char *s = hub_json_dump(p, j, JSON_COMPACT | JSON_ENCODE_ANY, NULL);
    return s ? s : apr_pstrdup(p, "null");
}

json_t *hub_json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}
