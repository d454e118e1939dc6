// Reads every row an adapter returns for a request (adapter tests).
#pragma once

#include <memory>
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

}  // namespace yici::test
