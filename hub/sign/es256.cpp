// EC_KEY and ECDSA_do_sign are deprecated in OpenSSL 3 but kept for its lifetime; see es256.h.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hub/sign/es256.h"

#include <cstdio>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "hub/core/sha256.h"
#include "hub/sign/base64url.h"

namespace yici::sign {
namespace {

struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};

std::string pad32(const BIGNUM* bn) {
  std::string out(32, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
  return out;
}

}  // namespace

Es256Key::~Es256Key() {
  EC_KEY_free(ec_);
  EVP_PKEY_free(pkey_);
}

Status Es256Key::fill_public_xy() {
  char group[64] = {0};
  if (EVP_PKEY_get_utf8_string_param(pkey_, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) != 1 ||
      std::string_view(group) != "prime256v1") {
    return Error::invalid("not an EC P-256 key (ES256 needs P-256)");
  }
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  if (EVP_PKEY_get_bn_param(pkey_, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
      EVP_PKEY_get_bn_param(pkey_, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
    BN_free(x);
    BN_free(y);
    return Error::invalid("cannot read the EC public point");
  }
  x_ = pad32(x);
  y_ = pad32(y);
  BN_free(x);
  BN_free(y);
  return {};
}

Result<std::shared_ptr<const Es256Key>> Es256Key::load_private_pem(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Error::io(path + ": cannot open signing key");
  EVP_PKEY* pkey = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (pkey == nullptr) return Error::invalid(path + ": not a PEM private key");
  std::shared_ptr<Es256Key> key(new Es256Key());
  key->pkey_ = pkey;
  key->has_private_ = true;
  if (auto st = key->fill_public_xy(); !st.ok()) return Error::invalid(path + ": " + st.error().message);
  key->ec_ = EVP_PKEY_get1_EC_KEY(pkey);
  if (key->ec_ == nullptr || EC_KEY_check_key(key->ec_) != 1) {
    return Error::invalid(path + ": the EC private key does not match its public point");
  }
  return std::shared_ptr<const Es256Key>(std::move(key));
}

Result<std::shared_ptr<const Es256Key>> Es256Key::from_public_xy(std::string_view x, std::string_view y) {
  if (x.size() != 32 || y.size() != 32) return Error::invalid("EC P-256 coordinates must be 32 bytes each");
  std::string point = "\x04" + std::string(x) + std::string(y);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* pkey = nullptr;
  const bool ok = ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok || pkey == nullptr) return Error::invalid("not a point on P-256");
  // Reject points not on the curve (fromdata does not always check).
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  const bool on_curve = check != nullptr && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!on_curve) {
    EVP_PKEY_free(pkey);
    return Error::invalid("not a point on P-256");
  }
  std::shared_ptr<Es256Key> key(new Es256Key());
  key->pkey_ = pkey;
  key->x_ = std::string(x);
  key->y_ = std::string(y);
  return std::shared_ptr<const Es256Key>(std::move(key));
}

Result<std::string> Es256Key::sign(std::string_view data) const {
  if (!has_private_ || ec_ == nullptr) return Error::invalid("public key cannot sign");
  const Sha256Digest digest = sha256(data);
  ECDSA_SIG* sig = ECDSA_do_sign(digest.data(), static_cast<int>(digest.size()), ec_);
  if (sig == nullptr) return Error::internal("ES256 sign failed");
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const bool ok =
      BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) return Error::internal("ES256: signature value out of range");
  return raw;
}

bool Es256Key::verify(std::string_view data, std::string_view raw) const {
  if (raw.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return false;
  MdCtx md;
  const bool ok = EVP_DigestVerifyInit(md.ctx, nullptr, EVP_sha256(), nullptr, pkey_) == 1 &&
                  EVP_DigestVerify(md.ctx, der, static_cast<std::size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

std::string Es256Key::thumbprint() const {
  // RFC 7638 §3.2: required members in lexicographic order, no white space.
  const std::string jwk =
      R"({"crv":"P-256","kty":"EC","x":")" + base64url_encode(x_) + R"(","y":")" + base64url_encode(y_) + R"("})";
  const auto digest = sha256(jwk);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace yici::sign
