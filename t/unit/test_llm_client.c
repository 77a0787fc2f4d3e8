/* The LLM client's transport (hub_llm_chat) against a canned HTTP server
 * on loopback, forked by the test: the request it sends (method, path,
 * key, body), a plain answer and a stream, a 429's Retry-After, the
 * address policy (nothing connects without the allowance), the total
 * timeout, and the abort flag a stopped execution raises while a
 * provider stays silent.  The wire formats' own parsing is
 * test_llm_wire's; the whole hub against llm-server.mjs is t/http/58, 59. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include "hub_http.h"
#include "hub_wf_llm.h"
#include "tap.h"

static int accepted_fd = -1; /* the server counts its connections here */

/* Read one request: its head and its Content-Length body. */
static int read_request(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    long want = -1;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
        buf[n] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            const char *cl = strcasestr(buf, "Content-Length:");
            want = cl ? atol(cl + 15) : 0;
        }
        if (end && (long)(n - (size_t)(end + 4 - buf)) >= want) {
            break;
        }
    }
    buf[n] = '\0';
    return (int)n;
}

static void reply(int fd, const char *status, const char *ctype,
                  const char *extra, const char *body)
{
    char head[512];
    snprintf(head, sizeof(head),
             "HTTP/1.1 %s\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             status, ctype, extra, strlen(body));
    if (write(fd, head, strlen(head)) < 0
        || write(fd, body, strlen(body)) < 0) {
        return;
    }
}

/* The canned answers, by the model the request names. */
static void serve_one(int fd)
{
    char req[16384], body[20000];
    const char *auth;
    read_request(fd, req, sizeof(req));
    if (write(accepted_fd, "c", 1) < 0) {
        return;
    }
    if (strstr(req, "\"model\":\"silent\"")) {
        sleep(30); /* says nothing: the caller's timeout or abort ends it */
        return;
    }
    if (strstr(req, "\"model\":\"limited\"")) {
        reply(fd, "429 Too Many Requests", "application/json",
              "Retry-After: 9\r\n", "{\"error\":{\"message\":\"slow down\"}}");
        return;
    }
    if (strstr(req, "\"stream\":true")) {
        reply(fd, "200 OK", "text/event-stream", "",
              "data: {\"choices\":[{\"delta\":{\"content\":\"str\"}}]}\n\n"
              "data: {\"choices\":[{\"delta\":{\"content\":\"eamed\"},"
              "\"finish_reason\":\"stop\"}]}\n\n"
              "data: [DONE]\n\n");
        return;
    }
    /* what arrived, as the answer's content: method and path, the key,
     * and whether the body is the chat request */
    auth = strcasestr(req, "Authorization: Bearer ");
    snprintf(body, sizeof(body),
             "{\"id\":\"x\",\"choices\":[{\"finish_reason\":\"stop\","
             "\"message\":{\"content\":\"%.*s|%.*s|%s\"}}],"
             "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}",
             strstr(req, " HTTP/") ? (int)(strstr(req, " HTTP/") - req) : 0,
             req, auth ? (int)strcspn(auth + 22, "\r") : 0,
             auth ? auth + 22 : "",
             strstr(req, "\"messages\":[{\"role\":\"user\"") ? "body" : "-");
    reply(fd, "200 OK", "application/json", "", body);
}

static pid_t start_server(int *port, int counter)
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
        /* not the TAP stream's: a silent answer outlives the test, and
         * prove waits for every holder of its pipe */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        accepted_fd = counter;
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

/* connections the server took since the last call */
static int connections(int fd)
{
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));
    return n > 0 ? (int)n : 0;
}

static volatile int stop_flag;

static void *APR_THREAD_FUNC raise_abort(apr_thread_t *t, void *data)
{
    (void)data;
    apr_sleep(apr_time_from_msec(300));
    stop_flag = 1;
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static json_t *user_says(const char *text)
{
    return json_pack("[{s:s,s:s}]", "role", "user", "content", text);
}

int main(void)
{
    apr_pool_t *p;
    apr_array_header_t *allow;
    hub_llm_provider_t pv = { 0 };
    hub_llm_request_t rq = { 0 };
    hub_llm_response_t out;
    apr_thread_t *thread;
    apr_status_t trv;
    int port = 0, pipefd[2];
    pid_t pid;
    json_t *msgs;

    apr_initialize();
    apr_pool_create(&p, NULL);
    hub_http_global_init();
    if (pipe(pipefd)) {
        return 1;
    }
    pid = start_server(&port, pipefd[1]);
    ok(pid > 0, "canned server started");
    if (pid <= 0) {
        return done_testing();
    }
    /* the test reads the counter without blocking */
    close(pipefd[1]);
    {
        int fl = fcntl(pipefd[0], F_GETFL);
        fcntl(pipefd[0], F_SETFL, fl | O_NONBLOCK);
    }
    allow = apr_array_make(p, 1, sizeof(hub_cidr_t));
    hub_cidr_parse("127.0.0.0/8", apr_array_push(allow));
    msgs = user_says("hi");
    pv.type = "openai_compat";
    pv.api_base = apr_psprintf(p, "http://127.0.0.1:%d/v1/", port);
    pv.api_key = "k-123";
    rq.model = "m";
    rq.messages = msgs;
    rq.temperature = -1;

    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_REFUSED,
           "loopback without the allowance: refused");
    apr_sleep(apr_time_from_msec(100));
    is_int(connections(pipefd[0]), 0, "... nothing connected");

    pv.allow = allow;
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_OK, "allowed: a chat call");
    is_str(out.content, "POST /v1/chat/completions|k-123|body",
           "... POST to {base}/chat/completions (one slash), the key, the "
           "messages in the body");
    is_int((int)out.input_tokens, 3, "... the usage");
    is_int((int)out.http_status, 200, "... the status");
    ok(!out.streamed, "... not streamed");

    rq.stream = 1;
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_OK, "a stream");
    is_str(out.content, "streamed", "... its pieces joined");
    ok(out.streamed, "... streamed");
    rq.stream = 0;

    rq.model = "limited";
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_RATE_LIMITED, "a 429");
    is_int((int)out.retry_after, 9, "... its Retry-After");
    ok(out.error && strstr(out.error, "slow down"), "... its message: %s",
       out.error);

    rq.model = "silent";
    rq.timeout_ms = 400;
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_TIMEOUT,
           "a silent provider: the total timeout");

    rq.timeout_ms = 60000;
    rq.abort = &stop_flag;
    trv = apr_thread_create(&thread, NULL, raise_abort, NULL, p);
    ok(trv == APR_SUCCESS, "a thread that raises the abort flag");
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_ABORTED,
           "the abort flag stops a call the provider does not answer");
    ok(out.seconds < 30, "... long before the provider would have (%.1f s)",
       out.seconds);
    apr_thread_join(&trv, thread);

    pv.api_base = "http://127.0.0.1:1/v1";
    rq.abort = NULL;
    rq.model = "m";
    is_int(hub_llm_chat(p, &pv, &rq, &out), HUB_LLM_UNREACHABLE,
           "nothing listening: unreachable");
    ok(out.error != NULL, "... saying why: %s", out.error);

    json_decref(msgs);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
