/* The one writer of responses that are written as they happen
 * (hub_stream.h). */
#include <httpd.h>
#include <apr_poll.h>
#include <apr_strings.h>
#include <ap_mpm.h>
#include <http_connection.h>
#include <http_core.h>
#include <http_protocol.h>
#include <util_filter.h>
#include "hub_stream.h"

/* how often a wait looks at the child's state: a stopping child ends its
 * streams within this */
#define WAIT_SLICE apr_time_from_msec(500)

struct hub_stream {
    request_rec *r;
    apr_bucket_brigade *bb;
    apr_socket_t *sock; /* HTTP/1.x: the client's socket; NULL in HTTP/2 */
    apr_size_t sent;
    int gone;
};

hub_stream_t *hub_stream_open(request_rec *r, const char *content_type)
{
    hub_stream_t *s = apr_pcalloc(r->pool, sizeof(*s));
    conn_rec *c = r->connection;

    s->r = r;
    s->bb = apr_brigade_create(r->pool, c->bucket_alloc);
    /* a secondary connection (an HTTP/2 stream) shares its socket with
     * every other stream of the connection: readable there says nothing
     * about this one */
    s->sock = c->master ? NULL : ap_get_conn_socket(c);
    r->status = HTTP_OK;
    ap_set_content_type(r, apr_pstrdup(r->pool, content_type));
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache, no-transform");
    apr_table_setn(r->headers_out, "X-Accel-Buffering", "no");
    apr_table_setn(r->subprocess_env, "no-gzip", "1");
    return s;
}

apr_status_t hub_stream_write(hub_stream_t *s, const char *bytes)
{
    apr_size_t n = strlen(bytes);
    apr_status_t rv;

    if (s->gone || s->r->connection->aborted) {
        s->gone = 1;
        return APR_ECONNABORTED;
    }
    rv = ap_fwrite(s->r->output_filters, s->bb, bytes, n);
    if (rv == APR_SUCCESS) {
        rv = ap_fflush(s->r->output_filters, s->bb);
    }
    apr_brigade_cleanup(s->bb);
    if (rv != APR_SUCCESS || s->r->connection->aborted) {
        s->gone = 1;
        return rv != APR_SUCCESS ? rv : APR_ECONNABORTED;
    }
    s->sent += n;
    return APR_SUCCESS;
}

static int stopping(void)
{
    int state = AP_MPMQ_RUNNING;
    return ap_mpm_query(AP_MPMQ_MPM_STATE, &state) == APR_SUCCESS
           && state == AP_MPMQ_STOPPING;
}

/* Whether the client has closed the connection, waiting up to t for it.
 * A client of a streamed response sends nothing more on the connection,
 * so anything to read (the end of the stream, most likely) ends it. */
static int closed_within(hub_stream_t *s, apr_interval_time_t t)
{
    apr_pollfd_t pfd = { 0 };
    apr_int32_t n = 0;

    if (!s->sock) {
        apr_sleep(t);
        return s->r->connection->aborted;
    }
    pfd.p = s->r->pool;
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = APR_POLLIN | APR_POLLHUP | APR_POLLERR;
    pfd.desc.s = s->sock;
    if (apr_poll(&pfd, 1, &n, t) == APR_SUCCESS && n > 0) {
        return 1;
    }
    return s->r->connection->aborted;
}

int hub_stream_wait(hub_stream_t *s, apr_interval_time_t t)
{
    apr_time_t until = apr_time_now() + t;
    apr_interval_time_t left;

    for (;;) {
        if (s->gone || s->r->connection->aborted) {
            return HUB_STREAM_GONE;
        }
        if (stopping()) {
            return HUB_STREAM_STOPPING;
        }
        left = until - apr_time_now();
        if (left <= 0) {
            return HUB_STREAM_IDLE;
        }
        if (closed_within(s, left < WAIT_SLICE ? left : WAIT_SLICE)) {
            s->gone = 1;
            return HUB_STREAM_GONE;
        }
    }
}

int hub_stream_check(hub_stream_t *s)
{
    if (s->gone || s->r->connection->aborted) {
        return HUB_STREAM_GONE;
    }
    if (stopping()) {
        return HUB_STREAM_STOPPING;
    }
    if (closed_within(s, 0)) {
        s->gone = 1;
        return HUB_STREAM_GONE;
    }
    return HUB_STREAM_IDLE;
}

apr_size_t hub_stream_sent(const hub_stream_t *s)
{
    return s->sent;
}
