#include <catch2/catch.hpp>

#include <numeric>
#include <random>

#include "ledger/largest_remainder.h"

using namespace grantledger;

namespace {
int64_t sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }
}  // namespace

TEST_CASE("awkward totals and keys split exactly", "[split]") {
  CHECK(split_largest_remainder(1, {1, 1, 1}).value() == std::vector<int64_t>{1, 0, 0});  // ties: earlier first
  CHECK(split_largest_remainder(2, {1, 1, 1}).value() == std::vector<int64_t>{1, 1, 0});
  CHECK(split_largest_remainder(100, {1, 2}).value() == std::vector<int64_t>{33, 67});
  CHECK(split_largest_remainder(0, {3, 5}).value() == std::vector<int64_t>{0, 0});
  // Primes.
  auto p = split_largest_remainder(1000003, {2, 3, 5, 7, 11, 13}).value();
  CHECK(sum(p) == 1000003);
  CHECK(p == std::vector<int64_t>{48781, 73171, 121952, 170732, 268293, 317074});
  // 98 equal weights: 14.4 mio. kr. does not divide by 98.
  std::vector<int64_t> equal(98, 1);
  auto e = split_largest_remainder(1440000000, equal).value();
  CHECK(sum(e) == 1440000000);
  CHECK(e.front() == 14693878);
  CHECK(e.back() == 14693877);
  // The largest amounts and weights do not overflow.
  auto big = split_largest_remainder(INT64_MAX, {INT64_MAX / 2, INT64_MAX / 2}).value();
  CHECK(big[0] + big[1] == INT64_MAX);
}

TEST_CASE("bad splits are refused with a reason", "[split]") {
  CHECK(split_largest_remainder(10, {1, 0}).error().message().find("weight 2 is 0") != std::string::npos);
  CHECK(split_largest_remainder(10, {1, -1}).error().code() == StatusCode::kInvalidArgument);
  CHECK(split_largest_remainder(10, {}).error().code() == StatusCode::kInvalidArgument);
  CHECK(split_largest_remainder(-1, {1}).error().code() == StatusCode::kInvalidArgument);
  CHECK(split_largest_remainder(10, {INT64_MAX, 1}).error().message().find("overflows") != std::string::npos);
  CHECK(split_largest_remainder(10, std::vector<int64_t>(kMaxSplitParts + 1, 1)).error().code() == StatusCode::kInvalidArgument);
  CHECK(split_largest_remainder(10, std::vector<int64_t>(kMaxSplitParts, 1)).has_value());
}

TEST_CASE("property: parts sum to the total and each is within one øre of its exact quota", "[split]") {
  const uint64_t seed = 20122013;
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 2000; ++round) {
    INFO("seed " << seed << " round " << round);
    size_t n = 1 + rng() % 120;
    std::vector<int64_t> w(n);
    for (auto& x : w) x = 1 + static_cast<int64_t>(rng() % 2000000);
    int64_t total = static_cast<int64_t>(rng() % 3000000000000ull);
    auto parts = split_largest_remainder(total, w).value();
    REQUIRE(sum(parts) == total);
    __int128 wsum = 0;
    for (auto x : w) wsum += x;
    for (size_t i = 0; i < n; ++i) {
      __int128 floor_quota = static_cast<__int128>(total) * w[i] / wsum;
      REQUIRE((parts[i] == floor_quota || parts[i] == floor_quota + 1));
    }
    // Deterministic.
    REQUIRE(split_largest_remainder(total, w).value() == parts);
  }
}
