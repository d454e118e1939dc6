#include "hub/core/log.h"

#include <atomic>
#include <cstdio>

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "hub/core/time.h"
#include "hub/core/utf8.h"

namespace yici::log {
namespace {

std::atomic<bool> g_json{true};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = std::make_shared<spdlog::logger>("yici", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

}  // namespace

void init(const LogConfig& config) {
  g_json = config.format == "json";
  logger().set_level(spdlog::level::from_str(config.level == "warn" ? "warning" : config.level));
}

bool enabled(Level level) { return logger().should_log(to_spdlog(level)); }

void event(Level level, std::string_view name, boost::json::object fields) {
  auto& l = logger();
  const auto spd = to_spdlog(level);
  if (!l.should_log(spd)) return;
  const std::string time = format_rfc3339_micros(now_utc());
  if (g_json) {
    boost::json::object line;
    line.reserve(fields.size() + 3);
    line["time"] = time;
    line["level"] = level_name(level);
    line["event"] = name;
    for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
    // A field may quote bytes from outside (a CSV header in another encoding); the line stays UTF-8.
    l.log(spd, valid_utf8(boost::json::serialize(line)));
  } else {
    std::string text = time + " " + std::string(level_name(level)) + " " + std::string(name);
    for (const auto& kv : fields) {
      text += " ";
      text += kv.key();
      text += "=";
      text += kv.value().is_string() ? std::string(kv.value().get_string()) : boost::json::serialize(kv.value());
    }
    l.log(spd, valid_utf8(std::move(text)));
  }
}

}  // namespace yici::log
