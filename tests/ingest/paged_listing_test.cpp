// Pulls and key reconciliation over a REST listing read in pages while the service changes it: a
// record that changes or goes during the read moves the records behind it up a place, and one of
// them slips past a page boundary unread. A real HTTPS service (the hub's own server code) serves
// the listing, and changes it between two page requests of one read.
#include <functional>
#include <map>
#include <mutex>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "adapters/registry.h"
#include "hub/ingest/pull_job.h"
#include "hub/ingest/reconcile.h"
#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/support/https_service.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace yici::ingest {
namespace {

namespace json = boost::json;

// A population service: persons ordered by update time (gxsj) as many services list them, with
// page/size paging, an updated_since filter and the listing's count (`total`).
class PopulationService {
 public:
  [[nodiscard]] std::string url() const { return server_.base() + "/persons"; }

  void put(const std::string& id, const std::string& name, const std::string& updated) {
    std::lock_guard lock(mutex_);
    persons_[id] = {name, updated};
  }
  void remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    persons_.erase(id);
  }
  // Runs `change` once, right after the next request for page `page` is answered.
  void after_page(int page, std::function<void()> change) {
    std::lock_guard lock(mutex_);
    after_page_[page] = std::move(change);
  }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  struct Person {
    std::string name, updated;
  };

  api::Response handle(api::Request& r) {
    std::function<void()> change;
    std::string body;
    {
      std::lock_guard lock(mutex_);
      ++requests_;
      const std::string since = r.query_param("updated_since") ? *r.query_param("updated_since") : "";
      std::vector<std::pair<std::string, std::string>> order;  // (updated, id)
      for (const auto& [id, p] : persons_) {
        if (p.updated >= since) order.emplace_back(p.updated, id);
      }
      std::sort(order.begin(), order.end());
      const int page = r.query_param("page") ? std::stoi(*r.query_param("page")) : 1;
      const int size = r.query_param("size") ? std::stoi(*r.query_param("size")) : 3;
      json::array items;
      for (int i = (page - 1) * size; i < std::min<int>(page * size, static_cast<int>(order.size())); ++i) {
        const auto& [updated, id] = order[static_cast<std::size_t>(i)];
        items.push_back({{"sfzh", id}, {"xm", persons_.at(id).name}, {"gxsj", updated}});
      }
      body = json::serialize(json::object{{"items", items}, {"total", order.size()}});
      if (auto it = after_page_.find(page); it != after_page_.end()) {
        change = std::move(it->second);
        after_page_.erase(it);
      }
    }
    if (change) change();
    return api::json_response(200, body);
  }

  std::mutex mutex_;
  std::map<std::string, Person> persons_;
  std::map<int, std::function<void()>> after_page_;
  int requests_ = 0;
  test::HttpsService server_{[this](api::Request& r) { return handle(r); }};  // last: stopped first
};

// Takes every row with an 18-character id: the subject is the id, the fields as read.
class PassingNormaliser final : public RowNormaliser {
 public:
  NormalisedRow normalise(const std::vector<std::string>& fields,
                          const std::vector<std::optional<std::string>>& values) override {
    NormalisedRow out;
    json::object o;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (values[i]) o[fields[i]] = *values[i];
    }
    out.ok = o.contains("id_number") && o.at("id_number").as_string().size() == 18;
    if (!out.ok) {
      out.errors_json = R"([{"field":"id_number","code":"bad_length","message":"must be 18 characters"}])";
      return out;
    }
    out.subject = std::string(o.at("id_number").as_string());
    out.fields_json = json::serialize(o);
    return out;
  }
  std::optional<RejectedRowStatus> rejected_row_status(const std::vector<std::string>&,
                                                       const std::vector<std::optional<std::string>>&) override {
    return std::nullopt;
  }
};

std::string person(int n) { return "3301021990010100" + std::string(n < 10 ? "0" : "") + std::to_string(n); }
std::string day(int month, int d) {
  return "2026-0" + std::to_string(month) + "-" + (d < 10 ? "0" : "") + std::to_string(d) + " 08:00:00";
}

struct Fixture {
  test::TempDir dir;
  PopulationService service;
  adapters::AdapterRegistry registry;
  std::unique_ptr<store::sqlite::SqliteRecordStore> store;
  PassingNormaliser normaliser;

  Fixture() {
    adapters::register_builtin_adapters(registry);
    store = store::sqlite::SqliteRecordStore::open(dir.file("records.db")).value();
    for (int n = 1; n <= 10; ++n) service.put(person(n), "居民" + std::to_string(n), day(1, n));
  }

  SourceDefinition source(const std::string& paging_extra = "",
                          const std::string& cursor = "cursor: {column: gxsj}\n") {
    const std::string yaml =
        "id: hz-psb-api\ndepartment: public-security\ndataset: population\n"
        "adapter: {type: rest, url: " +
        service.url() + ", ca: " + test::pki("ca.crt") + ", records: items, paging: {style: page, size: 3" +
        paging_extra +
        "}, cursor_param: updated_since, retries: 0}\n"
        "primary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n" +
        cursor + "reconcile: {every: 24h}\n";
    auto doc = YamlDoc::parse(yaml, "src.yaml").value();
    auto parsed = parse_source_definition(doc, registry);
    REQUIRE(parsed.ok());
    return std::move(*parsed);
  }

  store::PullRun pull(const SourceDefinition& s) {
    auto r = run_pull(s, *store, normaliser, {});
    REQUIRE(r.ok());
    return *r;
  }
  std::optional<std::string> cursor() { return store->load_cursor("hz-psb-api").value(); }
  std::string status_of(int n) {
    auto recs = store->find_by_subject("population", person(n)).value();
    return recs.empty() ? "absent" : recs.front().status;
  }
  std::string name_of(int n) {
    auto recs = store->find_by_subject("population", person(n)).value();
    REQUIRE(recs.size() == 1);
    return std::string(json::parse(recs.front().fields_json).at("name").as_string());
  }
};

TEST_CASE(
    "paged listing: a record updated during the read moves to the end, and the cursor waits for the row "
    "that slipped past") {
  Fixture f;
  const auto s = f.source();
  CHECK(f.pull(s).counts.inserted == 10);
  REQUIRE(f.cursor() == day(1, 10));
  // Six new persons: the next pull lists them in pages of three, oldest change first.
  for (int n = 11; n <= 16; ++n) f.service.put(person(n), "居民" + std::to_string(n), day(2, n - 10));
  // Once page 1 (persons 10, 11, 12: the cursor's own value is read again) is answered, person 11
  // changes name: it moves to the end, the records behind it move up a place, and person 13 is
  // on no page this read asks for.
  f.service.after_page(1, [&] { f.service.put(person(11), "居民十一", day(3, 1)); });
  const auto moved = f.pull(s);
  CHECK(moved.mode == "incremental");
  CHECK(moved.counts.duplicates == 1);  // person 11, read before and after its change
  // In the pull history, for sources show: the listing moved, not a duplicate key at the source.
  REQUIRE(moved.warnings.size() == 1);
  CHECK(moved.warnings[0].starts_with("listing_moved: 1 rows repeated a key read earlier"));
  CHECK(moved.warnings[0].find("the cursor kept") != std::string::npos);
  CHECK(f.status_of(13) == "absent");
  CHECK(f.name_of(11) == "居民十一");
  // Saving the highest value read (March) would hide person 13 (February) for good.
  CHECK(f.cursor() == day(1, 10));
  const auto again = f.pull(s);
  CHECK(again.counts.inserted == 1);
  CHECK(again.warnings.empty());
  CHECK(f.status_of(13) == "valid");
  CHECK(f.cursor() == day(3, 1));
}

TEST_CASE("paged listing: with paging.total, a record deleted during the read is noticed and the cursor waits") {
  Fixture f;
  const auto s = f.source(", total: total");
  f.pull(s);
  for (int n = 11; n <= 16; ++n) f.service.put(person(n), "居民" + std::to_string(n), day(2, n - 10));
  // Person 11 goes once page 1 is answered: nothing is read twice, and only the count shows that
  // person 13 slipped past.
  f.service.after_page(1, [&] { f.service.remove(person(11)); });
  const auto moved = f.pull(s);
  CHECK(moved.counts.duplicates == 0);
  REQUIRE(moved.warnings.size() == 1);
  CHECK(moved.warnings[0].starts_with("listing_moved: "));
  CHECK(moved.warnings[0].find("counted") != std::string::npos);
  CHECK(f.status_of(13) == "absent");
  CHECK(f.cursor() == day(1, 10));
  f.pull(s);
  CHECK(f.status_of(13) == "valid");
  CHECK(f.cursor() == day(2, 6));
  // A quiet service: one read, the cursor moves.
  f.service.put(person(17), "居民17", day(2, 7));
  CHECK(f.pull(s).counts.inserted == 1);
  CHECK(f.cursor() == day(2, 7));

  // Without paging.total the same deletion goes unseen (documented): the cursor moves past the
  // row that slipped.
  Fixture blind;
  const auto b = blind.source();
  blind.pull(b);
  for (int n = 11; n <= 16; ++n) blind.service.put(person(n), "居民" + std::to_string(n), day(2, n - 10));
  blind.service.after_page(1, [&] { blind.service.remove(person(11)); });
  blind.pull(b);
  CHECK(blind.status_of(13) == "absent");
  CHECK(blind.cursor() == day(2, 6));
}

TEST_CASE("paged listing: a full pull whose listing moved keeps the quarantine entries it did not meet") {
  Fixture f;
  const auto s = f.source("", "");  // no cursor: every pull reads the whole listing
  // A row with a short ID, listed between persons 3 and 4: quarantined.
  f.service.put("33010219900101", "短号", "2026-01-03 12:00:00");
  CHECK(f.pull(s).counts.quarantined == 1);
  REQUIRE(f.store->list_quarantine("hz-psb-api", 0, 10).value().size() == 1);
  // Person 2 changes once page 1 (1, 2, 3) is answered and moves to the end: the short-ID row
  // moves up onto page 1 and this read misses it. It is still there to fix.
  f.service.after_page(1, [&] { f.service.put(person(2), "居民二", day(3, 1)); });
  const auto moved = f.pull(s);
  CHECK(moved.mode == "full");
  CHECK(moved.counts.duplicates == 1);
  CHECK(moved.counts.quarantined == 0);
  CHECK(f.store->list_quarantine("hz-psb-api", 0, 10).value().size() == 1);
  // A quiet read meets it again; once fixed at the source, a quiet read drops it.
  CHECK(f.pull(s).counts.quarantined == 1);
  f.service.remove("33010219900101");
  f.pull(s);
  CHECK(f.store->list_quarantine("hz-psb-api", 0, 10).value().empty());
}

TEST_CASE("paged listing: a key that slips past one listing is not withdrawn, but one missing from two listings is") {
  Fixture f;
  const auto s = f.source();
  f.pull(s);
  f.service.remove(person(5));  // gone for good
  // Once page 1 of the key listing (persons 1, 2, 3) is answered, person 2 changes and moves to
  // the end: person 4 moves up onto page 1, which was read already, and this listing misses it.
  f.service.after_page(1, [&] { f.service.put(person(2), "居民二", day(3, 1)); });
  const int before = f.service.requests();
  auto withdrawn = reconcile_keys(s, *f.store);
  REQUIRE(withdrawn.ok());
  CHECK(*withdrawn == 1);
  CHECK(f.status_of(5) == "withdrawn");
  CHECK(f.status_of(4) == "valid");           // in the second listing
  CHECK(f.service.requests() - before == 8);  // two listings of 3 + 3 + 3 keys and an empty page
  // Nothing gone: one listing, nothing withdrawn.
  const int quiet = f.service.requests();
  CHECK(reconcile_keys(s, *f.store).value() == 0);
  CHECK(f.service.requests() - quiet == 4);
  for (int n : {1, 2, 3, 4, 6, 7, 8, 9, 10}) CHECK(f.status_of(n) == "valid");
}

}  // namespace
}  // namespace yici::ingest
