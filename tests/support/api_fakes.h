// Stand-ins for the signer and the audit log in handler unit tests. The real ones have their own
// tests (tests/sign, tests/audit) and are used end to end in tests/integration.
#pragma once

#include <string>
#include <vector>

#include "hub/api/lookup_services.h"
#include "hub/core/sha256.h"

namespace yici::test {

// Tags the body's hash so a test can see exactly which bytes were signed.
struct RecordingSigner final : api::ResponseSigner {
  std::vector<std::string> signed_bodies;
  Result<std::string> sign_detached(std::string_view body) override {
    signed_bodies.emplace_back(body);
    return "hdr.." + sha256_hex(body);
  }
  Result<std::string> sign_compact(std::string_view body) override {
    signed_bodies.emplace_back(body);
    return "hdr." + std::string(body) + "." + sha256_hex(body);
  }
};

struct MemoryAudit final : api::AuditSink {
  std::vector<api::AuditEvent> events;
  std::vector<std::string> bodies;
  bool fail = false;
  Result<std::string> append(const api::AuditEvent& e,
                             const std::function<std::string(std::int64_t)>& render) override {
    if (fail) return Error::unavailable("disk full");
    events.push_back(e);
    bodies.push_back(render(static_cast<std::int64_t>(events.size() - 1)));
    return bodies.back();
  }
  Result<std::string> append_many(const std::vector<api::AuditEvent>& batch,
                                  const std::function<std::string(std::int64_t)>& render) override {
    if (fail) return Error::unavailable("disk full");
    const auto first = static_cast<std::int64_t>(events.size());
    events.insert(events.end(), batch.begin(), batch.end());
    bodies.push_back(render(first));
    return bodies.back();
  }
};

}  // namespace yici::test
