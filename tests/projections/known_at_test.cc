// --known-at: which commits a sequence or a UTC time names (spec/CLI.md, "balance"), to the
// nanosecond.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "ledger/date.h"
#include "projections/queries.h"
#include "tests/cli_support.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::projections;

namespace {

constexpr int64_t kNs = 1000000000;

// 2026-11-25T11:26:35Z in ns since the epoch, computed independently of the parser.
const int64_t kT = (int64_t{days_from_civil(2026, 11, 25)} * 86400 + (11 * 60 + 26) * 60 + 35) * kNs;

std::unique_ptr<Ledger> small_demo(const TempDir& tmp) {
  std::ostringstream log;
  REQUIRE(demo::run_demo(tmp / "l", {.seed = 5, .course_payments = 30}, log).has_value());
  auto ledger = Ledger::open(tmp / "l", {.read_only = true});
  REQUIRE(ledger.has_value());
  return std::move(ledger).value();
}

}  // namespace

TEST_CASE("a --known-at time is the instant it names: a second's start, a day's end", "[projections][known-at]") {
  CHECK(parse_known_at_time_ns("2026-11-25T11:26:35Z").value() == kT);
  CHECK(parse_known_at_time_ns("2026-11-25T11:26:35.000000001Z").value() == kT + 1);
  CHECK(parse_known_at_time_ns("2026-11-25T11:26:35.999999999Z").value() == kT + kNs - 1);
  CHECK(parse_known_at_time_ns("2026-11-25T11:26:35.5Z").value() == kT + kNs / 2);
  CHECK(parse_known_at_time_ns("2026-11-25T11:26:35.000Z").value() == kT);
  // A date is its last nanosecond: the next day's first instant is 1 ns later.
  CHECK(parse_known_at_time_ns("2026-11-25").value() + 1 == parse_known_at_time_ns("2026-11-26T00:00:00Z").value());
  // log prints recorded_at in a form --known-at reads back exactly.
  CHECK(parse_known_at_time_ns(format_timestamp_ns(kT + 123456789)).value() == kT + 123456789);

  for (const char* bad : {"", "-1", "+1", "2026-11-25T11:26:35", "2026-11-25T11:26:35.Z", "2026-11-25T11:26:35.1234567890Z",
                          "2026-11-25T24:00:00Z", "2026-11-25T11:60:00Z", "2026-11-25 11:26:35Z", "2026-11-25T11:26:35+01:00",
                          "2026-11-25T1:26:35Z", "2026-02-30", "2026-11-25Z", "yesterday"}) {
    CAPTURE(bad);
    auto r = parse_known_at_time_ns(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("known-at T counts exactly the commits recorded at or before T", "[projections][known-at]") {
  TempDir tmp;
  auto ledger = small_demo(tmp);
  const Head head = ledger->head().value();
  std::vector<int64_t> recorded;
  for (uint64_t s = 0; s < head.commit_count; ++s) recorded.push_back(ledger->commit(s).value().info.recorded_at_ns);
  auto known_at = [&](int64_t t) {
    return static_cast<uint64_t>(std::count_if(recorded.begin(), recorded.end(), [&](int64_t r) { return r <= t; }));
  };
  // Every commit, at its own instant and 1 ns before it (genesis: before the log began).
  for (uint64_t s = 0; s < head.commit_count; s += 7) {
    CAPTURE(s);
    const int64_t r = recorded[s];
    CHECK(resolve_known_at(*ledger, format_timestamp_ns(r)).value() == known_at(r));
    CHECK(known_at(r) >= s + 1);
    if (s == 0) {
      CHECK(resolve_known_at(*ledger, format_timestamp_ns(r - 1)).error().code() == StatusCode::kInvalidArgument);
    } else {
      CHECK(resolve_known_at(*ledger, format_timestamp_ns(r - 1)).value() == known_at(r - 1));
      CHECK(known_at(r - 1) <= s);  // commit s itself is not known 1 ns before it was recorded
    }
  }
  // The whole-second form names the second's start: a commit recorded later within that second
  // (1 ns later or more) is not included.
  const int64_t last = recorded.back();
  const int64_t second_start = last - last % kNs;
  const std::string second = format_timestamp_ns(last).substr(0, 19) + "Z";
  if (second_start >= recorded.front()) {
    CHECK(resolve_known_at(*ledger, second).value() == known_at(second_start));
    if (last > second_start) CHECK(resolve_known_at(*ledger, second).value() < head.commit_count);
  }
  // A date is the end of its UTC day.
  CHECK(resolve_known_at(*ledger, format_timestamp_ns(last).substr(0, 10)).value() == head.commit_count);
}

TEST_CASE("known-at takes a commit sequence as digits only", "[projections][known-at]") {
  TempDir tmp;
  auto ledger = small_demo(tmp);
  const Head head = ledger->head().value();
  CHECK(resolve_known_at(*ledger, "0").value() == 1);
  CHECK(resolve_known_at(*ledger, "007").value() == 8);
  CHECK(resolve_known_at(*ledger, std::to_string(head.commit_count - 1)).value() == head.commit_count);
  for (const std::string& bad : {std::to_string(head.commit_count), std::string("18446744073709551616"), std::string("-1"),
                                std::string("+3"), std::string(" 3"), std::string("3.0"), std::string("")}) {
    CAPTURE(bad);
    auto r = resolve_known_at(*ledger, bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.error().message(), Catch::Contains("--known-at"));
  }
}

TEST_CASE("balance and history refuse a negative or malformed --known-at, exit 2", "[projections][known-at][cli]") {
  TempDir tmp;
  auto r = run_cli(tmp, {"demo", "--data", tmp / "l", "--seed", "5", "--course-payments", "12"});
  REQUIRE(r.exit_code == 0);
  for (const char* bad : {"-1", "abc", "2013-04-05T12:00", "1e3"}) {
    CAPTURE(bad);
    auto b = run_cli(tmp, {"balance", "--data", tmp / "l", "--by", "sector", "--known-at", bad});
    CHECK(b.exit_code == 2);
    CHECK_THAT(b.err, Catch::Contains("expected a commit sequence"));
    auto h = run_cli(tmp, {"history", "--data", tmp / "l", "--entity", "665", "--known-at", bad});
    CHECK(h.exit_code == 2);
    CHECK_THAT(h.err, Catch::Contains("expected a commit sequence"));
  }
  CHECK(run_cli(tmp, {"balance", "--data", tmp / "l", "--by", "sector", "--known-at", "4"}).exit_code == 0);
}
