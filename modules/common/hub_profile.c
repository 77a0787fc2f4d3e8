#include <string.h>
#include <strings.h>
#include "hub_profile.h"

/* clang-format off */
static const struct {
    unsigned bit;
    const char *name;
    const char *title;
    hub_slash_e slash;
} profiles[] = {
    /* Patchwork and Caylex are FastAPI services, Tool Hub an Express one,
     * GoClaw a Go net/http server and G4FAgent's api_server.py matches
     * paths exactly */
    { HUB_PATCHWORK, "patchwork", "Patchwork MCP API",         HUB_SLASH_REDIRECT },
    { HUB_CAYLEX,    "caylex",    "Caylex API Service",        HUB_SLASH_REDIRECT },
    { HUB_GOCLAW,    "goclaw",    "GoClaw Gateway API",        HUB_SLASH_STRICT },
    { HUB_TOOLHUB,   "toolhub",   "Tool Hub API",              HUB_SLASH_IGNORE },
    { HUB_G4F,       "g4f",       "G4FAgent Dev Platform API", HUB_SLASH_STRICT },
};
/* clang-format on */

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

unsigned hub_profile_from_name(const char *name)
{
    size_t i;
    for (i = 0; name && i < NPROFILES; i++) {
        if (!strcasecmp(name, profiles[i].name)) {
            return profiles[i].bit;
        }
    }
    return 0;
}

const char *hub_profile_name(unsigned profile)
{
    size_t i;
    for (i = 0; i < NPROFILES; i++) {
        if (profiles[i].bit == profile) {
            return profiles[i].name;
        }
    }
    return "?";
}

const char *hub_profile_title(unsigned profile)
{
    size_t i;
    for (i = 0; i < NPROFILES; i++) {
        if (profiles[i].bit == profile) {
            return profiles[i].title;
        }
    }
    return "mod_hub";
}

hub_slash_e hub_profile_slash(unsigned profile)
{
    size_t i;
    for (i = 0; i < NPROFILES; i++) {
        if (profiles[i].bit == profile) {
            return profiles[i].slash;
        }
    }
    return HUB_SLASH_STRICT;
}
