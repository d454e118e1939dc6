#include "hub/ingest/source_registry.h"

namespace yici::ingest {

std::string_view managed_by_name(ManagedBy m) { return m == ManagedBy::kFile ? "file" : "api"; }

std::vector<std::shared_ptr<const RegisteredSource>> SourceRegistry::list() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const RegisteredSource>> out;
  out.reserve(by_id_.size());
  for (const auto& [id, s] : by_id_) out.push_back(s);
  return out;
}

std::shared_ptr<const RegisteredSource> SourceRegistry::find(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void SourceRegistry::put(std::shared_ptr<const RegisteredSource> source) {
  std::lock_guard lock(mu_);
  const std::string id = source->definition.id;
  by_id_[id] = std::move(source);
}

void SourceRegistry::erase(std::string_view id) {
  std::lock_guard lock(mu_);
  if (auto it = by_id_.find(id); it != by_id_.end()) by_id_.erase(it);
}

void SourceRegistry::cancel_all() const {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : by_id_) s->cancel->store(true);
}

}  // namespace yici::ingest
