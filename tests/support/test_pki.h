// The development PKI for tests, made once per test process in a temporary directory by the same
// script users run (certs/make-dev-pki), so tests never depend on certs/dev.
#pragma once

#include <string>

namespace yici::test {

// Directory holding ca.crt, hub.crt/.key, <principal>.crt/.key, rogue.*, expired.*.
const std::string& pki_dir();
inline std::string pki(const std::string& file) { return pki_dir() + "/" + file; }

}  // namespace yici::test
