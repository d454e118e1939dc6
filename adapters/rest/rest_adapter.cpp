#include "adapters/rest/rest_adapter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <thread>
#include <unordered_set>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "adapters/common/encoding_sniffer.h"
#include "adapters/common/select_builder.h"
#include "adapters/common/sql_identifier.h"
#include "hub/core/json_unique_keys.h"
#include "hub/core/log.h"
#include "hub/core/utf8.h"
#include "hub/net/https_client.h"

namespace yici::adapters::rest {
namespace {

namespace json = boost::json;

const json::value* at_path(const json::value& root, const std::string& path) {
  const json::value* v = &root;
  std::size_t start = 0;
  while (!path.empty() && start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!v->is_object()) return nullptr;
    v = v->as_object().if_contains(key);
    if (v == nullptr) return nullptr;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

std::optional<std::string> to_cell(const json::value* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

std::string describe_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "string";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::bool_:
      return "boolean";
    case json::kind::object:
      return "object";
    case json::kind::array:
      return "array";
    case json::kind::null:
      return "null";
  }
  return "";
}

// Fetches pages of one pull. Owns the HTTPS connection and the retry policy.
class PageFetcher {
 public:
  PageFetcher(const RestConfig& config, std::unique_ptr<net::HttpsClient> client, std::string token, std::string origin)
      : config_(config), client_(std::move(client)), token_(std::move(token)), origin_(std::move(origin)) {}

  Result<json::value> get(const std::string& target) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
    if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
    std::string last_error;
    for (int attempt = 0; attempt <= config_.retries; ++attempt) {
      auto response = client_->request("GET", target, {}, headers);
      std::chrono::milliseconds wait = std::min<std::chrono::milliseconds>(
          std::chrono::milliseconds(250LL << std::min(attempt, 10)), config_.max_retry_wait);
      if (!response.ok()) {
        last_error = response.error().message;
      } else if (response->status == 200) {
        return parse_page(target, *response);
      } else if (response->status == 429 || response->status >= 500) {
        last_error = "HTTP " + std::to_string(response->status);
        if (const std::string* ra = response->header("retry-after")) {
          char* end = nullptr;
          const long seconds = std::strtol(ra->c_str(), &end, 10);
          if (end != ra->c_str() && seconds >= 0) {
            wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), config_.max_retry_wait);
          }
        }
      } else {
        std::string snippet = response->body.substr(0, 200);
        return Error::invalid("rest source " + origin_ + target + ": HTTP " + std::to_string(response->status) +
                              (snippet.empty() ? "" : ": " + snippet));
      }
      if (attempt < config_.retries) std::this_thread::sleep_for(wait);
    }
    return Error::unavailable("rest source " + origin_ + target + ": giving up after " +
                              std::to_string(config_.retries + 1) + " attempts: " + last_error);
  }

 private:
  // A page's text as UTF-8 JSON. A member named twice in a record is refused with the page, as a
  // non-object record is: the department's own reader may take the other value, and the hub
  // cannot tell which is meant. A page that does not parse names what the service sent.
  Result<json::value> parse_page(const std::string& target, net::ClientResponse& response) {
    const std::string* declared = response.header("content-type");
    const std::string content_type = declared != nullptr ? *declared : "";
    const std::string where = "rest source " + origin_ + target + ": response: ";
    std::string text = std::move(response.body);
    // Named in the block, or else declared by the page, or else (encoding: auto) by its content.
    const bool forced = config_.encoding && *config_.encoding != Encoding::kAuto;
    const bool declared_gb = !forced && charset_is_gb(content_type);
    const bool sniffed_gb =
        !forced && !declared_gb && config_.encoding == Encoding::kAuto && sniff_encoding(text) != Encoding::kUtf8;
    const bool gb = forced ? *config_.encoding != Encoding::kUtf8 : declared_gb || sniffed_gb;
    if (gb) {
      auto utf8 = gb18030_to_utf8(text);
      if (!utf8) {
        const std::string why = forced        ? "encoding: gbk"
                                : declared_gb ? "Content-Type: " + content_type
                                              : "encoding: auto, the page not being UTF-8";
        return Error::invalid(where + "read as GBK/GB18030 (" + why + "), but " + utf8.error().message);
      }
      text = std::move(*utf8);
    }
    auto v = parse_json_unique_keys(text);
    if (v) return std::move(*v);
    std::string what =
        "Content-Type: " + (content_type.empty() ? std::string("none") : bounded_utf8(content_type, 100));
    if (!gb && !is_valid_utf8(text)) {
      what +=
          "; the page is not UTF-8: a service that answers in GBK without saying so in its Content-Type "
          "needs encoding: gbk in the adapter block (or auto, if some of its pages are UTF-8)";
    } else if (content_type.find("html") != std::string::npos) {
      what += "; an HTML page, as a gateway's error or login page is, not the service's JSON";
    }
    return Error::invalid(where + v.error().message + " (" + what + ")");
  }

  const RestConfig& config_;
  std::unique_ptr<net::HttpsClient> client_;
  std::string token_;
  std::string origin_;
};

class RestRowReader final : public RowReader {
 public:
  RestRowReader(const RestConfig& config, std::unique_ptr<PageFetcher> fetcher, boost::urls::url first,
                std::vector<std::string> columns, std::vector<int> keys)
      : config_(config),
        fetcher_(std::move(fetcher)),
        next_target_(std::string(first.encoded_target())),
        columns_(std::move(columns)),
        keys_(std::move(keys)),
        page_url_(std::move(first)),
        page_number_(config.paging.first) {}

  Result<bool> next(Row& row) override {
    while (items_ == nullptr || index_ >= items_->size()) {
      if (next_target_.empty()) {
        if (total_ && rows_ < *total_ && moved_.empty()) {
          moved_ = "read " + std::to_string(rows_) + " records of the " + std::to_string(*total_) +
                   " the service counts (" + config_.paging.total_path + ")";
        }
        return false;
      }
      YICI_TRY_STATUS(load_page());
    }
    ++rows_;
    const json::value& item = (*items_)[index_++];
    if (!item.is_object()) return Error::invalid("rest source: records array holds a non-object item");
    row.values.resize(columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i)
      row.values[i] = to_cell(item.as_object().if_contains(columns_[i]));
    row.key = make_row_key(row.values, keys_);
    return true;
  }

  [[nodiscard]] std::optional<std::string> listing_moved() const override {
    if (moved_.empty()) return std::nullopt;
    return moved_;
  }

 private:
  // paging.total: the service's count of the whole listing, as this page gives it. A count that
  // changes from one page to another means records came or went while the pages were read.
  Status read_total() {
    if (config_.paging.total_path.empty()) return {};
    const json::value* v = at_path(page_, config_.paging.total_path);
    std::optional<std::int64_t> total;
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0) total = v->as_int64();
    if (v != nullptr && v->is_uint64()) total = static_cast<std::int64_t>(v->as_uint64());
    if (v != nullptr && v->is_string() && !v->as_string().empty() && v->as_string().size() < 19 &&
        std::all_of(v->as_string().begin(), v->as_string().end(), [](char c) { return c >= '0' && c <= '9'; })) {
      total = std::stoll(std::string(v->as_string()));
    }
    if (!total) {
      return Error::invalid("rest source: page " + std::to_string(pages_) + " has no count at paging.total \"" +
                            config_.paging.total_path +
                            "\" (a whole number, or one in a string); the service answered " +
                            bounded_utf8(json::serialize(page_), 200));
    }
    if (total_ && *total != *total_ && moved_.empty()) {
      moved_ = "the service counted " + std::to_string(*total_) + " records at page 1 and " + std::to_string(*total) +
               " at page " + std::to_string(pages_);
    }
    total_ = total;
    return {};
  }

  Status load_page() {
    if (++pages_ > config_.max_pages) return Error::invalid("rest source: more than max_pages pages");
    if (pages_ == 1) visited_.insert(next_target_);
    YICI_TRY(page_, fetcher_->get(next_target_));
    const json::value* items = at_path(page_, config_.records_path);
    if (items == nullptr || !items->is_array()) {
      // Often a service's error envelope answered with 200 ({"code":500,"msg":"系统繁忙"}): its
      // first bytes say so.
      return Error::invalid("rest source: page " + std::to_string(pages_) + " has no array at records path \"" +
                            config_.records_path + "\"; the service answered " +
                            bounded_utf8(json::serialize(page_), 200));
    }
    items_ = &items->as_array();
    index_ = 0;
    YICI_TRY_STATUS(read_total());
    const std::size_t largest_before = largest_page_;
    largest_page_ = std::max(largest_page_, items_->size());
    // A service that ignores the page parameter answers every page with the first one: without
    // this check the pull would read it max_pages times. Pages are told apart by their size and
    // first record (records do not repeat across the pages of a working service), not kept whole:
    // a page may be hundreds of megabytes.
    if (config_.paging.style == RestPaging::Style::kPage && !items_->empty()) {
      std::string serialized = std::to_string(items_->size()) + ":" + json::serialize(items_->front());
      if (pages_ > 1 && serialized == previous_page_) {
        return Error::invalid("rest source: page " + std::to_string(page_number_) +
                              " repeats the page before it (same size, same first record): the service ignores \"" +
                              config_.paging.page_param + "\" (check paging.page_param)");
      }
      previous_page_ = std::move(serialized);
    }
    switch (config_.paging.style) {
      case RestPaging::Style::kNone:
        next_target_.clear();
        break;
      case RestPaging::Style::kPage:
        // The last page is an empty one, or one shorter than an earlier page of this read. A page
        // shorter than the size asked for is not enough: a service that caps its pages (20 rows
        // when 50 were asked) answers every page short, and stopping there read its first page
        // only, for ever, with the source's health ok.
        if (items_->empty() || items_->size() < largest_before) {
          next_target_.clear();
        } else {
          if (pages_ == 2 && largest_before < static_cast<std::size_t>(config_.paging.size)) {
            log::warn("rest_page_size_capped",
                      {{"url", config_.url},
                       {"asked", config_.paging.size},
                       {"answered", largest_before},
                       {"action", "the service answers at most " + std::to_string(largest_before) +
                                      " records per page; set paging.size to that to save a "
                                      "request per pull"}});
          }
          ++page_number_;
          page_url_.params().set(config_.paging.page_param, std::to_string(page_number_));
          next_target_ = std::string(page_url_.encoded_target());
        }
        break;
      case RestPaging::Style::kNext: {
        const json::value* next = at_path(page_, config_.paging.next_path);
        if (next == nullptr || !next->is_string() || next->as_string().empty()) {
          next_target_.clear();
        } else {
          const std::string link(next->as_string());  // url_view refers into it: keep it alive
          auto parsed = boost::urls::parse_uri_reference(link);
          if (!parsed) return Error::invalid("rest source: bad next link \"" + link + "\"");
          // The link is followed on the connection to the configured origin, with its token: one
          // naming another scheme, host or port would be read from the wrong place, silently.
          if (parsed->has_scheme() && !boost::iequals(parsed->scheme(), "https")) {
            return Error::invalid("rest source: the next link of page " + std::to_string(pages_) + " leaves HTTPS (" +
                                  bounded_utf8(link, 200) + "); the hub follows links on " + origin_text() + " only");
          }
          if (parsed->has_authority() && (!boost::iequals(parsed->encoded_host(), page_url_.encoded_host()) ||
                                          effective_port(*parsed) != effective_port(page_url_))) {
            return Error::invalid("rest source: the next link of page " + std::to_string(pages_) +
                                  " points to another host or port (" + bounded_utf8(link, 200) +
                                  "); the hub follows links on " + origin_text() +
                                  " only: if the service moved, change the source's url");
          }
          std::string target(parsed->encoded_path());
          if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());
          next_target_ = target.empty() ? "/" : target;
          // A next link back to a page already read would loop until max_pages.
          if (!visited_.insert(next_target_).second) {
            return Error::invalid("rest source: the next link of page " + std::to_string(pages_) +
                                  " goes back to a page already read (" + next_target_ +
                                  "): the service's paging loops");
          }
        }
        break;
      }
    }
    return {};
  }

  // A URL's port, or HTTPS's 443 when it names none.
  static std::uint16_t effective_port(const boost::urls::url_view& u) { return u.has_port() ? u.port_number() : 443; }
  [[nodiscard]] std::string origin_text() const {
    return "https://" + std::string(page_url_.encoded_host()) + ":" + std::to_string(effective_port(page_url_));
  }

  const RestConfig& config_;
  std::unique_ptr<PageFetcher> fetcher_;
  std::string next_target_;
  std::vector<std::string> columns_;
  std::vector<int> keys_;
  boost::urls::url page_url_;
  int page_number_;
  int pages_ = 0;
  std::unordered_set<std::string> visited_;  // next-link paging: targets read so far
  std::string previous_page_;                // page paging: the last page's size and first record
  std::size_t largest_page_ = 0;             // page paging: the most records a page of this read held
  std::optional<std::int64_t> total_;        // paging.total: the count the last page gave
  std::int64_t rows_ = 0;                    // records read so far
  std::string moved_;                        // why the listing changed during this read, if it did
  json::value page_;
  const json::array* items_ = nullptr;
  std::size_t index_ = 0;
};

// Token, CA and client certificate files are small; anything larger is not one.
constexpr std::size_t kMaxCredentialFile = 1 << 20;

Result<std::string> read_token(const RestConfig& c, const FileConfinement& files) {
  if (c.token_file.empty()) return std::string();
  auto token = files.read_first_line(c.token_file, kMaxCredentialFile);
  if (!token) return Error::unavailable("token_file " + token.error().message);
  return token;
}

Result<std::unique_ptr<PageFetcher>> make_fetcher(const RestConfig& c, const FileConfinement& files,
                                                  const boost::urls::url_view& url) {
  YICI_TRY(auto token, read_token(c, files));
  net::ClientOptions options{c.ca, c.cert, c.key, c.timeout};
  // Read here, through the confinement, and handed over as text: the client does not open them.
  for (const auto& [path, pem] : {std::pair{&c.ca, &options.ca_pem}, std::pair{&c.cert, &options.cert_pem},
                                  std::pair{&c.key, &options.key_pem}}) {
    if (path->empty()) continue;
    YICI_TRY(*pem, files.read_all(*path, kMaxCredentialFile));
  }
  const std::string origin = std::string(url.scheme()) + "://" + std::string(url.encoded_authority());
  YICI_TRY(auto client, net::HttpsClient::create(origin, options));
  return std::make_unique<PageFetcher>(c, std::move(client), std::move(token), origin);
}

boost::urls::url first_page_url(const RestConfig& c, const std::optional<std::string>& cursor_from) {
  boost::urls::url url(c.url);
  if (c.paging.style == RestPaging::Style::kPage) {
    url.params().set(c.paging.page_param, std::to_string(c.paging.first));
    url.params().set(c.paging.size_param, std::to_string(c.paging.size));
  }
  if (cursor_from && !c.cursor_param.empty()) url.params().set(c.cursor_param, *cursor_from);
  return url;
}

// Query parameter names that carry a credential, compared without case, '-' read as '_'.
bool is_credential_param(std::string_view name) {
  std::string n(name);
  for (auto& ch : n) ch = ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static constexpr std::array<std::string_view, 13> kCredentials = {
      "access_token", "token",         "api_key", "apikey",   "app_key", "appkey", "app_secret",
      "appsecret",    "client_secret", "secret",  "password", "passwd",  "pwd"};
  return std::find(kCredentials.begin(), kCredentials.end(), n) != kCredentials.end();
}

}  // namespace

Result<RestConfig> parse_rest_config(const YamlDoc& doc, const YAML::Node& block) {
  YICI_TRY_STATUS(doc.expect_map(block,
                                 {"type", "url", "records", "paging", "cursor_param", "token_file", "ca", "cert", "key",
                                  "timeout", "retries", "max_pages", "encoding"},
                                 "rest adapter"));
  RestConfig c;
  YICI_TRY(c.url, doc.required_string(block, "url"));
  auto url = boost::urls::parse_uri(c.url);
  if (!url || url->scheme() != "https" || url->encoded_host().empty()) {
    return doc.error_at(block["url"], "adapter.url must be an https:// URL");
  }
  if (url->has_userinfo()) {
    // Never sent (the hub authenticates with token_file), and it would be stored and shown.
    return doc.error_at(block["url"], "adapter.url must not contain a user name or password: use token_file");
  }
  for (const auto param : url->params()) {
    // A credential in the query would be stored with the definition, shown by the admin API and
    // echoed in connection errors, which name the URL.
    if (is_credential_param(param.key)) {
      return doc.error_at(block["url"], "adapter.url must not carry a credential in its query (" +
                                            std::string(param.key) +
                                            "): put it in token_file, which the hub sends as an Authorization: "
                                            "Bearer header");
    }
  }
  YICI_TRY(auto encoding, doc.optional_string(block, "encoding"));
  if (encoding) {
    auto e = parse_encoding(*encoding);
    if (!e) return doc.error_at(block["encoding"], "adapter." + e.error().message);
    c.encoding = *e;  // GBK pages are read as GB18030, its superset
  }
  YICI_TRY(auto records, doc.optional_string(block, "records"));
  c.records_path = records.value_or("");
  const YAML::Node paging = block["paging"];
  if (paging.IsDefined()) {
    YICI_TRY_STATUS(
        doc.expect_map(paging, {"style", "page_param", "size_param", "size", "first", "next", "total"}, "paging"));
    YICI_TRY(auto style, doc.required_string(paging, "style"));
    if (style == "page") {
      c.paging.style = RestPaging::Style::kPage;
    } else if (style == "next") {
      c.paging.style = RestPaging::Style::kNext;
      YICI_TRY(c.paging.next_path, doc.required_string(paging, "next"));
    } else if (style != "none") {
      return doc.error_at(paging["style"], "paging.style must be page, next or none");
    }
    YICI_TRY(auto page_param, doc.optional_string(paging, "page_param"));
    YICI_TRY(auto size_param, doc.optional_string(paging, "size_param"));
    YICI_TRY(auto size, doc.optional_int(paging, "size", 1, 100'000));
    YICI_TRY(auto first, doc.optional_int(paging, "first", 0, 1));
    if (page_param) c.paging.page_param = *page_param;
    if (size_param) c.paging.size_param = *size_param;
    if (size) c.paging.size = static_cast<int>(*size);
    if (first) c.paging.first = static_cast<int>(*first);
    YICI_TRY(auto total, doc.optional_string(paging, "total"));
    if (total && c.paging.style == RestPaging::Style::kNone) {
      return doc.error_at(paging["total"], "paging.total is for paged listings (style page or next)");
    }
    c.paging.total_path = total.value_or("");
  }
  YICI_TRY(auto cursor_param, doc.optional_string(block, "cursor_param"));
  c.cursor_param = cursor_param.value_or("");
  YICI_TRY(auto token_file, doc.optional_string(block, "token_file"));
  c.token_file = token_file.value_or("");
  YICI_TRY(auto ca, doc.optional_string(block, "ca"));
  YICI_TRY(auto cert, doc.optional_string(block, "cert"));
  YICI_TRY(auto key, doc.optional_string(block, "key"));
  c.ca = ca.value_or("");
  c.cert = cert.value_or("");
  c.key = key.value_or("");
  if (c.cert.empty() != c.key.empty()) return doc.error_at(block, "give both cert and key, or neither");
  YICI_TRY(auto timeout, doc.optional_duration(block, "timeout"));
  if (timeout) c.timeout = *timeout;
  YICI_TRY(auto retries, doc.optional_int(block, "retries", 0, 10));
  if (retries) c.retries = static_cast<int>(*retries);
  YICI_TRY(auto max_pages, doc.optional_int(block, "max_pages", 1, 10'000'000));
  if (max_pages) c.max_pages = static_cast<int>(*max_pages);
  return c;
}

Result<std::unique_ptr<Adapter>> RestAdapterFactory::create(const YamlDoc& doc, const YAML::Node& block) const {
  YICI_TRY(auto config, parse_rest_config(doc, block));
  return std::unique_ptr<Adapter>(std::make_unique<RestAdapter>(std::move(config)));
}

Result<std::unique_ptr<RowReader>> RestAdapter::read(const ReadRequest& request) {
  YICI_TRY(auto keys, key_indices(request));
  boost::urls::url url = first_page_url(config_, request.cursor_from);
  YICI_TRY(auto fetcher, make_fetcher(config_, files(), url));
  return std::unique_ptr<RowReader>(
      std::make_unique<RestRowReader>(config_, std::move(fetcher), std::move(url), request.columns, std::move(keys)));
}

Result<std::vector<ColumnInfo>> RestAdapter::describe() {
  boost::urls::url url = first_page_url(config_, std::nullopt);
  YICI_TRY(auto fetcher, make_fetcher(config_, files(), url));
  YICI_TRY(auto page, fetcher->get(std::string(url.encoded_target())));
  const json::value* items = at_path(page, config_.records_path);
  if (items == nullptr || !items->is_array()) {
    return Error::invalid("rest source: no array at records path \"" + config_.records_path + "\"");
  }
  std::vector<ColumnInfo> out;
  for (const auto& item : items->as_array()) {
    if (!item.is_object()) continue;
    for (const auto& kv : item.as_object()) {
      auto it = std::find_if(out.begin(), out.end(), [&](const ColumnInfo& c) { return c.name == kv.key(); });
      if (it == out.end()) {
        out.push_back({std::string(kv.key()), describe_kind(kv.value())});
      } else if (it->type == "null") {
        it->type = describe_kind(kv.value());
      }
    }
  }
  return out;
}

std::vector<std::string> RestAdapter::local_files() const {
  std::vector<std::string> out;
  for (const std::string* f : {&config_.token_file, &config_.ca, &config_.cert, &config_.key}) {
    if (!f->empty()) out.push_back(*f);
  }
  return out;
}

}  // namespace yici::adapters::rest
