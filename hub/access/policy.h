// The access policy (config/policy.yaml): principals and the grants that say which department may
// read which fields of which dataset for which purposes. Default deny: anything not granted is
// refused. This file parses and indexes the policy; evaluation lives with the lookup handlers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hub/access/principal.h"
#include "hub/core/result.h"

namespace yici {
class YamlDoc;
}

namespace yici::access {

struct RateLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
};

struct Grant {
  std::string principal;
  std::string matter;  // a matter grant: expanded by Policy::expand_matters into dataset grants
  std::string dataset;
  std::vector<std::string> fields;
  std::vector<std::string> purposes;  // matter codes
  RateLimit rate;
  int line = 0;  // in the policy file, for lint messages
};

class Policy {
 public:
  // Parses and checks internal consistency (unique ids and CNs, grants name known principals that
  // are departments). Errors are "file:line: message".
  static Result<std::shared_ptr<const Policy>> load_file(const std::string& path);
  static Result<std::shared_ptr<const Policy>> parse(std::string_view text, const std::string& origin);

  // Datasets and fields a matter's materials need: (dataset, fields) pairs.
  using MatterNeeds =
      std::function<Result<std::vector<std::pair<std::string, std::vector<std::string>>>>(const std::string& matter)>;
  // A copy in which each `matter:` grant is replaced by grants of exactly the fields its materials
  // need, for that matter as the purpose. Unknown matters are errors with the grant's line.
  [[nodiscard]] Result<std::shared_ptr<const Policy>> expand_matters(const MatterNeeds& needs) const;

  // nullptr when no principal has this certificate CN.
  [[nodiscard]] const Principal* by_cert_cn(std::string_view cn) const;
  [[nodiscard]] const Principal* by_id(std::string_view id) const;
  [[nodiscard]] const std::vector<Principal>& principals() const { return principals_; }
  [[nodiscard]] const std::vector<Grant>& grants() const { return grants_; }

 private:
  static Result<std::shared_ptr<const Policy>> from_doc(const YamlDoc& doc);
  std::vector<Principal> principals_;
  std::vector<Grant> grants_;
  std::string origin_;
  std::unordered_map<std::string, std::size_t> by_cn_;
  std::unordered_map<std::string, std::size_t> by_id_;
};

}  // namespace yici::access
