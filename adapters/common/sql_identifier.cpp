#include "adapters/common/sql_identifier.h"

#include <cctype>

namespace yici::adapters {

bool is_safe_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  const auto first = static_cast<unsigned char>(name[0]);
  if (!(std::isalpha(first) || first == '_') || first > 127) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 127 || !(std::isalnum(u) || c == '_')) return false;
  }
  return true;
}

bool is_safe_table_name(std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return is_safe_identifier(name);
  return is_safe_identifier(name.substr(0, dot)) && is_safe_identifier(name.substr(dot + 1));
}

std::string quote_identifier(std::string_view name) { return "\"" + std::string(name) + "\""; }

std::string quote_table_name(std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return quote_identifier(name);
  return quote_identifier(name.substr(0, dot)) + "." + quote_identifier(name.substr(dot + 1));
}

Result<std::string> check_select_query(std::string_view query) {
  std::string_view q = query;
  while (!q.empty() && std::isspace(static_cast<unsigned char>(q.front()))) q.remove_prefix(1);
  while (!q.empty() && std::isspace(static_cast<unsigned char>(q.back()))) q.remove_suffix(1);
  if (!q.empty() && q.back() == ';') q.remove_suffix(1);
  while (!q.empty() && std::isspace(static_cast<unsigned char>(q.back()))) q.remove_suffix(1);
  if (q.empty()) return Error::invalid("query is empty");
  std::string head;
  for (char c : q.substr(0, 6)) head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (head.rfind("SELECT", 0) != 0 && head.rfind("WITH", 0) != 0) {
    return Error::invalid("query must be a single SELECT (or WITH … SELECT) statement");
  }
  if (q.find(';') != std::string_view::npos) return Error::invalid("query must be a single statement (found \";\")");
  if (q.find("--") != std::string_view::npos || q.find("/*") != std::string_view::npos) {
    return Error::invalid("query must not contain comments");
  }
  return std::string(q);
}

}  // namespace yici::adapters
