/* Error bodies in each profile's own envelope (DESIGN.md's table).
 * httpd-free: hub_request.c sends what these build. */
#ifndef HUB_ERROR_H
#define HUB_ERROR_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

typedef struct hub_error {
    int status;                  /* HTTP status */
    const char *code;            /* machine code; NULL: derived from status */
    const char *message;         /* human message, names the problem */
    int retryable;               /* g4f: may the client try again */
    const char *request_id;      /* g4f: echoed for support */
    apr_array_header_t *invalid; /* hub_invalid_t, for validation errors */
    const char *loc_root;        /* caylex: "body" or "query" or "path" */
} hub_error_t;

/* The envelope for `profile` (one HUB_<profile> bit); a new reference. */
json_t *hub_error_body(apr_pool_t *p, unsigned profile, const hub_error_t *e);

/* A default machine code for a status: 404 -> "NOT_FOUND", ... */
const char *hub_error_code(int status);

/* The status a profile gives a body that is not valid JSON, and one that
 * fails field validation (FastAPI profiles answer 422, the others 400). */
int hub_error_status_malformed(unsigned profile);
int hub_error_status_invalid(unsigned profile);

#endif
