#include "tools/yici-ctl/client_cert_check.h"

#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace yici::ctl {
namespace {

// An ASN.1 time as OpenSSL prints it ("Feb  1 00:00:00 2020 GMT").
std::string printed(const ASN1_TIME* t) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || ASN1_TIME_print(bio.get(), t) != 1) return "?";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : "?";
}

}  // namespace

std::optional<std::string> client_certificate_problem(const std::string& path) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> file(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!file) return std::nullopt;
  const std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr),
                                                         &X509_free);
  if (!cert) return std::nullopt;
  const ASN1_TIME* not_after = X509_get0_notAfter(cert.get());
  const ASN1_TIME* not_before = X509_get0_notBefore(cert.get());
  if (X509_cmp_current_time(not_after) < 0) {
    return "your client certificate " + path + " expired on " + printed(not_after) +
           ": the hub refuses it; ask the hub's operator for a new one";
  }
  if (X509_cmp_current_time(not_before) > 0) {
    return "your client certificate " + path + " is not valid until " + printed(not_before) +
           ": the hub refuses it until then; check this machine's clock";
  }
  return std::nullopt;
}

}  // namespace yici::ctl
