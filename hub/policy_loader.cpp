#include "hub/policy_loader.h"

#include <algorithm>

#include "hub/core/log.h"

namespace yici {

Status check_matters(const matter::MatterCatalog& matters, const schema::SchemaSet& schemas) {
  std::string problems;
  for (const auto& [code, m] : matters.all()) {
    for (const auto& material : m.materials) {
      if (material.submit) continue;
      const std::string where = m.origin + ": matter " + code + ", material " + material.id + ": ";
      const auto schema = schemas.find(material.dataset);
      if (!schema) {
        problems += where + "dataset \"" + material.dataset + "\" has no schema\n";
        continue;
      }
      for (const auto& f : material.fields) {
        if (!schema->field_index(f)) problems += where + "dataset " + material.dataset + " has no field " + f + "\n";
      }
      for (const auto* conditions : {&material.require, &material.forbid}) {
        for (const auto& c : *conditions) {
          const auto index = schema->field_index(c.field);
          if (!index) {
            if (c.field != "status") problems += where + "condition on unknown field " + c.field + "\n";
            continue;
          }
          const schema::CodeList* list = schema->fields[*index].codes;
          if (list == nullptr) continue;
          for (const auto& v : c.any_of) {
            if (std::find(list->codes.begin(), list->codes.end(), v) == list->codes.end()) {
              problems += where + "condition " + c.field + ": \"" + v + "\" is not a code of list " + list->name + "\n";
            }
          }
        }
      }
    }
  }
  if (problems.empty()) return {};
  problems.pop_back();
  return Error::invalid(problems);
}

Result<std::shared_ptr<const access::Policy>> load_policy(const std::string& path, const matter::MatterCatalog& matters,
                                                          const schema::SchemaSet& schemas,
                                                          std::vector<std::string>* warnings) {
  YICI_TRY(auto parsed, access::Policy::load_file(path));
  YICI_TRY(auto policy, parsed->expand_matters([&](const std::string& code) { return matters.needs(code); }));
  std::string problems;
  for (const auto& g : policy->grants()) {
    const auto schema = schemas.find(g.dataset);
    const std::string where = path + ":" + std::to_string(g.line) + ": ";
    if (!schema) {
      problems += where + "grant to " + g.principal + " names dataset \"" + g.dataset + "\", which has no schema\n";
      continue;
    }
    for (const auto& field : g.fields) {
      if (!schema->field_index(field)) {
        problems += where + "grant to " + g.principal + ": dataset " + g.dataset + " has no field \"" + field + "\"\n";
      }
    }
    // Purposes are the matters requests are made for. One that is no matter is not an error (a
    // department may be granted before its matter is written), but it is likely a typo.
    for (const auto& purpose : g.purposes) {
      if (matters.find(purpose) == nullptr) {
        if (warnings != nullptr) {
          warnings->push_back(where + "grant to " + g.principal + ": purpose \"" + purpose +
                              "\" is no matter in matters_dir (a typo, or a matter not yet written)");
        }
        log::warn("policy_purpose_unknown",
                  {{"where", where + "grant to " + g.principal},
                   {"purpose", purpose},
                   {"action", "no matter in matters_dir has this code: check the spelling, or add the matter"}});
      }
    }
  }
  if (!problems.empty()) {
    problems.pop_back();
    return Error::invalid(problems);
  }
  return policy;
}

}  // namespace yici
