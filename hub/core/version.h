// The build's version (CMake's project version). Compiled into one file, so that changing the
// version rebuilds that file and relinks, not every file of the project and its tests.
#pragma once

namespace yici {

const char* version();

}  // namespace yici
