/* A response written while it happens: an event stream (text/event-stream)
 * that stays open and is written piece by piece, each piece flushed to
 * the client at once.  The MCP gateway's server-to-client streams use it;
 * every other answer is hub_request.c's, whole.
 *
 * A stream holds the httpd worker thread that serves it until it ends, so
 * the caller bounds how long it lasts and how many are open, and ends it
 * when hub_stream_wait says the client has gone or the host is stopping
 * (a graceful stop or restart waits for the requests in flight: an open
 * stream must not hold it up). */
#ifndef HUB_STREAM_H
#define HUB_STREAM_H

#include <httpd.h>

typedef struct hub_stream hub_stream_t;

/* Status 200 with content_type, never cached, transformed or compressed
 * (Cache-Control: no-cache, no-transform; no-gzip; X-Accel-Buffering: no
 * for nginx-style fronts); the headers go out with the first write. */
hub_stream_t *hub_stream_open(request_rec *r, const char *content_type);

/* Write bytes (a NUL-ended string) and flush them: APR_SUCCESS, or an
 * error once the client has gone (every later write fails too). */
apr_status_t hub_stream_write(hub_stream_t *s, const char *bytes);

enum {
    HUB_STREAM_IDLE = 0,     /* the time passed */
    HUB_STREAM_GONE = 1,     /* the client closed its side, or a write failed */
    HUB_STREAM_STOPPING = 2, /* this httpd child is stopping */
};

/* Wait up to t, waking early when the client closes the connection (seen
 * on the socket for HTTP/1.x; for a stream inside HTTP/2, when mod_http2
 * marks it aborted) or the child begins to stop: HUB_STREAM_*. */
int hub_stream_wait(hub_stream_t *s, apr_interval_time_t t);

/* The same without waiting: whether the client has gone or the child
 * is stopping, now (a parked stream's tick asks, hub_park.h). */
int hub_stream_check(hub_stream_t *s);

/* The bytes written so far. */
apr_size_t hub_stream_sent(const hub_stream_t *s);

#endif
