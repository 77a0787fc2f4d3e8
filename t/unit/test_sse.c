/* hub_sse: the event-stream parser and the pick of a JSON-RPC response,
 * with fixed inputs. */
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_json.h"
#include "hub_sse.h"
#include "tap.h"

static const hub_sse_event_t *ev_at(apr_array_header_t *a, int i)
{
    return i < a->nelts ? &APR_ARRAY_IDX(a, i, hub_sse_event_t) : NULL;
}

static void test_basic(apr_pool_t *p)
{
    apr_array_header_t *a;
    const char *s = "event: endpoint\ndata: /messages?sessionId=1\n\n"
                    "data: {\"a\":1}\nid: 7\n\n";
    a = hub_sse_parse_all(p, s, strlen(s));
    is_int(a->nelts, 2, "two events");
    is_str(ev_at(a, 0)->event, "endpoint", "event type kept");
    is_str(ev_at(a, 0)->data, "/messages?sessionId=1", "data of the first");
    is_str(ev_at(a, 0)->id, NULL, "no id yet");
    is_str(ev_at(a, 1)->event, "message", "no event field: message");
    is_str(ev_at(a, 1)->data, "{\"a\":1}", "data of the second");
    is_str(ev_at(a, 1)->id, "7", "id kept");
}

static void test_multiline_crlf_comments(apr_pool_t *p)
{
    apr_array_header_t *a;
    const char *s = ": a comment\r\n"
                    "data: line one\r\n"
                    "data:line two\r\n"
                    "data:  two spaces\r\n"
                    "\r\n"
                    "data\r\r" /* lone CRs */
                    "retry: 1500\n"
                    "retry: 15x\n"
                    "data: after\n\n";
    a = hub_sse_parse_all(p, s, strlen(s));
    is_int(a->nelts, 3, "CRLF, CR and LF all end lines");
    is_str(ev_at(a, 0)->data, "line one\nline two\n two spaces",
           "data lines joined by \\n; one space dropped after the colon only");
    is_str(ev_at(a, 1)->data, "",
           "a bare 'data' line is an empty data "
           "line, and it still makes an event");
    is_str(ev_at(a, 2)->data, "after", "the event after it");
    is_int(ev_at(a, 2)->retry, 1500, "retry: digits taken, junk ignored");
}

static void test_no_data_no_event(apr_pool_t *p)
{
    apr_array_header_t *a;
    const char *s = "event: ping\n\n: only a comment\n\nid: 3\n\n"
                    "data: x\n\ndata: pending";
    a = hub_sse_parse_all(p, s, strlen(s));
    is_int(a->nelts, 1,
           "events without data are not dispatched; "
           "an unterminated one is dropped at the end");
    is_str(ev_at(a, 0)->data, "x", "the one real event");
    is_str(ev_at(a, 0)->event, "message",
           "event type reset after a "
           "blank line");
    is_str(ev_at(a, 0)->id, "3", "the last id persists across events");
}

static void test_bom_and_unknown(apr_pool_t *p)
{
    apr_array_header_t *a;
    const char *s = "\xEF\xBB\xBF"
                    "data: a\nfoo: bar\nevent\n\n";
    a = hub_sse_parse_all(p, s, strlen(s));
    is_int(a->nelts, 1, "BOM skipped, unknown field ignored");
    is_str(ev_at(a, 0)->data, "a", "data after the BOM");
    is_str(ev_at(a, 0)->event, "", "an 'event' line without colon: empty");
}

static int count_fn(void *baton, const hub_sse_event_t *ev)
{
    apr_array_header_t *a = baton;
    *(hub_sse_event_t *)apr_array_push(a) = *ev;
    return 0;
}

/* The same stream fed one byte at a time, CRLF split across pieces. */
static void test_pieces(apr_pool_t *p)
{
    const char *s = "data: one\r\n\r\nevent: e\r\ndata: two\r\n\r\n";
    apr_array_header_t *a = apr_array_make(p, 2, sizeof(hub_sse_event_t));
    hub_sse_parser_t *sp = hub_sse_parser_make(p, 0, count_fn, a);
    size_t i;
    for (i = 0; i < strlen(s); i++) {
        hub_sse_feed(sp, s + i, 1);
    }
    hub_sse_finish(sp);
    is_int(a->nelts, 2, "byte by byte: two events");
    is_str(ev_at(a, 0)->data, "one", "byte by byte: first");
    is_str(ev_at(a, 1)->event, "e", "byte by byte: second's type");
    is_str(ev_at(a, 1)->data, "two",
           "a CR and its LF in two pieces make "
           "one line end, not two");
}

/* Two cases the fuzzer found (t/fuzz/fuzz_sse.c): a BOM split over the
 * first pieces, and an empty piece between a CR and its LF. */
static void test_fuzz_regressions(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 2, sizeof(hub_sse_event_t));
    hub_sse_parser_t *sp = hub_sse_parser_make(p, 0, count_fn, a);
    hub_sse_feed(sp, "\xEF\xBB", 2);
    /* clang-format off */
    hub_sse_feed(sp, "\xBF" "data: x\n\n", 11);
    /* clang-format on */
    hub_sse_finish(sp);
    is_int(a->nelts, 1, "a BOM split over pieces is still skipped");
    is_str(a->nelts ? ev_at(a, 0)->data : NULL, "x", "and the data read");

    a = apr_array_make(p, 2, sizeof(hub_sse_event_t));
    sp = hub_sse_parser_make(p, 0, count_fn, a);
    /* clang-format off */
    hub_sse_feed(sp, "\xEF" "data: y\n\n", 10);
    /* clang-format on */
    hub_sse_finish(sp);
    is_int(a->nelts, 0,
           "a lone first BOM byte is text, not a BOM: the "
           "field is not data");

    a = apr_array_make(p, 2, sizeof(hub_sse_event_t));
    sp = hub_sse_parser_make(p, 0, count_fn, a);
    hub_sse_feed(sp, "data: x\r", 8);
    hub_sse_feed(sp, "", 0);
    hub_sse_feed(sp, "\n", 1);
    hub_sse_finish(sp);
    is_int(a->nelts, 0,
           "an empty piece between CR and LF: still one line "
           "end (no blank line, no event)");
}

static int stop_fn(void *baton, const hub_sse_event_t *ev)
{
    (void)ev;
    ++*(int *)baton;
    return 42;
}

static void test_stop_and_limit(apr_pool_t *p)
{
    int n = 0;
    hub_sse_parser_t *sp = hub_sse_parser_make(p, 0, stop_fn, &n);
    const char *s = "data: a\n\ndata: b\n\n";
    char big[200];

    is_int(hub_sse_feed(sp, s, strlen(s)), 42,
           "the callback's verdict "
           "stops the parser");
    is_int(n, 1, "no event after the stop");
    sp = hub_sse_parser_make(p, 64, stop_fn, &n);
    memset(big, 'x', sizeof(big));
    memcpy(big, "data: ", 6);
    is_int(hub_sse_feed(sp, big, sizeof(big)), -1,
           "a line over the limit "
           "is refused");
}

static void test_jsonrpc(apr_pool_t *p)
{
    json_t *id = hub_json_own(p, json_integer(2));
    json_t *sid = hub_json_own(p, json_string("2"));
    const char *why = NULL;
    json_t *m;
    const char *s =
        "event: message\n"
        "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
        "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"x\":1}}\n\n"
        "data: {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n\n"
        "event: other\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n"
        "data: {\"jsonrpc\":\"2.0\",\n"
        "data:  \"id\":2,\"result\":{\"tools\":[]}}\n\n";

    m = hub_sse_jsonrpc_response(p, s, strlen(s), id, &why);
    ok(m != NULL, "the response for id 2 is found");
    ok(m
           && json_is_array(
               json_object_get(json_object_get(m, "result"), "tools")),
       "it is the one split over two data lines, not the notification, "
       "the other id, the server's request, or a non-message event");
    m = hub_sse_jsonrpc_response(p, s, strlen(s), sid, &why);
    ok(m == NULL, "id \"2\" (a string) is not id 2");
    is_str(why, "the event stream holds no response to the request",
           "and says why");
    m = hub_sse_jsonrpc_response(p, "data: {nope\n\n", 13, id, &why);
    ok(m == NULL && why && strstr(why, "not JSON"), "bad JSON in an event");
    m = hub_sse_jsonrpc_response(p, ": ping\n\n", 8, id, &why);
    is_str(why, "the event stream holds no message", "only comments");
    s = "data: {\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,"
        "\"message\":\"nope\"}}\n\n";
    m = hub_sse_jsonrpc_response(p, s, strlen(s), id, &why);
    ok(m && json_object_get(m, "error"), "an error response counts as the "
                                         "response");
}

/* what the hub writes reads back as the same event */
static void test_format(apr_pool_t *p)
{
    apr_array_header_t *evs;
    hub_sse_event_t *ev;
    char *s;

    s = hub_sse_format(p, "a1.2", NULL, 3000, NULL);
    is_str(s, "id: a1.2\nretry: 3000\ndata: \n\n",
           "a priming event: id, retry, one empty data line");
    evs = hub_sse_parse_all(p, s, strlen(s));
    ok(evs->nelts == 1, "which a reader dispatches (empty data)");
    ev = &APR_ARRAY_IDX(evs, 0, hub_sse_event_t);
    is_str(ev->id, "a1.2", "  with its id");
    ok(ev->retry == 3000 && !strcmp(ev->data, ""), "  its retry, no data");

    s = hub_sse_format(p, NULL, "message", -1,
                       "{\"a\":1}\r\nline two\rthree\nfour");
    is_str(s,
           "event: message\ndata: {\"a\":1}\ndata: line two\n"
           "data: three\ndata: four\n\n",
           "data of several lines (CRLF, CR, LF): one data line each");
    evs = hub_sse_parse_all(p, s, strlen(s));
    ev = &APR_ARRAY_IDX(evs, 0, hub_sse_event_t);
    is_str(ev->data, "{\"a\":1}\nline two\nthree\nfour",
           "  read back joined by LF");
    ok(ev->id == NULL, "  no id when none was given");

    s = hub_sse_format(p, NULL, NULL, -1, "x\n");
    is_str(s, "data: x\ndata: \n\n", "a trailing line end keeps its line");
    ok(hub_sse_format(p, "a\nb", NULL, -1, "x") == NULL,
       "an id with a line end is refused");
    ok(hub_sse_format(p, NULL, "a\rb", -1, "x") == NULL,
       "so is an event name with one");
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&p, NULL);
    test_basic(p);
    test_multiline_crlf_comments(p);
    test_no_data_no_event(p);
    test_bom_and_unknown(p);
    test_pieces(p);
    test_fuzz_regressions(p);
    test_stop_and_limit(p);
    test_jsonrpc(p);
    test_format(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
