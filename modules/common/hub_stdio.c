#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_portable.h>
#include <apr_time.h>
#include "hub_json.h"
#include "hub_sse.h"
#include "hub_mcp_transport.h"
#include "hub_stdio.h"

#define MAX_DEPTH    128 /* JSON nesting accepted */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
#define EXIT_WAIT    apr_time_from_msec(200) /* after stdin is closed */
#define TERM_GRACE   apr_time_from_msec(500) /* after SIGTERM */
#define SETSID       "/usr/bin/setsid"

typedef struct child {
    apr_pool_t *p;
    apr_proc_t proc;
    int started, reaped;
    int grouped;       /* its own process group (via setsid) */
    int in_fd, out_fd; /* parent's ends, non-blocking */
    apr_file_t *in, *out;
    apr_time_t deadline;
    apr_interval_time_t timeout; /* what the deadline is from now */
    apr_size_t max_line;
    char *buf; /* bytes read, not yet a whole line */
    apr_size_t len, cap;
    int eof;
} child_t;

/* ---- starting ------------------------------------------------------------ */

/* The program argv[0] names: as is when it holds a '/', else the first
 * executable of that name in path. */
static const char *locate(apr_pool_t *p, const char *cmd, const char *path)
{
    char *dirs, *dir, *last;
    if (strchr(cmd, '/')) {
        return access(cmd, X_OK) == 0 ? cmd : NULL;
    }
    dirs = apr_pstrdup(p, path);
    for (dir = apr_strtok(dirs, ":", &last); dir;
         dir = apr_strtok(NULL, ":", &last)) {
        const char *f = apr_pstrcat(p, *dir ? dir : ".", "/", cmd, NULL);
        if (access(f, X_OK) == 0) {
            return f;
        }
    }
    return NULL;
}

static const char *start(child_t *c, const hub_mcp_target_t *t)
{
    apr_pool_t *p = c->p;
    const char *path = getenv("PATH"), *prog;
    apr_array_header_t *env = apr_array_make(p, 8, sizeof(const char *));
    apr_procattr_t *attr;
    const char *const *argv;
    apr_file_t *devnull = NULL;
    apr_os_file_t fd;
    apr_status_t rv;
    char err[120];
    int i, has_path = 0;

    if (!t->argv || !t->argv[0] || !*t->argv[0]) {
        return "no command to run";
    }
    for (i = 0; t->env && t->env[i]; i++) {
        if (!strncmp(t->env[i], "PATH=", 5)) {
            has_path = 1;
            path = t->env[i] + 5;
        }
        APR_ARRAY_PUSH(env, const char *) = t->env[i];
    }
    if (!path || !*path) {
        path = DEFAULT_PATH;
    }
    if (!has_path) {
        APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(p, "PATH=", path, NULL);
    }
    APR_ARRAY_PUSH(env, const char *) = NULL;
    if (!(prog = locate(p, t->argv[0], path))) {
        return apr_psprintf(p, "command '%s' not found or not executable",
                            hub_mcp_cut(p, t->argv[0]));
    }
    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS
        || (rv = apr_procattr_io_set(attr, APR_CHILD_BLOCK, APR_CHILD_BLOCK,
                                     APR_NO_PIPE))
               != APR_SUCCESS
        || (rv = apr_procattr_cmdtype_set(attr, APR_PROGRAM)) != APR_SUCCESS
        || (rv = apr_file_open(&devnull, "/dev/null", APR_FOPEN_WRITE,
                               APR_OS_DEFAULT, p))
               != APR_SUCCESS
        || (rv = apr_procattr_child_err_set(attr, devnull, NULL))
               != APR_SUCCESS) {
        return apr_psprintf(p, "cannot prepare the child: %s",
                            apr_strerror(rv, err, sizeof(err)));
    }
    /* through setsid(1) when the system has it: the server then leads a
     * process group of its own, and whatever it forks (npx and other
     * wrappers do) is ended with it.  APR has no pre-exec hook for a
     * process that is not root. */
    argv = t->argv;
    if (access(SETSID, X_OK) == 0) {
        const char **wrapped;
        int n;
        for (n = 0; t->argv[n]; n++) {
        }
        wrapped = apr_pcalloc(p, sizeof(char *) * (n + 2));
        wrapped[0] = "setsid";
        /* the name as given: setsid(1) finds it in the same PATH that
         * located it above, and the process keeps its own argv[0] */
        wrapped[1] = t->argv[0];
        memcpy(wrapped + 2, t->argv + 1, sizeof(char *) * n);
        argv = wrapped;
        prog = SETSID;
        c->grouped = 1;
    }
    rv = apr_proc_create(&c->proc, prog, argv, (const char *const *)env->elts,
                         attr, p);
    apr_file_close(devnull);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot start '%s': %s",
                            hub_mcp_cut(p, t->argv[0]),
                            apr_strerror(rv, err, sizeof(err)));
    }
    c->started = 1;
    c->in = c->proc.in;
    c->out = c->proc.out;
    apr_os_file_get(&fd, c->in);
    c->in_fd = fd;
    apr_os_file_get(&fd, c->out);
    c->out_fd = fd;
    return NULL;
}

/* ---- ending ------------------------------------------------------------- */

static int reaped_within(child_t *c, apr_interval_time_t wait)
{
    apr_time_t until = apr_time_now() + wait;
    int code;
    apr_exit_why_e why;
    for (;;) {
        apr_status_t rv = apr_proc_wait(&c->proc, &code, &why, APR_NOWAIT);
        if (rv == APR_CHILD_DONE
            || (rv != APR_CHILD_NOTDONE && !APR_STATUS_IS_EINTR(rv))) {
            return c->reaped = 1; /* done, or not ours to wait for */
        }
        if (apr_time_now() >= until) {
            return 0;
        }
        apr_sleep(apr_time_from_msec(10));
    }
}

static void close_stdin(child_t *c)
{
    if (c->in) {
        apr_file_close(c->in);
        c->in = NULL;
        c->in_fd = -1;
    }
}

/* stdin closed, a short wait, SIGTERM, a grace, SIGKILL, reaped. */
static void finish(child_t *c)
{
    int code;
    apr_exit_why_e why;
    if (!c->started) {
        return;
    }
    close_stdin(c);
    if (!reaped_within(c, EXIT_WAIT)) {
        apr_proc_kill(&c->proc, SIGTERM);
        if (!reaped_within(c, TERM_GRACE)) {
            apr_proc_kill(&c->proc, SIGKILL);
            while (apr_proc_wait(&c->proc, &code, &why, APR_WAIT)
                   == APR_FROM_OS_ERROR(EINTR)) {
            }
            c->reaped = 1;
        }
    }
    /* the rest of its group, which outlives it when it forked: the group
     * id cannot be reused while any member lives */
    if (c->grouped && kill(-c->proc.pid, 0) == 0) {
        kill(-c->proc.pid, SIGTERM);
        apr_sleep(apr_time_from_msec(100));
        kill(-c->proc.pid, SIGKILL);
    }
    if (c->out) {
        apr_file_close(c->out);
        c->out = NULL;
    }
}

/* ---- the wire ------------------------------------------------------------ */

static int remaining_ms(child_t *c)
{
    apr_time_t left = c->deadline - apr_time_now();
    return left <= 0 ? 0 : (int)apr_time_as_msec(left) + 1;
}

/* Write one message and its newline; NULL, or why not. */
static const char *send_line(child_t *c, const char *text)
{
    const char *line = apr_pstrcat(c->p, text, "\n", NULL);
    apr_size_t left = strlen(line);
    while (left) {
        struct pollfd pfd = { c->in_fd, POLLOUT, 0 };
        ssize_t n;
        int ms = remaining_ms(c), rc;
        if (c->in_fd < 0) {
            return "stdin is closed";
        }
        if (!ms) {
            return "timeout writing to the server";
        }
        rc = poll(&pfd, 1, ms);
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return apr_psprintf(c->p, "poll: %s", strerror(errno));
        }
        if (!rc) {
            continue; /* deadline checked above */
        }
        n = write(c->in_fd, line, left);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            return errno == EPIPE
                       ? "the server closed its input"
                       : apr_psprintf(c->p, "write: %s", strerror(errno));
        }
        line += n;
        left -= (apr_size_t)n;
    }
    return NULL;
}

/* The next whole line from the server (without its newline), or NULL with
 * *why: end of output, timeout, an oversized line. */
static char *read_line(child_t *c, const char **why)
{
    for (;;) {
        char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
        struct pollfd pfd;
        ssize_t n;
        int ms, rc;
        if (nl) {
            apr_size_t k = (apr_size_t)(nl - c->buf);
            char *line = apr_pstrmemdup(c->p, c->buf, k);
            memmove(c->buf, nl + 1, c->len - k - 1);
            c->len -= k + 1;
            if (k && line[k - 1] == '\r') {
                line[k - 1] = '\0';
            }
            return line;
        }
        if (c->len > c->max_line) {
            *why = apr_psprintf(c->p, "a message longer than %lu bytes",
                                (unsigned long)c->max_line);
            return NULL;
        }
        if (c->eof) {
            *why = "the server ended its output (exited?)";
            return NULL;
        }
        if (!(ms = remaining_ms(c))) {
            *why = "timeout: no answer in time";
            return NULL;
        }
        pfd.fd = c->out_fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        rc = poll(&pfd, 1, ms);
        if (rc < 0 && errno != EINTR) {
            *why = apr_psprintf(c->p, "poll: %s", strerror(errno));
            return NULL;
        }
        if (rc <= 0) {
            continue;
        }
        if (c->cap - c->len < 65536) {
            apr_size_t cap = c->cap ? c->cap * 2 : 131072;
            char *b = malloc(cap);
            if (!b) {
                *why = "out of memory";
                return NULL;
            }
            if (c->len) {
                memcpy(b, c->buf, c->len);
            }
            free(c->buf);
            c->buf = b;
            c->cap = cap;
        }
        n = read(c->out_fd, c->buf + c->len, c->cap - c->len);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                *why = apr_psprintf(c->p, "read: %s", strerror(errno));
                return NULL;
            }
            continue;
        }
        if (!n) {
            c->eof = 1;
            continue;
        }
        c->len += (apr_size_t)n;
    }
}

static const char *send_json(child_t *c, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    const char *why;
    json_decref(msg);
    if (!text) {
        return "cannot encode a message";
    }
    why = send_line(c, text);
    free(text);
    return why;
}

/* A request of the server's own (it has a method and an id): ping gets
 * an empty result, anything else "method not found". */
static const char *answer_server(child_t *c, json_t *msg)
{
    const char *m = json_string_value(json_object_get(msg, "method"));
    json_t *id = json_object_get(msg, "id");
    if (m && !strcmp(m, "ping")) {
        return send_json(c, json_pack("{s:s,s:O,s:{}}", "jsonrpc", "2.0", "id",
                                      id, "result"));
    }
    return send_json(c, json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0",
                                  "id", id, "error", "code", -32601, "message",
                                  "method not found"));
}

/* Send one request and read until its answer comes, answering the
 * server's own requests meanwhile; judge the answer into r. */
static void stdio_request(hub_mcp_session_t *s, const char *method,
                          const char *name, const char *body, const json_t *id,
                          hub_mcp_reply_t *r)
{
    child_t *c = s->tx;
    const char *why;
    (void)method;
    (void)name;
    if ((why = send_line(c, body))) {
        r->kind = HUB_MCP_REPLY_FAILED;
        r->error = why;
        return;
    }
    for (;;) {
        char *line = read_line(c, &why);
        json_t *m, *e;
        hub_json_error_t jerr;
        if (!line) {
            r->kind = HUB_MCP_REPLY_FAILED;
            r->error = why;
            return;
        }
        if (!*line) {
            continue;
        }
        m = hub_json_parse(c->p, line, strlen(line), MAX_DEPTH, &jerr);
        if (!json_is_object(m)) {
            r->kind = HUB_MCP_REPLY_UNUSABLE;
            r->error = apr_psprintf(c->p,
                                    "the server wrote something that "
                                    "is not a JSON-RPC message: %s",
                                    hub_mcp_cut(c->p, line));
            return;
        }
        if (json_object_get(m, "method")) {
            if (json_object_get(m, "id") && (why = answer_server(c, m))) {
                r->kind = HUB_MCP_REPLY_FAILED;
                r->error = why;
                return;
            }
            continue; /* a notification, or answered */
        }
        if (!hub_jsonrpc_is_response_to(m, id)) {
            continue; /* a stray response: not ours */
        }
        if ((e = json_object_get(m, "error"))) {
            r->kind = HUB_MCP_REPLY_RPC_ERROR;
            r->code = (long)json_integer_value(json_object_get(e, "code"));
            r->message = hub_mcp_cut(c->p, json_string_value(
                                               json_object_get(e, "message")));
            r->data = json_object_get(e, "data");
            return;
        }
        if (!json_is_object(json_object_get(m, "result"))) {
            r->kind = HUB_MCP_REPLY_UNUSABLE;
            r->error = "the result is not an object";
            return;
        }
        r->kind = HUB_MCP_REPLY_RESULT;
        r->result = json_object_get(m, "result");
        return;
    }
}

static int stdio_notify(hub_mcp_session_t *s, const char *method,
                        const char *body, const char **why)
{
    (void)method;
    return (*why = send_line(s->tx, body)) ? -1 : 0;
}

static int stdio_open(hub_mcp_session_t *s)
{
    child_t *c = apr_pcalloc(s->p, sizeof(*c));
    long timeout = s->pol.timeout_ms > 0 ? s->pol.timeout_ms
                                         : HUB_STDIO_DEFAULT_TIMEOUT_MS;
    const char *why;

    c->p = s->p;
    c->in_fd = c->out_fd = -1;
    c->timeout = apr_time_from_msec(timeout);
    c->deadline = apr_time_now() + c->timeout;
    c->max_line = s->pol.max_response ? s->pol.max_response
                                      : (apr_size_t)HUB_STDIO_DEFAULT_MAX_LINE;
    s->tx = c;
    if ((why = start(c, s->t))) {
        s->info.error = why;
        return -1;
    }
    return 0;
}

static void stdio_close(hub_mcp_session_t *s)
{
    child_t *c = s->tx;
    if (c) {
        finish(c);
        free(c->buf);
        c->buf = NULL;
    }
}

static void stdio_renew(hub_mcp_session_t *s)
{
    child_t *c = s->tx;
    if (c) {
        c->deadline = apr_time_now() + c->timeout;
    }
}

const hub_mcp_transport_t hub_stdio_transport = {
    "stdio",      0,           stdio_open, stdio_request,
    stdio_notify, stdio_close, stdio_renew
};
