/* hub_http: address ranges, and real requests to a small HTTP server this
 * test forks on a loopback port (status, body, headers sent, the size
 * limit, the timeout, refusal of internal addresses unless allowed). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <curl/curl.h>
#include "hub_http.h"
#include "tap.h"

static struct sockaddr *v4(apr_pool_t *p, const char *ip)
{
    struct sockaddr_in *sa = apr_pcalloc(p, sizeof(*sa));
    sa->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &sa->sin_addr);
    return (struct sockaddr *)sa;
}

static struct sockaddr *v6(apr_pool_t *p, const char *ip)
{
    struct sockaddr_in6 *sa = apr_pcalloc(p, sizeof(*sa));
    sa->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &sa->sin6_addr);
    return (struct sockaddr *)sa;
}

static void test_ranges(apr_pool_t *p)
{
    /* clang-format off */
    static const char *const internal[] = {
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", NULL
    };
    static const char *const external[] = {
        "8.8.8.8", "172.32.0.1", "1.1.1.1", "100.128.0.1", NULL
    };
    static const char *const internal6[] = {
        "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "fd00:ec2::254", NULL
    };
    /* clang-format on */
    const char *const *a;
    hub_cidr_t c;

    for (a = internal; *a; a++) {
        ok(hub_addr_is_internal(v4(p, *a)), "%s is internal", *a);
    }
    for (a = external; *a; a++) {
        ok(!hub_addr_is_internal(v4(p, *a)), "%s is not internal", *a);
    }
    for (a = internal6; *a; a++) {
        ok(hub_addr_is_internal(v6(p, *a)), "%s is internal", *a);
    }
    ok(!hub_addr_is_internal(v6(p, "2606:4700::1111")), "a global IPv6 is not");
    ok(!hub_addr_is_internal(v6(p, "::ffff:8.8.8.8")), "mapped 8.8.8.8 is not");

    is_int(hub_cidr_parse("10.0.0.0/8", &c), 0, "parse 10.0.0.0/8");
    ok(hub_cidr_contains(&c, v4(p, "10.200.0.1")), "10/8 holds 10.200.0.1");
    ok(!hub_cidr_contains(&c, v4(p, "11.0.0.1")), "but not 11.0.0.1");
    ok(hub_cidr_contains(&c, v6(p, "::ffff:10.0.0.9")), "nor its mapped form");
    is_int(hub_cidr_parse("127.0.0.1", &c), 0, "a host is a /32");
    is_int(c.bits, 32, "32 bits");
    is_int(hub_cidr_parse("fd00::/8", &c), 0, "parse fd00::/8");
    ok(hub_cidr_contains(&c, v6(p, "fd12::1")), "fd00::/8 holds fd12::1");
    ok(hub_cidr_parse("10.0.0.0/33", &c) != 0, "/33 refused");
    ok(hub_cidr_parse("banana", &c) != 0, "not an address refused");
    ok(hub_cidr_parse("10.0.0.0/", &c) != 0, "empty prefix refused");
    ok(hub_cidr_parse("", &c) != 0, "empty refused");
}

/* ---- a tiny server --------------------------------------------------- */

static void serve_one(int fd)
{
    char req[8192];
    ssize_t n = read(fd, req, sizeof(req) - 1);
    char out[512];
    if (n <= 0) {
        return;
    }
    req[n] = '\0';
    if (!strncmp(req, "GET /slow", 9)) {
        sleep(3);
    }
    if (!strncmp(req, "GET /big", 8)) {
        static char big[300000];
        memset(big, 'x', sizeof(big));
        snprintf(out, sizeof(out),
                 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 sizeof(big));
        if (write(fd, out, strlen(out)) < 0
            || write(fd, big, sizeof(big)) < 0) {
            return;
        }
        return;
    }
    /* echo: the method and the X-Test header it got */
    {
        const char *h = strstr(req, "X-Test: ");
        char val[64] = "";
        char body[160];
        if (h) {
            sscanf(h + 8, "%63[^\r\n]", val);
        }
        snprintf(body, sizeof(body), "%.*s|%s|%s", (int)strcspn(req, " "), req,
                 val,
                 strstr(req, "\r\n\r\n") ? strstr(req, "\r\n\r\n") + 4 : "");
        snprintf(out, sizeof(out),
                 "HTTP/1.1 201 Created\r\nContent-Type: "
                 "text/plain\r\nX-Answer: yes\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n%s",
                 strlen(body), body);
        if (write(fd, out, strlen(out)) < 0) {
            return;
        }
    }
}

static pid_t start_server(int *port)
{
    struct sockaddr_in sa = { 0 };
    socklen_t len = sizeof(sa);
    int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16)
        || getsockname(s, (struct sockaddr *)&sa, &len)) {
        return -1;
    }
    *port = ntohs(sa.sin_port);
    if ((pid = fork()) == 0) {
        for (;;) {
            int fd = accept(s, NULL, NULL);
            if (fd < 0) {
                continue;
            }
            if (fork() == 0) {
                serve_one(fd);
                close(fd);
                _exit(0);
            }
            close(fd);
            while (waitpid(-1, NULL, WNOHANG) > 0) {
            }
        }
    }
    close(s);
    return pid;
}

static void test_requests(apr_pool_t *p)
{
    hub_http_policy_t pol = { 0 }, open = { 0 };
    hub_http_request_t req = { 0 };
    hub_http_response_t res;
    apr_array_header_t *allow = apr_array_make(p, 1, sizeof(hub_cidr_t));
    int port = 0;
    pid_t pid = start_server(&port);
    const char *base;

    ok(pid > 0, "test server started");
    if (pid <= 0) {
        return;
    }
    base = apr_psprintf(p, "http://127.0.0.1:%d", port);
    hub_cidr_parse("127.0.0.0/8", apr_array_push(allow));
    open.allow = allow;

    /* loopback is internal: refused without the allowance, no connection */
    req.url = apr_pstrcat(p, base, "/ok", NULL);
    is_int(hub_http_do(p, &pol, &req, &res), HUB_HTTP_REFUSED,
           "loopback refused by default");
    ok(res.error && strstr(res.error, "internal"), "saying why: %s", res.error);
    req.url = apr_psprintf(p, "http://localhost:%d/ok", port);
    is_int(hub_http_do(p, &pol, &req, &res), HUB_HTTP_REFUSED,
           "a name that resolves to loopback is refused too");

    /* allowed: a real exchange */
    req.url = apr_pstrcat(p, base, "/ok", NULL);
    req.headers = apr_table_make(p, 1);
    apr_table_set(req.headers, "X-Test", "v1");
    req.body = "payload";
    req.body_len = 7;
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_OK, "allowed: OK");
    is_int(res.status, 201, "status");
    is_str(res.body, "POST|v1|payload", "method, header and body arrived");
    is_str(apr_table_get(res.headers, "X-Answer"), "yes", "response header");
    is_str(apr_table_get(res.headers, "Content-Type"), "text/plain",
           "content type");

    req.body = NULL;
    req.method = "DELETE";
    hub_http_do(p, &open, &req, &res);
    is_str(res.body, "DELETE|v1|", "other methods");
    req.method = NULL;
    req.headers = NULL;

    /* size limit */
    open.max_response = 100000;
    req.url = apr_pstrcat(p, base, "/big", NULL);
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_TOO_LARGE,
           "an answer over the limit is cut off");
    open.max_response = 0;
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_OK,
           "and fits the default limit");
    is_int((int)res.body_len, 300000, "whole");

    /* timeout */
    open.timeout_ms = 500;
    req.url = apr_pstrcat(p, base, "/slow", NULL);
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_TIMEOUT,
           "a silent server times out");
    ok(res.seconds < 2.5,
       "after the timeout, not the server's 3 s "
       "(%.2f s)",
       res.seconds);
    open.timeout_ms = 0;

    /* bad URLs and dead ends */
    req.url = "file:///etc/passwd";
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_BAD_URL,
           "file: refused");
    req.url = "gopher://127.0.0.1/";
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_BAD_URL,
           "gopher: refused");
    req.url = NULL;
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_BAD_URL, "no URL");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    req.url = apr_pstrcat(p, base, "/ok", NULL);
    is_int(hub_http_do(p, &open, &req, &res), HUB_HTTP_FAILED,
           "a server that is gone: failed, not a crash");
}

int main(void)
{
    apr_pool_t *p;
    apr_initialize();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    apr_pool_create(&p, NULL);
    test_ranges(p);
    test_requests(p);
    apr_pool_destroy(p);
    curl_global_cleanup();
    apr_terminate();
    return done_testing();
}
