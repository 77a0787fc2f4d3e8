#include <math.h>
#include <stdint.h>
#include <stdio.h>
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

/* Room for n more bytes and a NUL: the buffer doubles in the pool (the
 * old one stays in the pool until it goes) */
static void grow(hub_json_buf_t *b, apr_size_t n)
{
    char *bigger;
    while (b->len + n + 1 > b->size) {
        b->size *= 2;
    }
    bigger = apr_palloc(b->p, b->size);
    memcpy(bigger, b->buf, b->len);
    b->buf = bigger;
}

static inline void put(hub_json_buf_t *b, const char *s, apr_size_t n)
{
    if (b->len + n + 1 > b->size) {
        grow(b, n);
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

/* jansson calls this once per token, for the flags the writer below does
 * not know */
static int dump_append(const char *s, size_t n, void *data)
{
    put(data, s, n);
    return 0;
}

/* The length of the valid UTF-8 sequence at s (a byte >= 0x80), 0 when it
 * is not one: jansson's rules (no overlong forms, no surrogates, nothing
 * past U+10FFFF), which its own encoder would refuse the same way. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned int cp;
    if (s[0] < 0xC2 || s[0] > 0xF4) {
        return 0;
    }
    len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (len > n) {
        return 0;
    }
    cp = s[0] & (0x7F >> len);
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
        || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0;
    }
    return len;
}

#define BYTES(c) (0x0101010101010101ULL * (c))

/* 1 when none of the 8 bytes at s needs a look: no control character,
 * quote, backslash or byte of a multi-byte sequence.  The tests for a
 * zero byte and a byte below n are exact about whether there is one
 * (Anderson's bit hacks), which is all that is asked. */
static int plain8(const unsigned char *s)
{
    uint64_t x, q, bs;
    memcpy(&x, s, 8);
    q = x ^ BYTES('"');
    bs = x ^ BYTES('\\');
    return !((((x - BYTES(0x20)) & ~x) | ((q - BYTES(1)) & ~q)
              | ((bs - BYTES(1)) & ~bs) | x)
             & BYTES(0x80));
}

/* A string as jansson writes it (\" \\ \b \f \n \r \t, other control
 * characters as \u00XX in capitals, the rest as it is), copying runs of
 * plain bytes at once.  -1 for bad UTF-8. */
static int put_string(hub_json_buf_t *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    put(b, "\"", 1);
    while (i < n) {
        size_t run = i, len;
        char esc[8];
        while (i + 8 <= n && plain8(s + i)) {
            i += 8;
        }
        while (i < n && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
            if (s[i] < 0x80) {
                i++;
            }
            else if ((len = utf8_len(s + i, n - i)) != 0) {
                i += len;
            }
            else {
                return -1;
            }
        }
        put(b, str + run, i - run);
        if (i == n) {
            break;
        }
        switch (s[i]) {
        case '"': put(b, "\\\"", 2); break;
        case '\\': put(b, "\\\\", 2); break;
        case '\b': put(b, "\\b", 2); break;
        case '\f': put(b, "\\f", 2); break;
        case '\n': put(b, "\\n", 2); break;
        case '\r': put(b, "\\r", 2); break;
        case '\t': put(b, "\\t", 2); break;
        default:
            apr_snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)s[i]);
            put(b, esc, 6);
        }
        i++;
    }
    put(b, "\"", 1);
    return 0;
}

/* A real as jansson writes it: "%.<precision>g" (17 when 0), ".0" when
 * that reads as an integer, and the exponent without '+' or leading
 * zeros (1e+05 -> 1e5, 1e-05 -> 1e-5). */
static int put_real(hub_json_buf_t *b, double d, int precision)
{
    char text[64], *e, *c;
    int n;
    if (!isfinite(d)) {
        return -1;
    }
    n = snprintf(text, sizeof(text) - 2, "%.*g", precision ? precision : 17, d);
    if (n < 0 || n >= (int)sizeof(text) - 2) {
        return -1;
    }
    for (c = text; *c; c++) {
        if (*c == ',') { /* a locale's decimal comma */
            *c = '.';
        }
    }
    if (!strchr(text, '.') && !strchr(text, 'e')) {
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    if ((e = strchr(text, 'e')) != NULL) {
        char *from = e + 1 + (e[1] == '-' || e[1] == '+');
        char *to = e + 1 + (e[1] == '-');
        while (*from == '0' && from[1]) {
            from++;
        }
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(text);
    }
    put(b, text, (apr_size_t)n);
    return 0;
}

/* Nesting deeper than this is taken for a cycle (jansson refuses those
 * too) rather than followed until the stack ends. */
#define DUMP_MAX_DEPTH 2048

static int put_value(hub_json_buf_t *b, const json_t *j, int depth)
{
    char num[32];
    size_t i;
    void *it;
    if (depth > DUMP_MAX_DEPTH) {
        return -1;
    }
    if (b->hole && j == b->hole->at) {
        return b->hole->fill(b, b->hole->ctx);
    }
    switch (json_typeof(j)) {
    case JSON_NULL: put(b, "null", 4); return 0;
    case JSON_TRUE: put(b, "true", 4); return 0;
    case JSON_FALSE: put(b, "false", 5); return 0;
    case JSON_INTEGER:
        put(b, num,
            (apr_size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                                 json_integer_value(j)));
        return 0;
    case JSON_REAL: return put_real(b, json_real_value(j), b->precision);
    case JSON_STRING:
        return put_string(b, json_string_value(j), json_string_length(j));
    case JSON_ARRAY:
        put(b, "[", 1);
        for (i = 0; i < json_array_size(j); i++) {
            if (i) {
                put(b, ",", 1);
            }
            if (put_value(b, json_array_get(j, i), depth + 1)) {
                return -1;
            }
        }
        put(b, "]", 1);
        return 0;
    case JSON_OBJECT:
        put(b, "{", 1);
        /* insertion order, as jansson writes without JSON_SORT_KEYS */
        for (it = json_object_iter((json_t *)j), i = 0; it;
             it = json_object_iter_next((json_t *)j, it), i++) {
            if (i) {
                put(b, ",", 1);
            }
            if (put_string(b, json_object_iter_key(it),
                           json_object_iter_key_len(it))) {
                return -1;
            }
            put(b, ":", 1);
            if (put_value(b, json_object_iter_value(it), depth + 1)) {
                return -1;
            }
        }
        put(b, "}", 1);
        return 0;
    default: return -1;
    }
}

/* The flags the writer knows; anything else goes through jansson */
#define DUMP_OWN_FLAGS \
    (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(31))

void hub_json_buf_put(hub_json_buf_t *b, const char *s, apr_size_t n)
{
    put(b, s, n);
}

int hub_json_buf_string(hub_json_buf_t *b, const char *s, apr_size_t n)
{
    return put_string(b, s, n);
}

int hub_json_buf_value(hub_json_buf_t *b, const json_t *j)
{
    return j ? put_value(b, j, 0) : -1;
}

char *hub_json_dump_hole(apr_pool_t *p, const json_t *j, size_t flags,
                         apr_size_t *len, const hub_json_hole_t *hole)
{
    hub_json_buf_t b = { p, NULL, 0, 1024, (int)((flags >> 11) & 0x1F), hole };
    int own = !(flags & ~(size_t)DUMP_OWN_FLAGS) && (flags & JSON_COMPACT);
    if (!j
        || (!(flags & JSON_ENCODE_ANY) && !json_is_array(j)
            && !json_is_object(j))) {
        return NULL;
    }
    b.buf = apr_palloc(p, b.size);
    if (!own) {
        /* jansson knows no holes */
        if (hole || json_dump_callback(j, dump_append, &b, flags) != 0) {
            return NULL;
        }
    }
    else if (put_value(&b, j, 0) != 0) {
        return NULL;
    }
    b.buf[b.len] = '\0';
    if (len) {
        *len = b.len;
    }
    return b.buf;
}

char *hub_json_dump(apr_pool_t *p, const json_t *j, size_t flags,
                    apr_size_t *len)
{
    return hub_json_dump_hole(p, j, flags, len, NULL);
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
