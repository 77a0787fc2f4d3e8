/* hub_addr: the URLs a server may be stored with, and the literal
 * addresses refused before anything connects. */
#include <apr_general.h>
#include <apr_strings.h>
#include "hub_addr.h"
#include "hub_http.h"
#include "tap.h"

static void test_problems(apr_pool_t *p)
{
    /* clang-format off */
    static const char *const good[] = {
        "https://mcp.example.com/mcp", "http://127.0.0.1:8080/mcp",
        "http://[::1]:9/x", "HTTPS://a.example/?q=1", NULL
    };
    static const char *const bad[] = {
        "", "ftp://x.example/", "javascript:alert(1)", "https://u:p@x/",
        "https://x.example/#f", "http:/x", "http://a b/", "https://x:0/",
        NULL
    };
    /* clang-format on */
    const char *const *u;
    for (u = good; *u; u++) {
        is_str(hub_url_problem(p, *u), NULL,
               apr_psprintf(p, "%s is a URL", *u));
    }
    for (u = bad; *u; u++) {
        ok(hub_url_problem(p, *u) != NULL, "'%s' is refused", *u);
    }
    ok(hub_url_problem(p, NULL) != NULL, "no URL is refused");
}

static void test_refused(apr_pool_t *p)
{
    static const struct {
        const char *url, *refused;
    } cases[] = {
        { "http://169.254.169.254/latest", "169.254.169.254" },
        { "http://10.0.0.5/", "10.0.0.5" },
        { "https://192.168.1.1:8443/mcp", "192.168.1.1" },
        { "http://[fd00::1]/", "fd00::1" },
        { "http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254" },
        { "http://[fe80::1%25eth0]/", "fe80::1%25eth0" },
        { "http://0x7f000001/", "0x7f000001" },
        { "http://2852039166/", "2852039166" },
        { "http://127.1/", "127.1" },
        { "http://127.0.0.1:9/mcp", "127.0.0.1" },
        { "https://93.184.216.34/", NULL },
        { "https://[2606:4700::1111]/", NULL },
        { "https://mcp.example.com/", NULL },
        { "http://localhost:8080/", NULL }, /* a name: at connect */
        { "http://10.0.0.5.example.com/", NULL },
        { "not a url", NULL },
        { NULL, NULL }
    };
    apr_array_header_t *allow = apr_array_make(p, 2, sizeof(hub_cidr_t));
    int i;

    for (i = 0; cases[i].url; i++) {
        is_str(hub_http_url_refused(p, cases[i].url, NULL), cases[i].refused,
               apr_psprintf(p, "%s: %s", cases[i].url,
                            cases[i].refused ? "refused" : "not refused"));
    }
    is_str(hub_http_url_refused(p, NULL, NULL), NULL, "no URL: nothing");

    hub_cidr_parse("127.0.0.0/8", apr_array_push(allow));
    hub_cidr_parse("fd00::/8", apr_array_push(allow));
    is_str(hub_http_url_refused(p, "http://127.0.0.1:9/mcp", allow), NULL,
           "an allowed loopback address is accepted");
    is_str(hub_http_url_refused(p, "http://0x7f000001/", allow), NULL,
           "in any form");
    is_str(hub_http_url_refused(p, "http://[fd00::1]/", allow), NULL,
           "an allowed IPv6 range");
    is_str(hub_http_url_refused(p, "http://169.254.169.254/latest", allow),
           "169.254.169.254", "a range not allowed is still refused");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_problems(p);
    test_refused(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
