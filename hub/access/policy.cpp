#include "hub/access/policy.h"

#include "hub/core/yaml_reader.h"

namespace yici::access {
namespace {

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

Result<Principal> parse_principal(const YamlDoc& doc, const YAML::Node& node) {
  YICI_TRY_STATUS(doc.expect_map(node, {"id", "kind", "name", "cert_cn"}, "principal"));
  Principal p;
  YICI_TRY(p.id, doc.required_string(node, "id"));
  if (!valid_id(p.id)) return doc.error_at(node["id"], "principal id \"" + p.id + "\" must match [a-z0-9_-]{1,64}");
  YICI_TRY(auto kind, doc.required_string(node, "kind"));
  auto parsed = parse_kind(kind);
  if (!parsed) return doc.error_at(node["kind"], "kind must be department, admin or auditor, got \"" + kind + "\"");
  p.kind = *parsed;
  YICI_TRY(auto name, doc.optional_string(node, "name"));
  p.name = name.value_or(p.id);
  YICI_TRY(p.cert_cn, doc.required_string(node, "cert_cn"));
  if (p.cert_cn.empty()) return doc.error_at(node["cert_cn"], "cert_cn must not be empty");
  return p;
}

Result<Grant> parse_grant(const YamlDoc& doc, const YAML::Node& node) {
  YICI_TRY_STATUS(doc.expect_map(node, {"principal", "matter", "dataset", "fields", "purposes", "rate"}, "grant"));
  Grant g;
  g.line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
  YICI_TRY(g.principal, doc.required_string(node, "principal"));
  // Read before a matter grant returns: its rate was dropped, so the limit it set was not kept.
  const YAML::Node rate = node["rate"];
  if (rate.IsDefined()) {
    YICI_TRY_STATUS(doc.expect_map(rate, {"per_second", "burst"}, "rate"));
    YICI_TRY(auto per_second, doc.optional_int(rate, "per_second", 1, 1'000'000));
    YICI_TRY(auto burst, doc.optional_int(rate, "burst", 1, 10'000'000));
    if (!per_second) return doc.error_at(rate, "rate needs per_second");
    g.rate.per_second = static_cast<double>(*per_second);
    g.rate.burst = static_cast<double>(burst.value_or(*per_second));
  }
  YICI_TRY(auto matter, doc.optional_string(node, "matter"));
  if (matter) {
    if (node["dataset"].IsDefined() || node["fields"].IsDefined() || node["purposes"].IsDefined()) {
      return doc.error_at(node,
                          "a matter grant gives exactly what the matter needs: drop dataset, fields and purposes");
    }
    g.matter = *matter;
    return g;
  }
  YICI_TRY(g.dataset, doc.required_string(node, "dataset"));
  YICI_TRY(g.fields, doc.string_list(node, "fields"));
  if (g.fields.empty()) return doc.error_at(node, "grant needs a non-empty \"fields\" list");
  YICI_TRY(g.purposes, doc.string_list(node, "purposes"));
  if (g.purposes.empty()) {
    return doc.error_at(node, "grant needs a non-empty \"purposes\" list (matter codes the fields may be read for)");
  }
  return g;
}

}  // namespace

Result<std::shared_ptr<const Policy>> Policy::load_file(const std::string& path) {
  YICI_TRY(auto doc, YamlDoc::load_file(path));
  return read_guarded(doc, [&] { return from_doc(doc); });
}

Result<std::shared_ptr<const Policy>> Policy::parse(std::string_view text, const std::string& origin) {
  YICI_TRY(auto doc, YamlDoc::parse(text, origin));
  return read_guarded(doc, [&] { return from_doc(doc); });
}

Result<std::shared_ptr<const Policy>> Policy::from_doc(const YamlDoc& doc) {
  auto policy = std::make_shared<Policy>();
  policy->origin_ = doc.origin();
  const YAML::Node& root = doc.root();
  YICI_TRY_STATUS(doc.expect_map(root, {"principals", "grants"}, "policy"));
  const YAML::Node principals = root["principals"];
  if (!principals.IsDefined() || !principals.IsSequence())
    return doc.error_at(root, "policy needs a \"principals\" list");
  for (const auto& node : principals) {
    YICI_TRY(auto p, parse_principal(doc, node));
    if (policy->by_id_.count(p.id)) return doc.error_at(node, "duplicate principal id \"" + p.id + "\"");
    if (policy->by_cn_.count(p.cert_cn)) {
      return doc.error_at(node, "certificate CN \"" + p.cert_cn + "\" already maps to principal \"" +
                                    policy->principals_[policy->by_cn_[p.cert_cn]].id + "\"");
    }
    policy->by_id_.emplace(p.id, policy->principals_.size());
    policy->by_cn_.emplace(p.cert_cn, policy->principals_.size());
    policy->principals_.push_back(std::move(p));
  }
  const YAML::Node grants = root["grants"];
  if (grants.IsDefined() && !grants.IsNull()) {
    if (!grants.IsSequence()) return doc.error_at(grants, "\"grants\" must be a list");
    for (const auto& node : grants) {
      YICI_TRY(auto g, parse_grant(doc, node));
      const Principal* p = policy->by_id(g.principal);
      if (p == nullptr) return doc.error_at(node["principal"], "grant names unknown principal \"" + g.principal + "\"");
      if (p->kind != PrincipalKind::kDepartment) {
        return doc.error_at(node["principal"], "grants are for departments; \"" + g.principal + "\" is " +
                                                   std::string(kind_name(p->kind)));
      }
      policy->grants_.push_back(std::move(g));
    }
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

Result<std::shared_ptr<const Policy>> Policy::expand_matters(const MatterNeeds& needs) const {
  auto out = std::make_shared<Policy>(*this);
  out->grants_.clear();
  for (const Grant& g : grants_) {
    if (g.matter.empty()) {
      out->grants_.push_back(g);
      continue;
    }
    auto datasets = needs(g.matter);
    if (!datasets.ok()) {
      return Error::invalid(origin_ + ":" + std::to_string(g.line) + ": grant names matter \"" + g.matter +
                            "\": " + datasets.error().message);
    }
    for (auto& [dataset, fields] : *datasets) {
      Grant expanded = g;
      expanded.matter.clear();
      expanded.dataset = dataset;
      expanded.fields = fields;
      expanded.purposes = {g.matter};
      out->grants_.push_back(std::move(expanded));
    }
  }
  return std::shared_ptr<const Policy>(std::move(out));
}

const Principal* Policy::by_cert_cn(std::string_view cn) const {
  auto it = by_cn_.find(std::string(cn));
  return it == by_cn_.end() ? nullptr : &principals_[it->second];
}

const Principal* Policy::by_id(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &principals_[it->second];
}

}  // namespace yici::access
