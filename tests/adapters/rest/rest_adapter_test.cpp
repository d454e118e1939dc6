#include "adapters/rest/rest_adapter.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "tests/support/https_service.h"
#include "tests/support/hub_process.h"
#include "tests/support/read_rows.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace yici::adapters::rest {
namespace {

// A department's credit REST service: a real HTTPS server (the hub's own server code with a
// handler of this test's), serving 23 records in pages, with a bearer token.
class CreditService {
 public:
  std::atomic<int> failures_left{0};  // answer 503 (Retry-After: 0) this many times first
  std::atomic<int> requests{0};
  std::string last_target;
  // /api/counted: once this page is served, the listing's first record goes (a deletion at the
  // service while a pull reads it); 0: never.
  std::atomic<int> drop_first_after_page{0};

  [[nodiscard]] std::string base() const { return server_.base(); }

 private:
  api::Response handle(api::Request& r) {
    ++requests;
    last_target = r.target;
    const std::string* auth = r.header("authorization");
    if (auth == nullptr || *auth != "Bearer good-token") return api::error_response(401, "unauthorized", "bad token");
    if (failures_left > 0) {
      --failures_left;
      auto resp = api::error_response(503, "busy", "try later");
      resp.headers.emplace_back("Retry-After", "0");
      return resp;
    }
    std::string since = r.query_param("updated_since") ? *r.query_param("updated_since") : "";
    boost::json::array selected;
    for (const auto& item : items_) {
      if (since.empty() || std::string(item.at("gxsj").as_string()) >= since) selected.push_back(item);
    }
    if (r.path == "/api/credit" || r.path == "/api/capped") {
      const int page = r.query_param("page") ? std::stoi(*r.query_param("page")) : 1;
      int size = r.query_param("size") ? std::stoi(*r.query_param("size")) : 10;
      if (r.path == "/api/capped") size = std::min(size, 4);  // answers at most 4 per page, whatever is asked
      boost::json::array slice;
      for (int i = (page - 1) * size; i < std::min<int>(page * size, static_cast<int>(selected.size())); ++i) {
        slice.push_back(selected[static_cast<std::size_t>(i)]);
      }
      return api::json_response(200, boost::json::serialize(boost::json::object{{"data", {{"items", slice}}}}));
    }
    if (r.path == "/api/counted" || r.path == "/api/counted_text" || r.path == "/api/overcounted") {
      // Page/size paging with the listing's count beside the records: a number, a number in a
      // string, or one more than the service lists.
      const int page = r.query_param("page") ? std::stoi(*r.query_param("page")) : 1;
      const int size = r.query_param("size") ? std::stoi(*r.query_param("size")) : 10;
      boost::json::array slice;
      for (int i = (page - 1) * size; i < std::min<int>(page * size, static_cast<int>(selected.size())); ++i) {
        slice.push_back(selected[static_cast<std::size_t>(i)]);
      }
      const auto count = static_cast<std::int64_t>(selected.size()) + (r.path == "/api/overcounted" ? 1 : 0);
      boost::json::value total = count;
      if (r.path == "/api/counted_text") total = std::to_string(count);
      if (page == drop_first_after_page) {
        items_.erase(items_.begin());
        drop_first_after_page = 0;
      }
      return api::json_response(
          200, boost::json::serialize(boost::json::object{{"data", {{"items", slice}}}, {"total", total}}));
    }
    if (r.path == "/api/samepage") {  // ignores ?page=: always the first 10
      boost::json::array slice;
      for (std::size_t i = 0; i < 10; ++i) slice.push_back(selected[i]);
      return api::json_response(200, boost::json::serialize(boost::json::object{{"data", {{"items", slice}}}}));
    }
    if (r.path == "/api/linked" || r.path == "/api/loop") {
      const int offset = r.query_param("offset") ? std::stoi(*r.query_param("offset")) : 0;
      boost::json::array slice;
      for (int i = offset; i < std::min<int>(offset + 10, static_cast<int>(selected.size())); ++i) {
        slice.push_back(selected[static_cast<std::size_t>(i)]);
      }
      boost::json::object body{{"items", slice}};
      if (offset + 10 < static_cast<int>(selected.size())) {
        body["next"] = r.path + "?offset=" + std::to_string(offset + 10);
      } else {
        body["next"] = r.path == "/api/loop" ? boost::json::value("/api/loop?offset=0") : boost::json::value(nullptr);
      }
      return api::json_response(200, boost::json::serialize(body));
    }
    if (r.path.starts_with("/api/offsite_")) {
      // A next link that names the service's own host but another port, another scheme, or the
      // same origin spelt out in full (followed).
      const std::string host = r.header("host") != nullptr ? *r.header("host") : "";
      const std::string name = host.substr(0, host.rfind(':'));
      std::string next = "https://" + host + "/api/linked?offset=10";
      if (r.path == "/api/offsite_port") next = "https://" + name + ":1/api/linked?offset=10";
      if (r.path == "/api/offsite_http") next = "http://" + host + "/api/linked?offset=10";
      if (r.path == "/api/offsite_default") next = "https://" + name + "/api/linked?offset=10";  // port 443
      boost::json::array slice;
      for (std::size_t i = 0; i < 10; ++i) slice.push_back(selected[i]);
      return api::json_response(200, boost::json::serialize(boost::json::object{{"items", slice}, {"next", next}}));
    }
    if (r.path == "/api/twice") {  // the second record names its category twice
      return api::json_response(200, R"({"items":[{"tyshxydm":"91330100MA21000001","lb":"red"},)"
                                     R"({"tyshxydm":"91330100MA21000002","lb":"red","lb":"black"}]})");
    }
    if (r.path == "/api/broken") return api::json_response(200, R"({"items":[{"tyshxydm":)");
    if (r.path.starts_with("/api/gbk")) {
      // 红名单 in GBK: declared in the Content-Type, not declared, or declared and cut short.
      api::Response page = api::json_response(
          200, r.path == "/api/gbk_cut"
                   ? "{\"items\":[{\"tyshxydm\":\"91330100MA21000001\",\"lb\":\"\xBA\xEC\xC3\"}]}"
                   : "{\"items\":[{\"tyshxydm\":\"91330100MA21000001\",\"lb\":\"\xBA\xEC\xC3\xFB\xB5\xA5\"}]}");
      if (r.path != "/api/gbk_undeclared") page.content_type = "application/json; charset=GBK";
      return page;
    }
    if (r.path == "/api/utf8") {  // 红名单 in UTF-8, no charset said
      return api::json_response(200, R"({"items":[{"tyshxydm":"91330100MA21000001","lb":"红名单"}]})");
    }
    if (r.path == "/api/html") {  // a gateway's login page, answered 200
      api::Response page = api::json_response(200, "<html><body>请登录</body></html>");
      page.content_type = "text/html; charset=utf-8";
      return page;
    }
    return api::error_response(404, "not_found", "no such path");
  }

  static boost::json::array make_items() {
    boost::json::array items;
    for (int i = 1; i <= 23; ++i) {
      boost::json::object o;
      o["tyshxydm"] = "91330100MA2" + std::to_string(1000000 + i);
      o["lb"] = i % 5 == 0 ? "black" : "red";
      o["gxsj"] = "2026-01-" + std::string(i < 10 ? "0" : "") + std::to_string(i) + " 08:00:00";
      o["amount"] = i * 1.5;
      o["note"] = nullptr;
      items.push_back(o);
    }
    return items;
  }

  boost::json::array items_ = make_items();                                   // before the server starts
  test::HttpsService server_{[this](api::Request& r) { return handle(r); }};  // last: stopped first
};

struct Fixture {
  test::TempDir dir;
  CreditService service;
  Fixture() { dir.write("token", "good-token\n"); }

  Result<std::unique_ptr<Adapter>> adapter(const std::string& extra, const std::string& path = "/api/credit") {
    const std::string yaml = "type: rest\nurl: " + service.base() + path + "\nca: " + test::pki("ca.crt") +
                             "\ntoken_file: " + dir.file("token") + "\ntimeout: 5s\n" + extra;
    auto doc = YamlDoc::parse(yaml, "credit.yaml");
    if (!doc) return doc.take_error();
    RestAdapterFactory factory;
    return factory.create(*doc, doc->root());
  }
};

ReadRequest credit_request() {
  ReadRequest req;
  req.columns = {"tyshxydm", "lb", "gxsj", "amount", "note"};
  req.primary_key = {"tyshxydm"};
  return req;
}

Result<std::vector<Row>> read_all(Adapter& a, const ReadRequest& req) { return test::read_rows(a, req); }

TEST_CASE("rest adapter: page/size paging reads every record once, with JSON values as text") {
  Fixture f;
  auto a = f.adapter("records: data.items\npaging: {style: page, size: 5}\n");
  REQUIRE(a.ok());
  auto rows = read_all(**a, credit_request());
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 23);
  CHECK((*rows)[0].key == "91330100MA21000001");
  CHECK((*rows)[22].key == "91330100MA21000023");
  CHECK((*rows)[1].values[3] == "3E0");  // 2 * 1.5 as Boost.JSON prints it
  CHECK_FALSE((*rows)[0].values[4].has_value());
  CHECK(f.service.requests == 5);  // 5 + 5 + 5 + 5 + 3: the short page ends it
}

TEST_CASE("rest adapter: a service that answers fewer records per page than asked is read to its end") {
  Fixture f;
  // Asked for 50, answered 4 per page: every page is short. The read goes on to the empty page.
  auto capped = f.adapter("records: data.items\npaging: {style: page, size: 50}\n", "/api/capped");
  REQUIRE(capped.ok());
  auto rows = read_all(**capped, credit_request());
  REQUIRE(rows.ok());
  CHECK(rows->size() == 23);
  CHECK((*rows)[22].key == "91330100MA21000023");
  CHECK(f.service.requests == 6);  // 4 × 5 + 3: the page shorter than the ones before ends it
  // All of it on a first page shorter than asked: one more request, for the empty page.
  f.service.requests = 0;
  auto one_page = f.adapter("records: data.items\npaging: {style: page, size: 50}\n");
  REQUIRE(one_page.ok());
  rows = read_all(**one_page, credit_request());
  REQUIRE(rows.ok());
  CHECK(rows->size() == 23);
  CHECK(f.service.requests == 2);
}

TEST_CASE("rest adapter: next-link paging and incremental cursor parameter") {
  Fixture f;
  auto a = f.adapter("records: items\npaging: {style: next, next: next}\ncursor_param: updated_since\n", "/api/linked");
  REQUIRE(a.ok());
  auto all = read_all(**a, credit_request());
  if (!all.ok()) FAIL(all.error().message);
  CHECK(all->size() == 23);
  auto req = credit_request();
  req.cursor_column = "gxsj";
  req.cursor_from = "2026-01-20 08:00:00";
  auto recent = read_all(**a, req);
  REQUIRE(recent.ok());
  CHECK(recent->size() == 4);
  CHECK(f.service.last_target.find("updated_since=2026-01-20") != std::string::npos);
  CHECK_FALSE((*a)->ordered_by_cursor());
}

TEST_CASE("rest adapter: a next link to another port or scheme is an error naming it, the same origin is followed") {
  Fixture f;
  const std::string paging = "records: items\npaging: {style: next, next: next}\n";
  auto same = f.adapter(paging, "/api/offsite_same");
  auto rows = read_all(**same, credit_request());
  if (!rows.ok()) FAIL(rows.error().message);
  CHECK(rows->size() == 23);
  for (const char* path : {"/api/offsite_port", "/api/offsite_http", "/api/offsite_default"}) {
    CAPTURE(path);
    f.service.requests = 0;
    auto elsewhere = f.adapter(paging, path);
    rows = read_all(**elsewhere, credit_request());
    REQUIRE_FALSE(rows.ok());
    INFO(rows.error().message);
    CHECK(rows.error().message.find("the next link of page 1 ") != std::string::npos);
    CHECK(rows.error().message.find(std::string(path) == "/api/offsite_http"
                                        ? "leaves HTTPS"
                                        : "points to another host or port") != std::string::npos);
    CHECK(rows.error().message.find("the hub follows links on " + f.service.base() + " only") != std::string::npos);
    CHECK(f.service.requests == 1);  // nothing asked of the other place
  }
}

TEST_CASE("rest adapter: a paging loop is an error after one round, not max_pages requests") {
  Fixture f;
  auto looping = f.adapter("records: items\npaging: {style: next, next: next}\n", "/api/loop?offset=0");
  REQUIRE(looping.ok());
  auto rows = read_all(**looping, credit_request());
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("goes back to a page already read (/api/loop?offset=0)") != std::string::npos);
  CHECK(f.service.requests == 3);
  f.service.requests = 0;
  auto same = f.adapter("records: data.items\npaging: {style: page, size: 10}\n", "/api/samepage");
  REQUIRE(same.ok());
  rows = read_all(**same, credit_request());
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("page 2 repeats the page before it") != std::string::npos);
  CHECK(f.service.requests == 2);
}

// Reads every row and asks the reader at the end whether the listing moved during the read.
struct ReadWithMove {
  std::vector<std::string> keys;
  std::optional<std::string> moved;
};
Result<ReadWithMove> read_watching(Adapter& a) {
  YICI_TRY(auto reader, a.read(credit_request()));
  ReadWithMove out;
  Row row;
  while (true) {
    YICI_TRY(bool more, reader->next(row));
    if (!more) break;
    out.keys.push_back(row.key);
  }
  out.moved = reader->listing_moved();
  return out;
}

TEST_CASE("rest adapter: a paged listing is not a snapshot, and paging.total tells when it moved during a read") {
  Fixture f;
  auto unpaged = f.adapter("records: items\npaging: {style: none}\n", "/api/twice");
  REQUIRE(unpaged.ok());
  CHECK((*unpaged)->listing_is_snapshot());
  auto plain = f.adapter("records: data.items\npaging: {style: page, size: 5}\n");
  REQUIRE(plain.ok());
  CHECK_FALSE((*plain)->listing_is_snapshot());

  const std::string counted = "records: data.items\npaging: {style: page, size: 5, total: total}\n";
  auto a = f.adapter(counted, "/api/counted");
  REQUIRE(a.ok());
  auto still = read_watching(**a);
  REQUIRE(still.ok());
  CHECK(still->keys.size() == 23);
  CHECK_FALSE(still->moved.has_value());
  auto text = f.adapter(counted, "/api/counted_text");
  REQUIRE(text.ok());
  auto still_text = read_watching(**text);
  REQUIRE(still_text.ok());
  CHECK_FALSE(still_text->moved.has_value());

  // The first record goes once page 1 is read: every record moves up a place, and the sixth,
  // now fifth, is on no page this read asks for. The count says so.
  f.service.drop_first_after_page = 1;
  auto moved = read_watching(**a);
  REQUIRE(moved.ok());
  CHECK(moved->keys.size() == 22);
  CHECK(std::find(moved->keys.begin(), moved->keys.end(), "91330100MA21000006") == moved->keys.end());
  REQUIRE(moved->moved.has_value());
  CHECK(*moved->moved == "the service counted 23 records at page 1 and 22 at page 2");
  // Without paging.total the same read looks complete: nothing to tell it by. (The listing is
  // records 2 to 23 now; record 2 goes after page 1 and record 7 is skipped.)
  auto uncounted = f.adapter("records: data.items\npaging: {style: page, size: 5}\n", "/api/counted");
  REQUIRE(uncounted.ok());
  f.service.drop_first_after_page = 1;
  auto blind = read_watching(**uncounted);
  REQUIRE(blind.ok());
  CHECK(blind->keys.size() == 21);
  CHECK(std::find(blind->keys.begin(), blind->keys.end(), "91330100MA21000007") == blind->keys.end());
  CHECK_FALSE(blind->moved.has_value());

  // Fewer records read than the service counts.
  auto over = f.adapter(counted, "/api/overcounted");
  REQUIRE(over.ok());
  auto short_read = read_watching(**over);
  REQUIRE(short_read.ok());
  REQUIRE(short_read->moved.has_value());
  CHECK(*short_read->moved == "read 21 records of the 22 the service counts (total)");

  // A page without the count named is an error naming the path, not a read taken as still.
  auto missing = f.adapter("records: data.items\npaging: {style: page, size: 5, total: data.total}\n");
  REQUIRE(missing.ok());
  auto no_count = read_watching(**missing);
  REQUIRE_FALSE(no_count.ok());
  CHECK(no_count.error().message.find("page 1 has no count at paging.total \"data.total\"") != std::string::npos);
}

TEST_CASE("rest adapter: 503 with Retry-After is retried, a bad token is an error naming the status") {
  Fixture f;
  f.service.failures_left = 2;
  auto a = f.adapter("records: data.items\npaging: {style: page, size: 50}\nretries: 3\n");
  REQUIRE(a.ok());
  auto rows = read_all(**a, credit_request());
  REQUIRE(rows.ok());
  CHECK(rows->size() == 23);

  f.service.failures_left = 10;
  auto gives_up = f.adapter("records: data.items\npaging: {style: page, size: 50}\nretries: 1\n");
  auto r = read_all(**gives_up, credit_request());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.find("giving up after 2 attempts") != std::string::npos);

  f.service.failures_left = 0;
  f.dir.write("token", "stolen-token\n");
  auto denied = read_all(**a, credit_request());
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().message.find("HTTP 401") != std::string::npos);
  CHECK(denied.error().message.find("stolen-token") == std::string::npos);
}

TEST_CASE("rest adapter: a record naming a member twice, or a page that is not JSON, fails the pull with the reason") {
  Fixture f;
  // Which of "red" and "black" the department meant is unknowable: the page is refused, not read
  // with the last value (as Boost.JSON would) or the first (as other readers do).
  auto twice = f.adapter("records: items\npaging: {style: none}\n", "/api/twice");
  REQUIRE(twice.ok());
  auto rows = read_all(**twice, credit_request());
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("/api/twice") != std::string::npos);
  CHECK(rows.error().message.find("\"lb\" appears twice in one object") != std::string::npos);
  auto broken = f.adapter("records: items\npaging: {style: none}\n", "/api/broken");
  REQUIRE(broken.ok());
  rows = read_all(**broken, credit_request());
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("response: not JSON") != std::string::npos);
}

TEST_CASE(
    "rest adapter: GBK pages are read by their Content-Type or encoding, and a page that is not JSON says what it is") {
  Fixture f;
  auto request = credit_request();
  request.columns = {"tyshxydm", "lb"};
  auto declared = f.adapter("records: items\npaging: {style: none}\n", "/api/gbk");
  REQUIRE(declared.ok());
  auto rows = read_all(**declared, request);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].values[1] == "红名单");
  // Not declared: refused, naming the Content-Type and the setting that reads it.
  auto undeclared = f.adapter("records: items\npaging: {style: none}\n", "/api/gbk_undeclared");
  REQUIRE(undeclared.ok());
  rows = read_all(**undeclared, request);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("Content-Type: application/json; the page is not UTF-8") != std::string::npos);
  CHECK(rows.error().message.find("needs encoding: gbk in the adapter block") != std::string::npos);
  auto told = f.adapter("records: items\npaging: {style: none}\nencoding: GBK\n", "/api/gbk_undeclared");
  REQUIRE(told.ok());
  rows = read_all(**told, request);
  REQUIRE(rows.ok());
  CHECK((*rows)[0].values[1] == "红名单");
  // encoding: auto reads an undeclared GBK page by its content, and UTF-8 pages as they are.
  auto sniffed = f.adapter("records: items\npaging: {style: none}\nencoding: auto\n", "/api/gbk_undeclared");
  rows = read_all(**sniffed, request);
  REQUIRE(rows.ok());
  CHECK((*rows)[0].values[1] == "红名单");
  auto utf8_page = f.adapter("records: items\npaging: {style: none}\nencoding: auto\n", "/api/utf8");
  rows = read_all(**utf8_page, request);
  REQUIRE(rows.ok());
  CHECK((*rows)[0].values[1] == "红名单");
  // Declared GBK, cut inside a character: an error with the place, no replacement character.
  auto cut = f.adapter("records: items\npaging: {style: none}\n", "/api/gbk_cut");
  REQUIRE(cut.ok());
  rows = read_all(**cut, request);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("read as GBK/GB18030 (Content-Type: application/json; charset=GBK), but bytes at "
                                  "offset 51 are not GB18030") != std::string::npos);
  // A gateway's HTML page answered with 200 is named as such.
  auto html = f.adapter("records: items\npaging: {style: none}\n", "/api/html");
  REQUIRE(html.ok());
  rows = read_all(**html, request);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("(Content-Type: text/html; charset=utf-8; an HTML page, as a gateway's error or "
                                  "login page is") != std::string::npos);
}

TEST_CASE("rest adapter: describe lists members with JSON kinds, a wrong records path is clear") {
  Fixture f;
  auto a = f.adapter("records: data.items\npaging: {style: page, size: 5}\n");
  auto cols = (*a)->describe();
  REQUIRE(cols.ok());
  REQUIRE(cols->size() == 5);
  CHECK((*cols)[0].name == "tyshxydm");
  CHECK((*cols)[0].type == "string");
  CHECK((*cols)[3].type == "number");
  auto wrong = f.adapter("records: data.rows\n");
  auto r = read_all(**wrong, credit_request());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("page 1 has no array at records path \"data.rows\"; the service answered "
                               "{\"data\":{\"items\":[") != std::string::npos);
  CHECK(r.error().message.size() < 400);  // the answer's first 200 bytes, not the page
}

TEST_CASE("rest adapter: an unreachable service fails with the reason") {
  auto doc = YamlDoc::parse(
      "type: rest\nurl: https://127.0.0.1:" + std::to_string(test::free_port()) + "/x\nretries: 0\ntimeout: 2s\n",
      "c.yaml");
  RestAdapterFactory factory;
  auto a = factory.create(*doc, doc->root());
  REQUIRE(a.ok());
  auto r = (*a)->read(credit_request());
  if (r.ok()) {
    Row row;
    auto next = (*r)->next(row);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().message.find("cannot connect") != std::string::npos);
  }
}

TEST_CASE("rest adapter config: each mistake names its line") {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"type: rest\nurl: http://insecure.example/x\n", "c.yaml:2: adapter.url must be an https:// URL"},
      {"type: rest\nurl: https://clerk:hunter2@example.gov.cn/x\n",
       "c.yaml:2: adapter.url must not contain a user name or password"},
      {"type: rest\nurl: https://clerk@example.gov.cn/x\n", "c.yaml:2: adapter.url must not contain a user name"},
      {"type: rest\nurl: https://a.example/x?page=1&access_token=s3cr3t\n",
       "c.yaml:2: adapter.url must not carry a credential in its query (access_token): put it in token_file"},
      {"type: rest\nurl: https://a.example/x?App-Key=s3cr3t\n", "must not carry a credential in its query (App-Key)"},
      {"type: rest\nurl: https://a.example/x\npaging: {style: cursor}\n", "paging.style must be page, next or none"},
      {"type: rest\nurl: https://a.example/x\npaging: {style: next}\n", "missing required key \"next\""},
      {"type: rest\nurl: https://a.example/x\npaging: {style: none, total: count}\n",
       "c.yaml:3: paging.total is for paged listings (style page or next)"},
      {"type: rest\nurl: https://a.example/x\ncert: c.pem\n", "give both cert and key"},
      {"type: rest\nurl: https://a.example/x\nretries: 99\n", "\"retries\" must be between"},
      {"type: rest\nurl: https://a.example/x\ntoken: abc\n", "unknown key \"token\""},
      {"type: rest\nurl: https://a.example/x\nencoding: big5\n",
       "c.yaml:3: adapter.encoding must be utf-8, gbk, gb18030 or auto"},
  };
  RestAdapterFactory factory;
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto doc = YamlDoc::parse(c.yaml, "c.yaml");
    REQUIRE(doc.ok());
    auto r = factory.create(*doc, doc->root());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.expect) != std::string::npos);
    CHECK(r.error().message.find("hunter2") == std::string::npos);
    CHECK(r.error().message.find("s3cr3t") == std::string::npos);
  }
}

}  // namespace
}  // namespace yici::adapters::rest
