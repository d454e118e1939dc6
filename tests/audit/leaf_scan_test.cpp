// The purge facts a scan gathers: the runs of entries whose readable subject is gone, merged
// across chunks, and the first of them beyond what the recorded purges reach.
#include "hub/audit/leaf_scan.h"

#include <doctest/doctest.h>

namespace yici::audit {
namespace {

TEST_CASE("leaf scan: runs of purged subjects merge across chunks, and the first beyond a bound is found") {
  PurgeFacts a;
  for (std::uint64_t seq : {0, 1, 2, 5}) a.add_gone(seq);
  a.recorded_below = 3;
  PurgeFacts b;
  for (std::uint64_t seq : {6, 7, 10}) b.add_gone(seq);
  b.recorded_below = 2;  // an earlier purge's entry seen later: the furthest counts
  a.merge(b);
  CHECK(a.gone == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 3}, {5, 8}, {10, 11}});
  CHECK(a.recorded_below == 3);
  CHECK(a.first_gone_from(3) == 5);
  CHECK(a.first_gone_from(1) == 1);
  CHECK(a.first_gone_from(6) == 6);
  CHECK(a.first_gone_from(11) == std::nullopt);
  PurgeFacts c;
  c.add_gone(3);
  PurgeFacts d;
  d.add_gone(4);
  c.merge(d);  // a run cut by a chunk boundary is one run
  CHECK(c.gone == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{3, 5}});
}

}  // namespace
}  // namespace yici::audit
