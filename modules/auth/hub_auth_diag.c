/* HubDiagnostics: POST <location>/_hub/<profile>/echo in every profile validates a
 * body against a fixed field table and echoes it.  It lets an operator
 * (and the test suite) see the input rules - content type, size, depth,
 * syntax, required fields, types - in each profile's envelope without
 * touching data.  Off unless the Location turns it on. */
#include "hub_auth_private.h"
#include "hub_validate.h"

static const char *const echo_modes[] = { "plain", "loud", NULL };

static const hub_field_t echo_fields[] = {
    { "name", HUB_T_STRING, HUB_F_REQUIRED, 1, 64, NULL, "a name" },
    { "count", HUB_T_INTEGER, 0, 0, 1000000, NULL, "a count" },
    { "enabled", HUB_T_BOOLEAN, 0, 0, 0, NULL, "a switch" },
    { "tags", HUB_T_ARRAY, 0, 0, 0, NULL, "a list" },
    { "meta", HUB_T_OBJECT, HUB_F_NULLABLE, 0, 0, NULL, "anything" },
    { "mode", HUB_T_STRING, 0, 0, 0, echo_modes, "plain or loud" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

static int echo(hub_req_t *hr, hub_result_t *res)
{
    return hub_ok(res, json_pack("{s:O}", "received", hr->body));
}

/* clang-format off */
/* one path per profile: three of them share the root in the usual layout */
#define ECHO(profile, name) \
    { profile, HUB_M_POST, "/_hub/" name "/echo", echo, echo_fields, HUB_IN_PUBLIC, \
      HUB_ROUTE_DIAG, "Validate and echo a body (HubDiagnostics)",         \
      .need = HUB_NEED_PUBLIC }

const hub_route_t hub_auth_diag_routes[] = {
    ECHO(HUB_PATCHWORK, "patchwork"), ECHO(HUB_CAYLEX, "caylex"),
    ECHO(HUB_GOCLAW, "goclaw"), ECHO(HUB_TOOLHUB, "toolhub"),
    ECHO(HUB_G4F, "g4f"),
    { 0 }
};
/* clang-format on */
