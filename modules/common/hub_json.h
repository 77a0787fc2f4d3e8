/* JSON in and out with jansson, tied to APR pools. httpd-free. */
#ifndef HUB_JSON_H
#define HUB_JSON_H

#include <apr_pools.h>
#include <jansson.h>

typedef struct hub_json_error {
    int depth_exceeded; /* nesting deeper than allowed */
    int line, column;   /* where parsing stopped (1-based) */
    long position;      /* byte offset */
    char text[160];     /* what jansson said */
} hub_json_error_t;

/* The deepest nesting of arrays/objects in a JSON text, counted without
 * parsing it; stops counting once `limit` is passed. Strings are skipped
 * so brackets inside them do not count. */
int hub_json_depth(const char *buf, size_t len, int limit);

/* Parse a request body: rejects nesting deeper than max_depth before
 * jansson sees it, rejects NUL bytes and duplicate keys, and accepts any
 * JSON value at the top.  The result is owned by pool p. NULL on error. */
json_t *hub_json_parse(apr_pool_t *p, const char *buf, size_t len,
                       int max_depth, hub_json_error_t *err);

/* Tie a reference to pool p: json_decref when the pool is cleared.
 * Returns j, so it can wrap a constructor. */
json_t *hub_json_own(apr_pool_t *p, json_t *j);

/* j encoded with jansson's flags into one buffer of pool p, encoded once
 * (the buffer doubles as it fills); *len (when not NULL) is its length.
 * NULL when jansson would refuse the value (bad UTF-8, a bare value
 * without JSON_ENCODE_ANY).  Compact output with at most
 * JSON_ENCODE_ANY and JSON_REAL_PRECISION is written by hub_json's own
 * writer, byte for byte what jansson writes (t/unit/test_json.c) at a
 * fraction of its cost; other flags go through jansson. */
char *hub_json_dump(apr_pool_t *p, const json_t *j, size_t flags,
                    apr_size_t *len);

/* JSON text being written into a buffer of a pool, which doubles as it
 * fills: hub_json_dump's own writer, open to writers of values that are
 * not json_t (rows straight from their strings, hub_rows_write). */
typedef struct hub_json_hole hub_json_hole_t;
typedef struct hub_json_buf {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, size;
    int precision; /* of reals: JSON_REAL_PRECISION's n; 0: 17 */
    const hub_json_hole_t *hole;
} hub_json_buf_t;

/* Text as it is (already JSON: punctuation, a number's digits). */
void hub_json_buf_put(hub_json_buf_t *b, const char *s, apr_size_t n);
/* A JSON string of n bytes of UTF-8; -1 (nothing usable written) when
 * they are not UTF-8. */
int hub_json_buf_string(hub_json_buf_t *b, const char *s, apr_size_t n);
/* A value, compact; -1 when it cannot be encoded. */
int hub_json_buf_value(hub_json_buf_t *b, const json_t *j);

/* A place in a value that a writer fills instead of the json_t found
 * there (found by its address, so a fresh placeholder is unique): a
 * wrapper built as JSON around rows written as text. */
struct hub_json_hole {
    const json_t *at;
    int (*fill)(hub_json_buf_t *b, void *ctx); /* 0, or -1 to fail */
    void *ctx;
};

/* hub_json_dump with a hole filled by its writer; compact flags only
 * (NULL otherwise). */
char *hub_json_dump_hole(apr_pool_t *p, const json_t *j, size_t flags,
                         apr_size_t *len, const hub_json_hole_t *hole);

/* Compact text of j allocated in p; "null" when it cannot be encoded. */
char *hub_json_text(apr_pool_t *p, const json_t *j);

/* json_string of a C string, or json_null() when s is NULL. */
json_t *hub_json_str_or_null(const char *s);

#endif
