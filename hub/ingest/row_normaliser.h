// What the pull job needs from the normaliser: turn one source row, already renamed to schema
// field names by the source's mapping, into a record or a list of reasons. The schema module
// provides the implementation; the pull job does not know how checking works.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yici::ingest {

struct NormalisedRow {
  bool ok = false;
  std::string subject;           // ok: the dataset's subject field, normalised
  std::string status = "valid";  // ok: derived status (valid, expired, revoked, ...)
  std::string fields_json;       // ok: normalised fields as a JSON object
  std::string errors_json;       // !ok: [{"field","code","message"}, ...]
  std::string warnings_json;     // ok: the same shape, for accepted values the schema flags (may be empty)
};

// What a rejected row still says about the record held for its key: its status field, checked on
// its own, holds a status the schema lets such a row set (status_from_rejected_rows).
struct RejectedRowStatus {
  std::string field;   // the schema's status field
  std::string status;  // its canonical code
};

class RowNormaliser {
 public:
  virtual ~RowNormaliser() = default;
  // `fields[i]` is the schema field name for `values[i]`; nullopt is an empty/NULL source value.
  // Thread-compatible: one instance per pull.
  virtual NormalisedRow normalise(const std::vector<std::string>& fields,
                                  const std::vector<std::optional<std::string>>& values) = 0;
  // For a row normalise() rejected: the status it still gives the stored record, or nullopt (no
  // status field, or its value is empty, fails its own check, or is not one a rejected row sets).
  virtual std::optional<RejectedRowStatus> rejected_row_status(
      const std::vector<std::string>& fields, const std::vector<std::optional<std::string>>& values) = 0;
};

}  // namespace yici::ingest
