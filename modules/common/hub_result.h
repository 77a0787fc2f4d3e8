/* What an operation answers: a result value, not a response.
 *
 * An operation (a route's op) fills one hub_result_t and returns; only the
 * dispatcher (hub_request.c) turns it into an HTTP answer, in the envelope
 * and wrapper of the route's profile.  This is mod_md's md_result_t: the
 * core says what happened (status, machine code, detail, the fields that
 * were wrong; rows or a JSON value on success), the glue says it in HTTP.
 *
 * Every hub_ok_* and hub_err_* function returns HUB_DONE, so an operation
 * ends with `return hub_err(res, ...)`.  httpd-free. */
#ifndef HUB_RESULT_H
#define HUB_RESULT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>
#include "hub_page.h"
#include "hub_rows.h"

/* what an operation returns: it filled its result */
#define HUB_DONE 0

/* The outcome of a database call, for every caller of hub_db.h. */
typedef enum {
    HUB_DB_OK = 0,
    HUB_DB_UNAVAILABLE, /* no connection: answer 503 */
    HUB_DB_CONFLICT,    /* unique or foreign-key violation: 409 */
    HUB_DB_ERROR        /* anything else: logged, 500 */
} hub_db_status_e;

typedef enum {
    HUB_RES_NONE = 0, /* nothing set: the route's status, no body */
    HUB_RES_JSON,     /* a JSON value, through the route's wrapper */
    HUB_RES_ROWS,     /* rows, shaped, then through the wrapper */
    HUB_RES_TEXT,     /* a document as it is (docs, bytes) */
    HUB_RES_ERROR,    /* an error, in the profile's envelope */
} hub_res_kind_e;

typedef struct hub_result {
    apr_pool_t *pool;
    hub_res_kind_e kind;
    int status; /* 0: the route's success status */

    /* an error */
    const char *code;            /* machine code; NULL: derived from status */
    const char *detail;          /* human message, names the problem */
    apr_array_header_t *invalid; /* hub_invalid_t, validation errors */
    const char *loc_root;        /* where they are: "body", "query", "path" */
    int retryable;

    /* a success */
    json_t *json;             /* HUB_RES_JSON: owned by pool */
    const hub_rows_t *rows;   /* HUB_RES_ROWS */
    const hub_shape_t *shape; /* NULL: the route's shape */
    int one;                  /* rows: render row 0 as one object */
    int paged;                /* a page: total and page are set */
    long total;
    hub_page_t page;
    const char *content_type; /* HUB_RES_TEXT */
    const char *text;
    apr_size_t len;

    apr_table_t *headers; /* extra response headers (Retry-After, ...) */
    int close;            /* end the connection after the answer (a
                             body left unread) */

    /* the operation answered itself (an event stream): nothing is
     * rendered and the handler returns handler_rc (OK, or SUSPENDED for
     * a stream parked in the MPM, hub_park.h) */
    int written;
    int handler_rc;
} hub_result_t;

void hub_result_init(hub_result_t *res, apr_pool_t *p);

/* ---- success ------------------------------------------------------------ */

/* A JSON value (a reference this call takes) with the route's status. */
int hub_ok(hub_result_t *res, json_t *json);
/* The same with another status (201, 202, ...). */
int hub_ok_status(hub_result_t *res, int status, json_t *json);
/* Rows, shaped by the route's shape (or `shape` when not NULL). */
int hub_ok_rows(hub_result_t *res, const hub_rows_t *rows,
                const hub_shape_t *shape);
/* Row 0 of rows as one object. */
int hub_ok_row(hub_result_t *res, const hub_rows_t *rows,
               const hub_shape_t *shape);
/* A page of items (a JSON array, reference taken) of `total`, for the
 * route's page wrapper (Caylex's {items, meta}, G4F's next_cursor). */
int hub_ok_page(hub_result_t *res, json_t *items, long total,
                const hub_page_t *pg);
/* No body: 204 unless the route says otherwise. */
int hub_ok_empty(hub_result_t *res, int status);
/* A document as it is (YAML, HTML, an image). */
int hub_ok_text(hub_result_t *res, int status, const char *content_type,
                const char *text, apr_size_t len);

/* The operation wrote the response itself; the handler returns rc. */
int hub_ok_written(hub_result_t *res, int rc);

/* ---- errors -------------------------------------------------------------- */

int hub_err(hub_result_t *res, int status, const char *code, const char *fmt,
            ...) __attribute__((format(printf, 4, 5)));
/* Validation problems (hub_invalid_t) found in `where`. */
int hub_err_invalid(hub_result_t *res, const char *where,
                    apr_array_header_t *problems);
/* One problem with one field: FastAPI's {loc, msg, type} item. */
int hub_err_field(hub_result_t *res, const char *where, const char *field,
                  const char *type, const char *msg);
/* A value outside an enumeration: "Input should be 'a', 'b' or 'c'". */
int hub_err_enum(hub_result_t *res, const char *where, const char *field,
                 const char *const *values);
/* The one mapping of a failed database call: 503 (Retry-After) when the
 * database is away, 409 with `conflict` (or a generic text) on a unique
 * or foreign-key violation, 500 naming the request otherwise. */
int hub_err_db(hub_result_t *res, hub_db_status_e st, const char *conflict,
               const char *request_id);

/* An extra response header (sent on errors too); _add keeps earlier
 * values of the same name (Set-Cookie). */
void hub_result_header(hub_result_t *res, const char *name, const char *value);
void hub_result_header_add(hub_result_t *res, const char *name,
                           const char *value);

/* 1 when the result is an error. */
int hub_result_failed(const hub_result_t *res);

/* ---- rendering (the dispatcher's) --------------------------------------- */

/* How a route wraps what its operation answered. */
typedef enum {
    HUB_WRAP_NONE = 0, /* the value as it is */
    HUB_WRAP_KEY,      /* {"<key>": value} */
    HUB_WRAP_CX_PAGE,  /* Caylex: {"items": [...], "meta": {size,
                          total, next_cursor, has_next, has_prev}} */
    HUB_WRAP_G4F_PAGE  /* G4F: {"items": [...], "next_cursor": n} */
} hub_wrap_e;

/* The JSON body of a successful result: rows shaped by `shape` (the
 * result's own shape first), then wrapped.  NULL when the result has no
 * body.  A new reference. */
json_t *hub_result_body(apr_pool_t *p, const hub_result_t *res,
                        const hub_shape_t *shape, hub_wrap_e wrap,
                        const char *key);

/* The same body as JSON text in p, encoded with flags (compact): rows
 * are written straight from their strings into the wrapper (no json_t
 * per row or value).  NULL with *empty set when the result has no body;
 * NULL alone when it cannot be encoded. */
char *hub_result_text(apr_pool_t *p, const hub_result_t *res,
                      const hub_shape_t *shape, hub_wrap_e wrap,
                      const char *key, size_t flags, apr_size_t *len,
                      int *empty);

#endif
