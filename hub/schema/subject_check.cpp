#include "hub/schema/subject_check.h"

#include <vector>

#include "hub/schema/field_check.h"
#include "hub/schema/text.h"

namespace yici::schema {

Result<std::string> canonical_subject(const Schema& schema, std::string_view subject) {
  const FieldSpec& f = schema.fields[schema.subject];
  if (subject.empty()) return Error::invalid("the subject is empty");
  if (subject.size() > 256) return Error::invalid("the subject is too long to be a " + f.name);
  std::string cleaned;
  if (clean(trim(subject), f.transforms, cleaned).fault != TextFault::kNone) {
    return Error::invalid("the subject is not clean UTF-8 text");
  }
  CheckContext ctx;
  ctx.today = today_in_china();
  ctx.today_days = days_from_civil(ctx.today);
  FieldValue value;
  std::vector<Problem> problems;
  const bool ok = check_value(schema, schema.subject, cleaned, ctx, value, problems);
  for (const Problem& p : problems) {
    if (p.severity == Severity::kReject) return Error::invalid(std::string(p.code) + ": " + p.message);
  }
  if (!ok || !value.present()) return Error::invalid("not a valid " + f.name);
  return std::move(value.text);
}

Status check_subject(const Schema& schema, std::string_view subject) {
  YICI_TRY(const std::string canonical, canonical_subject(schema, subject));
  if (canonical != subject) {
    return Error::invalid("not in canonical form: ask for " + canonical + " (as records are stored)");
  }
  return {};
}

}  // namespace yici::schema
