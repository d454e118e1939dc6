// Precompiled header for the heavy, stable includes. Only third-party and standard headers here:
// project headers change too often to be worth it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>
