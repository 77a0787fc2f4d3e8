/* Server-Sent Events (the WHATWG "event stream" format) as MCP servers send
 * them: an incremental parser that can be fed a stream in pieces of any
 * size, and a helper that picks one JSON-RPC response out of a whole
 * buffered stream.  httpd-free (APR + jansson).
 *
 * What the parser does, after the HTML standard's "interpreting an event
 * stream": lines end with CRLF, LF or a lone CR (also when the CR and LF
 * arrive in different pieces); a leading UTF-8 BOM is skipped; a line that
 * starts with ':' is a comment; "field: value" drops one space after the
 * colon, a line without a colon is a field with an empty value; data lines
 * are joined with '\n'; a blank line dispatches the event unless it had no
 * data; an "id" containing NUL is ignored; an event still pending when the
 * stream ends is discarded, as the standard says.  And the other way,
 * one event formatted for a stream the hub sends (hub_stream.c writes
 * them). */
#ifndef HUB_SSE_H
#define HUB_SSE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

typedef struct hub_sse_event {
    const char *event; /* the "event" field; "message" when absent */
    const char *data;  /* the data lines joined by '\n' */
    apr_size_t data_len;
    const char *id; /* the last event id seen, or NULL */
    long retry;     /* the last "retry" in ms, or -1 */
} hub_sse_event_t;

/* Called once per dispatched event; the strings live in the parser's pool.
 * A nonzero return stops the parser: hub_sse_feed returns it from then on. */
typedef int hub_sse_event_fn(void *baton, const hub_sse_event_t *ev);

typedef struct hub_sse_parser hub_sse_parser_t;

/* max_event bounds the size of one event's data (0: 4 MiB), so a stream
 * that never sends a blank line cannot grow without end. */
hub_sse_parser_t *hub_sse_parser_make(apr_pool_t *p, apr_size_t max_event,
                                      hub_sse_event_fn *fn, void *baton);

/* Feed the next piece of the stream.  0, the callback's nonzero value, or
 * -1 when an event or a line grew beyond max_event. */
int hub_sse_feed(hub_sse_parser_t *sp, const char *buf, apr_size_t len);

/* The stream ended: a line without its end of line still counts, an event
 * without its blank line is dropped. */
int hub_sse_finish(hub_sse_parser_t *sp);

/* Every event of a whole stream, as hub_sse_event_t in an array of p. */
apr_array_header_t *hub_sse_parse_all(apr_pool_t *p, const char *buf,
                                      apr_size_t len);

/* The JSON-RPC response whose id equals `id` among the "message" events of
 * a whole stream: a result or an error object for that id.  Notifications,
 * requests from the server and responses to other ids are skipped.  The
 * value returned is owned by p.  NULL with *why set when there is none
 * (or an event's data is not JSON). */
json_t *hub_sse_jsonrpc_response(apr_pool_t *p, const char *buf, apr_size_t len,
                                 const json_t *id, const char **why);

/* One event as a server writes it: "id:", "event:" and "retry:" lines
 * when given (NULL, or retry < 0, leaves one out), data split at each
 * line end into "data:" lines (NULL data: one empty "data:", which makes
 * a client take the id without a message: MCP's priming event), and the
 * blank line.  An id or event holding a line end cannot be written:
 * NULL. */
char *hub_sse_format(apr_pool_t *p, const char *id, const char *event,
                     long retry, const char *data);

/* Whether msg is a JSON-RPC response (result or error) for id. */
int hub_jsonrpc_is_response_to(const json_t *msg, const json_t *id);

#endif
