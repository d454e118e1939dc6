#include "adapters/sqlite/sqlite_adapter.h"

#include <algorithm>
#include <cctype>

#include "adapters/common/resume_token.h"
#include "adapters/common/sql_identifier.h"
#include "hub/store/sqlite/connection.h"

namespace yici::adapters::sqlite {
namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

class SqliteRowReader final : public RowReader {
 public:
  // `params` are bound in order from parameter 1 (text without copying: they live here).
  SqliteRowReader(std::unique_ptr<Connection> conn, Statement stmt, std::vector<int> keys, std::size_t width,
                  std::vector<KeyPart> params)
      : conn_(std::move(conn)),
        stmt_(std::move(stmt)),
        keys_(std::move(keys)),
        width_(width),
        params_(std::move(params)),
        key_types_(keys_.size(), Statement::Type::kNull) {
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<std::int64_t>(&params_[i])) {
        stmt_.bind(index, *n);
      } else {
        stmt_.bind(index, std::string_view(std::get<std::string>(params_[i])));
      }
    }
  }

  Result<bool> next(Row& row) override {
    YICI_TRY(has_row_, stmt_.step());
    if (!has_row_) return false;
    for (std::size_t k = 0; k < keys_.size(); ++k) key_types_[k] = stmt_.column_type(keys_[k]);
    row.values.resize(width_);
    for (std::size_t i = 0; i < width_; ++i) {
      const int col = static_cast<int>(i);
      auto& value = row.values[i];
      if (stmt_.column_is_null(col)) {
        value.reset();
      } else if (value) {
        value->assign(stmt_.column_text(col));  // the row is reused: keep the string's buffer
      } else {
        value.emplace(stmt_.column_text(col));
      }
    }
    row.key = make_row_key(row.values, keys_);
    return true;
  }

  // The key of the current row as SQLite holds it: an integer stays an integer, so the resumed
  // read compares it as the ORDER BY did. REAL and BLOB keys are not resume points.
  [[nodiscard]] std::optional<std::string> resume_token() const override {
    if (!has_row_) return std::nullopt;
    std::vector<KeyPart> parts;
    for (std::size_t k = 0; k < keys_.size(); ++k) {
      if (key_types_[k] == Statement::Type::kInteger) {
        parts.emplace_back(stmt_.column_int(keys_[k]));
      } else if (key_types_[k] == Statement::Type::kText) {
        parts.emplace_back(std::string(stmt_.column_text(keys_[k])));
      } else {
        return std::nullopt;
      }
    }
    return encode_resume_token(parts);
  }

 private:
  std::unique_ptr<Connection> conn_;
  Statement stmt_;
  std::vector<int> keys_;
  std::size_t width_;
  std::vector<KeyPart> params_;
  std::vector<Statement::Type> key_types_;  // of the current row's key columns
  bool has_row_ = false;
};

Result<std::unique_ptr<Connection>> open_source(const std::string& path, const FileConfinement& files) {
  // SQLite opens the file by name: checked as it resolves now (file_confinement.h).
  if (auto allowed = files.check(path); !allowed.ok())
    return Error::unavailable("sqlite source " + allowed.error().message);
  auto conn = Connection::open(path, Connection::Mode::kReadOnly);
  if (!conn) return Error::unavailable("sqlite source " + path + ": " + conn.error().message);
  return conn;
}

// Whether the cursor column has TEXT affinity (SQLite's rule: a declared type holding CHAR, CLOB
// or TEXT and not INT), which compares even an integer parameter as text, "100" before "99".
Result<bool> cursor_is_text(Connection& conn, const SelectSource& source, const std::string& column) {
  auto stmt = conn.prepare("SELECT " + quote_identifier(column) + " FROM " + from_clause(source) + " LIMIT 0");
  if (!stmt) return stmt.take_error();
  std::string type = stmt->column_decltype(0);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  const auto has = [&](const char* word) { return type.find(word) != std::string::npos; };
  return !has("INT") && (has("CHAR") || has("CLOB") || has("TEXT"));
}

}  // namespace

Result<SqliteConfig> parse_sqlite_config(const YamlDoc& doc, const YAML::Node& block) {
  YICI_TRY_STATUS(doc.expect_map(block, {"type", "path", "table", "query"}, "sqlite adapter"));
  SqliteConfig c;
  YICI_TRY(c.path, doc.required_string(block, "path"));
  if (c.path.empty()) return doc.error_at(block["path"], "adapter.path must not be empty");
  YICI_TRY(auto table, doc.optional_string(block, "table"));
  YICI_TRY(auto query, doc.optional_string(block, "query"));
  if (table.has_value() == query.has_value()) {
    return doc.error_at(block, "sqlite adapter needs exactly one of \"table\" or \"query\"");
  }
  if (table) {
    if (!is_safe_table_name(*table)) {
      return doc.error_at(block["table"],
                          "adapter.table \"" + *table + "\" must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    c.source.table = *table;
  } else {
    auto checked = check_select_query(*query);
    if (!checked) return doc.error_at(block["query"], "adapter.query: " + checked.error().message);
    c.source.query = *checked;
  }
  return c;
}

Result<std::unique_ptr<Adapter>> SqliteAdapterFactory::create(const YamlDoc& doc, const YAML::Node& block) const {
  YICI_TRY(auto config, parse_sqlite_config(doc, block));
  return std::unique_ptr<Adapter>(std::make_unique<SqliteAdapter>(std::move(config)));
}

Result<std::unique_ptr<RowReader>> SqliteAdapter::read(const ReadRequest& request) {
  YICI_TRY(auto keys, key_indices(request));
  std::vector<KeyPart> params;
  if (request.cursor_from) params.push_back(cursor_parameter(*request.cursor_from));
  if (request.resume_after) {
    YICI_TRY(params, decode_resume_token(*request.resume_after, request.primary_key.size()));
  }
  YICI_TRY(auto conn, open_source(config_.path, files()));
  bool text_cursor = false;
  if (!request.cursor_column.empty()) {
    auto text = cursor_is_text(*conn, config_.source, request.cursor_column);
    if (!text) return Error::invalid("sqlite source " + config_.path + ": " + text.error().message);
    text_cursor = *text;
  }
  YICI_TRY(auto sql, build_select(config_.source, request, '?', text_cursor));
  auto stmt = conn->prepare(sql);
  if (!stmt) return Error::invalid("sqlite source " + config_.path + ": " + stmt.error().message);
  return std::unique_ptr<RowReader>(std::make_unique<SqliteRowReader>(
      std::move(conn), std::move(*stmt), std::move(keys), request.columns.size(), std::move(params)));
}

Result<std::vector<ColumnInfo>> SqliteAdapter::describe() {
  YICI_TRY(auto conn, open_source(config_.path, files()));
  auto stmt = conn->prepare("SELECT * FROM " + from_clause(config_.source) + " LIMIT 0");
  if (!stmt) return Error::invalid("sqlite source " + config_.path + ": " + stmt.error().message);
  std::vector<ColumnInfo> out;
  out.reserve(static_cast<std::size_t>(stmt->column_count()));
  for (int i = 0; i < stmt->column_count(); ++i) out.push_back({stmt->column_name(i), stmt->column_decltype(i)});
  return out;
}

}  // namespace yici::adapters::sqlite
