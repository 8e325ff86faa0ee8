// Normal commands check what they present and what they build on (issue "Trust under attack"):
// each change made behind the ledger's back, directly in RocksDB, makes the commands that would
// show or build on it stop with corruption (exit 3) naming the record, and writes nothing.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "ledger/postings.h"
#include "tests/audit/audit_world.h"
#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// The AuditWorld ledger, closed, with a state fingerprint taken before any damage.
struct Damaged {
  AuditWorld w{false};
  TempDir tmp;
  Damaged() { w.close(); }
  CliResult run(const std::vector<std::string>& args) { return run_cli(tmp, args); }
  Head head() {
    auto s = raw_store(w.dir);
    return s->head().value();
  }
};

void expect_corruption(const CliResult& r, const std::string& needle) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace

TEST_CASE("integrity: a rolled-back head is refused by every open, and nothing is written over signed history", "[ledger][integrity]") {
  Damaged d;
  const Head before = d.head();
  {
    auto s = raw_store(d.w.dir);
    auto c = decode_commit(get(*s, Cf::kCommits, u64_be(3))).value();
    Head rolled{4, c.info.first_event_index + c.info.event_count, c.info.commit_hash, c.info.recorded_at_ns};
    put(*s, Cf::kMeta, "head", rolled.encode());
  }
  auto opened = Ledger::open(d.w.dir);
  REQUIRE(!opened.has_value());
  CHECK(opened.error().code() == StatusCode::kCorruption);
  CHECK(opened.error().message().find("beyond the log's head") != std::string::npos);
  expect_corruption(d.run({"checkpoint", "--data", d.w.dir}), "beyond the log's head");
  expect_corruption(d.run({"log", "--data", d.w.dir}), "beyond the log's head");
  expect_corruption(d.run({"balance", "--data", d.w.dir, "--by", "municipality"}), "beyond the log's head");
  // The signed commit 4 is still there, unchanged.
  auto s = raw_store(d.w.dir);
  CHECK(decode_commit(get(*s, Cf::kCommits, u64_be(4))).value().info.sequence == 4);
  CHECK(before.commit_count > 4);
}

TEST_CASE("integrity: a head that names another last commit is refused", "[ledger][integrity]") {
  Damaged d;
  {
    auto s = raw_store(d.w.dir);
    Head h = s->head().value();
    h.last_commit_hash[0] ^= 1;
    put(*s, Cf::kMeta, "head", h.encode());
  }
  auto opened = Ledger::open(d.w.dir, {.read_only = true});
  REQUIRE(!opened.has_value());
  CHECK(opened.error().code() == StatusCode::kCorruption);
  expect_corruption(d.run({"log", "--data", d.w.dir}), "meta/head disagrees");
}

TEST_CASE("integrity: a changed stored event stops log, prove and rebuild, and the audit finds it", "[ledger][integrity]") {
  Damaged d;
  {
    auto s = raw_store(d.w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(d.w.payment_event));
    e[e.size() - 3] ^= 0x01;
    put(*s, Cf::kEvents, u64_be(d.w.payment_event), e);
  }
  const std::string needle = "event " + std::to_string(d.w.payment_event) + " does not match its leaf hash";
  expect_corruption(d.run({"log", "--data", d.w.dir, "--format", "json"}), needle);
  expect_corruption(d.run({"prove", "inclusion", "--data", d.w.dir, "--event", std::to_string(d.w.payment_event)}), needle);
  expect_corruption(d.run({"projections", "rebuild", "--data", d.w.dir}), needle);
  // The writer builds on the head, which it checks, and on the stored rule state: it reads no
  // old event (spec/LOG.md, "Opening a ledger"). The audit is what finds old damage.
  auto audited = d.run({"audit", "--data", d.w.dir});
  CHECK(audited.exit_code == 1);
  CHECK_THAT(audited.out, Catch::Contains("FINDING leaf_hash"));
}

TEST_CASE("integrity: a deleted commit or event is corruption, not a gap or 'not found'", "[ledger][integrity]") {
  SECTION("commit") {
    Damaged d;
    {
      auto s = raw_store(d.w.dir);
      REQUIRE(s->db()->Delete(rocksdb::WriteOptions(), s->cf(Cf::kCommits), u64_be(d.w.payment_commit)).ok());
    }
    expect_corruption(d.run({"log", "--data", d.w.dir}), "commit " + std::to_string(d.w.payment_commit) + " is missing");
    expect_corruption(d.run({"log", "--data", d.w.dir, "--from", std::to_string(d.w.payment_commit + 1)}),
                      "commit " + std::to_string(d.w.payment_commit) + " is missing");
    // This small log is one partial 64-leaf block, whose tree nodes every open hashes from its
    // commits (spec/LOG.md, "Merkle tree"): so the open already names the commit. The audit,
    // which opens without that check, finds it too.
    auto audited = d.run({"audit", "--data", d.w.dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("FINDING commit_missing"));
  }
  SECTION("event") {
    Damaged d;
    {
      auto s = raw_store(d.w.dir);
      REQUIRE(s->db()->Delete(rocksdb::WriteOptions(), s->cf(Cf::kEvents), u64_be(d.w.payment_event)).ok());
    }
    expect_corruption(d.run({"prove", "inclusion", "--data", d.w.dir, "--event", std::to_string(d.w.payment_event)}),
                      "event " + std::to_string(d.w.payment_event) + " is missing");
    expect_corruption(d.run({"log", "--data", d.w.dir}), "event " + std::to_string(d.w.payment_event) + " is missing");
  }
}

TEST_CASE("integrity: changed stored postings stop a projection rebuild, and the audit finds them", "[ledger][integrity]") {
  Damaged d;
  {
    auto s = raw_store(d.w.dir);
    auto stored = s->get(Cf::kPostings, u64_be(d.w.payment_event));
    REQUIRE(stored.has_value());
    auto postings = decode_postings(*stored).value();
    REQUIRE(!postings.empty());
    postings[0].amount.value += 100;
    postings[1 % postings.size()].amount.value -= 100;
    put(*s, Cf::kPostings, u64_be(d.w.payment_event), encode_postings(postings));
  }
  const std::string needle = "postings of event " + std::to_string(d.w.payment_event) + " differ";
  expect_corruption(d.run({"projections", "rebuild", "--data", d.w.dir}), needle);
  // The writer builds on the head, which it checks, and on the stored rule state: it reads no
  // old event (spec/LOG.md, "Opening a ledger"). The audit is what finds old damage.
  auto audited = d.run({"audit", "--data", d.w.dir});
  CHECK(audited.exit_code == 1);
  CHECK_THAT(audited.out, Catch::Contains("FINDING postings"));
}

TEST_CASE("integrity: the audit still runs on a damaged head and reports it as findings", "[ledger][integrity][audit]") {
  Damaged d;
  {
    auto s = raw_store(d.w.dir);
    Head h = s->head().value();
    h.commit_count -= 1;
    put(*s, Cf::kMeta, "head", h.encode());
  }
  auto r = d.run({"audit", "--data", d.w.dir});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
}

namespace {

// A ledger written by the CLI, 20 commits of one event each: RocksDB keeps the last of them only
// in its write-ahead log (the next open would flush it), as after any append.
struct WalLedger {
  TempDir tmp;
  std::string dir = tmp / "ledger";
  WalLedger() {
    REQUIRE(run_cli(tmp, {"init", "--data", dir}).exit_code == 0);
    for (int i = 0; i < 20; ++i) {
      std::ofstream(tmp / "e.jsonl") << R"({"type":"entity_registered","effective_date":"2012-01-01","kind":"provider","code":"p)"
                                     << i << R"(","name":"P"})" << "\n";
      REQUIRE(append("k" + std::to_string(i)).exit_code == 0);
    }
  }
  CliResult append(const std::string& idempotency_key) {
    return run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input", tmp / "e.jsonl",
                         "--idempotency-key", idempotency_key});
  }
  // The live write-ahead log: the newest (highest-numbered) one that holds records. An older one
  // RocksDB has made obsolete (its records are in table files) may linger until it is purged.
  std::string wal() {
    std::string found;
    for (const auto& f : std::filesystem::directory_iterator(dir))
      if (f.path().extension() == ".log" && std::filesystem::file_size(f.path()) > 0 && f.path().string() > found)
        found = f.path().string();
    REQUIRE(!found.empty());
    return found;
  }
};

}  // namespace

TEST_CASE("a writer that closes with more than 1 MiB of write-ahead log flushes it, a small one keeps its log", "[ledger][integrity][wal]") {
  WalLedger l;  // twenty small appends: the last is only in the live log
  auto newest_log_bytes = [&] {
    std::string newest;
    for (const auto& f : std::filesystem::directory_iterator(l.dir))
      if (f.path().extension() == ".log" && f.path().string() > newest) newest = f.path().string();
    REQUIRE(!newest.empty());
    return std::filesystem::file_size(newest);
  };
  CHECK(newest_log_bytes() > 0);
  CHECK(newest_log_bytes() < kMaxUnflushedOnClose);
  {
    std::ofstream big(l.tmp / "e.jsonl");
    for (int i = 0; i < 6000; ++i)
      big << R"({"type":"entity_registered","effective_date":"2012-01-01","kind":"provider","code":"big)" << i
          << R"(","name":"A provider with a long enough name to fill the log"})" << "\n";
  }
  REQUIRE(l.append("big").exit_code == 0);
  CHECK(newest_log_bytes() == 0);  // flushed at close: a reader has nothing to replay
}

TEST_CASE("integrity: one bit flipped in the WAL is refused by every command, never a shorter ledger", "[ledger][integrity][wal]") {
  WalLedger l;
  const std::string wal = l.wal();
  const auto size = std::filesystem::file_size(wal);
  REQUIRE(size > 100);
  std::string bytes = read_file(wal);
  bytes[size / 2] ^= 0x10;
  std::ofstream(wal, std::ios::binary | std::ios::trunc) << bytes;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"log", "--data", l.dir}, {"checkpoint", "--data", l.dir}, {"audit", "--data", l.dir},
           {"balance", "--data", l.dir, "--by", "provider"}}) {
    auto r = run_cli(l.tmp, args);
    INFO(args[0] << ": " << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("damaged") != std::string::npos);
  }
  // The retry of the last acknowledged commit does not write a different one.
  auto retry = l.append("k19");
  CHECK(retry.exit_code == 3);
  CHECK(retry.out.find("committed") == std::string::npos);
}

TEST_CASE("integrity: a WAL cut short loses no acknowledged commit silently", "[ledger][integrity][wal]") {
  WalLedger l;
  const std::string wal = l.wal();
  std::filesystem::resize_file(wal, 7);  // a record boundary RocksDB would accept as a torn tail
  auto log = run_cli(l.tmp, {"checkpoint", "--data", l.dir});
  INFO(log.err);
  CHECK(log.exit_code == 3);
  CHECK(log.err.find("was acknowledged") != std::string::npos);
  auto retry = l.append("k19");
  CHECK(retry.exit_code == 3);
  // The audit reads the shorter log and reports that it does not extend the acknowledged checkpoint.
  auto audit = run_cli(l.tmp, {"audit", "--data", l.dir});
  CHECK(audit.exit_code == 1);
  CHECK(audit.out.find("consistency") != std::string::npos);
}
