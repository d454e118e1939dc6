#include "hub/core/version.h"

namespace yici {

// YICI_VERSION is defined for this file only (CMakeLists.txt).
const char* version() { return YICI_VERSION; }

}  // namespace yici
