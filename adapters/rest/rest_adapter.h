// The rest adapter: reads a department's REST/JSON service over HTTPS with paging. Config:
//   type: rest
//   url: https://credit.example.gov.cn/api/v1/lists     # the collection's URL (may carry a query)
//   records: data.items          # dotted path to the array of row objects in each page
//   paging: {style: page, page_param: page, size_param: size, size: 500, first: 1}
//       (read until an empty page, or one shorter than an earlier page: a service may answer
//       fewer records per page than asked)
//       or  {style: next, next: links.next}             # a path to the next page's URL (or null)
//       or  {style: none}
//       either paged style may add total: data.total   # a path to the service's count of the listing
//   cursor_param: updated_since  # incremental pulls pass the cursor value as this query parameter
//   token_file: /run/secrets/credit-token   # bearer token, read at each pull, never logged
//   ca: /etc/yici/credit-ca.crt  # CA for the service's certificate (default: system CAs)
//   cert: ..., key: ...          # client certificate, if the service wants one
//   encoding: gbk               # utf-8 or gbk/gb18030: the pages' text; unset, a page's Content-Type
//                               #   charset decides (GBK, GB2312, GB18030), and UTF-8 without one;
//                               #   auto: a charset decides, and without one the page's content
//   timeout: 30s
//   retries: 3                   # on 5xx, 429 and connection failures; honours Retry-After
//   max_pages: 100000            # guard against a service that pages forever
// Rows are the array's objects; a column is a top-level member (numbers and booleans as their JSON
// text, objects and arrays serialised, null as NULL). Rows are not assumed to arrive in cursor
// order, so the pull job commits the cursor only after the last page.
// A paged listing is not a snapshot: a record that changes or goes while the pages are read moves
// the records behind it up a place, and one slips past a page boundary unread. With paging.total,
// a count that changes between pages, or fewer records read than the service counts, says so
// (RowReader::listing_moved); the pull job also takes a key read twice as a sign of it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "adapters/adapter.h"
#include "adapters/common/text_encoding.h"
#include "adapters/registry.h"

namespace yici::adapters::rest {

struct RestPaging {
  enum class Style { kNone, kPage, kNext };
  Style style = Style::kNone;
  std::string page_param = "page";
  std::string size_param = "size";
  int size = 500;
  int first = 1;
  std::string next_path;   // kNext
  std::string total_path;  // optional: where each page gives the service's count of the whole listing
};

struct RestConfig {
  std::string url;
  // unset: a page's Content-Type charset decides, UTF-8 without one; kAuto: without one, its content
  std::optional<Encoding> encoding;
  std::string records_path;
  RestPaging paging;
  std::string cursor_param;
  std::string token_file;
  std::string ca, cert, key;
  std::chrono::milliseconds timeout{30'000};
  int retries = 3;
  int max_pages = 100'000;
  std::chrono::milliseconds max_retry_wait{60'000};
};

Result<RestConfig> parse_rest_config(const YamlDoc& doc, const YAML::Node& block);

class RestAdapter final : public Adapter {
 public:
  explicit RestAdapter(RestConfig config) : config_(std::move(config)) {}
  Result<std::unique_ptr<RowReader>> read(const ReadRequest& request) override;
  Result<std::vector<ColumnInfo>> describe() override;
  [[nodiscard]] std::string describe_target() const override { return "the first record from " + config_.url; }
  [[nodiscard]] bool ordered_by_cursor() const override { return false; }
  [[nodiscard]] bool listing_is_snapshot() const override { return config_.paging.style == RestPaging::Style::kNone; }
  [[nodiscard]] Status check_column_name(std::string_view name) const override { return check_text_column_name(name); }
  [[nodiscard]] std::vector<std::string> local_files() const override;

 private:
  RestConfig config_;
};

class RestAdapterFactory final : public AdapterFactory {
 public:
  [[nodiscard]] std::string_view name() const override { return "rest"; }
  Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const override;
};

}  // namespace yici::adapters::rest
