// Table files stay few (spec/LOG.md, "Table files"): runs of small adjacent files are merged, so a
// ledger written by many short-lived writers does not keep one file per flush for ever.
#include <catch2/catch.hpp>

#include <filesystem>

#include "ledger/table_merger.h"
#include "tests/test_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

rocksdb::SstFileMetaData file(const std::string& name, uint64_t size, bool being_compacted = false) {
  rocksdb::SstFileMetaData f;
  f.relative_filename = name;
  f.size = size;
  f.being_compacted = being_compacted;
  return f;
}

rocksdb::LevelMetaData level(int number, std::vector<rocksdb::SstFileMetaData> files) {
  uint64_t size = 0;
  for (const auto& f : files) size += f.size;
  return rocksdb::LevelMetaData(number, size, std::move(files));
}

size_t table_files(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.path().extension() == ".sst";
  return n;
}

}  // namespace

TEST_CASE("a merge run is the first long enough run of small adjacent files, bounded in files and bytes", "[ledger][merge]") {
  MergePolicy policy{.small_file_bytes = 100, .min_run_files = 3, .max_run_files = 4, .max_run_bytes = 250};
  using Names = std::vector<std::string>;
  // Too short a run, a large file between, then a run: the run after the large file.
  CHECK(pick_merge_run(level(1, {file("1", 10), file("2", 10), file("3", 500), file("4", 10), file("5", 10), file("6", 10)}), policy) ==
        Names{"4", "5", "6"});
  // At most max_run_files.
  CHECK(pick_merge_run(level(2, {file("1", 1), file("2", 1), file("3", 1), file("4", 1), file("5", 1), file("6", 1)}), policy) ==
        Names{"1", "2", "3", "4"});
  // At most max_run_bytes: 90 + 90 fit, a third 90 would not; two files are not a run.
  CHECK(pick_merge_run(level(1, {file("1", 90), file("2", 90), file("3", 90), file("4", 90)}), policy).empty());
  // A file being compacted breaks a run.
  CHECK(pick_merge_run(level(1, {file("1", 1), file("2", 1), file("3", 1, true), file("4", 1), file("5", 1)}), policy).empty());
  // Level 0, newest first: its newest tiny files, at least min_l0_files of them.
  policy.tiny_l0_file_bytes = 50;
  policy.min_l0_files = 3;
  CHECK(pick_merge_run(level(0, {file("9", 1), file("8", 1), file("7", 1), file("6", 60), file("5", 1)}), policy) ==
        Names{"9", "8", "7"});
  CHECK(pick_merge_run(level(0, {file("9", 1), file("8", 1), file("7", 60), file("6", 1), file("5", 1)}), policy).empty());
  CHECK(pick_merge_run(level(0, {file("9", 1), file("8", 1, true), file("7", 1), file("6", 1)}), policy).empty());
  CHECK(pick_merge_run(level(0, {file("9", 1), file("8", 1), file("7", 1), file("6", 1), file("5", 1)}), policy) ==
        Names{"9", "8", "7", "6"});  // max_run_files
  CHECK(pick_merge_run(level(3, {}), policy).empty());
}

TEST_CASE("many short-lived writers leave a bounded number of table files and a whole log", "[ledger][merge][concurrency]") {
  // Each writer's open flushes the log the one before it left: before the merger, each of these
  // writers added about 7 table files that were never merged (560 after 80 writers).
  TempDir tmp;
  const std::string dir = tmp / "ledger";
  auto admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  REQUIRE(Ledger::init(dir, "test.local/ledger", *admin, "admin").has_value());
  constexpr int kWriters = 80;
  for (int i = 0; i < kWriters; ++i) {
    auto opened = Ledger::open(dir);
    REQUIRE(opened.has_value());
    auto res = (*opened)->append({request(admin, {entity_event("m" + std::to_string(i), schema::EntityKind::EMPLOYER)})});
    REQUIRE(res.has_value());
  }
  const size_t files = table_files(dir);
  INFO(files << " table files after " << kWriters << " writers");
  CHECK(files < 150);
  auto ledger = Ledger::open(dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  CHECK((*ledger)->head().value().tree_size == 2 + kWriters);
  uint64_t events = 0;
  REQUIRE((*ledger)->scan([&](const CommitRecord&, uint64_t, schema::Event::Reader) {
                     ++events;
                     return Status::ok();
                   }).is_ok());
  CHECK(events == 2 + kWriters);
}
