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

#endif
