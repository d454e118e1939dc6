#include "hub/ingest/restored_health.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "hub/core/time.h"

namespace yici::ingest {
namespace {

store::PullRun run(const std::string& finished_at, const std::string& error = "") {
  store::PullRun r;
  r.source = "hz-rk";
  r.started_at = finished_at;
  r.finished_at = finished_at;
  r.mode = "incremental";
  r.error = error;
  return r;
}

SysTime at(const std::string& text) { return parse_rfc3339(text).value(); }

TEST_CASE("restored health: failing since the first failure after the latest success, which is kept") {
  // Newest first, as recent_pull_runs lists them.
  const auto h = health_from_runs({run("2026-11-24T12:30:00Z", "HTTP 500"), run("2026-11-24T12:20:00Z", "timeout"),
                                   run("2026-11-24T12:10:00Z", "HTTP 502"), run("2026-11-24T12:00:00Z"),
                                   run("2026-11-24T11:50:00Z", "older failure")});
  REQUIRE(h.has_value());
  CHECK(h->state == SourceHealth::State::kFailing);
  CHECK(h->since == at("2026-11-24T12:10:00Z"));
  CHECK(h->last_success == at("2026-11-24T12:00:00Z"));
  CHECK(h->last_error == "HTTP 500");  // the newest
  CHECK(h->consecutive_failures == 3);
}

TEST_CASE("restored health: ok after a success, failing from the oldest listed run when none succeeded") {
  const auto ok = health_from_runs({run("2026-11-24T12:30:00Z"), run("2026-11-24T12:20:00Z", "HTTP 500")});
  REQUIRE(ok.has_value());
  CHECK(ok->state == SourceHealth::State::kOk);
  CHECK(ok->last_success == at("2026-11-24T12:30:00Z"));
  CHECK(ok->consecutive_failures == 0);
  CHECK(ok->last_error.empty());

  const auto never = health_from_runs({run("2026-11-24T12:30:00Z", "b"), run("2026-11-24T12:20:00Z", "a")});
  REQUIRE(never.has_value());
  CHECK(never->state == SourceHealth::State::kFailing);
  CHECK(never->since == at("2026-11-24T12:20:00Z"));
  CHECK(never->last_success == SysTime{});
  CHECK(never->consecutive_failures == 2);

  CHECK_FALSE(health_from_runs({}).has_value());
  CHECK_FALSE(health_from_runs({run("not a time", "x")}).has_value());
}

}  // namespace
}  // namespace yici::ingest
