#include <string.h>
#include <strings.h>
#include "hub_profile.h"

/* clang-format off */
static const struct {
    unsigned bit;
    const char *name;
    const char *title;
} profiles[] = {
    { HUB_PATCHWORK, "patchwork", "Patchwork MCP API" },
    { HUB_CAYLEX,    "caylex",    "Caylex API Service" },
    { HUB_GOCLAW,    "goclaw",    "GoClaw Gateway API" },
    { HUB_TOOLHUB,   "toolhub",   "Tool Hub API" },
    { HUB_G4F,       "g4f",       "G4FAgent Dev Platform API" },
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
