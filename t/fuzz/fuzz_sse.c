/* libFuzzer target: an event stream as an upstream MCP server sends it.
 * Input: one byte choosing where to split, then the stream.  The stream
 * goes to the incremental parser in two pieces (with an empty piece
 * between them), then hub_sse_finish; the events must be the same as
 * hub_sse_parse_all gives for the whole stream at once (the header
 * promises pieces "of any size").  Then hub_sse_jsonrpc_response looks
 * for the responses to ids 1 and "1".
 * Build and run: tools/fuzz sse
 * Environment, to keep fuzzing past a known difference:
 *   HUB_FUZZ_SSE_NO_SPLIT_CHECK=1  no comparison at all;
 *   HUB_FUZZ_SSE_ALLOW_BOM_SPLIT=1 no comparison when the first piece is
 *     shorter than 3 bytes and the stream starts with (part of) a UTF-8
 *     BOM: hub_sse_feed only recognises a BOM that arrives whole;
 *   HUB_FUZZ_SSE_NO_EMPTY_PIECE=1 no empty piece between the two:
 *     an empty piece makes hub_sse_feed forget a CR that ended the piece
 *     before it, so the LF after it counts as a second line end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_json.h"
#include "hub_sse.h"
#include "fuzz_pool.h"

static int split_check = 1;
static int allow_bom_split = 0;
static int empty_piece = 1;

static int env_on(const char *name)
{
    const char *e = getenv(name);
    return e && *e && *e != '0';
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_apr_start();
    split_check = !env_on("HUB_FUZZ_SSE_NO_SPLIT_CHECK");
    allow_bom_split = env_on("HUB_FUZZ_SSE_ALLOW_BOM_SPLIT");
    empty_piece = !env_on("HUB_FUZZ_SSE_NO_EMPTY_PIECE");
    return 0;
}

static int collect(void *baton, const hub_sse_event_t *ev)
{
    apr_array_header_t *arr = baton;
    if (!ev->event || !ev->data || strlen(ev->data) > ev->data_len) {
        abort();
    }
    *(hub_sse_event_t *)apr_array_push(arr) = *ev;
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void differ(const char *what, int i)
{
    fprintf(stderr,
            "fuzz_sse: split feed differs from whole feed: %s of "
            "event %d\n",
            what, i);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_array_header_t *whole, *split;
    hub_sse_parser_t *sp;
    const char *buf, *why;
    size_t cut;
    int i, rv;
    json_t *id;

    if (size < 1) {
        return 0;
    }
    cut = data[0];
    buf = (const char *)data + 1;
    size--;
    if (cut > size) {
        cut = size;
    }

    p = pool_make();
    whole = hub_sse_parse_all(p, buf, size);

    split = apr_array_make(p, 4, sizeof(hub_sse_event_t));
    sp = hub_sse_parser_make(p, size + 1, collect, split);
    rv = hub_sse_feed(sp, buf, cut);
    if (!rv && empty_piece)
        rv = hub_sse_feed(sp, buf + cut, 0);
    if (!rv)
        rv = hub_sse_feed(sp, buf + cut, size - cut);
    if (!rv)
        rv = hub_sse_finish(sp);
    if (rv) {
        abort(); /* nothing grows past size + 1 and collect returns 0 */
    }

    if (split_check
        && !(allow_bom_split && cut > 0 && cut < 3 && size >= 3
             && !memcmp(buf, "\xEF\xBB\xBF", 3))) {
        if (whole->nelts != split->nelts) {
            fprintf(stderr, "fuzz_sse: %d events whole, %d split at %zu\n",
                    whole->nelts, split->nelts, cut);
            differ("count", -1);
        }
        for (i = 0; i < whole->nelts; i++) {
            const hub_sse_event_t *a = &APR_ARRAY_IDX(whole, i,
                                                      hub_sse_event_t);
            const hub_sse_event_t *b = &APR_ARRAY_IDX(split, i,
                                                      hub_sse_event_t);
            if (!same_str(a->event, b->event))
                differ("event", i);
            if (a->data_len != b->data_len
                || memcmp(a->data, b->data, a->data_len))
                differ("data", i);
            if (!same_str(a->id, b->id))
                differ("id", i);
            if (a->retry != b->retry)
                differ("retry", i);
        }
    }

    id = json_integer(1);
    why = NULL;
    if (!hub_sse_jsonrpc_response(p, buf, size, id, &why) && !why) {
        abort();
    }
    json_decref(id);
    id = json_string("1");
    why = NULL;
    if (!hub_sse_jsonrpc_response(p, buf, size, id, &why) && !why) {
        abort();
    }
    json_decref(id);

    /* a small max_event must stop the parser, not overrun */
    sp = hub_sse_parser_make(p, 8, collect,
                             apr_array_make(p, 4, sizeof(hub_sse_event_t)));
    if (!hub_sse_feed(sp, buf, size)) {
        hub_sse_finish(sp);
    }
    apr_pool_destroy(p);
    return 0;
}
