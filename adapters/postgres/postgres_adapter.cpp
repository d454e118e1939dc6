#include "adapters/postgres/postgres_adapter.h"

#include <cstdlib>
#include <sstream>

#include "adapters/common/resume_token.h"
#include "adapters/common/sql_identifier.h"
#include "adapters/postgres/pg_exec.h"

namespace yici::adapters::postgres {
namespace {

Result<std::string> read_password(const PostgresConfig& c, const FileConfinement& files) {
  if (!c.password_file.empty()) {
    auto line = files.read_first_line(c.password_file, 1 << 16);
    if (!line) return Error::unavailable("password_file " + line.error().message);
    return line;
  }
  if (!c.password_env.empty()) {
    const char* value = std::getenv(c.password_env.c_str());
    if (value == nullptr) return Error::unavailable("password_env " + c.password_env + " is not set");
    return std::string(value);
  }
  return std::string();
}

Result<ConnPtr> connect(const PostgresConfig& c, const FileConfinement& files) {
  YICI_TRY(auto password, read_password(c, files));
  // libpq opens the TLS files by name: checked as they resolve now (file_confinement.h).
  for (const std::string* f : {&c.tls.ca, &c.tls.cert, &c.tls.key}) {
    if (!f->empty()) YICI_TRY_STATUS(files.check(*f));
  }
  const std::string timeout = std::to_string(std::max<long long>(1, c.connect_timeout.count() / 1000));
  std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name", "sslmode"};
  std::vector<const char*> values = {c.dsn.c_str(), timeout.c_str(), "yici-hub", c.tls.mode.c_str()};
  if (!password.empty()) keys.push_back("password"), values.push_back(password.c_str());
  if (!c.tls.ca.empty()) keys.push_back("sslrootcert"), values.push_back(c.tls.ca.c_str());
  if (!c.tls.cert.empty()) keys.push_back("sslcert"), values.push_back(c.tls.cert.c_str());
  if (!c.tls.key.empty()) keys.push_back("sslkey"), values.push_back(c.tls.key.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnPtr conn(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (!conn) return Error::unavailable("postgres: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Error::unavailable("postgres: cannot connect: " + trim_message(PQerrorMessage(conn.get())));
  }
  return conn;
}

Status exec_command(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout) {
  YICI_TRY(ResultPtr r, exec_within(conn, sql, {}, timeout));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return Error::unavailable("postgres: " + sql + ": " + trim_message(PQerrorMessage(conn)));
  }
  return {};
}

class PostgresRowReader final : public RowReader {
 public:
  PostgresRowReader(ConnPtr conn, std::vector<int> keys, std::size_t width, int fetch_size,
                    std::chrono::milliseconds read_timeout)
      : conn_(std::move(conn)),
        keys_(std::move(keys)),
        width_(width),
        fetch_sql_("FETCH FORWARD " + std::to_string(fetch_size) + " FROM yici_pull"),
        read_timeout_(read_timeout) {}

  Result<bool> next(Row& row) override {
    if (done_) return false;
    if (!batch_ || index_ >= PQntuples(batch_.get())) {
      batch_.reset();
      index_ = 0;
      YICI_TRY(batch_, exec_within(conn_.get(), fetch_sql_, {}, read_timeout_));
      if (PQresultStatus(batch_.get()) != PGRES_TUPLES_OK) {
        return Error::unavailable("postgres: fetch failed: " + trim_message(PQerrorMessage(conn_.get())));
      }
      if (PQntuples(batch_.get()) == 0) {
        done_ = true;
        batch_.reset();
        YICI_TRY_STATUS(exec_command(conn_.get(), "COMMIT", read_timeout_));
        return false;
      }
    }
    PGresult* r = batch_.get();
    row.values.resize(width_);
    for (std::size_t i = 0; i < width_; ++i) {
      const int col = static_cast<int>(i);
      if (PQgetisnull(r, index_, col)) {
        row.values[i].reset();
      } else {
        row.values[i] = std::string(PQgetvalue(r, index_, col), static_cast<std::size_t>(PQgetlength(r, index_, col)));
      }
    }
    row.key = make_row_key(row.values, keys_);
    ++index_;
    return true;
  }

  // The current row's key in its text form, which PostgreSQL reads back as the column's type
  // (the parameters are sent untyped).
  [[nodiscard]] std::optional<std::string> resume_token() const override {
    if (!batch_ || index_ == 0) return std::nullopt;
    std::vector<KeyPart> parts;
    for (int k : keys_) {
      if (PQgetisnull(batch_.get(), index_ - 1, k)) return std::nullopt;
      parts.emplace_back(std::string(PQgetvalue(batch_.get(), index_ - 1, k),
                                     static_cast<std::size_t>(PQgetlength(batch_.get(), index_ - 1, k))));
    }
    return encode_resume_token(parts);
  }

 private:
  ConnPtr conn_;
  std::vector<int> keys_;
  std::size_t width_;
  std::string fetch_sql_;
  std::chrono::milliseconds read_timeout_;
  ResultPtr batch_;
  int index_ = 0;
  bool done_ = false;
};

}  // namespace

Result<PostgresConfig> parse_postgres_config(const YamlDoc& doc, const YAML::Node& block) {
  YICI_TRY_STATUS(doc.expect_map(block,
                                 {"type", "dsn", "password_file", "password_env", "tls", "table", "query",
                                  "connect_timeout", "fetch_size", "read_timeout"},
                                 "postgres adapter"));
  PostgresConfig c;
  YICI_TRY(c.dsn, doc.required_string(block, "dsn"));
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(c.dsn.c_str(), &err);
  if (opts == nullptr) {
    std::string message = trim_message(err);
    PQfreemem(err);
    return doc.error_at(block["dsn"], "adapter.dsn is not a valid libpq connection string: " + message);
  }
  // Refused in the string: secrets (the password, the client key's passphrase), which would be
  // stored and shown with the definition, and files libpq would read, which go in the adapter
  // block instead, where the admin API checks them against the directories sources may read.
  // Also refused: settings the adapter block gives, which connect() passes after the string and
  // which would silently win over it (a dsn's sslmode=verify-full became the block's default,
  // prefer, and connected in plaintext).
  bool has_password = false;
  bool has_key_passphrase = false;
  std::string file_keyword;
  std::string overridden;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view keyword(o->keyword);
    for (const char* set_by_block : {"sslmode", "requiressl", "connect_timeout", "application_name"}) {
      if (keyword == set_by_block && overridden.empty()) overridden = keyword;
    }
    has_password = has_password || keyword == "password";
    has_key_passphrase = has_key_passphrase || keyword == "sslpassword";
    for (const char* file : {"passfile", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir", "service"}) {
      if (keyword == file && file_keyword.empty()) file_keyword = keyword;
    }
  }
  PQconninfoFree(opts);
  if (has_password) {
    return doc.error_at(block["dsn"], "adapter.dsn must not contain a password: use password_file or password_env");
  }
  if (has_key_passphrase) {
    return doc.error_at(block["dsn"],
                        "adapter.dsn must not contain sslpassword (the client key's passphrase): give tls.key an "
                        "unencrypted key file readable only by the hub");
  }
  if (!overridden.empty()) {
    const bool tls = overridden == "sslmode" || overridden == "requiressl";
    return doc.error_at(
        block["dsn"], "adapter.dsn must not set " + overridden + ": " +
                          (tls ? std::string("give tls: {mode: verify-full} (or require, ...) in the adapter block, "
                                             "which decides the TLS mode")
                           : overridden == "connect_timeout" ? std::string("give connect_timeout in the adapter block")
                                                             : std::string("the hub names itself yici-hub")));
  }
  if (!file_keyword.empty()) {
    return doc.error_at(block["dsn"], "adapter.dsn must not name files (" + file_keyword +
                                          "): give password_file, and tls: {ca, cert, key}, in the adapter block");
  }
  YICI_TRY(auto file, doc.optional_string(block, "password_file"));
  YICI_TRY(auto env, doc.optional_string(block, "password_env"));
  if (file && env) return doc.error_at(block, "give password_file or password_env, not both");
  c.password_file = file.value_or("");
  c.password_env = env.value_or("");
  const YAML::Node tls = block["tls"];
  if (tls.IsDefined()) {
    YICI_TRY_STATUS(doc.expect_map(tls, {"mode", "ca", "cert", "key"}, "adapter.tls"));
    YICI_TRY(auto mode, doc.optional_string(tls, "mode"));
    if (mode) {
      static const char* const kModes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
      bool known = false;
      for (const char* m : kModes) known = known || *mode == m;
      if (!known) {
        return doc.error_at(tls["mode"],
                            "adapter.tls.mode must be disable, allow, prefer, require, verify-ca or verify-full");
      }
      c.tls.mode = *mode;
    }
    YICI_TRY(auto ca, doc.optional_string(tls, "ca"));
    YICI_TRY(auto cert, doc.optional_string(tls, "cert"));
    YICI_TRY(auto key, doc.optional_string(tls, "key"));
    c.tls.ca = ca.value_or("");
    c.tls.cert = cert.value_or("");
    c.tls.key = key.value_or("");
  }
  YICI_TRY(auto table, doc.optional_string(block, "table"));
  YICI_TRY(auto query, doc.optional_string(block, "query"));
  if (table.has_value() == query.has_value()) {
    return doc.error_at(block, "postgres adapter needs exactly one of \"table\" or \"query\"");
  }
  if (table) {
    if (!is_safe_table_name(*table)) {
      return doc.error_at(block["table"],
                          "adapter.table \"" + *table + "\" must be a plain identifier (schema.table allowed)");
    }
    c.source.table = *table;
  } else {
    auto checked = check_select_query(*query);
    if (!checked) return doc.error_at(block["query"], "adapter.query: " + checked.error().message);
    c.source.query = *checked;
  }
  YICI_TRY(auto timeout, doc.optional_duration(block, "connect_timeout"));
  if (timeout) c.connect_timeout = *timeout;
  YICI_TRY(auto fetch, doc.optional_int(block, "fetch_size", 1, 100'000));
  if (fetch) c.fetch_size = static_cast<int>(*fetch);
  YICI_TRY(auto read_timeout, doc.optional_duration(block, "read_timeout"));
  if (read_timeout) {
    if (read_timeout->count() <= 0) return doc.error_at(block["read_timeout"], "adapter.read_timeout must be positive");
    c.read_timeout = *read_timeout;
  }
  return c;
}

Result<std::unique_ptr<Adapter>> PostgresAdapterFactory::create(const YamlDoc& doc, const YAML::Node& block) const {
  YICI_TRY(auto config, parse_postgres_config(doc, block));
  return std::unique_ptr<Adapter>(std::make_unique<PostgresAdapter>(std::move(config)));
}

// Whether the cursor column is of a character type (text, varchar, char, name), which orders "100"
// before "99": asked of the server for the very statement read, so a query's computed column is
// typed too.
Result<bool> cursor_is_text(PGconn* conn, const SelectSource& source, const std::string& column,
                            std::chrono::milliseconds wait) {
  YICI_TRY(
      ResultPtr r,
      exec_within(conn, "SELECT " + quote_identifier(column) + " FROM " + from_clause(source) + " LIMIT 0", {}, wait));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return Error::invalid("postgres: " + trim_message(PQerrorMessage(conn)));
  }
  constexpr Oid kName = 19, kText = 25, kBpchar = 1042, kVarchar = 1043;
  const Oid type = PQftype(r.get(), 0);
  return type == kText || type == kVarchar || type == kBpchar || type == kName;
}

Result<std::unique_ptr<RowReader>> PostgresAdapter::read(const ReadRequest& request) {
  YICI_TRY(auto keys, key_indices(request));
  std::vector<std::string> values;
  if (request.cursor_from) values.push_back(*request.cursor_from);
  if (request.resume_after) {
    YICI_TRY(auto parts, decode_resume_token(*request.resume_after, request.primary_key.size()));
    for (auto& p : parts) {
      values.push_back(std::holds_alternative<std::string>(p) ? std::move(std::get<std::string>(p))
                                                              : std::to_string(std::get<std::int64_t>(p)));
    }
  }
  std::vector<const char*> params;
  params.reserve(values.size());
  for (const auto& v : values) params.push_back(v.c_str());
  YICI_TRY(auto conn, connect(config_, files()));
  const auto wait = config_.read_timeout;
  YICI_TRY_STATUS(exec_command(conn.get(), "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ", wait));
  if (request.statement_timeout) {
    const auto ms = std::max<std::int64_t>(1, request.statement_timeout->count());
    YICI_TRY_STATUS(exec_command(conn.get(), "SET LOCAL statement_timeout = " + std::to_string(ms), wait));
  }
  bool text_cursor = false;
  if (!request.cursor_column.empty()) {
    YICI_TRY(text_cursor, cursor_is_text(conn.get(), config_.source, request.cursor_column, wait));
  }
  YICI_TRY(auto select, build_select(config_.source, request, '$', text_cursor));
  YICI_TRY(ResultPtr r, exec_within(conn.get(), "DECLARE yici_pull NO SCROLL CURSOR FOR " + select, params, wait));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return Error::invalid("postgres: " + trim_message(PQerrorMessage(conn.get())));
  }
  return std::unique_ptr<RowReader>(std::make_unique<PostgresRowReader>(
      std::move(conn), std::move(keys), request.columns.size(), config_.fetch_size, wait));
}

Result<std::vector<ColumnInfo>> PostgresAdapter::describe() {
  YICI_TRY(auto conn, connect(config_, files()));
  YICI_TRY(ResultPtr r, exec_within(conn.get(), "SELECT * FROM " + from_clause(config_.source) + " LIMIT 0", {},
                                    config_.read_timeout));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return Error::invalid("postgres: " + trim_message(PQerrorMessage(conn.get())));
  }
  std::vector<ColumnInfo> out;
  for (int i = 0; i < PQnfields(r.get()); ++i) {
    const std::string oid = std::to_string(PQftype(r.get(), i));
    YICI_TRY(ResultPtr t,
             exec_within(conn.get(), "SELECT format_type($1::oid, NULL)", {oid.c_str()}, config_.read_timeout));
    std::string type =
        PQresultStatus(t.get()) == PGRES_TUPLES_OK && PQntuples(t.get()) == 1 ? PQgetvalue(t.get(), 0, 0) : "";
    out.push_back({PQfname(r.get(), i), type});
  }
  return out;
}

std::vector<std::string> PostgresAdapter::local_files() const {
  std::vector<std::string> out;
  for (const std::string* f : {&config_.password_file, &config_.tls.ca, &config_.tls.cert, &config_.tls.key}) {
    if (!f->empty()) out.push_back(*f);
  }
  return out;
}

}  // namespace yici::adapters::postgres
