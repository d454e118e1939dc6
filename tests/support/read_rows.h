// Reads every row an adapter returns for a request (adapter tests).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/adapter.h"

namespace yici::test {

inline Result<std::vector<adapters::Row>> read_rows(adapters::Adapter& adapter, const adapters::ReadRequest& request) {
  YICI_TRY(auto reader, adapter.read(request));
  std::vector<adapters::Row> rows;
  adapters::Row row;
  while (true) {
    YICI_TRY(bool more, reader->next(row));
    if (!more) break;
    rows.push_back(row);
  }
  return rows;
}

// Every row, each with the resume token the reader gave right after returning it.
struct RowsWithTokens {
  std::vector<adapters::Row> rows;
  std::vector<std::optional<std::string>> tokens;
  std::optional<std::string> token_at_end;  // asked after next() said there are no more rows
};

inline Result<RowsWithTokens> read_rows_with_tokens(adapters::Adapter& adapter, const adapters::ReadRequest& request) {
  YICI_TRY(auto reader, adapter.read(request));
  RowsWithTokens out;
  adapters::Row row;
  while (true) {
    YICI_TRY(bool more, reader->next(row));
    if (!more) break;
    out.rows.push_back(row);
    out.tokens.push_back(reader->resume_token());
  }
  out.token_at_end = reader->resume_token();
  return out;
}

}  // namespace yici::test
