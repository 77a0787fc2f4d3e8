/* Outbound HTTP for the hub (MCP probes, OAuth metadata, webhooks) behind
 * one interface over libcurl: connect and total timeouts always, a size
 * limit on answers, http/https only, no redirects followed, and no
 * connection to a loopback, private, link-local or metadata address unless
 * the operator allows its range.  The check is made on the address curl
 * is about to connect to, after DNS, so a name cannot smuggle a private
 * address past it.  httpd-free. */
#ifndef HUB_HTTP_H
#define HUB_HTTP_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <sys/socket.h>

typedef struct hub_cidr {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int bits;
} hub_cidr_t;

/* "10.0.0.0/8", "::1/128", "127.0.0.1" (a host): 0 on success. */
int hub_cidr_parse(const char *text, hub_cidr_t *out);
int hub_cidr_contains(const hub_cidr_t *c, const struct sockaddr *sa);

/* Loopback, private (RFC 1918, ULA), link-local (metadata services live
 * there), CGNAT, unspecified, multicast and reserved addresses; IPv4
 * mapped into IPv6 is judged as the IPv4 address it carries. */
int hub_addr_is_internal(const struct sockaddr *sa);

typedef struct hub_http_policy {
    long connect_timeout_ms;         /* 0: 5000 */
    long timeout_ms;                 /* 0: 15000 */
    apr_size_t max_response;         /* 0: 4 MiB */
    const apr_array_header_t *allow; /* hub_cidr_t internal ranges allowed */
} hub_http_policy_t;

typedef struct hub_http_request {
    const char *method; /* NULL: GET, or POST when body is set */
    const char *url;
    apr_table_t *headers; /* may be NULL */
    const char *body;
    apr_size_t body_len;
} hub_http_request_t;

typedef enum {
    HUB_HTTP_OK = 0,  /* an answer came (any status) */
    HUB_HTTP_REFUSED, /* the address is not allowed */
    HUB_HTTP_BAD_URL, /* not an http(s) URL */
    HUB_HTTP_TIMEOUT,
    HUB_HTTP_TOO_LARGE,
    HUB_HTTP_FAILED /* could not connect, TLS, reset, ... */
} hub_http_result_e;

typedef struct hub_http_response {
    hub_http_result_e result;
    long status;
    apr_table_t *headers; /* names as sent; last value wins */
    char *body;           /* NUL-terminated */
    apr_size_t body_len;
    const char *error; /* why, when result is not OK */
    double seconds;    /* total time */
} hub_http_response_t;

/* Make one request.  Everything is allocated in p; the curl handle is
 * released before returning.  Returns res->result. */
hub_http_result_e hub_http_do(apr_pool_t *p, const hub_http_policy_t *pol,
                              const hub_http_request_t *req,
                              hub_http_response_t *res);

/* A request whose answer does not end when it is read (an event stream):
 * the body is handed to fn as it arrives, with the status and the
 * Content-Type received; fn returns len to go on, anything else to stop.
 * The same policy as hub_http_do (address check, timeouts; the total
 * timeout bounds the whole stream); a body (req->body) is sent as
 * hub_http_do sends it; released by a cleanup of p or by
 * hub_http_stream_close.  NULL when it cannot be set up. */
typedef apr_size_t hub_http_stream_fn(void *baton, const char *data,
                                      apr_size_t len, long status,
                                      const char *content_type);
typedef struct hub_http_stream hub_http_stream_t;

hub_http_stream_t *hub_http_stream_open(
    apr_pool_t *p, const hub_http_policy_t *pol, const hub_http_request_t *req,
    hub_http_stream_fn *fn, void *baton);
/* Move the exchange on without blocking: 1 while it is still open. */
int hub_http_stream_perform(hub_http_stream_t *s);
/* Wait up to ms for something to read. */
void hub_http_stream_wait(hub_http_stream_t *s, int ms);
/* HUB_HTTP_OK while nothing went wrong, else what and *error why. */
hub_http_result_e hub_http_stream_result(const hub_http_stream_t *s,
                                         const char **error);
long hub_http_stream_status(const hub_http_stream_t *s);
/* A header of the answer received so far (Retry-After), NULL when none. */
const char *hub_http_stream_header(const hub_http_stream_t *s,
                                   const char *name);
void hub_http_stream_close(hub_http_stream_t *s);

/* ref resolved against base, when it stays on base's origin (scheme,
 * host, port); NULL otherwise or when either is not a URL. */
const char *hub_http_same_origin(apr_pool_t *p, const char *base,
                                 const char *ref);

/* libcurl's global setup: call once in the parent before any thread
 * exists (a module's post_config); later calls do nothing. */
void hub_http_global_init(void);

/* One mail over SMTP (libcurl's smtp/smtps, nothing else).  The server is
 * the operator's (HubSmtpServer), so the internal-address check does not
 * apply; the timeouts of pol do (pol may be NULL: the defaults). */
typedef struct hub_http_mail {
    const char *url;       /* smtp://host:port or smtps://... */
    const char *from, *to; /* bare envelope addresses */
    const char *message;   /* headers, blank line, body (CRLF) */
} hub_http_mail_t;

/* Send m: HUB_HTTP_OK when the server took it, else the failure with
 * *error (may be NULL) saying why. */
hub_http_result_e hub_http_mail(apr_pool_t *p, const hub_http_policy_t *pol,
                                const hub_http_mail_t *m, const char **error);

#endif
