/* being written */
#include "hub_quality.h"
typedef int hub_quality_placeholder;
