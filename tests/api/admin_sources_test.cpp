#include "hub/api/admin_sources.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace yici::api {
namespace {

SourceView view_with_pulls(std::vector<store::PullRun> pulls) {
  auto source = std::make_shared<ingest::RegisteredSource>();
  source->definition.id = "psb";
  source->definition.dataset = "population";
  source->definition.origin = "/etc/yici/sources/psb.yaml";
  SourceView v;
  v.source = source;
  v.recent_pulls = std::move(pulls);
  return v;
}

store::PullRun run(std::int64_t rows_read, std::int64_t rejected) {
  store::PullRun r;
  r.rows_read = rows_read;
  r.counts.quarantined = rejected;
  return r;
}

TEST_CASE("admin sources: the reject rate is the latest pull that read rows, written as plain JSON numbers") {
  const auto rate_text = [](std::vector<store::PullRun> pulls) {
    const std::string body = show_source(view_with_pulls(std::move(pulls))).body;
    const auto at = body.find("\"reject_rate\":");
    REQUIRE(at != std::string::npos);
    const auto end = body.find_first_of(",}", at);
    return body.substr(at + 14, end - at - 14);
  };
  CHECK(rate_text({run(10, 0)}) == "0");  // not 0E0
  CHECK(rate_text({run(4, 4)}) == "1");
  CHECK(rate_text({}) == "null");
  // The newest pull read nothing: the one before it counts.
  const std::string quarter = rate_text({run(0, 0), run(8, 2)});
  CHECK(quarter == "0.25");  // not 2.5E-1
  CHECK(rate_text({run(40, 39)}) == "0.975");
}

}  // namespace
}  // namespace yici::api
