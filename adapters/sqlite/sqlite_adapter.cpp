#include "adapters/sqlite/sqlite_adapter.h"

#include "adapters/common/sql_identifier.h"
#include "hub/store/sqlite/connection.h"

namespace yici::adapters::sqlite {
namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

class SqliteRowReader final : public RowReader {
 public:
  SqliteRowReader(std::unique_ptr<Connection> conn, Statement stmt, std::vector<int> keys, std::size_t width,
                  std::optional<std::string> cursor_from)
      : conn_(std::move(conn)),
        stmt_(std::move(stmt)),
        keys_(std::move(keys)),
        width_(width),
        cursor_from_(std::move(cursor_from)) {
    if (cursor_from_) stmt_.bind(1, *cursor_from_);  // cursor_from_ outlives the statement's use
  }

  Result<bool> next(Row& row) override {
    YICI_TRY(bool has, stmt_.step());
    if (!has) return false;
    row.values.resize(width_);
    for (std::size_t i = 0; i < width_; ++i) {
      const int col = static_cast<int>(i);
      if (stmt_.column_is_null(col)) {
        row.values[i].reset();
      } else {
        row.values[i] = std::string(stmt_.column_text(col));
      }
    }
    row.key = make_row_key(row.values, keys_);
    return true;
  }

 private:
  std::unique_ptr<Connection> conn_;
  Statement stmt_;
  std::vector<int> keys_;
  std::size_t width_;
  std::optional<std::string> cursor_from_;
};

Result<std::unique_ptr<Connection>> open_source(const std::string& path) {
  auto conn = Connection::open(path, Connection::Mode::kReadOnly);
  if (!conn) return Error::unavailable("sqlite source " + path + ": " + conn.error().message);
  return conn;
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
  YICI_TRY(auto sql, build_select(config_.source, request, "?1"));
  YICI_TRY(auto conn, open_source(config_.path));
  auto stmt = conn->prepare(sql);
  if (!stmt) return Error::invalid("sqlite source " + config_.path + ": " + stmt.error().message);
  return std::unique_ptr<RowReader>(std::make_unique<SqliteRowReader>(
      std::move(conn), std::move(*stmt), std::move(keys), request.columns.size(), request.cursor_from));
}

Result<std::vector<ColumnInfo>> SqliteAdapter::describe() {
  YICI_TRY(auto conn, open_source(config_.path));
  const std::string from = config_.source.table.empty() ? "(" + config_.source.query + ") AS yici_src"
                                                        : quote_table_name(config_.source.table);
  auto stmt = conn->prepare("SELECT * FROM " + from + " LIMIT 0");
  if (!stmt) return Error::invalid("sqlite source " + config_.path + ": " + stmt.error().message);
  std::vector<ColumnInfo> out;
  out.reserve(static_cast<std::size_t>(stmt->column_count()));
  for (int i = 0; i < stmt->column_count(); ++i) out.push_back({stmt->column_name(i), stmt->column_decltype(i)});
  return out;
}

}  // namespace yici::adapters::sqlite
