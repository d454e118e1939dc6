#include "hub/audit/checkpoint.h"

#include <doctest/doctest.h>

#include "tests/audit/merkle_test_util.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

// A key ring of one fresh P-256 key, and the JWKS that publishes it.
struct Signer {
  yici::test::TempDir dir;
  std::shared_ptr<const sign::KeyRing> ring;
  sign::Jwks jwks;
  Signer() {
    REQUIRE(yici::test::run_command("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                                    dir.file("k.key")) == 0);
    ring = sign::KeyRing::load({{dir.file("k.key"), sign::KeyState::kActive}}).value();
    jwks = sign::Jwks::parse(ring->jwks_json()).value();
  }
};

}  // namespace

TEST_CASE("checkpoint: verify_checkpoint takes the hub's signed checkpoint and nothing else") {
  const Signer signer;
  const Hash root = test::synthetic_leaf(7);
  const Checkpoint signed_cp = sign_checkpoint("log-1", 42, root, *signer.ring).value();

  auto ok = verify_checkpoint(signer.jwks, signed_cp.jws);
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.error().message));
  CHECK(ok->checkpoint.log_id == "log-1");
  CHECK(ok->checkpoint.tree_size == 42);
  CHECK(ok->checkpoint.root == root);
  CHECK(ok->checkpoint.timestamp == signed_cp.timestamp);
  CHECK(ok->checkpoint.jws == signed_cp.jws);
  CHECK(ok->kid == signer.ring->active().kid);

  const auto refused = [&](const sign::Jwks& jwks, const std::string& jws, const std::string& says) {
    CAPTURE(jws);
    const auto r = verify_checkpoint(jwks, jws);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(says) != std::string::npos);
  };
  // A signed answer whose payload has a checkpoint's shape: the typ tells them apart.
  const std::string payload = checkpoint_payload("log-1", 42, root, signed_cp.timestamp);
  refused(signer.jwks, signer.ring->sign(payload, "yici-response+json", false).value(),
          "not a checkpoint: its typ is \"yici-response+json\"");
  // Checkpoint typ, but not a checkpoint's payload.
  refused(signer.jwks, signer.ring->sign(R"({"tree_size":1})", kCheckpointTyp, false).value(),
          "checkpoint payload needs log_id");
  // Altered signature; a key the JWKS does not hold; not a JWS.
  std::string altered = signed_cp.jws;
  altered[altered.size() - 2] = altered[altered.size() - 2] == 'A' ? 'B' : 'A';
  refused(signer.jwks, altered, "signature does not verify");
  const Signer other;
  refused(other.jwks, signed_cp.jws, "unknown key id");
  refused(signer.jwks, "not a jws", "malformed JWS");
  // Another file given for the checkpoint: hub.yaml has dots enough for three "parts", none of
  // them base64url. The message says what a checkpoint is, not just that base64 failed.
  for (const char* text : {"listen: 127.0.0.1:8443\ndata_dir: var/data\n", "a.b.c"}) {
    refused(signer.jwks, text, "not a signed checkpoint (malformed JWS: ");
    refused(signer.jwks, text, "the compact JWS that GET /v1/audit/checkpoint answers");
  }
}

TEST_CASE("checkpoint: read_checkpoint_unverified reads a checkpoint's payload and refuses other text") {
  const Signer signer;
  const Hash root = test::synthetic_leaf(9);
  const auto cp = sign_checkpoint("log-1", 42, root, *signer.ring).value();
  const auto read = read_checkpoint_unverified(cp.jws);
  REQUIRE(read);
  CHECK(read->log_id == "log-1");
  CHECK(read->tree_size == 42);
  CHECK(read->root == root);
  CHECK(read->jws == cp.jws);

  const auto refused = [](const std::string& text, const std::string& says) {
    CAPTURE(text);
    const auto r = read_checkpoint_unverified(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(says) != std::string::npos);
  };
  refused("listen: 127.0.0.1:8443\ndata_dir: var/data\n", "not a signed checkpoint (");
  refused("a.b.c", "the compact JWS that GET /v1/audit/checkpoint answers");
  refused(cp.jws + ".x", "not three dot-separated parts");
  // A signed answer is not a checkpoint, even unverified.
  const std::string payload = checkpoint_payload("log-1", 42, root, cp.timestamp);
  refused(signer.ring->sign(payload, "yici-response+json", false).value(), "its typ is \"yici-response+json\"");
  refused(signer.ring->sign(R"({"tree_size":1})", kCheckpointTyp, false).value(), "checkpoint payload needs log_id");
}

}  // namespace yici::audit
