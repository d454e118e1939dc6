// What every data-handler unit test needs: a real SQLite record store in a temporary directory,
// a rate limiter, the recording signer and in-memory audit log, and LookupServices wired to them.
#pragma once

#include <memory>
#include <string>

#include "hub/api/lookup_services.h"
#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/support/api_fakes.h"
#include "tests/support/temp_dir.h"

namespace yici::test {

struct HandlerFixture {
  TempDir dir;
  std::unique_ptr<store::sqlite::SqliteRecordStore> store =
      store::sqlite::SqliteRecordStore::open(dir.file("r.db")).value();
  access::RateLimiter limiter;
  RecordingSigner signer;
  MemoryAudit audit;
  api::LookupServices services;

  // Subjects are valid when they have 18 characters (the checksum rules have their own tests).
  explicit HandlerFixture(std::shared_ptr<const access::Policy> policy) {
    services.policy = std::move(policy);
    services.records = store.get();
    services.limiter = &limiter;
    services.signer = &signer;
    services.audit = &audit;
    services.datasets = {"population", "legal_entity", "e_license", "credit"};
    services.validate_subject = [](std::string_view, std::string_view subject) -> Status {
      if (subject.size() != 18) return Error::invalid("an ID number or credit code has 18 characters");
      return {};
    };
  }

  void add_record(const std::string& dataset, const std::string& subject, const std::string& source,
                  const std::string& key, const std::string& fields_json, const std::string& status = "valid") {
    store::Record r;
    r.dataset = dataset;
    r.subject = subject;
    r.source = source;
    r.source_key = key;
    r.pulled_at = "2026-11-22T00:00:00Z";
    r.status = status;
    r.fields_json = fields_json;
    if (!store->upsert(std::vector<store::Record>{r}).ok()) throw std::runtime_error("upsert failed");
  }
};

}  // namespace yici::test
