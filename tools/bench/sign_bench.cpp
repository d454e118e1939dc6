// yici-bench-sign: detached ES256 signatures per second with the hub's own signer (the key ring
// and ResponseSigner the hub uses), one thread, over a body the size of a typical lookup answer.
// Prints one JSON object for tools/bench/run.py, beside which `openssl speed ecdsap256` runs.
#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "hub/hub.h"
#include "hub/sign/response_signer.h"

int main(int argc, char** argv) {
  CLI::App app{"yici-bench-sign: the hub's ES256 signer alone, one thread"};
  std::string key;
  double seconds = 3;
  std::size_t body_bytes = 1024;
  app.add_option("--key", key, "EC P-256 private key (PKCS#8 PEM)")->required();
  app.add_option("--seconds", seconds, "how long to sign")->capture_default_str();
  app.add_option("--body-bytes", body_bytes, "size of the signed body")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto ring = yici::load_key_ring({{key, "active"}});
  if (!ring) {
    std::fprintf(stderr, "yici-bench-sign: %s\n", ring.error().message.c_str());
    return 1;
  }
  yici::sign::ResponseSigner signer(std::move(*ring));
  std::string body = R"({"request_id":"bench","records":[{"fields":{"name":")";
  while (body.size() + 4 < body_bytes) body += 'x';
  body += R"("}}]})";
  std::size_t n = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 100; ++i) {
      body[20] = static_cast<char>('a' + (n % 26));  // a different body each time
      auto jws = signer.sign_detached(body);
      if (!jws) {
        std::fprintf(stderr, "yici-bench-sign: %s\n", jws.error().message.c_str());
        return 1;
      }
      bytes += jws->size();
      ++n;
    }
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"signs_per_s\":%.1f,\"signatures\":%zu,\"body_bytes\":%zu,\"jws_bytes\":%zu}\n",
              static_cast<double>(n) / elapsed, n, body.size(), n ? bytes / n : 0);
  return 0;
}
