#include "adapters/common/select_builder.h"

#include <algorithm>
#include <charconv>

#include "adapters/common/sql_identifier.h"

namespace yici::adapters {

Result<std::vector<int>> key_indices(const ReadRequest& request) {
  if (request.primary_key.empty()) return Error::invalid("primary_key must name at least one column");
  std::vector<int> out;
  for (const auto& k : request.primary_key) {
    auto it = std::find(request.columns.begin(), request.columns.end(), k);
    if (it == request.columns.end())
      return Error::invalid("primary key column \"" + k + "\" is not among the columns read");
    out.push_back(static_cast<int>(it - request.columns.begin()));
  }
  return out;
}

std::string from_clause(const SelectSource& source) {
  return source.table.empty() ? "(" + source.query + ") AS yici_src" : quote_table_name(source.table);
}

bool is_counting_number(std::string_view text) {
  return !text.empty() && text.size() <= 18 && (text.size() == 1 || text.front() != '0') &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> build_select(const SelectSource& source, const ReadRequest& request, char placeholder,
                                 bool text_cursor) {
  if (request.columns.empty()) return Error::invalid("no columns to read");
  if (request.resume_after && !request.cursor_column.empty()) {
    return Error::invalid("a read resumes after a key only in full mode, without a cursor column");
  }
  auto param = [placeholder](std::size_t n) { return placeholder + std::to_string(n); };
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < request.columns.size(); ++i) {
    if (!is_safe_identifier(request.columns[i])) {
      return Error::invalid("column name \"" + request.columns[i] + "\" is not a plain identifier");
    }
    if (i > 0) sql += ", ";
    sql += quote_identifier(request.columns[i]);
  }
  sql += " FROM ";
  if (!source.table.empty()) {
    if (!is_safe_table_name(source.table))
      return Error::invalid("table name \"" + source.table + "\" is not a plain identifier");
    sql += quote_table_name(source.table);
  } else {
    YICI_TRY(auto q, check_select_query(source.query));
    sql += "(" + q + ") AS yici_src";
  }
  std::string order;
  if (!request.cursor_column.empty()) {
    if (!is_safe_identifier(request.cursor_column)) {
      return Error::invalid("cursor column \"" + request.cursor_column + "\" is not a plain identifier");
    }
    const std::string column = quote_identifier(request.cursor_column);
    // Rows without a cursor value are read by every incremental pull: `>=` alone never matches
    // NULL, so a row inserted without one was never pulled. They do not move the cursor, and the
    // pull job counts them in its warning (pull_cursor_values_skipped).
    if (request.cursor_from) {
      if (text_cursor && is_counting_number(*request.cursor_from)) {
        // A longer number is a larger one; of equal length, text order is number order. Text
        // that is no number ("v2") is read when longer: read again, never lost.
        const std::string from = "CAST(" + param(1) + " AS TEXT)";
        sql += " WHERE (length(" + column + ") > length(" + from + ") OR (length(" + column + ") = length(" + from +
               ") AND " + column + " >= " + from + ") OR " + column + " IS NULL)";
      } else {
        sql += " WHERE (" + column + " >= " + param(1) + " OR " + column + " IS NULL)";
      }
    }
    order = text_cursor
                ? "CASE WHEN ltrim(" + column + ", '0123456789') = '' THEN length(" + column + ") ELSE 0 END, " + column
                : column;
  }
  std::string key_order;
  std::string key_params;
  for (std::size_t i = 0; i < request.primary_key.size(); ++i) {
    const auto& k = request.primary_key[i];
    if (!is_safe_identifier(k)) return Error::invalid("primary key column \"" + k + "\" is not a plain identifier");
    key_order += (key_order.empty() ? "" : ", ") + quote_identifier(k);
    key_params += (key_params.empty() ? "" : ", ") + param(i + 1);
  }
  if (request.resume_after) {
    if (request.primary_key.empty()) return Error::invalid("a read resumes after a key: no primary key");
    // A row value comparison: the same order as ORDER BY on the key, in both SQLite and PostgreSQL.
    sql += request.primary_key.size() == 1 ? " WHERE " + key_order + " > " + key_params
                                           : " WHERE (" + key_order + ") > (" + key_params + ")";
  }
  if (!key_order.empty()) order += (order.empty() ? "" : ", ") + key_order;
  if (!order.empty()) sql += " ORDER BY " + order;
  return sql;
}

KeyPart cursor_parameter(const std::string& cursor) {
  const std::string_view digits =
      !cursor.empty() && cursor.front() == '-' ? std::string_view(cursor).substr(1) : cursor;
  const bool canonical = !digits.empty() && digits.size() <= 18 && (digits.size() == 1 || digits.front() != '0') &&
                         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                         cursor != "-0";
  if (!canonical) return cursor;
  std::int64_t value = 0;
  std::from_chars(cursor.data(), cursor.data() + cursor.size(), value);
  return value;
}

}  // namespace yici::adapters
