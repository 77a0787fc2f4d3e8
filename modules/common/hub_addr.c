/* URLs a server may be registered with: form and literal addresses. */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include "hub_addr.h"
#include "hub_http.h"

const char *hub_url_problem(apr_pool_t *p, const char *url)
{
    apr_uri_t u;
    const char *c;
    if (!url || !*url) {
        return "the URL is empty";
    }
    if (strlen(url) > 2048) {
        return "the URL is longer than 2048 characters";
    }
    for (c = url; *c; c++) {
        if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
            return "the URL holds a space or a control character";
        }
    }
    if (apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.scheme
        || (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https"))) {
        return "the URL scheme must be http or https";
    }
    if (strncmp(url + strlen(u.scheme), "://", 3)) {
        return "the URL must be absolute (http(s)://host/...)";
    }
    if (!u.hostname || !*u.hostname) {
        return "the URL has no host";
    }
    if (u.user || u.password) {
        /* credentials belong in the auth config, where they are sealed */
        return "the URL must not carry a user name or password";
    }
    if (u.port_str && (!*u.port_str || u.port == 0)) {
        return "the URL's port must be from 1 to 65535";
    }
    if (u.fragment) {
        return "the URL must not have a #fragment";
    }
    return NULL;
}

/* The host as a socket address when it is a literal one.  IPv4 in every
 * form the resolver takes as a number (inet_aton: "10.1", "0x7f000001"),
 * IPv6 without its brackets and zone. */
static int literal(apr_pool_t *p, const char *host, struct sockaddr_storage *ss)
{
    char *h = apr_pstrdup(p, host), *pct;
    size_t n = strlen(h);
    memset(ss, 0, sizeof(*ss));
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h[n - 1] = '\0';
        h++;
    }
    if ((pct = strchr(h, '%'))) {
        *pct = '\0';
    }
    if (strchr(h, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        return inet_pton(AF_INET6, h, &s6->sin6_addr) == 1;
    }
    else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        return inet_aton(h, &s4->sin_addr) != 0;
    }
}

const char *hub_http_url_refused(apr_pool_t *p, const char *url,
                                 const apr_array_header_t *allow)
{
    struct sockaddr_storage ss;
    const struct sockaddr *sa = (const struct sockaddr *)&ss;
    apr_uri_t u;
    int i;

    if (!url || apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.hostname
        || !literal(p, u.hostname, &ss) || !hub_addr_is_internal(sa)) {
        return NULL;
    }
    for (i = 0; allow && i < allow->nelts; i++) {
        if (hub_cidr_contains(&APR_ARRAY_IDX(allow, i, hub_cidr_t), sa)) {
            return NULL;
        }
    }
    return u.hostname;
}
