// sink_bench: `sink postgres` throughput (events/s into PostgreSQL, spec/POSTGRES.md), not a test.
//
//   sink_bench [--events N] [--dir PATH] [--keep] [--batch-commits C] [--verify]
//
// Records the demo scenario with about N events (N / 3.2 course payments) through the signed
// append path, starts a PostgreSQL 15 of its own (tests/sink/postgres_server.h: initdb, pg_ctl as
// nobody, Unix socket, fsync on as in production), and runs the sink in-process from an empty
// database to the head: events/s and commits/s over the whole run, including each batch's
// transaction commit. With --verify, also times `sink verify`. With --keep an existing ledger in
// PATH is reused.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include "ledger/ledger.h"
#include "projections/builder.h"
#include "tests/sink/postgres_server.h"
#include "tools/demo/scenario.h"
#include "tools/sink/sink.h"
#include "tools/sink/sink_verify.h"

using namespace grantledger;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  long events = 100000;
  uint64_t batch_commits = 1000;
  bool keep = false, verify = false;
  std::string dir = (std::filesystem::temp_directory_path() / "grantledger-sink-bench").string();
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
      events = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--batch-commits") && i + 1 < argc)
      batch_commits = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!std::strcmp(argv[i], "--keep"))
      keep = true;
    else if (!std::strcmp(argv[i], "--verify"))
      verify = true;
    else {
      std::fprintf(
          stderr,
          "usage: sink_bench [--events N] [--dir PATH] [--keep] [--batch-commits C] [--verify]\n");
      return 2;
    }
  }
  if (!keep || !std::filesystem::exists(dir)) {
    std::filesystem::remove_all(dir);
    auto t0 = Clock::now();
    std::ostringstream log;
    const int payments =
        static_cast<int>(std::max(1L, static_cast<long>(static_cast<double>(events) / 3.2)));
    auto demo = demo::run_demo(dir, {.seed = 20122013, .course_payments = payments}, log);
    if (!demo) {
      std::fprintf(stderr, "demo: %s\n", demo.error().to_string().c_str());
      return 1;
    }
    std::printf("generated: %d course payments in %.1f s\n", payments, seconds_since(t0));
  }
  {
    auto ledger = Ledger::open(dir, {.read_only = true});
    if (!ledger) {
      std::fprintf(stderr, "open: %s\n", ledger.error().to_string().c_str());
      return 1;
    }
    Head head = (*ledger)->head().value();
    std::printf("log: %llu events, %llu commits\n", static_cast<unsigned long long>(head.tree_size),
                static_cast<unsigned long long>(head.commit_count));
  }
  testing::PostgresServer pg;
  auto t0 = Clock::now();
  sink::SinkOptions options{dir, pg.dsn(), batch_commits, false, 500, nullptr};
  auto progress = sink::run_sink(options);
  const double s = seconds_since(t0);
  if (!progress) {
    std::fprintf(stderr, "sink: %s\n", progress.error().to_string().c_str());
    return 1;
  }
  std::printf(
      "sink: %llu events, %llu commits in %llu batches, %.2f s: %.0f events/s, %.0f commits/s\n",
      static_cast<unsigned long long>(progress->events_written),
      static_cast<unsigned long long>(progress->commits_written),
      static_cast<unsigned long long>(progress->batches), s,
      static_cast<double>(progress->events_written) / s,
      static_cast<double>(progress->commits_written) / s);
  if (verify) {
    {  // the library's demo leaves the projections to the writer's next open; verify reads them
      auto ledger = Ledger::open(dir, {.writer = false});
      Status built = ledger ? projections::Builder(**ledger).catch_up() : ledger.error();
      if (!built.is_ok()) {
        std::fprintf(stderr, "projections: %s\n", built.to_string().c_str());
        return 1;
      }
    }
    auto t1 = Clock::now();
    auto report = sink::verify_sink({dir, pg.dsn(), {}});
    if (!report) {
      std::fprintf(stderr, "verify: %s\n", report.error().to_string().c_str());
      return 1;
    }
    std::printf("verify: %zu differences, %llu checks in %.2f s\n", report->differences.size(),
                static_cast<unsigned long long>(report->checks), seconds_since(t1));
    for (const auto& d : report->differences) std::printf("difference %s\n", d.describe().c_str());
    if (!report->differences.empty()) return 1;
  }
  return 0;
}
