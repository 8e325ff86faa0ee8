// projection_bench: projection rebuild throughput and query latency (spec/PROJECTIONS.md), not a
// test.
//
//   projection_bench [--payments N] [--dir PATH] [--queries Q] [--keep]
//
// Records the demo scenario with N course payments (about 3.9 events each) through the signed
// append path, rebuilds every projection from scratch (events/s), then times Q queries of each
// kind on the caught-up read models and prints p50 / p99 / max in milliseconds:
//   balance   --by municipality --programme LEDER-2012 (known now)
//   as-of     the same, --as-of a random day
//   known-at  the same, --as-of a random day, --known-at a random commit
//   sector    --by sector over every programme, --as-of + --known-at random
//   history   --entity 101 --programme LEDER-2012 (every posting of København's grant accounts)
// With --keep an existing ledger in PATH is reused, so one generated log serves many runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "projections/balance_report.h"
#include "projections/builder.h"
#include "projections/queries.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::projections;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void report(const char* name, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))]; };
  std::printf("| %-9s | %5zu | %8.2f | %8.2f | %8.2f |\n", name, ms.size(), at(0.5), at(0.99), ms.back());
}

bool ok(const Status& s, const char* what) {
  if (s.is_ok()) return true;
  std::fprintf(stderr, "%s: %s\n", what, s.to_string().c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  int payments = 25000;
  int queries = 200;
  bool keep = false;
  std::string dir = (std::filesystem::temp_directory_path() / "grantledger-projection-bench").string();
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--payments") && i + 1 < argc) payments = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc) queries = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else if (!std::strcmp(argv[i], "--keep")) keep = true;
    else {
      std::fprintf(stderr, "usage: projection_bench [--payments N] [--dir PATH] [--queries Q] [--keep]\n");
      return 2;
    }
  }
  if (!keep || !std::filesystem::exists(dir)) {
    std::filesystem::remove_all(dir);
    auto t0 = Clock::now();
    std::ostringstream log;
    auto demo = demo::run_demo(dir, {.seed = 20122013, .course_payments = payments}, log);
    if (!demo) return ok(demo.error(), "demo"), 1;
    std::printf("generated: %d course payments in %.1f s\n", payments, ms_since(t0) / 1000);
  }
  auto opened = Ledger::open(dir, {.writer = false});
  if (!opened) return ok(opened.error(), "open"), 1;
  Ledger& ledger = **opened;
  Head head = ledger.head().value();
  std::printf("log: %llu events, %llu commits\n", static_cast<unsigned long long>(head.tree_size),
              static_cast<unsigned long long>(head.commit_count));

  Builder builder(ledger);
  auto t0 = Clock::now();
  if (!ok(builder.rebuild(), "rebuild")) return 1;
  double rebuild_ms = ms_since(t0);
  std::printf("rebuild: %.2f s, %.0f events/s\n\n", rebuild_ms / 1000, static_cast<double>(head.tree_size) / (rebuild_ms / 1000));

  Queries q(ledger);
  int32_t first = q.first_effective_date().value();
  std::mt19937_64 rng(7);
  auto random_day = [&] { return first + static_cast<int32_t>(rng() % 700); };
  auto random_commit = [&] { return 1 + rng() % head.commit_count; };
  auto time_it = [&](const std::function<Status()>& fn) {
    std::vector<double> out;
    for (int i = 0; i < queries; ++i) {
      auto t = Clock::now();
      if (!ok(fn(), "query")) std::exit(1);
      out.push_back(ms_since(t));
    }
    return out;
  };
  auto balance = [&](BalanceBy by, const char* programme, AsOf as_of) {
    return balance_report(q, {by, programme, "", as_of}).status();
  };
  std::printf("| query     |     n | p50 (ms) | p99 (ms) | max (ms) |\n| --- | --- | --- | --- | --- |\n");
  report("balance", time_it([&] { return balance(BalanceBy::kMunicipality, demo::kLeaderProgramme, {}); }));
  report("as-of", time_it([&] { return balance(BalanceBy::kMunicipality, demo::kLeaderProgramme, {random_day(), std::nullopt}); }));
  report("known-at", time_it([&] { return balance(BalanceBy::kMunicipality, demo::kLeaderProgramme, {random_day(), random_commit()}); }));
  report("sector", time_it([&] { return balance(BalanceBy::kSector, "", {random_day(), random_commit()}); }));
  report("history", time_it([&] {
    auto accounts = q.accounts_of_entity("101", demo::kLeaderProgramme);
    if (!accounts) return accounts.error();
    return q.history(*accounts, {}).status();
  }));
  return 0;
}
