// Replica (ledger/replica.h) through the library: a verbatim copy equal to its source family by
// family, and every altered commit, event, signature or checkpoint refused with nothing written.
#include <catch2/catch.hpp>

#include "ledger/replica.h"
#include "tests/ledger_world.h"
#include "tools/server/raw_log.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// A source ledger of several commits and its commits as GET /v1/log/raw serves them.
struct ReplicaWorld {
  LedgerWorld source;
  std::vector<ReplicatedCommit> commits;
  std::optional<PublicKey> log_key;
  std::string copy = source.tmp / "copy";

  ReplicaWorld() {
    Key admin = new_key(), programme_admin = new_key(), officer = new_key();
    source.create(admin, "example.org/replica-test");
    source.ok(admin, small_registry());
    source.ok(admin, {LedgerWorld::key(programme_admin, "programme_administrator", ""), LedgerWorld::key(officer, "finance_officer", "665")});
    source.ok(admin, {ev("programme_created", "2012-09-01",
                         {{"code", "P"}, {"name", "Programme P"}, {"total_ore", 10000000}, {"period_start", "2012-01-01"},
                          {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000},
                          {"cap_per_participant_ore", 4000000}, {"rules", {akademi_rule()}}})});
    source.ok(programme_admin, {ev("sector_share_allocated", "2013-01-01",
                                   {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 6000000}}),
                                LedgerWorld::allocation(6000000)});
    source.ok(officer, {LedgerWorld::payment("pay-1", "665", 250000), LedgerWorld::payment("pay-2", "665", 190000)});
    source.ok(officer, {LedgerWorld::claim("claim-1", "pay-1", 200000)});
    source.ok(officer, {LedgerWorld::payment("pay-3", "665", 120000)});
    log_key = source.ledger->log_public_key();
    auto raw = server::raw_log_ndjson(*source.ledger, 0, kMaxReplicatedCommits);
    REQUIRE(raw);
    auto parsed = server::parse_raw_log(*raw);
    REQUIRE(parsed);
    commits = std::move(*parsed);
    REQUIRE(commits.size() == 8);
  }

  std::unique_ptr<Replica> open() {
    auto r = Replica::open(copy, source.ledger->origin(), *log_key);
    INFO((r ? "" : r.error().to_string()));
    REQUIRE(r);
    return std::move(r).value();
  }
};

Bytes flipped(Bytes bytes, size_t at) {
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  return bytes;
}

// Flips one byte inside the first occurrence of `part` in `bytes`.
Bytes flipped_within(const Bytes& bytes, std::string_view part) {
  const size_t at = std::string_view(bytes).find(part);
  REQUIRE(at != std::string_view::npos);
  return flipped(bytes, at + part.size() / 2);
}

}  // namespace

TEST_CASE("replica: a copy made commit by commit equals its source in every log family, and audits as one", "[mirror]") {
  ReplicaWorld w;
  {
    auto replica = w.open();
    REQUIRE(replica->append_replicated({w.commits.begin(), w.commits.begin() + 3}).is_ok());
    REQUIRE(replica->append_replicated({w.commits.begin() + 3, w.commits.end()}).is_ok());
    CHECK(replica->head().commit_count == 8);
    // Stored again: refused (out of place), nothing written.
    const std::string before = fingerprint(replica->ledger());
    CHECK(replica->append_replicated({w.commits.back()}).code() == StatusCode::kCorruption);
    CHECK(fingerprint(replica->ledger()) == before);
  }
  auto copy = Ledger::open(w.copy, {.read_only = true});
  REQUIRE(copy);
  for (Cf cf : {Cf::kEvents, Cf::kCommits, Cf::kCommitIndex, Cf::kTree, Cf::kIdempotency, Cf::kCheckpoints, Cf::kMeta, Cf::kPostings,
                Cf::kState}) {
    INFO(cf_name(cf));
    auto all = [cf](Ledger& l) {
      std::vector<std::pair<std::string, std::string>> out;
      std::unique_ptr<rocksdb::Iterator> it(l.store().db()->NewIterator(rocksdb::ReadOptions(), l.store().cf(cf)));
      for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
      REQUIRE(it->status().ok());
      return out;
    };
    CHECK(all(**copy) == all(*w.source.ledger));
  }
  LedgerState replayed;
  CHECK(copy.value()->replay(&replayed).is_ok());
  CHECK(copy.value()->check_postings().is_ok());
}

TEST_CASE("replica: an altered event, commit, signature or checkpoint is refused and nothing is written", "[mirror]") {
  ReplicaWorld w;
  auto replica = w.open();
  REQUIRE(replica->append_replicated({w.commits.begin(), w.commits.begin() + 5}).is_ok());
  const ReplicatedCommit& next = w.commits[5];  // the two course payments
  auto record = decode_commit(next.commit);
  REQUIRE(record);

  struct Case {
    const char* name;
    std::vector<ReplicatedCommit> batch;
    const char* reason;
  };
  std::vector<Case> cases;
  auto altered = [&](auto change) {
    ReplicatedCommit c = next;
    change(c);
    return c;
  };
  cases.push_back({"an event byte", {altered([](ReplicatedCommit& c) { c.events[1] = flipped(c.events[1], c.events[1].size() / 2); })},
                   "differs from the leaf hash"});
  cases.push_back({"an event left out", {altered([](ReplicatedCommit& c) { c.events.pop_back(); })}, "were given"});
  cases.push_back({"the log key's signature",
                   {altered([&](ReplicatedCommit& c) { c.commit = flipped_within(c.commit, record->signature); })},
                   "log key's signature"});
  cases.push_back({"the submitter's signature",
                   {altered([&](ReplicatedCommit& c) { c.commit = flipped_within(c.commit, record->submission_signature); })},
                   ""});
  cases.push_back({"the commit's idempotency key",
                   {altered([&](ReplicatedCommit& c) { c.commit = flipped_within(c.commit, record->info.idempotency_key); })},
                   ""});
  cases.push_back({"the checkpoint of another size", {altered([&](ReplicatedCommit& c) { c.checkpoint = w.commits[4].checkpoint; })},
                   "does not sign the root"});
  cases.push_back({"the checkpoint's signature",
                   {altered([](ReplicatedCommit& c) { c.checkpoint[c.checkpoint.size() - 6] ^= 0x01; })}, "checkpoint"});
  cases.push_back({"a commit skipped", {w.commits[6]}, "has sequence 6, the next is 5"});
  cases.push_back({"a good commit then an altered one (all or nothing)",
                   {next, w.commits[6], [&] {
                     ReplicatedCommit c = w.commits[7];
                     c.events[0] = flipped(c.events[0], 9);
                     return c;
                   }()},
                   "replicated commit 7 (3 of the batch)"});
  const std::string before = fingerprint(replica->ledger());
  const Head head_before = replica->head();
  for (const auto& c : cases) {
    INFO(c.name);
    Status s = replica->append_replicated(c.batch);
    INFO(s.to_string());
    CHECK(s.code() == StatusCode::kCorruption);
    CHECK(s.message().find(c.reason) != std::string::npos);
    CHECK(fingerprint(replica->ledger()) == before);
    CHECK(replica->head().commit_count == head_before.commit_count);
    CHECK(replica->head().tree_size == head_before.tree_size);
  }
  // The genuine commits are still taken, after every refusal.
  REQUIRE(replica->append_replicated({w.commits.begin() + 5, w.commits.end()}).is_ok());
  CHECK(replica->head().commit_count == 8);
}

TEST_CASE("replica: a copy of another log, or one under another log key, is refused", "[mirror]") {
  ReplicaWorld w;
  { REQUIRE(w.open()->append_replicated({w.commits.front()}).is_ok()); }
  auto other_origin = Replica::open(w.copy, "example.org/another", *w.log_key);
  REQUIRE_FALSE(other_origin);
  CHECK(other_origin.error().code() == StatusCode::kInvalidArgument);
  auto other_key = Replica::open(w.copy, w.source.ledger->origin(), PrivateKey::generate().public_key());
  REQUIRE_FALSE(other_key);
  CHECK(other_key.error().code() == StatusCode::kInvalidArgument);
  CHECK(w.open()->head().commit_count == 1);
}
