// Matters (办事事项): what an applicant would otherwise have to carry for one government service,
// and which shared dataset can stand in for each material. Loaded from config/matters/*.yaml:
//
//   code: food-business-license          # [a-z0-9-]+, used as the lookup purpose
//   name: 食品经营许可（新办）
//   applicant: entity                    # entity (credit code) or person (ID number)
//   materials:
//     - id: business-license
//       name: 营业执照
//       dataset: legal_entity
//       fields: [uscc, name, status]     # what the bundle shows (and what a matter grant allows)
//       require: {status: active}        # satisfied by a record matching every condition
//     - id: credit-clearance
//       name: 未列入严重失信主体名单
//       dataset: credit
//       fields: [subject_id, list_type, status]
//       forbid: {list_type: black, status: valid}    # satisfied when NO record matches
//       forbid_reason: blacklisted
//     - id: premises-plan
//       name: 经营场所平面图
//       submit: true                     # always brought by the applicant
//
// A condition's value is a string or a list of strings (any of them).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hub/core/result.h"
#include "hub/core/yaml_reader.h"

namespace yici::matter {

struct Condition {
  std::string field;
  std::vector<std::string> any_of;
};

struct Material {
  std::string id;
  std::string name;
  bool submit = false;  // no dataset: the applicant brings it
  std::string dataset;
  std::vector<std::string> fields;
  std::vector<Condition> require;
  std::vector<Condition> forbid;
  std::string forbid_reason = "disqualifying_record";
};

struct Matter {
  std::string code;
  std::string name;
  std::string applicant;  // entity or person
  std::vector<Material> materials;
  std::string origin;
};

Result<Matter> parse_matter(const YamlDoc& doc);

class MatterCatalog {
 public:
  // Loads every *.yaml in `dir`; any bad file fails the load (matters are few and reviewed).
  static Result<MatterCatalog> load_dir(const std::string& dir);
  [[nodiscard]] const Matter* find(const std::string& code) const;
  // The datasets and fields a matter's shared materials need (what a matter grant gives):
  // (dataset, fields) pairs, fields in first-material order. Unknown matter → error.
  [[nodiscard]] Result<std::vector<std::pair<std::string, std::vector<std::string>>>> needs(
      const std::string& code) const;
  [[nodiscard]] const std::map<std::string, Matter>& all() const { return matters_; }

 private:
  std::map<std::string, Matter> matters_;
};

}  // namespace yici::matter
