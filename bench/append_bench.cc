// append_bench: durable append throughput of the signed log (spec/LOG.md), not a test.
//
//   append_bench [--events N] [--dir PATH] [--threads T]
//
// For commit sizes 1, 100, 1000 and 8000 events it creates a fresh ledger, appends N events
// (for single-event commits: min(N, 2000) commits from T threads, so group commit can batch
// their fsyncs) and prints events/s, commits/s and bytes on disk per event.
#include <filesystem>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <capnp/message.h>

#include "ledger/canonical.h"
#include "ledger/ledger.h"

using namespace grantledger;

namespace {

Bytes entity_event(uint64_t i) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(15600 + static_cast<int32_t>(i % 365));
  auto r = e.initBody().initEntityRegistered();
  r.setKind(schema::EntityKind::EMPLOYER);
  r.setCode("employer-" + std::to_string(i));
  r.setName("Benchmark Employer ApS number " + std::to_string(i));
  r.setPopulation(static_cast<int64_t>(i % 100000));
  return canonical_bytes(e.asReader());
}

uint64_t dir_bytes(const std::string& dir) {
  uint64_t total = 0;
  for (auto& f : std::filesystem::recursive_directory_iterator(dir))
    if (f.is_regular_file()) total += f.file_size();
  return total;
}

int run(size_t commit_size, uint64_t events, int threads, const std::string& base) {
  std::string dir = base + "/bench-" + std::to_string(commit_size);
  std::filesystem::remove_all(dir);
  auto admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  if (auto s = Ledger::init(dir, "bench.local/log", *admin, "admin"); !s) {
    std::fprintf(stderr, "init: %s\n", s.error().to_string().c_str());
    return 1;
  }
  auto ledger = Ledger::open(dir);
  if (!ledger) {
    std::fprintf(stderr, "open: %s\n", ledger.error().to_string().c_str());
    return 1;
  }
  if (commit_size == 1) events = std::min<uint64_t>(events, 2000);
  uint64_t commits = (events + commit_size - 1) / commit_size;
  // Build every event before timing: the benchmark measures the log, not the generator.
  std::vector<std::vector<CommitRequest>> work(static_cast<size_t>(threads));
  for (uint64_t c = 0; c < commits; ++c) {
    CommitRequest r;
    r.signer = admin;
    for (uint64_t i = c * commit_size; i < std::min(events, (c + 1) * commit_size); ++i) r.events.push_back(entity_event(i));
    work[c % static_cast<uint64_t>(threads)].push_back(std::move(r));
  }
  uint64_t before = dir_bytes(dir);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (auto& r : work[static_cast<size_t>(t)]) {
        auto res = (*ledger)->append({std::move(r)});
        if (!res) {
          std::fprintf(stderr, "append: %s\n", res.error().to_string().c_str());
          ++failures;
          return;
        }
      }
    });
  for (auto& th : pool) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ledger->reset();  // close: flush memtables so bytes on disk are counted
  uint64_t after = dir_bytes(dir);
  std::printf("commit_size=%-5zu threads=%d events=%-8llu commits=%-7llu seconds=%.3f events_per_s=%.0f commits_per_s=%.0f bytes_per_event=%.0f\n",
              commit_size, threads, static_cast<unsigned long long>(events), static_cast<unsigned long long>(commits),
              secs, static_cast<double>(events) / secs, static_cast<double>(commits) / secs,
              static_cast<double>(after - before) / static_cast<double>(events));
  std::filesystem::remove_all(dir);
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 100000;
  int threads = 1;
  std::string dir = std::filesystem::temp_directory_path().string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
  }
  int rc = 0;
  for (size_t size : {size_t{1}, size_t{100}, size_t{1000}, size_t{8000}}) {
    rc |= run(size, events, size == 1 ? std::max(threads, 8) : threads, dir);
  }
  return rc;
}
