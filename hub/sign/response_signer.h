// The api::ResponseSigner the handlers use: signs response bytes with the key ring's active key.
// The ring is swapped atomically on rotation; a request signs with whichever ring it loaded.
#pragma once

#include <atomic>
#include <memory>

#include "hub/api/lookup_services.h"
#include "hub/sign/key_ring.h"

namespace yici::sign {

constexpr const char* kResponseTyp = "yici-response+json";

class ResponseSigner final : public api::ResponseSigner {
 public:
  explicit ResponseSigner(std::shared_ptr<const KeyRing> ring) : ring_(std::move(ring)) {}
  void rotate(std::shared_ptr<const KeyRing> ring) { ring_.store(std::move(ring)); }
  [[nodiscard]] std::shared_ptr<const KeyRing> ring() const { return ring_.load(); }

  Result<std::string> sign_detached(std::string_view body) override {
    return ring_.load()->sign(body, kResponseTyp, true);
  }
  Result<std::string> sign_compact(std::string_view body) override {
    return ring_.load()->sign(body, kResponseTyp, false);
  }

 private:
  std::atomic<std::shared_ptr<const KeyRing>> ring_;
};

}  // namespace yici::sign
