#include "hub/net/crl.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

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
struct IdpFree {
  void operator()(ISSUING_DIST_POINT* p) const { ISSUING_DIST_POINT_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

std::string bio_text(BIO* out) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return "(unreadable name)";
  return bio_text(out.get());
}

std::string time_text(const ASN1_TIME* t) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || ASN1_TIME_print(out.get(), t) != 1) return "(unreadable time)";
  return bio_text(out.get());
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
  while (X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
    // The same certificate twice in the bundle is one CA, with one CRL.
    const bool seen =
        std::any_of(cas.begin(), cas.end(), [&](const CertPtr& c) { return X509_cmp(c.get(), cert) == 0; });
    if (seen)
      X509_free(cert);
    else
      cas.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return cas;
}

// The names of a CRL's issuing distribution point ("URI:http://ca.example/c.crl"), or empty when
// it names none.
std::string distribution_point_text(const ISSUING_DIST_POINT& idp) {
  if (idp.distpoint == nullptr) return {};
  if (idp.distpoint->type != 0) return "(a name relative to the CRL issuer)";
  BioPtr out(BIO_new(BIO_s_mem()));
  const GENERAL_NAMES* names = idp.distpoint->name.fullname;
  for (int i = 0; out && i < sk_GENERAL_NAME_num(names); ++i) {
    if (i > 0) BIO_puts(out.get(), ", ");
    GENERAL_NAME_print(out.get(), sk_GENERAL_NAME_value(names, i));
  }
  return out ? bio_text(out.get()) : std::string("(unreadable name)");
}

// Why OpenSSL could not use this CRL as the complete list of its CA's revocations, or empty. A CRL
// it cannot use refuses every certificate of the CA; a delta CRL or one limited by its issuing
// distribution point to some certificates or reasons covers only part of them, and OpenSSL would
// take a delta for a complete list. A distribution point name alone is kept: it is how many CAs
// publish, and OpenSSL applies the CRL to the certificates that name the same point (in their CRL
// distribution points) and refuses the others, which add_crls reports in LoadedCrls::scoped.
std::string unusable(X509_CRL* crl, std::string& scope) {
  if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
    return "is a delta CRL (it lists only changes since a base CRL): give the CA's complete CRL";
  }
  int critical = 0;
  std::unique_ptr<ISSUING_DIST_POINT, IdpFree> idp(
      static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &critical, nullptr)));
  if (critical == -2) return "has more than one issuing distribution point extension";
  if (idp && (idp->onlyuser != 0 || idp->onlyCA != 0 || idp->onlyattr != 0 || idp->indirectCRL != 0 ||
              idp->onlysomereasons != nullptr)) {
    return "covers only part of its CA's certificates or reasons (issuing distribution point): give the CA's "
           "complete CRL";
  }
  if (!idp && X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >= 0) {
    return "has an issuing distribution point extension that cannot be read";
  }
  if (idp) scope = distribution_point_text(*idp);
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (X509_EXTENSION_get_critical(ext) != 0 && nid != NID_issuing_distribution_point) {
      char oid[80];
      OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
      return "has a critical extension the hub cannot check (" + std::string(oid) + ")";
    }
  }
  return {};
}

// Entries that revoke, as OpenSSL reads them: removeFromCRL entries (of delta CRLs) let a
// certificate in.
std::size_t revoked_entries(X509_CRL* crl) {
  const STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl);
  std::size_t count = 0;
  for (int i = 0; entries != nullptr && i < sk_X509_REVOKED_num(entries); ++i) {
    int critical = 0;
    std::unique_ptr<ASN1_ENUMERATED, decltype(&ASN1_ENUMERATED_free)> reason(
        static_cast<ASN1_ENUMERATED*>(
            X509_REVOKED_get_ext_d2i(sk_X509_REVOKED_value(entries, i), NID_crl_reason, &critical, nullptr)),
        ASN1_ENUMERATED_free);
    if (!reason || ASN1_ENUMERATED_get(reason.get()) != CRL_REASON_REMOVE_FROM_CRL) ++count;
  }
  return count;
}

// The names of the file's PEM blocks other than CRLs ("CERTIFICATE", "PRIVATE KEY"): OpenSSL's
// CRL reader skips them without a word.
std::vector<std::string> other_blocks(const std::string& path) {
  BioPtr in(BIO_new_file(path.c_str(), "r"));
  std::vector<std::string> names;
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  while (in && PEM_read_bio(in.get(), &name, &header, &data, &len) == 1) {
    if (std::string_view(name) != PEM_STRING_X509_CRL) names.emplace_back(name);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();
  return names;
}

}  // namespace

int crl_verify_callback(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  const int error = X509_STORE_CTX_get_error(ctx);
  if (error != X509_V_ERR_DIFFERENT_CRL_SCOPE && error != X509_V_ERR_UNABLE_TO_GET_CRL) return ok;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  const int depth = X509_STORE_CTX_get_error_depth(ctx);
  // The top of the chain, taken from the store (the certificates below num_untrusted came from
  // the peer), and self-signed: a root of client_ca.
  if (chain == nullptr || depth != sk_X509_num(chain) - 1 || depth < X509_STORE_CTX_get_num_untrusted(ctx)) {
    return ok;
  }
  X509* top = sk_X509_value(chain, depth);
  if (X509_self_signed(top, 0) != 1) return ok;
  X509_STORE_CTX_set_error(ctx, X509_V_OK);
  return 1;
}

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
  if (const auto others = other_blocks(crl_file); !others.empty()) {
    return Error::invalid(where + " holds a " + others.front() +
                          " block: keep the file to CRLs alone (CRL files are often readable by all, and a "
                          "private key there is a leaked key)");
  }

  LoadedCrls loaded;
  std::vector<std::size_t> crl_of(cas.size(), crls.size());  // index of each CA's CRL; crls.size(): none
  for (std::size_t i = 0; i < crls.size(); ++i) {
    X509_CRL* crl = crls[i].get();
    const std::string issuer = name_text(X509_CRL_get_issuer(crl));
    const std::string which = where + ": the CRL of " + issuer;
    std::size_t signer = cas.size();
    std::size_t same_name = 0;
    for (std::size_t c = 0; c < cas.size(); ++c) {
      if (X509_NAME_cmp(X509_get_subject_name(cas[c].get()), X509_CRL_get_issuer(crl)) != 0) continue;
      ++same_name;
      if (signer == cas.size() && X509_CRL_verify(crl, X509_get0_pubkey(cas[c].get())) == 1) signer = c;
    }
    ERR_clear_error();
    if (same_name == 0) {
      return Error::invalid(which + ": no CA of that name is in tls.client_ca (" + client_ca +
                            "). With tls.crl_file set, client_ca must hold every CA of a client's chain, "
                            "intermediates included, each with its CRL here");
    }
    if (signer == cas.size()) {
      return Error::invalid(which + " is not signed by the CA of that name in tls.client_ca (" + client_ca +
                            "): a forged CRL, or one from another CA of the same name");
    }
    if (same_name > 1 && X509_CRL_get_ext_by_NID(crl, NID_authority_key_identifier, -1) < 0) {
      // OpenSSL picks a CRL by issuer name, then by key identifier: without one it may check a
      // certificate against the other CA's CRL, and refuse it (signature failure).
      return Error::invalid(which + ": tls.client_ca holds " + std::to_string(same_name) +
                            " CAs of that name (a CA rollover?), and this CRL names no authority key identifier "
                            "to tell which it is from: have the CA add one (openssl ca: crl_extensions with "
                            "authorityKeyIdentifier=keyid)");
    }
    if (crl_of[signer] != crls.size()) {
      // OpenSSL takes the newest current CRL and, once that one expires, falls back to an older
      // current one, which may not list a certificate revoked since: one CRL per CA.
      return Error::invalid(where + " holds more than one CRL of " + issuer + " (CRLs " +
                            std::to_string(crl_of[signer] + 1) + " and " + std::to_string(i + 1) +
                            " in the file): keep only the newest");
    }
    std::string scope;
    if (const std::string why = unusable(crl, scope); !why.empty()) return Error::invalid(which + " " + why);
    if (!scope.empty()) loaded.scoped.push_back(issuer + ": " + scope);
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
    crl_of[signer] = i;
    loaded.revoked += revoked_entries(crl);
  }
  for (std::size_t c = 0; c < cas.size(); ++c) {
    if (crl_of[c] != crls.size()) continue;
    // Every CA of a chain is checked, so a CA without its CRL would refuse every certificate
    // issued under it: said now rather than by every department's failed handshake.
    return Error::invalid(where + " holds no CRL of " + name_text(X509_get_subject_name(cas[c].get())) +
                          ", a CA in tls.client_ca: every certificate issued under it would be refused. Add that "
                          "CA's CRL (a CA that has revoked nothing issues an empty one), or take the CA out of "
                          "client_ca");
  }
  for (const auto& crl : crls) {
    if (X509_STORE_add_crl(store, crl.get()) != 1) {
      ERR_clear_error();
      return Error::internal(where + ": a CRL cannot be added to the certificate store");
    }
    ++loaded.count;
  }
  // Every certificate of a chain, not only the client's own: a revoked intermediate CA revokes
  // what it issued.
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_STORE_set_verify_cb(store, crl_verify_callback);
  return loaded;
}

}  // namespace yici::net
