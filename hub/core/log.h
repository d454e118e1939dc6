// Structured logging: one line per event, JSON by default (text for humans on a terminal).
//
// Every line has time, level and event; the rest are the caller's fields. Secrets never go in
// fields: callers pass references (file paths, env var names), never values.
#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "hub/core/hub_config.h"

namespace yici::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// Sets level and format for the process; safe to call again (e.g. after config load).
void init(const LogConfig& config);

// Whether a line at `level` would be written: lets a hot path skip building its fields.
bool enabled(Level level);

void event(Level level, std::string_view name, boost::json::object fields = {});
inline void info(std::string_view name, boost::json::object fields = {}) {
  event(Level::kInfo, name, std::move(fields));
}
inline void warn(std::string_view name, boost::json::object fields = {}) {
  event(Level::kWarn, name, std::move(fields));
}
inline void error(std::string_view name, boost::json::object fields = {}) {
  event(Level::kError, name, std::move(fields));
}
inline void debug(std::string_view name, boost::json::object fields = {}) {
  event(Level::kDebug, name, std::move(fields));
}

}  // namespace yici::log
