#include "hub/matter/matter.h"

#include <algorithm>
#include <filesystem>

namespace yici::matter {
namespace {

bool valid_code(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<std::vector<Condition>> parse_conditions(const YamlDoc& doc, const YAML::Node& node, const std::string& what) {
  std::vector<Condition> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsMap()) return doc.error_at(node, what + " must be a mapping of field: value");
  for (const auto& kv : node) {
    Condition c;
    c.field = kv.first.Scalar();
    if (kv.second.IsScalar()) {
      c.any_of.push_back(kv.second.Scalar());
    } else if (kv.second.IsSequence()) {
      for (const auto& v : kv.second) {
        if (!v.IsScalar()) return doc.error_at(v, what + "." + c.field + ": values must be strings");
        c.any_of.push_back(v.Scalar());
      }
    } else {
      return doc.error_at(kv.second, what + "." + c.field + " must be a value or a list of values");
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Result<Matter> parse_matter(const YamlDoc& doc) {
  return read_guarded(doc, [&]() -> Result<Matter> {
    const YAML::Node& root = doc.root();
    YICI_TRY_STATUS(doc.expect_map(root, {"code", "name", "applicant", "materials"}, "matter"));
    Matter m;
    m.origin = doc.origin();
    YICI_TRY(m.code, doc.required_string(root, "code"));
    if (!valid_code(m.code)) return doc.error_at(root["code"], "code \"" + m.code + "\" must match [a-z0-9-]+");
    YICI_TRY(m.name, doc.required_string(root, "name"));
    YICI_TRY(m.applicant, doc.required_string(root, "applicant"));
    if (m.applicant != "entity" && m.applicant != "person") {
      return doc.error_at(root["applicant"], "applicant must be entity or person");
    }
    const YAML::Node materials = root["materials"];
    if (!materials.IsDefined() || !materials.IsSequence() || materials.size() == 0) {
      return doc.error_at(root, "materials: list what the applicant would otherwise bring");
    }
    for (const auto& node : materials) {
      YICI_TRY_STATUS(doc.expect_map(
          node, {"id", "name", "submit", "dataset", "fields", "require", "forbid", "forbid_reason"}, "material"));
      Material mat;
      YICI_TRY(mat.id, doc.required_string(node, "id"));
      YICI_TRY(mat.name, doc.required_string(node, "name"));
      for (const auto& other : m.materials) {
        if (other.id == mat.id) return doc.error_at(node, "duplicate material id \"" + mat.id + "\"");
      }
      YICI_TRY(auto submit, doc.optional_bool(node, "submit"));
      mat.submit = submit.value_or(false);
      YICI_TRY(auto dataset, doc.optional_string(node, "dataset"));
      if (mat.submit == dataset.has_value()) {
        return doc.error_at(node, "material \"" + mat.id + "\" needs either a dataset or submit: true");
      }
      mat.dataset = dataset.value_or("");
      YICI_TRY(mat.fields, doc.string_list(node, "fields"));
      if (!mat.submit && mat.fields.empty()) return doc.error_at(node, "material \"" + mat.id + "\" needs fields");
      YICI_TRY(mat.require, parse_conditions(doc, node["require"], "require"));
      YICI_TRY(mat.forbid, parse_conditions(doc, node["forbid"], "forbid"));
      YICI_TRY(auto reason, doc.optional_string(node, "forbid_reason"));
      if (reason) mat.forbid_reason = *reason;
      m.materials.push_back(std::move(mat));
    }
    return m;
  });
}

Result<MatterCatalog> MatterCatalog::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  MatterCatalog catalog;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return catalog;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && (it->path().extension() == ".yaml" || it->path().extension() == ".yml")) {
      files.push_back(it->path());
    }
  }
  if (ec) return Error::io(dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    YICI_TRY(auto doc, YamlDoc::load_file(f.string()));
    YICI_TRY(auto m, parse_matter(doc));
    if (catalog.matters_.count(m.code))
      return Error::invalid(f.string() + ": matter code \"" + m.code + "\" defined twice");
    catalog.matters_.emplace(m.code, std::move(m));
  }
  return catalog;
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>> MatterCatalog::needs(
    const std::string& code) const {
  const Matter* m = find(code);
  if (m == nullptr) return Error::not_found("no matter with code \"" + code + "\"");
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& mat : m->materials) {
    if (mat.submit) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == mat.dataset; });
    if (it == out.end()) it = out.insert(out.end(), {mat.dataset, {}});
    for (const auto& f : mat.fields) {
      if (std::find(it->second.begin(), it->second.end(), f) == it->second.end()) it->second.push_back(f);
    }
  }
  return out;
}

const Matter* MatterCatalog::find(const std::string& code) const {
  auto it = matters_.find(code);
  return it == matters_.end() ? nullptr : &it->second;
}

}  // namespace yici::matter
