// The normaliser: one source row (already named by schema field) → a canonical record, or every
// failing field with a stable code and a message a department clerk can act on.
//
// A Normaliser is built from a compiled Schema once per pull (or per `yici-ctl normalize` run)
// and reuses its buffers for every row; nothing is parsed or compiled per row.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/ingest/row_normaliser.h"
#include "hub/schema/civil_date.h"
#include "hub/schema/field_check.h"
#include "hub/schema/field_value.h"
#include "hub/schema/schema.h"

namespace yici::schema {

struct NormaliserOptions {
  std::optional<CivilDate> today;  // default: today in China Standard Time
};

class Normaliser final : public ingest::RowNormaliser {
 public:
  explicit Normaliser(std::shared_ptr<const Schema> schema, NormaliserOptions options = {});
  ~Normaliser() override;

  ingest::NormalisedRow normalise(const std::vector<std::string>& fields,
                                  const std::vector<std::optional<std::string>>& values) override;
  std::optional<ingest::RejectedRowStatus> rejected_row_status(
      const std::vector<std::string>& fields, const std::vector<std::optional<std::string>>& values) override;

  [[nodiscard]] const Schema& schema() const { return *schema_; }
  // Problems of the last row, in field order (row-level first), for callers that want them
  // structured rather than as JSON.
  [[nodiscard]] const std::vector<Problem>& last_problems() const { return problems_; }

 private:
  void map_fields(const std::vector<std::string>& fields);
  void normalise_field(std::size_t index, const std::optional<std::string>* raw);
  static void append_problems(std::string& out, const std::vector<Problem>& problems, const Schema& schema,
                              Severity severity);

  std::shared_ptr<const Schema> schema_;
  CheckContext ctx_;
  std::vector<std::string> keys_;                            // "\"name\":" per field, pre-rendered
  std::vector<std::string> mapped_names_;                    // input field names the mapping was built for
  std::vector<std::size_t> input_of_field_;                  // schema field → input position (npos: not given)
  std::vector<std::unique_ptr<Pattern::Matcher>> matchers_;  // per field, when it has a pattern
  std::vector<FieldValue> values_;
  std::vector<Problem> problems_;
  std::string cleaned_;
  std::size_t last_size_ = 256;  // the last record's JSON size: one allocation per record
};

}  // namespace yici::schema
