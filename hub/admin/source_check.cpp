#include "hub/admin/source_check.h"

#include <algorithm>

namespace yici::admin {

SourceProblem problem_from(const Error& error) { return {error.path, error.message}; }

std::vector<SourceProblem> check_source(const ingest::SourceDefinition& s, const SourceCheckContext& context) {
  std::vector<SourceProblem> out;
  const access::Principal* owner = context.policy->by_id(s.department);
  if (owner == nullptr || owner->kind != access::PrincipalKind::kDepartment) {
    out.push_back({"department", "department \"" + s.department + "\" is not a department principal in " +
                                     context.policy_file + " (add it there first, then reload)"});
  }
  auto schema = context.schemas->find(s.dataset);
  if (!schema) {
    std::string known;
    for (const auto& [dataset, loaded] : context.schemas->by_dataset) known += (known.empty() ? "" : ", ") + dataset;
    out.push_back({"dataset", "dataset \"" + s.dataset + "\" has no schema in " + context.schemas_dir +
                                  " (datasets with a schema: " + known + ")"});
    return out;
  }
  for (const auto& [field, column] : s.mapping) {
    if (!schema->field_index(field)) {
      out.push_back({"mapping." + field, "no such field in schema " + s.dataset});
    }
  }
  for (const auto& f : schema->fields) {
    const bool mapped =
        std::any_of(s.mapping.begin(), s.mapping.end(), [&](const auto& m) { return m.first == f.name; });
    if (f.required && !mapped) {
      out.push_back({"mapping." + f.name, "required field " + f.name + " of schema " + s.dataset +
                                              " is not mapped (every row would be rejected)"});
    }
  }
  return out;
}

std::string join_problems(const std::vector<SourceProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "; ";
    out += p.path.empty() ? p.message : p.path + ": " + p.message;
  }
  return out;
}

}  // namespace yici::admin
