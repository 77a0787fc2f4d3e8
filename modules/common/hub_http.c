#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <curl/curl.h>
#include <apr_strings.h>
#include "hub_http.h"

/* ---- address ranges ------------------------------------------------- */

int hub_cidr_parse(const char *text, hub_cidr_t *out)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    char *end;
    long bits;

    if (n == 0 || n >= sizeof(host)) {
        return -1;
    }
    memcpy(host, text, n);
    host[n] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, host, out->addr) == 1) {
        out->family = AF_INET;
        out->bits = 32;
    }
    else if (inet_pton(AF_INET6, host, out->addr) == 1) {
        out->family = AF_INET6;
        out->bits = 128;
    }
    else {
        return -1;
    }
    if (slash) {
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > out->bits) {
            return -1;
        }
        out->bits = (int)bits;
    }
    return 0;
}

static int prefix_match(const unsigned char *a, const unsigned char *b,
                        int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)full)) {
        return 0;
    }
    return !rest || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

/* The bytes of an address, IPv4-mapped IPv6 unwrapped to IPv4. */
static int addr_bytes(const struct sockaddr *sa, unsigned char out[16])
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0,    0,
                                              0, 0, 0, 0, 0xff, 0xff };
    if (sa->sa_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return AF_INET;
    }
    if (sa->sa_family == AF_INET6) {
        const unsigned char *a =
            ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        if (!memcmp(a, mapped, sizeof(mapped))) {
            memcpy(out, a + 12, 4);
            return AF_INET;
        }
        memcpy(out, a, 16);
        return AF_INET6;
    }
    return 0;
}

int hub_cidr_contains(const hub_cidr_t *c, const struct sockaddr *sa)
{
    unsigned char b[16];
    return addr_bytes(sa, b) == c->family && prefix_match(b, c->addr, c->bits);
}

static const char *const internal_ranges[] = {
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "64:ff9b::/96",
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
    NULL
};

int hub_addr_is_internal(const struct sockaddr *sa)
{
    const char *const *r;
    for (r = internal_ranges; *r; r++) {
        hub_cidr_t c;
        if (hub_cidr_parse(*r, &c) == 0 && hub_cidr_contains(&c, sa)) {
            return 1;
        }
    }
    return 0;
}

/* ---- the request ----------------------------------------------------- */

typedef struct ctx {
    apr_pool_t *p;
    const hub_http_policy_t *pol;
    hub_http_response_t *res;
    apr_size_t max;
    char *buf;
    apr_size_t len, cap;
    int refused;
    int too_large;
} ctx_t;

/* Every connection curl opens passes here with the address it resolved:
 * the one place where an internal address can be refused. */
static curl_socket_t open_socket(void *data, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
    ctx_t *c = data;
    const struct sockaddr *sa = &a->addr;
    int i;
    if (purpose != CURLSOCKTYPE_IPCXN) {
        return CURL_SOCKET_BAD;
    }
    if (hub_addr_is_internal(sa)) {
        int allowed = 0;
        for (i = 0; c->pol->allow && i < c->pol->allow->nelts; i++) {
            if (hub_cidr_contains(&APR_ARRAY_IDX(c->pol->allow, i, hub_cidr_t),
                                  sa)) {
                allowed = 1;
                break;
            }
        }
        if (!allowed) {
            c->refused = 1;
            return CURL_SOCKET_BAD;
        }
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    ctx_t *c = userp;
    size_t len = size * n;
    if (c->len + len > c->max) {
        c->too_large = 1;
        return 0; /* curl stops with a write error */
    }
    if (c->len + len + 1 > c->cap) {
        apr_size_t cap = (c->cap ? c->cap * 2 : 8192);
        char *nb;
        while (cap < c->len + len + 1) {
            cap *= 2;
        }
        nb = apr_palloc(c->p, cap);
        if (c->len) {
            memcpy(nb, c->buf, c->len);
        }
        c->buf = nb;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, data, len);
    c->len += len;
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    ctx_t *c = userp;
    size_t len = size * n;
    const char *colon = memchr(data, ':', len);
    if (colon && colon > data) {
        const char *v = colon + 1;
        const char *e = data + len;
        while (v < e && (*v == ' ' || *v == '\t')) {
            v++;
        }
        while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) {
            e--;
        }
        apr_table_set(c->res->headers,
                      apr_pstrmemdup(c->p, data, (apr_size_t)(colon - data)),
                      apr_pstrmemdup(c->p, v, (apr_size_t)(e - v)));
    }
    else if (len > 5 && !strncmp(data, "HTTP/", 5)) {
        apr_table_clear(c->res->headers); /* a new response (100) */
    }
    return len;
}

static struct curl_slist *header_list(const hub_http_request_t *req,
                                      apr_pool_t *p)
{
    struct curl_slist *list = NULL;
    const apr_array_header_t *arr;
    int i;
    if (!req->headers) {
        return NULL;
    }
    arr = apr_table_elts(req->headers);
    for (i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        list = curl_slist_append(list,
                                 apr_pstrcat(p, e->key, ": ", e->val, NULL));
    }
    return list;
}

static hub_http_result_e fail(hub_http_response_t *res, hub_http_result_e r,
                              const char *why)
{
    res->result = r;
    res->error = why;
    return r;
}

hub_http_result_e hub_http_do(apr_pool_t *p, const hub_http_policy_t *pol,
                              const hub_http_request_t *req,
                              hub_http_response_t *res)
{
    ctx_t c = { 0 };
    CURL *h;
    CURLcode rc;
    struct curl_slist *hdrs;
    const char *method = req->method ? req->method : req->body ? "POST" : "GET";

    memset(res, 0, sizeof(*res));
    res->headers = apr_table_make(p, 8);
    if (!req->url
        || (strncasecmp(req->url, "http://", 7)
            && strncasecmp(req->url, "https://", 8))) {
        return fail(res, HUB_HTTP_BAD_URL, "only http and https URLs");
    }
    if (!(h = curl_easy_init())) {
        return fail(res, HUB_HTTP_FAILED, "curl_easy_init failed");
    }
    c.p = p;
    c.pol = pol;
    c.res = res;
    c.max = pol->max_response ? pol->max_response : 4 * 1024 * 1024;
    hdrs = header_list(req, p);

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no alarms */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     pol->connect_timeout_ms ? pol->connect_timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     pol->timeout_ms ? pol->timeout_ms : 15000L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mod_hub");
    if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
    }
    else if (!strcmp(method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    }

    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &res->seconds);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);

    res->body = c.buf ? c.buf : apr_pstrdup(p, "");
    if (c.buf) {
        c.buf[c.len] = '\0';
    }
    res->body_len = c.len;
    if (c.refused) {
        return fail(res, HUB_HTTP_REFUSED,
                    "the address is internal "
                    "(loopback, private, link-local or metadata) and not "
                    "allowed");
    }
    if (c.too_large) {
        return fail(res, HUB_HTTP_TOO_LARGE, "the answer is too large");
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        return fail(res, HUB_HTTP_TIMEOUT, "timed out");
    }
    if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT) {
        return fail(res, HUB_HTTP_BAD_URL, curl_easy_strerror(rc));
    }
    if (rc != CURLE_OK) {
        return fail(res, HUB_HTTP_FAILED, curl_easy_strerror(rc));
    }
    res->result = HUB_HTTP_OK;
    return HUB_HTTP_OK;
}

/* ---- a streaming request -------------------------------------------- */

struct hub_http_stream {
    apr_pool_t *p;
    ctx_t c; /* for open_socket: the policy and the refusal */
    CURLM *multi;
    CURL *easy;
    struct curl_slist *hdrs;
    hub_http_stream_fn *fn;
    void *baton;
    int running;
    int added;
    CURLcode done;           /* how it ended (CURLE_OK while running) */
    hub_http_response_t res; /* its headers, for hub_http_stream_header */
};

static size_t stream_body(char *data, size_t size, size_t n, void *userp)
{
    hub_http_stream_t *s = userp;
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct);
    return s->fn(s->baton, data, size * n, status, ct);
}

static apr_status_t stream_cleanup(void *data)
{
    hub_http_stream_t *s = data;
    if (s->multi) {
        if (s->added) {
            curl_multi_remove_handle(s->multi, s->easy);
        }
        curl_multi_cleanup(s->multi);
        s->multi = NULL;
    }
    if (s->easy) {
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
    }
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    return APR_SUCCESS;
}

hub_http_stream_t *hub_http_stream_open(
    apr_pool_t *p, const hub_http_policy_t *pol, const hub_http_request_t *req,
    hub_http_stream_fn *fn, void *baton)
{
    hub_http_stream_t *s = apr_pcalloc(p, sizeof(*s));
    CURL *h;

    /* other schemes fail when performed: CURLOPT_PROTOCOLS_STR */
    s->p = p;
    s->c.p = p;
    s->c.pol = pol;
    s->c.res = &s->res;
    s->res.headers = apr_table_make(p, 8);
    s->fn = fn;
    s->baton = baton;
    s->multi = curl_multi_init();
    s->easy = h = curl_easy_init();
    s->hdrs = header_list(req, p);
    apr_pool_cleanup_register(p, s, stream_cleanup, apr_pool_cleanup_null);
    if (!s->multi || !h) {
        return NULL;
    }
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     pol->connect_timeout_ms ? pol->connect_timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     pol->timeout_ms ? pol->timeout_ms : 15000L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &s->c);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s->c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mod_hub");
    if (req->body) {
        /* a streamed answer to a request with a body (a workflow's http
         * node): the body is the caller's, alive as long as p */
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
    }
    if (req->method) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (req->body) {
        /* the body stays the caller's (in p) while the stream runs */
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
    }
    curl_multi_add_handle(s->multi, h);
    s->added = 1;
    s->running = 1;
    return s;
}

int hub_http_stream_perform(hub_http_stream_t *s)
{
    CURLMsg *m;
    int left;
    if (!s->multi) {
        return 0;
    }
    curl_multi_perform(s->multi, &s->running);
    while ((m = curl_multi_info_read(s->multi, &left))) {
        if (m->msg == CURLMSG_DONE && s->done == CURLE_OK) {
            s->done = m->data.result;
        }
    }
    return s->running;
}

void hub_http_stream_wait(hub_http_stream_t *s, int ms)
{
    if (s->multi) {
        curl_multi_poll(s->multi, NULL, 0, ms, NULL);
    }
}

hub_http_result_e hub_http_stream_result(const hub_http_stream_t *s,
                                         const char **error)
{
    if (s->c.refused) {
        *error = "the address is internal (loopback, private, link-local "
                 "or metadata) and not allowed";
        return HUB_HTTP_REFUSED;
    }
    if (s->done == CURLE_OK) {
        return HUB_HTTP_OK;
    }
    if (s->done == CURLE_OPERATION_TIMEDOUT) {
        *error = "timed out";
        return HUB_HTTP_TIMEOUT;
    }
    *error = curl_easy_strerror(s->done);
    return HUB_HTTP_FAILED;
}

long hub_http_stream_status(const hub_http_stream_t *s)
{
    long status = 0;
    if (s->easy) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    }
    return status;
}

const char *hub_http_stream_header(const hub_http_stream_t *s, const char *name)
{
    return apr_table_get(s->res.headers, name);
}

void hub_http_stream_close(hub_http_stream_t *s)
{
    apr_pool_cleanup_run(s->p, s, stream_cleanup);
}

const char *hub_http_same_origin(apr_pool_t *p, const char *base_url,
                                 const char *ref)
{
    CURLU *u = curl_url(), *base = curl_url();
    char *full = NULL, *o1 = NULL, *o2 = NULL;
    const char *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, base_url, 0) == CURLUE_OK
        && curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK
        && curl_url_set(base, CURLUPART_URL, base_url, 0) == CURLUE_OK) {
        char *h1 = NULL, *h2 = NULL, *p1 = NULL, *p2 = NULL;
        curl_url_get(u, CURLUPART_SCHEME, &o1, 0);
        curl_url_get(base, CURLUPART_SCHEME, &o2, 0);
        curl_url_get(u, CURLUPART_HOST, &h1, 0);
        curl_url_get(base, CURLUPART_HOST, &h2, 0);
        curl_url_get(u, CURLUPART_PORT, &p1, CURLU_DEFAULT_PORT);
        curl_url_get(base, CURLUPART_PORT, &p2, CURLU_DEFAULT_PORT);
        if (o1 && o2 && h1 && h2 && p1 && p2 && !strcasecmp(o1, o2)
            && !strcasecmp(h1, h2) && !strcmp(p1, p2)) {
            out = apr_pstrdup(p, full);
        }
        curl_free(h1);
        curl_free(h2);
        curl_free(p1);
        curl_free(p2);
    }
    curl_free(full);
    curl_free(o1);
    curl_free(o2);
    curl_url_cleanup(u);
    curl_url_cleanup(base);
    return out;
}

/* ---- setup and mail --------------------------------------------------- */

void hub_http_global_init(void)
{
    static int done;
    if (!done) {
        done = 1;
        curl_global_init(CURL_GLOBAL_DEFAULT);
    }
}

typedef struct mail_body {
    const char *text;
    size_t left;
} mail_body_t;

static size_t mail_read(char *buf, size_t size, size_t n, void *data)
{
    mail_body_t *m = data;
    size_t k = size * n < m->left ? size * n : m->left;
    memcpy(buf, m->text, k);
    m->text += k;
    m->left -= k;
    return k;
}

hub_http_result_e hub_http_mail(apr_pool_t *p, const hub_http_policy_t *pol,
                                const hub_http_mail_t *m, const char **error)
{
    static const hub_http_policy_t defaults = { 0 };
    struct curl_slist *rcpt;
    mail_body_t body;
    CURLcode rc;
    CURL *h;

    if (!pol) {
        pol = &defaults;
    }
    if (!m->url
        || (strncasecmp(m->url, "smtp://", 7)
            && strncasecmp(m->url, "smtps://", 8))) {
        if (error) {
            *error = "only smtp and smtps URLs";
        }
        return HUB_HTTP_BAD_URL;
    }
    if (!(h = curl_easy_init())) {
        if (error) {
            *error = "curl_easy_init failed";
        }
        return HUB_HTTP_FAILED;
    }
    rcpt = curl_slist_append(NULL, apr_pstrcat(p, "<", m->to, ">", NULL));
    body.text = m->message;
    body.left = strlen(m->message);
    curl_easy_setopt(h, CURLOPT_URL, m->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_SMTP | CURLPROTO_SMTPS);
#endif
    curl_easy_setopt(h, CURLOPT_MAIL_FROM,
                     apr_pstrcat(p, "<", m->from, ">", NULL));
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, mail_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &body);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     pol->connect_timeout_ms ? pol->connect_timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     pol->timeout_ms ? pol->timeout_ms : 15000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    if (rc != CURLE_OK) {
        if (error) {
            *error = apr_pstrdup(p, curl_easy_strerror(rc));
        }
        return rc == CURLE_OPERATION_TIMEDOUT ? HUB_HTTP_TIMEOUT
                                              : HUB_HTTP_FAILED;
    }
    return HUB_HTTP_OK;
}
