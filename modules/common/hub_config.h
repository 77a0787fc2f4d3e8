/* config.h for files that include httpd's headers: ap_config_auto.h
 * defines PACKAGE_* too (PLATFORM.md), so ours are dropped first. */
#ifndef HUB_CONFIG_H
#define HUB_CONFIG_H
#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION
#include "config.h"
#endif
