#pragma once
// The actions audit entries are written under, in one place: writers name them from here, and an
// audit search refuses an action that is none of them, so `action=lookups` is named as a mistake
// instead of answering "no such accesses".
#include <array>
#include <string>
#include <string_view>

namespace yici::audit::action {

// Department requests.
inline constexpr std::string_view kLookup = "lookup";
inline constexpr std::string_view kBatchLookup = "batch_lookup";
inline constexpr std::string_view kBundle = "bundle";
// Administration.
inline constexpr std::string_view kSourceCreate = "source_create";
inline constexpr std::string_view kSourceUpdate = "source_update";
inline constexpr std::string_view kSourceDelete = "source_delete";
inline constexpr std::string_view kSourceEnable = "source_enable";
inline constexpr std::string_view kSourceDisable = "source_disable";
inline constexpr std::string_view kSourcePull = "source_pull";
inline constexpr std::string_view kReload = "reload";
inline constexpr std::string_view kKeyRotation = "key_rotation";
// The hub itself.
inline constexpr std::string_view kSubjectPurge = "subject_purge";

inline constexpr std::array kAll = {kLookup,       kBatchLookup,  kBundle,       kSourceCreate,
                                    kSourceUpdate, kSourceDelete, kSourceEnable, kSourceDisable,
                                    kSourcePull,   kReload,       kKeyRotation,  kSubjectPurge};

inline bool known(std::string_view name) {
  for (const auto a : kAll) {
    if (a == name) return true;
  }
  return false;
}

// "lookup, batch_lookup, …": for a message naming the choices.
inline std::string list() {
  std::string out;
  for (const auto a : kAll) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

}  // namespace yici::audit::action
