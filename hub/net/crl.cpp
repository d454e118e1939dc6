#include "hub/net/crl.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace yici::net {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

std::string name_text(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return "(unreadable name)";
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string time_text(const ASN1_TIME* t) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || ASN1_TIME_print(out.get(), t) != 1) return "(unreadable time)";
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::int64_t> unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<std::vector<CertPtr>> read_cas(const std::string& client_ca) {
  BioPtr in(BIO_new_file(client_ca.c_str(), "r"));
  if (!in) return Error::io("tls.client_ca " + client_ca + ": cannot open");
  std::vector<CertPtr> cas;
  while (X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) cas.emplace_back(cert);
  ERR_clear_error();  // the loop ends on "no start line"
  return cas;
}

}  // namespace

Result<LoadedCrls> add_crls(X509_STORE* store, const std::string& crl_file, const std::string& client_ca,
                            std::time_t now) {
  const std::string where = "tls.crl_file " + crl_file;
  YICI_TRY(auto cas, read_cas(client_ca));
  BioPtr in(BIO_new_file(crl_file.c_str(), "r"));
  if (!in) return Error::io(where + ": cannot open");
  std::vector<CrlPtr> crls;
  while (X509_CRL* crl = PEM_read_bio_X509_CRL(in.get(), nullptr, nullptr, nullptr)) crls.emplace_back(crl);
  const unsigned long last = ERR_peek_last_error();
  ERR_clear_error();
  if (ERR_GET_REASON(last) != PEM_R_NO_START_LINE && last != 0) {
    return Error::invalid(where + ": CRL " + std::to_string(crls.size() + 1) + " in the file cannot be read");
  }
  if (crls.empty()) return Error::invalid(where + ": holds no PEM CRL (-----BEGIN X509 CRL-----)");

  LoadedCrls loaded;
  std::vector<bool> covered(cas.size(), false);
  for (std::size_t i = 0; i < crls.size(); ++i) {
    X509_CRL* crl = crls[i].get();
    const std::string issuer = name_text(X509_CRL_get_issuer(crl));
    const std::string which = where + ": the CRL of " + issuer;
    bool verified = false;
    for (std::size_t c = 0; c < cas.size() && !verified; ++c) {
      if (X509_NAME_cmp(X509_get_subject_name(cas[c].get()), X509_CRL_get_issuer(crl)) != 0) continue;
      if (X509_CRL_verify(crl, X509_get0_pubkey(cas[c].get())) == 1) {
        verified = true;
        covered[c] = true;
      }
    }
    ERR_clear_error();
    if (!verified) {
      return Error::invalid(which + " is not signed by a CA in tls.client_ca (" + client_ca +
                            "): a CRL counts only from the CA that issued the certificates it revokes");
    }
    if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0) {
      return Error::invalid(which + " is not valid before " + time_text(X509_CRL_get0_lastUpdate(crl)) +
                            " (thisUpdate): check the clocks of the CA and of this machine");
    }
    if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl); next != nullptr) {
      if (X509_cmp_time(next, &now) < 0) {
        return Error::invalid(which + " expired at " + time_text(next) +
                              " (nextUpdate), and every certificate that CA issued would be refused: put its "
                              "current CRL in the file");
      }
      if (const auto t = unix_time(next); t && (!loaded.next_update_unix || *t < *loaded.next_update_unix)) {
        loaded.next_update_unix = *t;
      }
    }
    const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
    loaded.revoked += revoked != nullptr ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
    if (X509_STORE_add_crl(store, crl) != 1) {
      ERR_clear_error();
      return Error::internal(which + ": cannot be added to the certificate store");
    }
    ++loaded.count;
  }
  for (std::size_t c = 0; c < cas.size(); ++c) {
    if (!covered[c]) loaded.cas_without_crl.push_back(name_text(X509_get_subject_name(cas[c].get())));
  }
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return loaded;
}

}  // namespace yici::net
