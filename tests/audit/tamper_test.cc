// Tamper detection: each change made behind the ledger's back, directly in RocksDB, is found by
// the audit and pinpointed (class, commit, event). Real ledgers, real RocksDB, real keys.
#include <sstream>

#include "ledger/acknowledged_head.h"
#include "projections/feed.h"
#include "projections/registry.h"
#include "tests/audit/audit_world.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;
using audit::FindingClass;

namespace {

std::string describe(const audit::AuditReport& r) { return audit::render_text(r); }

// The course payment event rebuilt with another amount: a valid, canonical event.
Bytes with_amount(const Bytes& original, int64_t amount_ore) {
  auto msg = DecodedMessage::decode(original);
  REQUIRE(msg.has_value());
  capnp::MallocMessageBuilder m;
  m.setRoot(msg->root<schema::Event>());
  auto e = m.getRoot<schema::Event>();
  REQUIRE(e.getBody().which() == schema::Event::Body::COURSE_PAYMENT_RECORDED);
  e.getBody().getCoursePaymentRecorded().setAmountOre(amount_ore);
  return canonical_bytes(e.asReader());
}

}  // namespace

TEST_CASE("a clean ledger audits clean, with one thread or two, and the reports agree", "[audit][concurrency]") {
  AuditWorld w;
  Head head = w.ledger->head().value();
  Hash32 root = w.ledger->root(head.tree_size).value();
  w.close();
  auto two = audit_dir(w.dir, {.threads = 2});
  INFO(describe(two));
  CHECK(two.clean());
  CHECK(two.summary.events_checked == head.tree_size);
  CHECK(two.summary.commits_checked == head.commit_count);
  CHECK(two.summary.checkpoints_checked == head.commit_count);
  CHECK(two.summary.tree_size == head.tree_size);
  CHECK(two.summary.root == root);
  CHECK(two.summary.projections_checked);
  REQUIRE(!two.projections.empty());
  for (const auto& p : two.projections) CHECK(p.equal);
  auto one = audit_dir(w.dir, {.threads = 1});
  CHECK(one.clean());
  // Projections recomputed in a scratch database (a log above in_memory_max_events) instead of in
  // memory: the same report.
  auto on_disk = audit_dir(w.dir, {.threads = 2, .in_memory_max_events = 0});
  CHECK(on_disk.clean());
  two.summary.elapsed_s = one.summary.elapsed_s = on_disk.summary.elapsed_s = 0;
  two.summary.threads = one.summary.threads = on_disk.summary.threads = 0;
  CHECK(audit::render_json(one) == audit::render_json(two));
  CHECK(audit::render_json(on_disk) == audit::render_json(two));
}

TEST_CASE("the demo audits the same with its projections applied in two lanes or one, in memory or on disk",
          "[audit][concurrency]") {
  TempDir tmp;
  const std::string dir = tmp / "demo";
  {
    std::ostringstream log;
    auto summary = demo::run_demo(dir, {.seed = 7, .course_payments = 120}, log);
    INFO((summary ? log.str() : summary.error().to_string()));
    REQUIRE(summary.has_value());
    // Commits the lanes take at once (projections/feed.h), and reversals, which read earlier events.
    auto ledger = Ledger::open(dir);
    REQUIRE(ledger.has_value());
    REQUIRE(projections::Builder(**ledger).catch_up().is_ok());
    const Head head = (*ledger)->head().value();
    uint32_t largest = 0;
    for (uint64_t seq = 0; seq < head.commit_count; ++seq) largest = std::max(largest, (*ledger)->commit(seq).value().info.event_count);
    REQUIRE(largest >= projections::kMinEventsToSplit);
  }
  // One stored balance changed behind the ledger's back.
  std::string changed;
  {
    auto s = raw_store(dir);
    std::unique_ptr<rocksdb::Iterator> it(s->db()->NewIterator(rocksdb::ReadOptions(), s->cf(Cf::kProjBalances)));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    changed = it->key().ToString();
    put(*s, Cf::kProjBalances, changed, it->value().ToString() + "x");
  }
  std::vector<std::string> reports;
  for (audit::AuditOptions options : {audit::AuditOptions{.threads = 1}, audit::AuditOptions{.threads = 2},
                                      audit::AuditOptions{.threads = 2, .in_memory_max_events = 0}}) {
    auto r = audit_dir(dir, options);
    INFO(describe(r));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].key == "balances");
    CHECK(r.findings[0].reason.find("first differing key " + changed + " (values differ)") != std::string::npos);
    REQUIRE(r.projections.size() == projections::projection_registry().size());
    for (const auto& p : r.projections) CHECK(p.equal == (p.name != "balances"));
    r.summary.elapsed_s = 0;
    r.summary.threads = 0;
    reports.push_back(audit::render_json(r).dump());
  }
  CHECK(reports[0] == reports[1]);
  CHECK(reports[0] == reports[2]);
}

TEST_CASE("tamper: a flipped byte in an event", "[audit][tamper]") {
  AuditWorld w;
  w.close();
  {
    auto s = raw_store(w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(w.payment_event));
    e[e.size() - 3] ^= 0x01;  // inside a text field: still decodes, hashes differently
    put(*s, Cf::kEvents, u64_be(w.payment_event), e);
  }
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  const auto* f = r.first(FindingClass::kLeafHash);
  REQUIRE(f != nullptr);
  CHECK(f->event_index == w.payment_event);
  CHECK(f->commit_sequence == w.payment_commit);
  CHECK(r.findings.front().cls == FindingClass::kLeafHash);
  CHECK(r.findings.front().event_index == w.payment_event);
}

TEST_CASE("tamper: an event re-encoded with a different amount", "[audit][tamper]") {
  AuditWorld w;
  w.close();
  {
    auto s = raw_store(w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(w.payment_event));
    put(*s, Cf::kEvents, u64_be(w.payment_event), with_amount(e, 5000000));
  }
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  REQUIRE(!r.clean());
  CHECK(r.findings.front().cls == FindingClass::kLeafHash);
  CHECK(r.findings.front().event_index == w.payment_event);
  CHECK(r.findings.front().commit_sequence == w.payment_commit);
  // The replay derives other postings than the ones stored with the commit.
  const auto* p = r.first(FindingClass::kPostings);
  REQUIRE(p != nullptr);
  CHECK(p->event_index == w.payment_event);
}

TEST_CASE("tamper: a deleted event", "[audit][tamper]") {
  AuditWorld w;
  w.close();
  {
    auto s = raw_store(w.dir);
    REQUIRE(s->db()->Delete(rocksdb::WriteOptions(), s->cf(Cf::kEvents), u64_be(w.payment_event)).ok());
  }
  auto r = audit_dir(w.dir, {.check_projections = false});
  INFO(describe(r));
  REQUIRE(!r.clean());
  CHECK(r.findings.front().cls == FindingClass::kEventMissing);
  CHECK(r.findings.front().event_index == w.payment_event);
  CHECK(r.findings.front().commit_sequence == w.payment_commit);
}

TEST_CASE("tamper: two events swapped", "[audit][tamper]") {
  AuditWorld w;
  w.close();
  const uint64_t a = w.payment_event, b = w.payment_event + 1;
  {
    auto s = raw_store(w.dir);
    Bytes ea = get(*s, Cf::kEvents, u64_be(a)), eb = get(*s, Cf::kEvents, u64_be(b));
    put(*s, Cf::kEvents, u64_be(a), eb);
    put(*s, Cf::kEvents, u64_be(b), ea);
  }
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  std::vector<uint64_t> leaf_findings;
  for (const auto& f : r.findings)
    if (f.cls == FindingClass::kLeafHash) leaf_findings.push_back(*f.event_index);
  CHECK(leaf_findings == std::vector<uint64_t>{a, b});
  CHECK(r.findings.front().event_index == a);
}

TEST_CASE("tamper: a forged commit signed by an unregistered key", "[audit][tamper]") {
  AuditWorld w(false);
  w.close();
  PrivateKey forger = PrivateKey::generate();
  uint64_t seq = forge_commit(w.dir, forger, {event_bytes(AuditWorld::payment("FORGED", "851", 100))});
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  REQUIRE(!r.clean());
  CHECK(r.findings.front().cls == FindingClass::kSigner);
  CHECK(r.findings.front().commit_sequence == seq);
  CHECK(r.findings.front().reason.find("rule 1 unknown_signer") != std::string::npos);
  // Everything else about it was made consistent: the signer alone gives it away.
  CHECK(r.findings.size() == 1);
}

TEST_CASE("tamper: a v1 commit after v2 commits, genuinely signed by a registered key", "[audit][tamper]") {
  AuditWorld w(false);
  w.close();
  // The officer's own key signed it (as v1 commits are signed), so only the format gives it away:
  // a log never goes back to v1, where the log key did not attest order and time.
  uint64_t seq = forge_commit(w.dir, *w.aalborg, {event_bytes(AuditWorld::payment("OLD-STYLE", "851", 100))}, true);
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  REQUIRE(!r.clean());
  REQUIRE(r.first(FindingClass::kCommitMalformed) != nullptr);
  CHECK(r.first(FindingClass::kCommitMalformed)->commit_sequence == seq);
  CHECK(r.first(FindingClass::kCommitMalformed)->reason.find("a v1 commit after a v2 commit") != std::string::npos);
  CHECK(r.first(FindingClass::kCommitSignature) == nullptr);
  CHECK(r.first(FindingClass::kSigner) == nullptr);
  // (The forger wrote no postings or rule state for its payment: those findings follow.)
  CHECK(r.findings.front().cls == FindingClass::kCommitMalformed);
}

TEST_CASE("tamper: a commit inserted after its signer's key was revoked", "[audit][tamper]") {
  AuditWorld w(false);
  w.close();
  // `retired` was a registered finance officer of 851 until its revocation; its signature is
  // genuine, but made after the revocation.
  uint64_t seq = forge_commit(w.dir, *w.retired, {event_bytes(AuditWorld::payment("LATE", "851", 100))});
  auto r = audit_dir(w.dir);
  INFO(describe(r));
  REQUIRE(!r.clean());
  CHECK(r.findings.front().cls == FindingClass::kSigner);
  CHECK(r.findings.front().commit_sequence == seq);
  CHECK(r.findings.front().reason.find("rule 2 revoked_signer") != std::string::npos);
  CHECK(r.first(FindingClass::kCommitSignature) == nullptr);
}

TEST_CASE("tamper: a changed projection value", "[audit][tamper]") {
  AuditWorld w;
  w.close();
  const std::string account = Account::paid("P", "665").name();
  {
    auto s = raw_store(w.dir);
    put(*s, Cf::kProjBalances, account, u64_be(1));
  }
  for (uint64_t in_memory_max_events : {audit::kInMemoryRecomputationEvents, uint64_t{0}}) {
    auto r = audit_dir(w.dir, {.in_memory_max_events = in_memory_max_events});
    INFO(describe(r) << "in_memory_max_events " << in_memory_max_events);
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings.front();
    CHECK(f.cls == FindingClass::kProjection);
    CHECK(f.key == "balances");
    CHECK(f.reason.find("first differing key " + account + " (values differ)") != std::string::npos);
    for (const auto& p : r.projections) CHECK(p.equal == (p.name != "balances"));
  }
}

TEST_CASE("tamper: the audit reports the digests `projections status` computes, and names an entry deleted or added",
          "[audit][tamper]") {
  AuditWorld w;
  w.close();
  auto digests = [&] {
    auto ledger = Ledger::open(w.dir, {.read_only = true});
    REQUIRE(ledger.has_value());
    projections::Builder builder(**ledger);
    auto statuses = builder.status();
    REQUIRE(statuses.has_value());
    std::map<std::string, Hash32> out;
    for (const auto& s : *statuses) out[s.name] = s.digest;
    return out;
  };
  const std::map<std::string, Hash32> before = digests();
  REQUIRE(before.size() == 7);
  auto r = audit_dir(w.dir);
  REQUIRE(r.clean());
  REQUIRE(r.projections.size() == before.size());
  for (const auto& p : r.projections) {
    INFO(p.name);
    CHECK(p.stored_digest == before.at(p.name));
    CHECK(p.recomputed_digest == p.stored_digest);
    CHECK(p.equal);
  }

  const std::string account = Account::paid("P", "665").name();
  {
    auto s = raw_store(w.dir);
    REQUIRE(s->db()->Delete(rocksdb::WriteOptions(), s->cf(Cf::kProjBalances), account).ok());
    put(*s, Cf::kProjClaimHistory, "zzz-added", "665");  // after every stored key
  }
  const std::map<std::string, Hash32> after = digests();
  for (int threads : {1, 2})
    for (uint64_t in_memory_max_events : {audit::kInMemoryRecomputationEvents, uint64_t{0}}) {
      auto damaged = audit_dir(w.dir, {.threads = threads, .in_memory_max_events = in_memory_max_events});
      INFO(describe(damaged) << "threads " << threads << " in_memory_max_events " << in_memory_max_events);
      REQUIRE(damaged.findings.size() == 2);
      CHECK(damaged.findings[0].key == "balances");
      CHECK_THAT(damaged.findings[0].reason, Catch::Contains("first differing key " + account + " (recomputed, not stored)"));
      CHECK(damaged.findings[1].key == "claim_history");
      CHECK_THAT(damaged.findings[1].reason, Catch::Contains("first differing key zzz-added (stored, not recomputed)"));
      for (const auto& p : damaged.projections) {
        INFO(p.name);
        const bool changed = p.name == "balances" || p.name == "claim_history";
        CHECK(p.equal == !changed);
        CHECK(p.stored_digest == after.at(p.name));
        CHECK(p.recomputed_digest == before.at(p.name));  // the replay derives the undamaged family
        CHECK((p.stored_digest != before.at(p.name)) == changed);
      }
    }
}

TEST_CASE("tamper: changed values in two projections are both named, in the stored order, with one thread or two",
          "[audit][tamper][concurrency]") {
  AuditWorld w;
  w.close();
  const std::string account = Account::paid("P", "665").name();
  {
    auto s = raw_store(w.dir);
    put(*s, Cf::kProjBalances, account, u64_be(1));
    put(*s, Cf::kProjClaimHistory, "claim/NO-SUCH-CLAIM", "665");
  }
  std::string reports[2];
  for (int threads : {1, 2}) {
    auto r = audit_dir(w.dir, {.threads = threads});
    INFO(describe(r) << "threads " << threads);
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].key == "balances");
    CHECK(r.findings[0].reason.find("first differing key " + account + " (values differ)") != std::string::npos);
    CHECK(r.findings[1].key == "claim_history");
    CHECK(r.findings[1].reason.find("first differing key claim/NO-SUCH-CLAIM (stored, not recomputed)") != std::string::npos);
    for (const auto& p : r.projections) CHECK(p.equal == (p.name != "balances" && p.name != "claim_history"));
    r.summary.elapsed_s = 0;
    r.summary.threads = 0;
    reports[threads - 1] = audit::render_json(r).dump();
  }
  CHECK(reports[0] == reports[1]);
}

TEST_CASE("tamper: a projection position beyond the log is a finding, and the other projections are still compared",
          "[audit][tamper]") {
  AuditWorld w;
  const uint64_t commits = w.ledger->head().value().commit_count;
  w.close();
  {
    auto s = raw_store(w.dir);
    put(*s, Cf::kProjMeta, projections::applied_position_key("journal"), u64_be(commits + 5));
    put(*s, Cf::kProjClaimHistory, "claim/NO-SUCH-CLAIM", "665");
  }
  for (int threads : {1, 2}) {
    auto r = audit_dir(w.dir, {.threads = threads});
    INFO(describe(r) << "threads " << threads);
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].key == "journal");
    CHECK(r.findings[0].reason.find("claims " + std::to_string(commits + 5) + " applied commits; the log has " + std::to_string(commits)) !=
          std::string::npos);
    CHECK(r.findings[1].key == "claim_history");
    CHECK(r.findings[1].reason.find("first differing key claim/NO-SUCH-CLAIM") != std::string::npos);
  }
}

TEST_CASE("tamper: a rolled-back tail fails against a checkpoint the auditor kept", "[audit][tamper]") {
  AuditWorld w(false);
  // The auditor keeps the checkpoint, and an earlier one.
  Head head = w.ledger->head().value();
  std::string kept = w.ledger->checkpoint().value();
  CommitRecord last = w.ledger->commit(head.commit_count - 1).value();
  const uint64_t cut = last.info.first_event_index;  // the tail: the last commit
  std::string earlier = w.ledger->checkpoint(cut).value();
  w.close();
  {
    // Truncate the log to `cut` events, behind the ledger's back.
    auto s = raw_store(w.dir);
    rocksdb::WriteBatch b;
    for (uint64_t i = cut; i < head.tree_size; ++i) {
      b.Delete(s->cf(Cf::kEvents), u64_be(i));
      b.Delete(s->cf(Cf::kPostings), u64_be(i));
    }
    b.Delete(s->cf(Cf::kCommits), u64_be(last.info.sequence));
    b.Delete(s->cf(Cf::kCommitIndex), u64_be(cut));
    b.Delete(s->cf(Cf::kCheckpoints), u64_be(head.tree_size));
    b.Delete(s->cf(Cf::kIdempotency), last.info.idempotency_key);
    for (uint8_t level = 0; level < 64; ++level)
      for (uint64_t i = cut >> level; ((i + 1) << level) <= head.tree_size && level < 20; ++i)
        if (((i + 1) << level) > cut) b.Delete(s->cf(Cf::kTree), tree_key(level, i));
    CommitRecord before = decode_commit(get(*s, Cf::kCommits, u64_be(last.info.sequence - 1))).value();
    Head rolled{last.info.sequence, cut, before.info.commit_hash, before.info.recorded_at_ns};
    b.Put(s->cf(Cf::kMeta), "head", rolled.encode());
    // ... and drops the rule state's head, so the next writer derives the state again.
    b.Delete(s->cf(Cf::kMeta), kStateHeadKey);
    REQUIRE(s->db()->Write(rocksdb::WriteOptions(), &b).ok());
    // The operator also removes the acknowledged head, which would refuse the shorter log.
    std::filesystem::remove(AcknowledgedHead::path_in(w.dir));
  }
  {
    // ... and new history appended through the real writer, signed and checkpointed.
    w.ledger = std::move(Ledger::open(w.dir)).value();
    w.ok(w.aalborg, {AuditWorld::payment("B3-REWRITTEN", "851", 999)});
    REQUIRE(w.ledger->head()->tree_size == head.tree_size);
    w.close();
  }
  // On its own the rewritten ledger is consistent...
  auto alone = audit_dir(w.dir);
  INFO(describe(alone));
  CHECK(alone.clean());
  // ... but not with the checkpoint the auditor kept.
  auto r = audit_dir(w.dir, {.kept_checkpoints = {earlier, kept}});
  INFO(describe(r));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings.front().cls == FindingClass::kConsistency);
  CHECK(r.findings.front().tree_size == head.tree_size);
  CHECK(r.summary.kept_checkpoints_checked == 2);
}

TEST_CASE("projections stored behind the log are recomputed to their own position, and damage after it does not touch them",
          "[audit][tamper]") {
  AuditWorld w;  // projections built: they stand at the head
  const uint64_t projected = w.ledger->head().value().commit_count;
  CommitInfo later = w.ok(w.lemvig, {w.payment("B9", "665", 200000)});  // not projected
  w.close();
  {
    auto clean = audit_dir(w.dir);
    INFO(describe(clean));
    CHECK(clean.clean());
    REQUIRE(!clean.projections.empty());
    for (const auto& p : clean.projections) {
      CHECK(p.applied_commits == projected);
      CHECK(p.equal);
    }
  }
  {
    auto s = raw_store(w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(later.first_event_index));
    e[e.size() - 3] ^= 0x01;  // the unprojected commit's event: hashes differently
    put(*s, Cf::kEvents, u64_be(later.first_event_index), e);
  }
  for (int threads : {1, 2}) {
    auto r = audit_dir(w.dir, {.threads = threads, .in_memory_max_events = threads == 1 ? 0 : audit::kInMemoryRecomputationEvents});
    INFO(describe(r));
    CHECK(r.findings.front().cls == FindingClass::kLeafHash);
    CHECK(r.first(FindingClass::kProjection) == nullptr);
    REQUIRE(r.projections.size() == projections::projection_names().size());
    for (const auto& p : r.projections) CHECK(p.equal);
  }
}

TEST_CASE("a damaged event before the projections' position stops their recomputation there, naming the event",
          "[audit][tamper]") {
  AuditWorld w;
  w.close();
  {
    auto s = raw_store(w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(w.payment_event));
    e[e.size() - 3] ^= 0x01;
    put(*s, Cf::kEvents, u64_be(w.payment_event), e);
  }
  for (int threads : {1, 2}) {
    auto r = audit_dir(w.dir, {.threads = threads});
    INFO(describe(r));
    CHECK(r.first(FindingClass::kLeafHash) != nullptr);
    size_t not_recomputed = 0;
    for (const auto& f : r.findings) {
      if (f.cls != FindingClass::kProjection) continue;
      ++not_recomputed;
      CHECK(f.reason.find("cannot be recomputed from the log") != std::string::npos);
      CHECK(f.reason.find("event " + std::to_string(w.payment_event) + " does not hash to the leaf commit " +
                          std::to_string(w.payment_commit) + " signed") != std::string::npos);
    }
    CHECK(not_recomputed == projections::projection_names().size());
    CHECK(r.projections.empty());  // nothing was compared
  }
}
