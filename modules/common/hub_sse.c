#include <string.h>
#include <stdlib.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_sse.h"

/* A growable byte buffer in a pool; doubled, so the waste is bounded. */
typedef struct buf {
    char *s;
    apr_size_t len, cap;
} buf_t;

struct hub_sse_parser {
    apr_pool_t *p;
    apr_size_t max;
    hub_sse_event_fn *fn;
    void *baton;
    buf_t line;
    buf_t data;
    int has_data;        /* a data field was seen (maybe empty) */
    const char *event;   /* NULL: "message" */
    const char *last_id; /* persists across events, as the standard says */
    long retry;
    int after_cr; /* the last piece ended with CR */
    int started;  /* past the optional BOM */
    int bom;      /* bytes of a leading BOM matched so far */
    int stopped;  /* the callback's verdict, or -1 */
};

static int buf_add(apr_pool_t *p, buf_t *b, const char *s, apr_size_t n,
                   apr_size_t max)
{
    if (b->len + n > max) {
        return -1;
    }
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap ? b->cap * 2 : 256;
        char *ns;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        ns = apr_palloc(p, cap);
        if (b->len) {
            memcpy(ns, b->s, b->len);
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

hub_sse_parser_t *hub_sse_parser_make(apr_pool_t *p, apr_size_t max_event,
                                      hub_sse_event_fn *fn, void *baton)
{
    hub_sse_parser_t *sp = apr_pcalloc(p, sizeof(*sp));
    sp->p = p;
    sp->max = max_event ? max_event : 4 * 1024 * 1024;
    sp->fn = fn;
    sp->baton = baton;
    sp->retry = -1;
    return sp;
}

static int dispatch(hub_sse_parser_t *sp)
{
    hub_sse_event_t ev;
    int rv = 0;
    if (sp->has_data) {
        ev.event = sp->event ? sp->event : "message";
        /* every data line added a '\n': the last one is not part of it */
        ev.data_len = sp->data.len ? sp->data.len - 1 : 0;
        ev.data = sp->data.len ? apr_pstrmemdup(sp->p, sp->data.s, ev.data_len)
                               : "";
        ev.id = sp->last_id;
        ev.retry = sp->retry;
        rv = sp->fn(sp->baton, &ev);
    }
    sp->data.len = 0;
    sp->has_data = 0;
    sp->event = NULL;
    return rv;
}

static int all_digits(const char *s)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

static int field(hub_sse_parser_t *sp, const char *name, const char *value,
                 apr_size_t vlen)
{
    if (!strcmp(name, "data")) {
        sp->has_data = 1;
        if (buf_add(sp->p, &sp->data, value, vlen, sp->max)
            || buf_add(sp->p, &sp->data, "\n", 1, sp->max + 1)) {
            return -1;
        }
    }
    else if (!strcmp(name, "event")) {
        sp->event = apr_pstrmemdup(sp->p, value, vlen);
    }
    else if (!strcmp(name, "id")) {
        if (!memchr(value, '\0', vlen)) {
            sp->last_id = apr_pstrmemdup(sp->p, value, vlen);
        }
    }
    else if (!strcmp(name, "retry")) {
        char *v = apr_pstrmemdup(sp->p, value, vlen);
        if (all_digits(v)) {
            sp->retry = strtol(v, NULL, 10);
        }
    }
    /* other fields are ignored, as the standard says */
    return 0;
}

static int line(hub_sse_parser_t *sp, const char *s, apr_size_t n)
{
    const char *colon;
    char name[16];
    apr_size_t nlen;

    if (n == 0) {
        return dispatch(sp);
    }
    if (s[0] == ':') {
        return 0; /* a comment (keep-alive) */
    }
    colon = memchr(s, ':', n);
    nlen = colon ? (apr_size_t)(colon - s) : n;
    if (nlen >= sizeof(name)) {
        return 0; /* no field is that long */
    }
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    if (!colon) {
        return field(sp, name, "", 0);
    }
    s = colon + 1;
    n -= nlen + 1;
    if (n && *s == ' ') {
        s++;
        n--;
    }
    return field(sp, name, s, n);
}

static int end_line(hub_sse_parser_t *sp)
{
    int rv = line(sp, sp->line.s ? sp->line.s : "", sp->line.len);
    sp->line.len = 0;
    return rv;
}

#define BOM "\xEF\xBB\xBF"

int hub_sse_feed(hub_sse_parser_t *sp, const char *buf, apr_size_t len)
{
    apr_size_t i = 0, start;

    if (sp->stopped) {
        return sp->stopped;
    }
    if (len == 0) {
        return 0; /* nothing: a pending CR stays pending */
    }
    /* a BOM is only ever at the very start, and may arrive split across
     * pieces: match it byte by byte, and give back a partial match that
     * turns out to be text */
    while (!sp->started && i < len) {
        if ((unsigned char)buf[i] != (unsigned char)BOM[sp->bom]) {
            if (sp->bom && buf_add(sp->p, &sp->line, BOM, sp->bom, sp->max)) {
                return sp->stopped = -1;
            }
            sp->started = 1;
            break;
        }
        i++;
        if (++sp->bom == 3) {
            sp->started = 1;
        }
    }
    if (sp->after_cr && i < len && buf[i] == '\n') {
        i++; /* the LF of a split CRLF */
    }
    sp->after_cr = 0;
    while (i < len) {
        start = i;
        while (i < len && buf[i] != '\r' && buf[i] != '\n') {
            i++;
        }
        if (buf_add(sp->p, &sp->line, buf + start, i - start, sp->max)) {
            return sp->stopped = -1;
        }
        if (i == len) {
            break; /* the line goes on next time */
        }
        if (buf[i] == '\r') {
            if (i + 1 == len) {
                sp->after_cr = 1;
            }
            else if (buf[i + 1] == '\n') {
                i++;
            }
        }
        i++;
        if ((sp->stopped = end_line(sp)) != 0) {
            return sp->stopped;
        }
    }
    return 0;
}

int hub_sse_finish(hub_sse_parser_t *sp)
{
    int rv;
    if (sp->stopped) {
        return sp->stopped;
    }
    if (!sp->started && sp->bom
        && buf_add(sp->p, &sp->line, BOM, sp->bom, sp->max)) {
        return sp->stopped = -1;
    }
    if (sp->line.len) {
        if ((rv = end_line(sp)) != 0) {
            return sp->stopped = rv;
        }
    }
    /* an event without its closing blank line is not dispatched */
    sp->data.len = 0;
    sp->has_data = 0;
    sp->event = NULL;
    return 0;
}

/* ---- whole streams ----------------------------------------------------- */

static int collect(void *baton, const hub_sse_event_t *ev)
{
    apr_array_header_t *arr = baton;
    *(hub_sse_event_t *)apr_array_push(arr) = *ev;
    return 0;
}

apr_array_header_t *hub_sse_parse_all(apr_pool_t *p, const char *buf,
                                      apr_size_t len)
{
    apr_array_header_t *arr = apr_array_make(p, 4, sizeof(hub_sse_event_t));
    hub_sse_parser_t *sp = hub_sse_parser_make(p, len + 1, collect, arr);
    hub_sse_feed(sp, buf, len);
    hub_sse_finish(sp);
    return arr;
}

int hub_jsonrpc_is_response_to(const json_t *msg, const json_t *id)
{
    const json_t *mid;
    if (!json_is_object(msg) || json_object_get(msg, "method")) {
        return 0; /* a request or notification */
    }
    mid = json_object_get(msg, "id");
    if (!mid || !json_equal((json_t *)mid, (json_t *)id)) {
        return 0;
    }
    return json_object_get(msg, "result") || json_object_get(msg, "error");
}

json_t *hub_sse_jsonrpc_response(apr_pool_t *p, const char *buf, apr_size_t len,
                                 const json_t *id, const char **why)
{
    apr_array_header_t *evs = hub_sse_parse_all(p, buf, len);
    int i, messages = 0;

    for (i = 0; i < evs->nelts; i++) {
        const hub_sse_event_t *ev = &APR_ARRAY_IDX(evs, i, hub_sse_event_t);
        hub_json_error_t jerr;
        json_t *msg;
        if (strcmp(ev->event, "message") || !ev->data_len) {
            continue;
        }
        messages++;
        msg = hub_json_parse(p, ev->data, ev->data_len, 128, &jerr);
        if (!msg) {
            *why = apr_psprintf(p, "an event of the stream is not JSON (%s)",
                                jerr.text);
            return NULL;
        }
        if (hub_jsonrpc_is_response_to(msg, id)) {
            return msg;
        }
    }
    *why = messages ? "the event stream holds no response to the request"
                    : "the event stream holds no message";
    return NULL;
}

/* ---- writing ---------------------------------------------------------- */

static int one_line(const char *s)
{
    return !s || !s[strcspn(s, "\r\n")];
}

char *hub_sse_format(apr_pool_t *p, const char *id, const char *event,
                     long retry, const char *data)
{
    apr_array_header_t *parts;
    const char *line = data ? data : "";
    apr_size_t n;

    if (!one_line(id) || !one_line(event)) {
        return NULL;
    }
    parts = apr_array_make(p, 8, sizeof(const char *));
    if (id) {
        APR_ARRAY_PUSH(parts,
                       const char *) = apr_pstrcat(p, "id: ", id, "\n", NULL);
    }
    if (event) {
        APR_ARRAY_PUSH(parts, const char *) = apr_pstrcat(p, "event: ", event,
                                                          "\n", NULL);
    }
    if (retry >= 0) {
        APR_ARRAY_PUSH(parts,
                       const char *) = apr_psprintf(p, "retry: %ld\n", retry);
    }
    /* every line of the data its own "data:" line: CRLF, LF and CR all
     * end one, as the reader splits them */
    for (;;) {
        n = strcspn(line, "\r\n");
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "data: ", apr_pstrmemdup(p, line, n), "\n", NULL);
        if (!line[n]) {
            break;
        }
        line += n + (line[n] == '\r' && line[n + 1] == '\n' ? 2 : 1);
    }
    APR_ARRAY_PUSH(parts, const char *) = "\n";
    return apr_array_pstrcat(p, parts, 0);
}
