/* Unit tests of hub_error: each profile's error envelope and statuses. */
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include "hub_error.h"
#include "hub_json.h"
#include "hub_profile.h"
#include "hub_validate.h"
#include "tap.h"

/* The body as compact text; the JSON is tied to the pool. */
static const char *body_text(apr_pool_t *p, unsigned profile,
                             const hub_error_t *e)
{
    json_t *j = hub_json_own(p, hub_error_body(p, profile, e));
    return j ? hub_json_text(p, j) : NULL;
}

/* NULL-safe strstr: a body that failed to build fails the test. */
static int has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static apr_array_header_t *two_problems(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 2, sizeof(hub_invalid_t));
    hub_invalid_t *inv = apr_array_push(a);
    inv->field = "name";
    inv->type = "missing";
    inv->msg = "Field required";
    inv = apr_array_push(a);
    inv->field = "count";
    inv->type = "integer_type";
    inv->msg = "Input should be a valid integer";
    return a;
}

static void test_simple_envelopes(apr_pool_t *p)
{
    hub_error_t e = { 404, NULL, "Server not found", 0, NULL, NULL, NULL };

    is_str(body_text(p, HUB_PATCHWORK, &e), "{\"detail\":\"Server not found\"}",
           "patchwork: {detail}");
    is_str(body_text(p, HUB_CAYLEX, &e), "{\"detail\":\"Server not found\"}",
           "caylex without problems: {detail}");
    is_str(body_text(p, HUB_GOCLAW, &e), "{\"error\":\"Server not found\"}",
           "goclaw: {error}");
    is_str(
        body_text(p, HUB_TOOLHUB, &e),
        "{\"error\":{\"code\":\"HTTP_404\",\"message\":\"Server not found\"}}",
        "toolhub without a code: HTTP_<status>");
    e.code = "SERVER_GONE";
    is_str(body_text(p, HUB_TOOLHUB, &e),
           "{\"error\":{\"code\":\"SERVER_GONE\",\"message\":"
           "\"Server not found\"}}",
           "toolhub with a code: that code");

    e.message = NULL;
    is_str(body_text(p, HUB_GOCLAW, &e), "{\"error\":\"error\"}",
           "no message: a placeholder, never a missing key");
}

static void test_g4f(apr_pool_t *p)
{
    /* clang-format off */
    hub_error_t e = { 503, NULL, "Database unavailable", 1, "req-123",
                      NULL, NULL };
    /* clang-format on */
    apr_array_header_t *inv = two_problems(p);

    is_str(body_text(p, HUB_G4F, &e),
           "{\"error\":{\"code\":\"SERVICE_UNAVAILABLE\",\"message\":"
           "\"Database unavailable\",\"request_id\":\"req-123\","
           "\"retryable\":true,\"details\":{}}}",
           "g4f: code from status, request_id, retryable, details");

    e.status = 400;
    e.code = "BAD_INPUT";
    e.retryable = 0;
    e.request_id = NULL;
    e.message = "Invalid body";
    e.invalid = inv;
    is_str(body_text(p, HUB_G4F, &e),
           "{\"error\":{\"code\":\"BAD_INPUT\",\"message\":\"Invalid body: "
           "name: Field required; count: Input should be a valid integer\","
           "\"request_id\":\"\",\"retryable\":false,\"details\":{\"fields\":"
           "[{\"field\":\"name\",\"type\":\"missing\",\"msg\":"
           "\"Field required\"},{\"field\":\"count\",\"type\":"
           "\"integer_type\",\"msg\":\"Input should be a valid integer\"}]}}}",
           "g4f with problems: details.fields, message names fields");
}

static void test_caylex_422(apr_pool_t *p)
{
    hub_error_t e = { 422, NULL, NULL, 0, NULL, two_problems(p), NULL };
    hub_invalid_t *body_inv;

    is_str(
        body_text(p, HUB_CAYLEX, &e),
        "{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"Field required\","
        "\"type\":\"missing\"},{\"loc\":[\"body\",\"count\"],\"msg\":"
        "\"Input should be a valid integer\",\"type\":\"integer_type\"}]}",
        "caylex 422: FastAPI's detail list");

    e.loc_root = "query";
    ok(has(body_text(p, HUB_CAYLEX, &e), "[\"query\",\"name\"]"),
       "caylex loc_root query");

    /* a problem with the body itself has no field in its loc */
    e.loc_root = NULL;
    e.invalid = apr_array_make(p, 1, sizeof(hub_invalid_t));
    body_inv = apr_array_push(e.invalid);
    body_inv->field = NULL;
    body_inv->type = "model_type";
    body_inv->msg = "Input should be a valid JSON object";
    is_str(body_text(p, HUB_CAYLEX, &e),
           "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"Input should be a valid "
           "JSON object\",\"type\":\"model_type\"}]}",
           "caylex 422 for the body itself: loc [body]");
    is_str(body_text(p, HUB_PATCHWORK, &e),
           "{\"detail\":\"Input should be a valid JSON object\"}",
           "patchwork: body problem without a field name");
}

static void test_messages_name_fields(apr_pool_t *p)
{
    hub_error_t e = { 422, NULL, NULL, 0, NULL, two_problems(p), NULL };
    const char *pw = body_text(p, HUB_PATCHWORK, &e);
    const char *gc;

    is_str(pw,
           "{\"detail\":\"name: Field required; count: Input should be "
           "a valid integer\"}",
           "patchwork 422: message lists fields");
    e.status = 400;
    e.message = "Invalid request";
    gc = body_text(p, HUB_GOCLAW, &e);
    is_str(gc,
           "{\"error\":\"Invalid request: name: Field required; count: "
           "Input should be a valid integer\"}",
           "goclaw: message, then the fields");
    ok(has(body_text(p, HUB_TOOLHUB, &e), "name: Field required"),
       "toolhub: message names the field");
}

static void test_codes(void)
{
    is_str(hub_error_code(400), "BAD_REQUEST", "code 400");
    is_str(hub_error_code(401), "UNAUTHORIZED", "code 401");
    is_str(hub_error_code(404), "NOT_FOUND", "code 404");
    is_str(hub_error_code(405), "METHOD_NOT_ALLOWED", "code 405");
    is_str(hub_error_code(422), "VALIDATION_ERROR", "code 422");
    is_str(hub_error_code(429), "RATE_LIMITED", "code 429");
    is_str(hub_error_code(503), "SERVICE_UNAVAILABLE", "code 503");
    is_str(hub_error_code(418), "BAD_REQUEST", "unknown 4xx: BAD_REQUEST");
    is_str(hub_error_code(599), "INTERNAL_ERROR",
           "unknown 5xx: INTERNAL_ERROR");
}

static void test_statuses(void)
{
    is_int(hub_error_status_malformed(HUB_CAYLEX), 422, "caylex malformed 422");
    is_int(hub_error_status_malformed(HUB_GOCLAW), 400, "goclaw malformed 400");
    is_int(hub_error_status_malformed(HUB_TOOLHUB), 400,
           "toolhub malformed 400");
    is_int(hub_error_status_malformed(HUB_G4F), 400, "g4f malformed 400");
    is_int(hub_error_status_malformed(HUB_PATCHWORK), 400,
           "patchwork malformed 400");
    is_int(hub_error_status_invalid(HUB_CAYLEX), 422, "caylex invalid 422");
    is_int(hub_error_status_invalid(HUB_PATCHWORK), 422,
           "patchwork invalid 422");
    is_int(hub_error_status_invalid(HUB_GOCLAW), 400, "goclaw invalid 400");
    is_int(hub_error_status_invalid(HUB_TOOLHUB), 400, "toolhub invalid 400");
    is_int(hub_error_status_invalid(HUB_G4F), 400, "g4f invalid 400");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);

    test_simple_envelopes(p);
    test_g4f(p);
    test_caylex_422(p);
    test_messages_name_fields(p);
    test_codes();
    test_statuses();

    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
