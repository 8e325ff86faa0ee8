// The Merkle tree as spec/LOG.md ("Merkle tree") keeps it: nodes of 64 leaves and more stored,
// smaller ones hashed from the events. Roots and proofs are checked against an independent
// RFC 6962 computation over the events and against the signed checkpoints.
#include <catch2/catch.hpp>

#include <rocksdb/write_batch.h>

#include <fstream>
#include <set>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/tree_nodes.h"
#include "tests/cli_support.h"
#include "tests/test_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// MTH(D[begin:end]) of RFC 6962 section 2.1, straight from the definition.
Hash32 reference_root(const std::vector<Hash32>& leaves, uint64_t begin, uint64_t end) {
  Sha256 sha;
  if (end - begin == 1) return leaves[begin];
  uint64_t k = 1;
  while (2 * k < end - begin) k *= 2;
  return merkle_node_hash(sha, reference_root(leaves, begin, begin + k), reference_root(leaves, begin + k, end));
}

std::set<std::pair<int, uint64_t>> stored_nodes(Store& store) {
  std::set<std::pair<int, uint64_t>> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Cf::kTree)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    REQUIRE(it->key().size() == 9);
    out.insert({static_cast<uint8_t>(it->key()[0]), get_u64_be(std::string_view(it->key().data() + 1, 8))});
  }
  REQUIRE(it->status().ok());
  return out;
}

// The stored value of `key` in family `cf`, read behind the ledger's back.
Bytes get(const std::string& dir, Cf cf, const Bytes& key) {
  auto store = Store::open(dir, Store::Mode::kReadOnly);
  REQUIRE(store.has_value());
  auto value = (*store)->get(cf, key);
  REQUIRE(value.has_value());
  return *value;
}

// Writes `value` (or deletes, when null) `key` of family `cf` behind the ledger's back.
void put(const std::string& dir, Cf cf, const Bytes& key, const std::optional<Bytes>& value) {
  auto store = Store::open(dir, Store::Mode::kReadWrite);
  REQUIRE(store.has_value());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  REQUIRE((value ? (*store)->db()->Put(sync, (*store)->cf(cf), key, *value) : (*store)->db()->Delete(sync, (*store)->cf(cf), key)).ok());
}

// A ledger of 714 events in commits of 2 (genesis), 1, 3, 250, 7, 300, 1, 140, 5 and 5 events, the
// writer reopened between some of them (its frontier then comes from stored and hashed nodes).
// Commits: 0 [0, 2), 1 [2, 3), 2 [3, 6), 3 [6, 256), 4 [256, 263), 5 [263, 563), 6 [563, 564),
// 7 [564, 704), 8 [704, 709), 9 [709, 714): the last, partial 64-leaf block [704, 768) is commits 8 and 9.
struct TreeWorld {
  TempDir tmp;
  std::string dir = tmp / "ledger";
  std::shared_ptr<const PrivateKey> admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  std::unique_ptr<Ledger> ledger;
  std::vector<uint64_t> boundaries = {2};

  TreeWorld() {
    REQUIRE(Ledger::init(dir, "test.local/tree", *admin, "admin").has_value());
    reopen();
    int n = 0;
    for (int size : {1, 3, 250, 7, 300, 1, 140, 5, 5}) {
      std::vector<Bytes> events;
      for (int i = 0; i < size; ++i) events.push_back(entity_event("p" + std::to_string(n++), schema::EntityKind::PROVIDER));
      auto res = ledger->append({request(admin, std::move(events))});
      INFO((res ? "" : res.error().to_string()));
      REQUIRE(res.has_value());
      boundaries.push_back(res->at(0).first_event_index + res->at(0).event_count);
      if (size == 250 || size == 300) reopen();
    }
    REQUIRE(boundaries.back() == 714);
  }
  void reopen(LedgerOptions options = {}) {
    ledger.reset();
    auto opened = Ledger::open(dir, options);
    INFO((opened ? "" : opened.error().to_string()));
    REQUIRE(opened.has_value());
    ledger = std::move(opened).value();
  }
  std::vector<Hash32> leaves() {
    Sha256 sha;
    std::vector<Hash32> out;
    for (uint64_t i = 0; i < 714; ++i) out.push_back(merkle_leaf_hash(sha, ledger->event(i).value()));
    return out;
  }
  Hash32 signed_root(uint64_t size) {
    auto cp = verify_checkpoint(ledger->checkpoint(size).value(), ledger->log_public_key());
    REQUIRE(cp.has_value());
    return cp->root;
  }
};

}  // namespace

TEST_CASE("tree: only nodes of 64 leaves and more are stored", "[ledger][tree]") {
  TreeWorld w;
  // 714 leaves complete 11 subtrees of level 6, 5 of level 7, 2 of level 8 and 1 of level 9.
  std::set<std::pair<int, uint64_t>> complete;
  for (int level = 6; level <= 9; ++level)
    for (uint64_t i = 0; (i + 1) << level <= 714; ++i) complete.insert({level, i});
  REQUIRE(complete.size() == 19);
  CHECK(stored_nodes(w.ledger->store()) == complete);
  CHECK(w.ledger->store().get(Cf::kMeta, "format").value() == kFormatVersion);
}

TEST_CASE("tree: roots and proofs equal RFC 6962's over the events and verify against checkpoints", "[ledger][tree]") {
  TreeWorld w;
  w.reopen({.read_only = true});
  const std::vector<Hash32> leaves = w.leaves();
  for (uint64_t size = 1; size <= 714; ++size) {
    INFO("size " << size);
    REQUIRE(w.ledger->root(size).value() == reference_root(leaves, 0, size));
  }
  for (uint64_t size : w.boundaries) CHECK(w.signed_root(size) == reference_root(leaves, 0, size));

  for (uint64_t size : {uint64_t{64}, uint64_t{65}, uint64_t{256}, uint64_t{257}, uint64_t{512}, uint64_t{513}, uint64_t{600},
                        uint64_t{704}, uint64_t{705}, uint64_t{714}}) {
    const Hash32 root = reference_root(leaves, 0, size);
    for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{63}, uint64_t{64}, uint64_t{127}, uint64_t{255}, uint64_t{256}, uint64_t{300},
                       uint64_t{511}, uint64_t{512}, uint64_t{563}, uint64_t{599}, uint64_t{703}, uint64_t{704}, uint64_t{713}}) {
      if (i >= size) continue;
      INFO("leaf " << i << " size " << size);
      auto proof = w.ledger->inclusion_proof(i, size);
      REQUIRE(proof.has_value());
      CHECK(merkle_verify_inclusion(i, size, leaves[i], *proof, root));
    }
    for (uint64_t old : {uint64_t{1}, uint64_t{3}, uint64_t{200}, uint64_t{256}, uint64_t{300}, uint64_t{512}, uint64_t{513}}) {
      if (old > size) continue;
      INFO("consistency " << old << " -> " << size);
      auto proof = w.ledger->consistency_proof(old, size);
      REQUIRE(proof.has_value());
      CHECK(merkle_verify_consistency(old, size, reference_root(leaves, 0, old), root, *proof));
    }
  }
  // A commit's proofs in one call (receipts) are the single proofs: the 300-event commit spans the
  // 64-leaf blocks from [256, 320) to [512, 576).
  const uint64_t first = w.boundaries[5] - 300;
  auto all = w.ledger->inclusion_proofs(first, 300, 714);
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 300);
  for (uint64_t k = 0; k < 300; k += 37) CHECK((*all)[k] == w.ledger->inclusion_proof(first + k, 714).value());
}

TEST_CASE("tree: small nodes come from the commits' signed leaf hashes, and damage to those is named", "[ledger][tree]") {
  TreeWorld w;
  const Hash32 head_root = w.signed_root(714);
  const Hash32 leaf_651 = w.leaves()[651];
  w.ledger.reset();
  // The head's frontier includes node (3, 88) = leaves [704, 712): commits 8 and 9.
  auto refused = [&](const std::string& needle) {
    for (bool read_only : {true, false}) {
      auto opened = Ledger::open(w.dir, {.read_only = read_only});
      REQUIRE_FALSE(opened.has_value());
      CHECK(opened.error().code() == StatusCode::kCorruption);
      CHECK_THAT(opened.error().message(), Catch::Contains(needle));
    }
  };

  SECTION("an event's stored bytes damaged: the tree is unchanged; the reads of the event name it") {
    Bytes event = Ledger::open(w.dir, {.read_only = true}).value()->event(650).value();
    event[event.size() / 2] ^= 0x01;
    put(w.dir, Cf::kEvents, u64_be(650), event);
    w.reopen();
    CHECK(w.ledger->root(714).value() == head_root);
    auto proof = w.ledger->inclusion_proof(651, 714);  // through leaf 650's parent
    REQUIRE(proof.has_value());
    CHECK(merkle_verify_inclusion(651, 714, leaf_651, *proof, head_root));
    CHECK(w.ledger->event(650).error().code() == StatusCode::kCorruption);
  }
  SECTION("a commit inside the last block, not the head's, missing") {
    put(w.dir, Cf::kCommits, u64_be(8), std::nullopt);
    refused("commit 8 is missing (it holds event 704; tree node level 3 index 88 is hashed");
  }
  SECTION("a commit stored under another's sequence") {
    const Bytes nine = get(w.dir, Cf::kCommits, u64_be(9));
    put(w.dir, Cf::kCommits, u64_be(8), nine);
    refused("commit 8 does not hold event 704");
  }
  SECTION("a commit inside the last block that does not decode") {
    put(w.dir, Cf::kCommits, u64_be(8), Bytes(7, 'x'));
    refused("commit 8 (holding event 704): message does not decode");
    put(w.dir, Cf::kCommits, u64_be(8), Bytes(64, '\xff'));
    refused("commit 8 (holding event 704): message does not decode");
  }
  SECTION("the commit index entry of the commit holding the block's first leaf missing") {
    put(w.dir, Cf::kCommitIndex, u64_be(704), std::nullopt);  // event 704 then seems to be commit 7's
    refused("commit 7 does not hold event 704");
  }
  SECTION("a commit before the last block missing: the head opens, a proof through it names it") {
    put(w.dir, Cf::kCommits, u64_be(5), std::nullopt);
    w.reopen({.read_only = true});
    CHECK(w.ledger->root(714).value() == head_root);
    auto proof = w.ledger->inclusion_proof(300, 714);
    REQUIRE_FALSE(proof.has_value());
    CHECK(proof.error().code() == StatusCode::kCorruption);
    CHECK_THAT(proof.error().message(), Catch::Contains("commit 5 is missing (it holds event 263"));
  }
  SECTION("a small node planted: never read, but the audit names it") {
    put(w.dir, Cf::kTree, tree_key(0, 3), Bytes(32, 'x'));
    w.reopen({.read_only = true});
    CHECK(w.ledger->root(714).value() == head_root);
    TempDir out;
    auto audited = run_cli(out, {"audit", "--data", w.dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("FINDING tree_node event=3 key=level=0/index=3: stored node differs"));
  }
  SECTION("a stored node missing: corruption naming it") {
    put(w.dir, Cf::kTree, tree_key(8, 0), std::nullopt);
    w.reopen({.read_only = true});  // the head's frontier needs (9, 0), not (8, 0)
    auto proof = w.ledger->inclusion_proof(300, 714);
    REQUIRE_FALSE(proof.has_value());
    CHECK(proof.error().code() == StatusCode::kCorruption);
    CHECK_THAT(proof.error().message(), Catch::Contains("tree node level 8 index 0 is missing"));
    TempDir out;
    auto audited = run_cli(out, {"audit", "--data", w.dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("FINDING tree_node"));
    CHECK_THAT(audited.out, Catch::Contains("1 of 2 nodes of level 8 are missing"));
  }
}

TEST_CASE("tree: a read of one event checks it against the one leaf hash its commit carries", "[ledger][tree]") {
  TreeWorld w;
  const std::vector<Hash32> leaves = w.leaves();
  Sha256 sha;
  for (uint64_t i : {uint64_t{0}, uint64_t{263}, uint64_t{300}, uint64_t{562}, uint64_t{713}})
    CHECK(merkle_leaf_hash(sha, w.ledger->event(i).value()) == leaves[i]);
  w.ledger.reset();
  // Commit 5 holds events [263, 563), before the last 64-leaf block: the ledger still opens.
  auto event_300 = [&]() {
    w.reopen({.read_only = true});
    auto e = w.ledger->event(300);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code() == StatusCode::kCorruption);
    return e.error().message();
  };
  SECTION("its commit does not decode") {
    put(w.dir, Cf::kCommits, u64_be(5), Bytes(7, 'x'));
    CHECK_THAT(event_300(), Catch::Contains("commit 5 of event 300: message does not decode"));
    w.ledger.reset();
    put(w.dir, Cf::kCommits, u64_be(5), Bytes(64, '\xff'));
    CHECK_THAT(event_300(), Catch::Contains("commit 5 of event 300: message does not decode"));
  }
  SECTION("its commit is another's") {
    const Bytes three = get(w.dir, Cf::kCommits, u64_be(3));
    put(w.dir, Cf::kCommits, u64_be(5), three);
    CHECK_THAT(event_300(), Catch::Contains("event 300 does not match its leaf hash in commit 5"));
  }
  SECTION("its commit carries another leaf hash for it") {
    Bytes five = get(w.dir, Cf::kCommits, u64_be(5));
    const std::string leaf(as_view(leaves[300]));
    const size_t at = five.find(leaf);
    REQUIRE(at != std::string::npos);
    five[at] ^= 0x01;
    put(w.dir, Cf::kCommits, u64_be(5), five);
    CHECK_THAT(event_300(), Catch::Contains("event 300 does not match its leaf hash in commit 5"));
  }
}

TEST_CASE("tree: a v1 ledger keeps its small nodes, unread, and becomes v3 with its next commit", "[ledger][tree][upgrade]") {
  TempDir tmp;
  const std::string dir = tmp / "v1";
  copy_upgrade_ledger("v1-demo", dir);
  std::set<std::pair<int, uint64_t>> before;
  {
    auto store = Store::open(dir, Store::Mode::kReadOnly);
    REQUIRE(store.has_value());
    before = stored_nodes(**store);
    CHECK((*store)->get(Cf::kMeta, "format").value() == kFormatVersionV1);
  }
  REQUIRE(before.size() > 400);  // 401 events: every perfect subtree, levels 0 to 8
  REQUIRE(before.count({0, 0}) == 1);

  const std::string payments = tmp / "p.jsonl";
  {
    std::ofstream out(payments);
    out << R"({"type":"entity_registered","effective_date":"2013-01-01","kind":"provider","code":"tree-upgrade","name":"Tree upgrade"})"
        << "\n";
  }
  auto appended = run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input", payments});
  INFO(appended.err);
  REQUIRE(appended.exit_code == 0);
  {
    auto store = Store::open(dir, Store::Mode::kReadOnly);
    REQUIRE(store.has_value());
    CHECK(stored_nodes(**store) == before);  // nothing removed, no small node added
    CHECK((*store)->get(Cf::kMeta, "format").value() == kFormatVersion);
  }
  auto audited = run_cli(tmp, {"audit", "--data", dir});
  INFO(audited.out);
  CHECK(audited.exit_code == 0);

  // A small node the old ledger stored, damaged: never read again, but the audit still checks it.
  put(dir, Cf::kTree, tree_key(0, 5), Bytes(32, 'x'));
  auto proved = run_cli(tmp, {"prove", "inclusion", "--data", dir, "--event", "4"});
  INFO(proved.err);
  CHECK(proved.exit_code == 0);
  auto damaged = run_cli(tmp, {"audit", "--data", dir});
  CHECK(damaged.exit_code == 1);
  CHECK_THAT(damaged.out, Catch::Contains("FINDING tree_node event=5 key=level=0/index=5"));
}
