// yici-verify: verify a saved signed response offline against a JWKS.
//
//   yici-verify --jwks FILE|URL [--signature FILE] [--ca FILE] [--proof FILE --checkpoint FILE] FILE
//
// Two forms: FILE is the exact JSON body and --signature holds its X-Yici-Signature value (a JWS
// with detached payload), or FILE is a compact JWS (what `Accept: application/jose` returns).
// With --proof and --checkpoint, also that the answer's access is in the hub's audit log under a
// checkpoint the hub signed (answer_inclusion.h).
// Exit 0 and a summary when it verifies; 1 with the reason when it does not; 2 for usage errors.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "hub/audit/answer_inclusion.h"
#include "hub/audit/checkpoint.h"
#include "hub/core/version.h"
#include "hub/net/https_client.h"
#include "hub/sign/key_ring.h"
#include "hub/sign/response_signer.h"

namespace {

// A directory "opens" and reads as nothing: refused, as a file that is not there is.
bool read_file(const std::string& path, std::string& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return false;
  out = s.str();
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
  return s.substr(i);
}

int fail(const std::string& why) {
  std::cerr << "yici-verify: NOT VERIFIED: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{std::string("yici-verify ") + yici::version() +
               ": verify a Yici signed response offline.\n"
               "Exit codes: 0 verified, 1 not verified (the reason is printed), 2 usage."};
  std::string jwks_arg, signature_file, ca, file;
  app.add_option("--jwks", jwks_arg, "the hub's JWKS: a file, or https://hub/.well-known/jwks.json")->required();
  app.add_option("--signature", signature_file, "file holding the X-Yici-Signature header value (detached JWS)")
      ->check(CLI::ExistingFile);
  app.add_option("--ca", ca, "CA for fetching the JWKS over HTTPS")->check(CLI::ExistingFile);
  std::string proof_file, checkpoint_file;
  auto* proof_opt = app.add_option("--proof", proof_file,
                                   "the inclusion proof of the answer's audit_index, as "
                                   "GET /v1/audit/proof/inclusion?index=I&size=N returns it")
                        ->check(CLI::ExistingFile);
  auto* checkpoint_opt = app.add_option("--checkpoint", checkpoint_file,
                                        "the signed checkpoint at that size N, as "
                                        "GET /v1/audit/checkpoint?size=N returns it (a compact JWS)")
                             ->check(CLI::ExistingFile);
  proof_opt->needs(checkpoint_opt);
  checkpoint_opt->needs(proof_opt);
  app.add_option("file", file, "the response body (with --signature) or a compact JWS")
      ->required()
      ->check(CLI::ExistingFile);
  app.footer(
      "With --proof and --checkpoint it also checks that the hub logged this answer: the proof's leaf is\n"
      "the answer's own access (its request_id, requester, purpose, and the SHA-256 of its bytes), and\n"
      "it is proven in the tree whose root the checkpoint signs, with a key of the same JWKS.");
  app.set_version_flag("--version", std::string(yici::version()));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::string jwks_text;
  if (jwks_arg.rfind("http://", 0) == 0) {
    // Read as a file name, it was "cannot read http://…"; and keys fetched in the clear prove nothing.
    std::cerr << "yici-verify: --jwks " << jwks_arg
              << ": only https:// is fetched (keys fetched in the clear prove nothing); give the https URL or a file\n";
    return 2;
  }
  if (jwks_arg.rfind("https://", 0) == 0) {
    auto url = boost::urls::parse_uri(jwks_arg);
    if (!url) return fail("bad JWKS URL");
    const std::string origin = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
    auto client = yici::net::HttpsClient::create(origin, {ca, "", "", std::chrono::seconds(10)});
    if (!client) return fail(client.error().message);
    auto r = (*client)->request("GET", std::string(url->encoded_target()));
    if (!r) return fail("cannot fetch the JWKS: " + r.error().message);
    if (r->status != 200) return fail("cannot fetch the JWKS: HTTP " + std::to_string(r->status));
    jwks_text = r->body;
  } else if (!read_file(jwks_arg, jwks_text)) {
    std::cerr << "yici-verify: cannot read " << jwks_arg << "\n";
    return 2;
  }
  auto jwks = yici::sign::Jwks::parse(jwks_text);
  if (!jwks) return fail("JWKS: " + jwks.error().message);

  std::string content;
  if (!read_file(file, content)) {
    std::cerr << "yici-verify: cannot read " << file << "\n";
    return 2;
  }
  yici::Result<yici::sign::VerifiedJws> verified = yici::Error::internal("unreachable");
  if (!signature_file.empty()) {
    std::string sig;
    if (!read_file(signature_file, sig)) {
      std::cerr << "yici-verify: cannot read " << signature_file << "\n";
      return 2;
    }
    verified = yici::sign::verify_jws(*jwks, trim(sig), content);
  } else {
    verified = yici::sign::verify_jws(*jwks, trim(content));
    if (!verified && trim(content).starts_with("{")) {
      // A saved JSON body alone: its signature travels in the X-Yici-Signature header.
      return fail(verified.error().message +
                  "; FILE looks like a JSON answer body: give its X-Yici-Signature header value with --signature "
                  "FILE (or save the answer with Accept: application/jose, a compact JWS alone)");
    }
  }
  if (!verified) return fail(verified.error().message);
  // A checkpoint is signed with the same keys: without this, a script checking only the exit code
  // would take one for a signed answer.
  if (verified->typ == yici::audit::kCheckpointTyp) {
    return fail(
        "this is a signed audit checkpoint, not an answer: give it with --checkpoint (beside an answer and "
        "its --proof), or check the log against it with yici-ctl audit verify --checkpoint");
  }
  // The hub signs its answers with this typ and nothing else: a token signed by its keys for
  // another use (or none) is not an answer, whatever its payload.
  if (verified->typ != yici::sign::kResponseTyp) {
    return fail("not a hub answer: its typ is " +
                (verified->typ.empty() ? std::string("missing") : "\"" + verified->typ + "\"") + ", not " +
                yici::sign::kResponseTyp);
  }

  // The answer's access in the audit log, under a root the hub signed.
  std::optional<yici::audit::AnswerInclusion> logged;
  std::string checkpoint_kid;
  if (!proof_file.empty()) {
    std::string proof, checkpoint_jws;
    for (const auto& [path, out] : {std::pair{&proof_file, &proof}, std::pair{&checkpoint_file, &checkpoint_jws}}) {
      if (!read_file(*path, *out)) {
        std::cerr << "yici-verify: cannot read " << *path << "\n";
        return 2;
      }
    }
    auto checkpoint = yici::audit::verify_checkpoint(*jwks, trim(checkpoint_jws));
    if (!checkpoint) {
      return fail("checkpoint: " + checkpoint.error().message +
                  " (--checkpoint takes what GET /v1/audit/checkpoint?size=N returns)");
    }
    auto included = yici::audit::verify_answer_inclusion(verified->payload, proof, checkpoint->checkpoint);
    if (!included) return fail(included.error().message);
    logged = *included;
    checkpoint_kid = checkpoint->kid;
  }

  // Signed by the hub but no answer of its: nothing it says about an access can be shown.
  boost::system::error_code ec;
  auto body = boost::json::parse(verified->payload, ec);
  if (ec || !body.is_object() || !body.as_object().contains("requester") || !body.as_object().contains("request_id")) {
    return fail(
        "the signature is good, but what it signs is not a hub answer (a JSON object with requester and "
        "request_id)");
  }
  std::cout << "VERIFIED with key " << verified->kid << (verified->typ.empty() ? "" : " (" + verified->typ + ")")
            << "\n";
  {
    // A bundle names its applicant and matter ({code, name}) where a lookup names its subject.
    for (const char* name : {"subject", "applicant", "matter", "requester", "purpose", "dataset", "issued_at",
                             "request_id", "audit_index"}) {
      const auto* v = body.as_object().if_contains(name);
      if (v == nullptr) continue;
      std::string text = v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
      if (const auto* o = v->if_object(); o != nullptr && o->contains("code") && o->at("code").is_string()) {
        text = std::string(o->at("code").as_string());
        if (const auto* n = o->if_contains("name"); n != nullptr && n->is_string()) {
          text += " (" + std::string(n->as_string()) + ")";
        }
      }
      std::cout << "  " << name << ": " << text << "\n";
    }
  }
  // A retired key still verifies what it signed before the rotation; the hub signs nothing new
  // with it, so an answer from it issued later is not the hub's doing.
  if (jwks->state(verified->kid) == "retired") {
    std::cout << "note: the JWKS marks key " << verified->kid
              << " retired: the hub signs nothing new with it; rely on this answer only if it was issued (issued_at) "
                 "before that key was rotated out\n";
  }
  if (logged) {
    std::cout << "LOGGED as audit entry " << logged->audit_index << " at " << logged->logged_at << " ("
              << logged->outcome << "), proven in the checkpoint of tree size " << logged->tree_size
              << " signed with key " << checkpoint_kid << "\n";
  }
  return 0;
}
