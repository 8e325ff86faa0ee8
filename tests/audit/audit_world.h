// A small real ledger for the audit tests, and tools to tamper with it behind its back, directly
// in RocksDB, the way an operator with disk access could.
#pragma once

#include <catch2/catch.hpp>

#include <rocksdb/write_batch.h>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/tree_nodes.h"
#include "projections/builder.h"
#include "tests/ledger_world.h"
#include "tools/audit/audit.h"

namespace grantledger::testing {

// Entities, keys, a programme with a municipal allocation, course payments, claims, approvals
// and payouts; a finance officer key registered and later revoked. Projections are built.
struct AuditWorld : LedgerWorld {
  Key admin = new_key(), programme_admin = new_key(), lemvig = new_key(), aalborg = new_key(), retired = new_key();
  uint64_t payment_event = 0;  // index of a course payment event
  uint64_t payment_commit = 0;

  explicit AuditWorld(bool build_projections = true) {
    create(admin, "test.local/audit");
    std::vector<json> setup = small_registry();
    for (json k : {key(programme_admin, "programme_administrator", ""), key(lemvig, "finance_officer", "665"),
                   key(aalborg, "finance_officer", "851"), key(retired, "finance_officer", "851")})
      setup.push_back(k);
    setup.push_back(ev("programme_created", "2012-09-01",
                       {{"code", "P"}, {"name", "Test programme"}, {"total_ore", 10000000}, {"period_start", "2012-01-01"},
                        {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000},
                        {"rules", {akademi_rule()}}}));
    ok(admin, setup);
    ok(programme_admin,
       {ev("sector_share_allocated", "2013-01-01", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 6000000}}),
        allocation(6000000)});
    CommitInfo c = ok(lemvig, {payment("B1", "665", 500000), claim("K1", "B1", 400000)});
    payment_event = c.first_event_index;
    payment_commit = c.sequence;
    ok(aalborg, {payment("B2", "851", 300000), claim("K2", "B2", 240000)});
    ok(programme_admin, {approve("K1"), approve("K2")});
    ok(programme_admin, {pay("K1", "NKS-1")});
    ok(admin, {ev("key_revoked", "2013-04-01", {{"key_id", to_hex(retired->key_id())}, {"reason", "left the job"}})});
    ok(aalborg, {payment("B3", "851", 100000)});
    if (build_projections) {
      projections::Builder builder(*ledger);
      REQUIRE(builder.catch_up().is_ok());
    }
  }

  // Closes the ledger so the tests can open RocksDB behind its back.
  void close() { ledger.reset(); }
};

// The raw database, all column families, read-write: what the tamper tests write through.
inline std::unique_ptr<Store> raw_store(const std::string& dir) {
  auto s = Store::open(dir, Store::Mode::kReadWrite);
  REQUIRE(s.has_value());
  return std::move(s).value();
}

inline void put(Store& s, Cf cf, std::string_view key, std::string_view value) {
  REQUIRE(s.db()->Put(rocksdb::WriteOptions(), s.cf(cf), rocksdb::Slice(key.data(), key.size()),
                      rocksdb::Slice(value.data(), value.size())).ok());
}

inline Bytes get(Store& s, Cf cf, std::string_view key) {
  auto v = s.get(cf, key);
  REQUIRE(v.has_value());
  return *v;
}

// Appends a commit behind the ledger's back, complete with tree nodes, commit index, checkpoint
// (signed with the real log key, as an operator could) and head: only the signer gives it away.
// With `v1`, the forged commit is a log format v1 commit signed by `signer` itself.
inline uint64_t forge_commit(const std::string& dir, const PrivateKey& signer, const std::vector<Bytes>& events, bool v1 = false) {
  auto log_key = PrivateKey::load(dir + "/keys/log.pem");
  REQUIRE(log_key.has_value());
  auto store = raw_store(dir);
  Store& s = *store;
  Head head = s.head().value();
  std::string origin = get(s, Cf::kMeta, "origin");
  Sha256 sha;
  auto frontier = MerkleFrontier::load(tree_nodes(s, nullptr), head.tree_size);
  REQUIRE(frontier.has_value());
  capnp::MallocMessageBuilder m;
  auto commit = m.initRoot<schema::Commit>();
  auto body = commit.initBody();
  auto data = [](std::string_view b) { return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size()); };
  body.setOrigin(origin);
  body.setSequence(head.commit_count);
  body.setFirstEventIndex(head.tree_size);
  body.setEventCount(static_cast<uint32_t>(events.size()));
  body.setRecordedAtNs(head.last_recorded_at_ns + 1);
  body.setSignerKeyId(data(as_view(signer.key_id())));
  body.setPreviousCommitHash(data(as_view(head.last_commit_hash)));
  auto hashes = body.initEventHashes(static_cast<unsigned>(events.size()));
  rocksdb::WriteBatch batch;
  std::vector<std::pair<MerkleNodeId, Hash32>> nodes;
  for (size_t i = 0; i < events.size(); ++i) {
    Hash32 leaf = merkle_leaf_hash(sha, events[i]);
    hashes.set(static_cast<unsigned>(i), data(as_view(leaf)));
    frontier->append(sha, leaf, &nodes);
    batch.Put(s.cf(Cf::kEvents), u64_be(head.tree_size + i), events[i]);
  }
  // Log format v2: the forger signs the submission with `signer` and the commit with the log key.
  std::vector<Hash32> leaves;
  for (const auto& e : events) leaves.push_back(merkle_leaf_hash(sha, e));
  const std::string idempotency_key = "forged-" + std::to_string(head.commit_count);
  body.setIdempotencyKey(idempotency_key);
  if (v1) {
    Bytes signed_bytes(kCommitSignaturePrefix);
    signed_bytes += canonical_bytes(body.asReader());
    commit.setSignature(data(signer.sign(signed_bytes)));
  } else {
    body.setFormatVersion(kCommitFormatV2);
    body.setSubmissionCreatedAtNs(head.last_recorded_at_ns);
    Bytes submission_signature =
        signer.sign(submission_signed_bytes(origin, idempotency_key, signer.key_id(), head.last_recorded_at_ns, leaves));
    body.setSubmissionSignature(data(submission_signature));
    Bytes signed_bytes(kCommitV2SignaturePrefix);
    signed_bytes += canonical_bytes(body.asReader());
    commit.setSignature(data(log_key->sign(signed_bytes)));
  }
  Bytes commit_bytes = canonical_bytes(commit.asReader());
  put_tree_nodes(s, std::move(nodes), &batch);
  batch.Put(s.cf(Cf::kCommits), u64_be(head.commit_count), commit_bytes);
  batch.Put(s.cf(Cf::kCommitIndex), u64_be(head.tree_size), u64_be(head.commit_count));
  // The idempotency entry the writer keeps for the submission's key (spec/LOG.md, "On-disk layout").
  sha.update(as_view(signer.key_id()));
  for (const auto& leaf : leaves) sha.update(as_view(leaf));
  Bytes idempotency_value = u64_be(head.commit_count);
  idempotency_value += as_view(sha.finish());
  batch.Put(s.cf(Cf::kIdempotency), idempotency_key, idempotency_value);
  Checkpoint cp{origin, frontier->size(), frontier->root(sha)};
  batch.Put(s.cf(Cf::kCheckpoints), u64_be(cp.tree_size), sign_checkpoint(cp, *log_key));
  uint64_t seq = head.commit_count;
  head.commit_count += 1;
  head.tree_size = frontier->size();
  head.last_commit_hash = sha.digest(commit_bytes);
  head.last_recorded_at_ns += 1;
  batch.Put(s.cf(Cf::kMeta), "head", head.encode());
  batch.Put(s.cf(Cf::kMeta), kStateHeadKey, u64_be(head.commit_count));  // the forger keeps the state's head in step
  REQUIRE(s.db()->Write(rocksdb::WriteOptions(), &batch).ok());
  return seq;
}

inline audit::AuditReport audit_dir(const std::string& dir, audit::AuditOptions options = {}) {
  auto source = audit::open_ledger_source(dir);
  REQUIRE(source.has_value());
  auto report = audit::run_audit(**source, options);
  INFO((report ? "" : report.error().to_string()));
  REQUIRE(report.has_value());
  return std::move(report).value();
}

}  // namespace grantledger::testing
