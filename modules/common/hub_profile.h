/* The five API profiles an operator can mount with HubApi. */
#ifndef HUB_PROFILE_H
#define HUB_PROFILE_H

#define HUB_PATCHWORK    0x01u
#define HUB_CAYLEX       0x02u
#define HUB_GOCLAW       0x04u
#define HUB_TOOLHUB      0x08u
#define HUB_G4F          0x10u
#define HUB_ALL_PROFILES 0x1fu

/* The bit of a profile name ("patchwork", ...), 0 when unknown. */
unsigned hub_profile_from_name(const char *name);
/* The name of one profile bit, "?" for anything else. */
const char *hub_profile_name(unsigned profile);
/* The title of that profile's API document, for docs and roots. */
const char *hub_profile_title(unsigned profile);

/* What the profile's own server does with a path that differs from a
 * route only by its trailing slash. */
typedef enum {
    HUB_SLASH_STRICT = 0, /* nothing: 404 (Go's ServeMux, G4F's server) */
    HUB_SLASH_REDIRECT,   /* 307 to the route's form (FastAPI's
                             redirect_slashes) */
    HUB_SLASH_IGNORE      /* the route answers (Express, strict routing
                             off) */
} hub_slash_e;
hub_slash_e hub_profile_slash(unsigned profile);

#endif
