// The signed log end to end: real RocksDB in a temp dir, real Ed25519 keys.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/date.h"
#include "ledger/merkle.h"
#include "tests/test_support.h"

using namespace grantledger;
using namespace grantledger::testing;
using Kind = schema::EntityKind;

namespace {

struct Fixture {
  TempDir tmp;
  std::string dir = tmp / "ledger";
  std::shared_ptr<const PrivateKey> admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  std::unique_ptr<Ledger> ledger;

  Fixture() {
    auto genesis = Ledger::init(dir, "test.local/ledger", *admin, "admin");
    REQUIRE(genesis.has_value());
    REQUIRE(genesis->sequence == 0);
    reopen();
  }
  void reopen() {
    ledger.reset();
    auto opened = Ledger::open(dir);
    REQUIRE(opened.has_value());
    ledger = std::move(opened).value();
  }
  CommitInfo append_ok(CommitRequest r) {
    auto res = ledger->append({std::move(r)});
    INFO((res ? "" : res.error().to_string()));
    REQUIRE(res.has_value());
    return res->at(0);
  }
  // Appends and requires a rejection with `code` whose message contains `needle`, and that
  // nothing at all changed on disk.
  void append_rejected(std::vector<CommitRequest> rs, StatusCode code, const std::string& needle) {
    std::string before = fingerprint(*ledger);
    auto res = ledger->append(std::move(rs));
    REQUIRE_FALSE(res.has_value());
    INFO(res.error().to_string());
    CHECK(res.error().code() == code);
    CHECK(res.error().message().find(needle) != std::string::npos);
    CHECK(fingerprint(*ledger) == before);
    reopen();  // and nothing changed after a restart either
    CHECK(fingerprint(*ledger) == before);
  }
};

}  // namespace

TEST_CASE("init writes a genesis commit registering the admin and log keys", "[ledger]") {
  Fixture f;
  auto head = f.ledger->head();
  REQUIRE(head.has_value());
  CHECK(head->commit_count == 1);
  CHECK(head->tree_size == 2);
  const KeyState* admin = f.ledger->state().key(f.admin->key_id());
  REQUIRE(admin != nullptr);
  CHECK(admin->role == schema::Role::ADMIN);
  const KeyState* log = f.ledger->state().key(f.ledger->log_public_key().key_id());
  REQUIRE(log != nullptr);
  CHECK(log->role == schema::Role::LOG);
  // init refuses a directory that already holds a ledger.
  auto again = Ledger::init(f.dir, "test.local/ledger", *f.admin, "admin");
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code() == StatusCode::kInvalidArgument);
  // Like mkdir -p, init creates missing parents.
  TempDir nested;
  REQUIRE(Ledger::init(nested / "a/b/ledger", "test.local/ledger", *f.admin, "admin").has_value());
  CHECK(Ledger::open(nested / "a/b/ledger", {.read_only = true}).has_value());
}

TEST_CASE("commits chain by hash, verify by signature and are checkpointed", "[ledger]") {
  Fixture f;
  f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION)}));
  f.append_ok(request(f.admin, {entity_event("101", Kind::MUNICIPALITY, "1084"),
                                entity_event("147", Kind::MUNICIPALITY, "1084")}));
  auto commits = f.ledger->commits(0, 100);
  REQUIRE(commits.has_value());
  REQUIRE(commits->size() == 3);
  Hash32 previous{};
  Sha256 sha;
  for (const CommitRecord& c : *commits) {
    CHECK(c.previous_commit_hash == previous);
    CHECK(c.info.commit_hash == sha.digest(c.bytes));
    // Log format v2: the log key signs the commit, the admin signed the submission.
    CHECK(c.format_version == kCommitFormatV2);
    CHECK(verify_commit_signatures(c, f.admin->public_key(), f.ledger->log_public_key()).is_ok());
    CHECK_FALSE(verify_commit_signatures(c, f.ledger->log_public_key(), f.ledger->log_public_key()).is_ok());
    CommitRecord other_submitter = c;
    other_submitter.submission_signature = PrivateKey::generate().sign("x");
    CHECK(verify_commit_signatures(other_submitter, f.admin->public_key(), f.ledger->log_public_key()).code() ==
          StatusCode::kCorruption);
    for (uint32_t i = 0; i < c.info.event_count; ++i) {
      auto ev = f.ledger->event(c.info.first_event_index + i);
      REQUIRE(ev.has_value());
      CHECK(merkle_leaf_hash(sha, *ev) == c.event_hashes[i]);
      CHECK(f.ledger->commit_of_event(c.info.first_event_index + i).value() == c.info.sequence);
    }
    // A checkpoint at every commit boundary, signed by the log key, with the tree's root.
    uint64_t size = c.info.first_event_index + c.info.event_count;
    auto note = f.ledger->checkpoint(size);
    REQUIRE(note.has_value());
    auto cp = verify_checkpoint(*note, f.ledger->log_public_key());
    REQUIRE(cp.has_value());
    CHECK(cp->tree_size == size);
    CHECK(cp->origin == "test.local/ledger");
    CHECK(cp->root == f.ledger->root(size).value());
    previous = c.info.commit_hash;
  }
  // A flipped byte anywhere in a commit breaks its signature.
  CommitRecord tampered = (*commits)[2];
  tampered.bytes[tampered.bytes.size() / 2] ^= 0x01;
  CHECK_FALSE(verify_commit_signatures(tampered, f.admin->public_key(), f.ledger->log_public_key()).is_ok());
}

TEST_CASE("inclusion and consistency proofs verify against signed checkpoints", "[ledger]") {
  Fixture f;
  std::vector<uint64_t> sizes = {2};
  for (int c = 0; c < 6; ++c) {
    std::vector<Bytes> events;
    for (int i = 0; i <= c; ++i) events.push_back(entity_event("p" + std::to_string(c) + "-" + std::to_string(i), Kind::PROVIDER));
    auto info = f.append_ok(request(f.admin, std::move(events)));
    sizes.push_back(info.first_event_index + info.event_count);
  }
  Sha256 sha;
  for (uint64_t size : sizes) {
    auto cp = verify_checkpoint(f.ledger->checkpoint(size).value(), f.ledger->log_public_key());
    REQUIRE(cp.has_value());
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = f.ledger->inclusion_proof(i, size);
      REQUIRE(proof.has_value());
      Hash32 leaf = merkle_leaf_hash(sha, f.ledger->event(i).value());
      CHECK(merkle_verify_inclusion(i, size, leaf, *proof, cp->root));
    }
    for (uint64_t old : sizes) {
      if (old > size) continue;
      auto old_cp = verify_checkpoint(f.ledger->checkpoint(old).value(), f.ledger->log_public_key());
      auto proof = f.ledger->consistency_proof(old, size);
      REQUIRE(proof.has_value());
      CHECK(merkle_verify_consistency(old, size, old_cp->root, cp->root, *proof));
    }
  }
  // Beyond the log: a clear error, not a wrong answer.
  CHECK(f.ledger->inclusion_proof(0, 1000).error().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("reopening keeps everything", "[ledger]") {
  Fixture f;
  f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION)}, "k1"));
  std::string before = fingerprint(*f.ledger);
  std::string note = f.ledger->checkpoint().value();
  f.reopen();
  CHECK(fingerprint(*f.ledger) == before);
  CHECK(f.ledger->checkpoint().value() == note);
  CHECK(f.ledger->state().entity("1084") != nullptr);
  // The writer continues the chain after a restart.
  auto info = f.append_ok(request(f.admin, {entity_event("101", Kind::MUNICIPALITY, "1084")}));
  CHECK(info.sequence == 2);
  CHECK(f.ledger->commit(2)->previous_commit_hash == f.ledger->commit(1)->info.commit_hash);
  // A read-only open sees the same log.
  std::string after = fingerprint(*f.ledger);
  f.ledger.reset();
  auto ro = Ledger::open(f.dir, {.read_only = true});
  REQUIRE(ro.has_value());
  CHECK(fingerprint(**ro) == after);
  CHECK_FALSE((*ro)->append({request(f.admin, {entity_event("x", Kind::PROVIDER)})}).has_value());
}

TEST_CASE("idempotency: same key and content returns the original, different content conflicts", "[ledger]") {
  Fixture f;
  auto first = f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION)}, "batch-1"));
  CHECK_FALSE(first.replayed);
  std::string before = fingerprint(*f.ledger);
  auto again = f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION)}, "batch-1"));
  CHECK(again.replayed);
  CHECK(again.sequence == first.sequence);
  CHECK(again.commit_hash == first.commit_hash);
  CHECK(fingerprint(*f.ledger) == before);
  // After a restart too.
  f.reopen();
  CHECK(f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION)}, "batch-1")).replayed);
  CHECK(fingerprint(*f.ledger) == before);
  f.append_rejected({request(f.admin, {entity_event("1085", Kind::REGION)}, "batch-1")}, StatusCode::kConflict,
                    "idempotency key \"batch-1\" was used by commit 1");
  // Same events, another signer: different content.
  auto other = std::make_shared<const PrivateKey>(PrivateKey::generate());
  f.append_ok(request(f.admin, {key_event(other->public_key(), schema::Role::ADMIN)}));
  f.append_rejected({request(other, {entity_event("1084", Kind::REGION)}, "batch-1")}, StatusCode::kConflict,
                    "different content");
}

TEST_CASE("idempotent retries inside one concurrent group return the first commit", "[ledger]") {
  Fixture f;
  auto a = f.ledger->append_async({request(f.admin, {entity_event("1084", Kind::REGION)}, "same")});
  auto b = f.ledger->append_async({request(f.admin, {entity_event("1084", Kind::REGION)}, "same")});
  auto ra = a.get(), rb = b.get();
  REQUIRE(ra.has_value());
  REQUIRE(rb.has_value());
  CHECK(ra->at(0).sequence == rb->at(0).sequence);
  CHECK(ra->at(0).replayed != rb->at(0).replayed);
  CHECK(f.ledger->head()->commit_count == 2);
}

TEST_CASE("signer rules: unknown, revoked, wrong-role and log keys are rejected, nothing written", "[ledger]") {
  Fixture f;
  f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION), entity_event("101", Kind::MUNICIPALITY, "1084")}));
  auto stranger = std::make_shared<const PrivateKey>(PrivateKey::generate());
  f.append_rejected({request(stranger, {entity_event("x", Kind::PROVIDER)})}, StatusCode::kRejected,
                    "rule 1 unknown_signer");

  auto officer = std::make_shared<const PrivateKey>(PrivateKey::generate());
  f.append_ok(request(f.admin, {key_event(officer->public_key(), schema::Role::FINANCE_OFFICER, "101")}));
  f.append_rejected({request(officer, {entity_event("x", Kind::PROVIDER)})}, StatusCode::kRejected,
                    "rule 3 role_not_allowed");

  auto second_admin = std::make_shared<const PrivateKey>(PrivateKey::generate());
  f.append_ok(request(f.admin, {key_event(second_admin->public_key(), schema::Role::ADMIN)}));
  f.append_ok(request(f.admin, {revoke_event(second_admin->key_id())}));
  f.append_rejected({request(second_admin, {entity_event("x", Kind::PROVIDER)})}, StatusCode::kRejected,
                    "rule 2 revoked_signer");

  // The log key signs checkpoints only.
  auto log_key = PrivateKey::load(f.dir + "/keys/log.pem");
  REQUIRE(log_key.has_value());
  auto log_signer = std::make_shared<const PrivateKey>(std::move(log_key).value());
  f.append_rejected({request(log_signer, {entity_event("x", Kind::PROVIDER)})}, StatusCode::kRejected,
                    "cannot sign commits");
}

TEST_CASE("key and entity rules reject with the rule number, nothing written", "[ledger]") {
  Fixture f;
  auto k = PrivateKey::generate();
  f.append_ok(request(f.admin, {key_event(k.public_key(), schema::Role::RECONCILER)}));
  f.append_rejected({request(f.admin, {key_event(k.public_key(), schema::Role::RECONCILER)})}, StatusCode::kRejected,
                    "rule 5 key_already_registered");
  f.append_rejected({request(f.admin, {revoke_event(PrivateKey::generate().key_id())})}, StatusCode::kRejected,
                    "rule 6 key_not_found");
  f.append_rejected({request(f.admin, {revoke_event(f.admin->key_id())})}, StatusCode::kRejected,
                    "rule 8 last_admin_key");
  f.append_rejected({request(f.admin, {key_event(PrivateKey::generate().public_key(), schema::Role::FINANCE_OFFICER)})},
                    StatusCode::kRejected, "rule 9 bad_key_scope");
  f.append_rejected({request(f.admin, {key_event(PrivateKey::generate().public_key(), schema::Role::LOG)})},
                    StatusCode::kRejected, "rule 15 log_key_role");
  f.append_rejected({request(f.admin, {entity_event("101", Kind::MUNICIPALITY, "9999")})}, StatusCode::kRejected,
                    "rule 13 bad_entity_parent");
  // An event that depends on an earlier event of the same commit is fine ...
  f.append_ok(request(f.admin, {entity_event("1084", Kind::REGION), entity_event("101", Kind::MUNICIPALITY, "1084")}));
  // ... and a commit whose last event breaks a rule is rejected whole.
  f.append_rejected({request(f.admin, {entity_event("1085", Kind::REGION), entity_event("1084", Kind::REGION)})},
                    StatusCode::kRejected, "rule 10 entity_already_exists");
}

TEST_CASE("a multi-commit append is all or nothing", "[ledger]") {
  Fixture f;
  std::vector<CommitRequest> rs;
  rs.push_back(request(f.admin, {entity_event("1084", Kind::REGION)}));
  rs.push_back(request(f.admin, {entity_event("101", Kind::MUNICIPALITY, "1084")}));
  rs.push_back(request(f.admin, {entity_event("102", Kind::MUNICIPALITY, "9999")}));
  f.append_rejected(std::move(rs), StatusCode::kRejected, "commit 3 of 3");
  CHECK(f.ledger->state().entity("1084") == nullptr);
}

TEST_CASE("one writer remembers which ids are new: refused once stored, free again after a rollback, cache kept or dropped", "[ledger][state]") {
  // The writer's state cache remembers keys the stored state does not hold (ledger/state_table.h),
  // so an id is read once when it is checked and stored. That memory must follow every rollback
  // and commit of the same process, with the cache kept between commits and with it dropped.
  const size_t cache_entries = GENERATE(size_t{50000}, size_t{0});
  Fixture f;
  f.ledger.reset();
  auto opened = Ledger::open(f.dir, {.state_cache_entries = cache_entries});
  REQUIRE(opened.has_value());
  Ledger& ledger = **opened;
  auto append = [&](std::vector<CommitRequest> rs) {
    const std::string before = fingerprint(ledger);
    auto res = ledger.append(std::move(rs));
    if (!res) CHECK(fingerprint(ledger) == before);
    return res.has_value() ? std::string() : res.error().to_string();
  };
  using Catch::Matchers::Contains;
  // Region 1085 is checked (absent), staged, then rolled back with its commit ...
  CHECK_THAT(append({request(f.admin, {entity_event("1085", Kind::REGION), entity_event("1085", Kind::REGION)})}),
             Contains("rule 10 entity_already_exists"));
  // ... so it is still unknown, in the next commit and in a commit that stages it first.
  CHECK_THAT(append({request(f.admin, {entity_event("102", Kind::MUNICIPALITY, "1085")})}), Contains("rule 13"));
  std::vector<CommitRequest> two;
  two.push_back(request(f.admin, {entity_event("1085", Kind::REGION)}));
  two.push_back(request(f.admin, {entity_event("1085", Kind::REGION)}));
  CHECK_THAT(append(std::move(two)), Contains("commit 2 of 2"));
  CHECK(append({request(f.admin, {entity_event("1085", Kind::REGION)})}).empty());
  // Stored now: found by the next commits of the same process, never registered twice.
  CHECK(append({request(f.admin, {entity_event("102", Kind::MUNICIPALITY, "1085")})}).empty());
  CHECK_THAT(append({request(f.admin, {entity_event("1085", Kind::REGION)})}), Contains("rule 10 entity_already_exists"));
  CHECK_THAT(append({request(f.admin, {entity_event("102", Kind::MUNICIPALITY, "1085")})}), Contains("rule 10"));
  // What the writer stored is what a replay derives.
  auto differences = ledger.check_state();
  REQUIRE(differences.has_value());
  CHECK(differences->empty());
}

TEST_CASE("limits and malformed commits are rejected before anything is written", "[ledger]") {
  Fixture f;
  f.append_rejected({request(f.admin, {})}, StatusCode::kInvalidArgument, "at least one event");
  std::vector<Bytes> too_many;
  for (size_t i = 0; i <= kMaxEventsPerCommit; ++i) too_many.push_back(entity_event("e" + std::to_string(i), Kind::EMPLOYER));
  f.append_rejected({request(f.admin, std::move(too_many))}, StatusCode::kInvalidArgument, "at most 10000 events");
  f.append_rejected({request(f.admin, {Bytes("not a capnp message")})}, StatusCode::kInvalidArgument, "event 1");
  f.append_rejected({request(nullptr, {entity_event("x", Kind::PROVIDER)})}, StatusCode::kInvalidArgument, "signed submission");
  f.append_rejected({request(f.admin, {entity_event("x", Kind::PROVIDER)}, std::string(kMaxIdempotencyKeyBytes + 1, 'k'))},
                    StatusCode::kInvalidArgument, "idempotency key longer");
  // At the limit exactly: accepted.
  std::vector<Bytes> at_limit;
  for (size_t i = 0; i < kMaxEventsPerCommit; ++i) at_limit.push_back(entity_event("e" + std::to_string(i), Kind::EMPLOYER));
  CHECK(f.append_ok(request(f.admin, std::move(at_limit))).event_count == kMaxEventsPerCommit);
}

TEST_CASE("submissions signed elsewhere: accepted as signed, refused when altered or not for this ledger", "[ledger][submission]") {
  Fixture f;
  auto signed_for = [&](const std::string& origin, const std::string& key, int64_t created_at_ns) {
    auto s = sign_submission(origin, {entity_event("sub", Kind::PROVIDER)}, *f.admin, key, created_at_ns);
    REQUIRE(s.has_value());
    return std::move(s).value();
  };
  const int64_t now = now_utc_ns();
  // Another ledger's origin: the signature does not verify for this ledger.
  f.append_rejected({CommitRequest::from(signed_for("other.example/ledger", "k1", now))}, StatusCode::kInvalidArgument,
                    "signature: the submission's signature does not verify");
  // Altered after signing: another event, another key, another time.
  Submission altered = signed_for("test.local/ledger", "k2", now);
  altered.events[0] = entity_event("sub2", Kind::PROVIDER);
  f.append_rejected({CommitRequest::from(altered)}, StatusCode::kInvalidArgument, "does not verify");
  Submission rekeyed = signed_for("test.local/ledger", "k3", now);
  rekeyed.idempotency_key = "k3-other";
  f.append_rejected({CommitRequest::from(rekeyed)}, StatusCode::kInvalidArgument, "does not verify");
  Submission retimed = signed_for("test.local/ledger", "k4", now);
  retimed.signed_by.created_at_ns += 1;
  f.append_rejected({CommitRequest::from(retimed)}, StatusCode::kInvalidArgument, "does not verify");
  // Signed by a key the log does not know: rule 1.
  auto stranger = PrivateKey::generate();
  auto strange = sign_submission("test.local/ledger", {entity_event("sub", Kind::PROVIDER)}, stranger, "k5", now);
  f.append_rejected({CommitRequest::from(*strange)}, StatusCode::kRejected, "unknown_signer");
  // Signed "in the future" beyond the allowed clock skew.
  f.append_rejected({CommitRequest::from(signed_for("test.local/ledger", "k6", now + 2 * kMaxSubmissionClockSkewNs))},
                    StatusCode::kInvalidArgument, "created_at");
  // Without an idempotency key (hand-built): refused, a retry would record it twice.
  Submission keyless = signed_for("test.local/ledger", "k7", now);
  CommitRequest keyless_request = CommitRequest::from(keyless);
  keyless_request.idempotency_key.clear();
  f.append_rejected({keyless_request}, StatusCode::kInvalidArgument, "idempotency_key");
  // As signed: accepted, and the commit keeps the submitter's signature and time.
  Submission good = signed_for("test.local/ledger", "k8", now);
  CommitInfo info = f.append_ok(CommitRequest::from(good));
  auto commit = f.ledger->commit(info.sequence);
  REQUIRE(commit.has_value());
  CHECK(commit->format_version == kCommitFormatV2);
  CHECK(commit->submission_signature == good.signed_by.signature);
  CHECK(commit->submission_created_at_ns == now);
  CHECK(verify_commit_signatures(*commit, f.admin->public_key(), f.ledger->log_public_key()).is_ok());
  // The same submission again is an idempotent retry: the same commit, nothing written.
  std::string before = fingerprint(*f.ledger);
  auto again = f.ledger->append({CommitRequest::from(good)});
  REQUIRE(again.has_value());
  CHECK(again->at(0).replayed);
  CHECK(again->at(0).sequence == info.sequence);
  CHECK(fingerprint(*f.ledger) == before);
  // A submission file round-trips, and a file whose event hash was changed is refused whole.
  Bytes file = encode_submission_file({good});
  auto decoded = decode_submission_file(file);
  REQUIRE(decoded.has_value());
  CHECK(decoded->at(0).signed_by.signature == good.signed_by.signature);
  CHECK(decoded->at(0).events == good.events);
  Submission wrong_hash = good;
  wrong_hash.event_hashes[0][0] ^= 1;
  auto refused = decode_submission_file(encode_submission_file({wrong_hash}));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message().find("not the event's leaf hash") != std::string::npos);
  CHECK_FALSE(decode_submission_file("not a submission file").has_value());
}

TEST_CASE("opening something that is not a ledger is a clear error", "[ledger]") {
  TempDir tmp;
  auto missing = Ledger::open(tmp / "nothing-here");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == StatusCode::kInvalidArgument);
  CHECK(missing.error().message().find("is not a grantledger ledger") != std::string::npos);
  auto empty = Ledger::open(tmp.path());
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("concurrent appenders lose and duplicate nothing", "[ledger][concurrency]") {
  Fixture f;
  constexpr int kThreads = 8, kCommitsEach = 40;
  std::vector<std::thread> threads;
  std::vector<std::vector<CommitInfo>> seen(kThreads);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsEach; ++i) {
        std::string code = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto res = f.ledger->append({request(f.admin, {entity_event(code + "a", Kind::EMPLOYER), entity_event(code + "b", Kind::EMPLOYER)})});
        if (res) seen[t].push_back(res->at(0));
      }
    });
  for (auto& th : threads) th.join();
  std::set<uint64_t> sequences;
  for (auto& v : seen) {
    REQUIRE(v.size() == kCommitsEach);
    for (auto& info : v) sequences.insert(info.sequence);
  }
  CHECK(sequences.size() == kThreads * kCommitsEach);
  CHECK(*sequences.begin() == 1);
  CHECK(*sequences.rbegin() == kThreads * kCommitsEach);
  auto head = f.ledger->head().value();
  CHECK(head.tree_size == 2 + 2 * kThreads * kCommitsEach);
  // Every event is stored exactly once, and each thread's commits are in its own order.
  f.reopen();
  std::set<std::string> codes;
  for (uint64_t i = 2; i < head.tree_size; ++i) {
    auto msg = DecodedMessage::decode(f.ledger->event(i).value());
    REQUIRE(msg.has_value());
    codes.insert(msg->root<schema::Event>().getBody().getEntityRegistered().getCode().cStr());
  }
  CHECK(codes.size() == 2 * kThreads * kCommitsEach);
  for (auto& v : seen)
    for (size_t i = 1; i < v.size(); ++i) CHECK(v[i].sequence > v[i - 1].sequence);
}

TEST_CASE("a reader opening while writers open, append and close sees a whole log or none", "[ledger][processes][concurrency]") {
  // Each writer's open flushes the write-ahead log the one before it left, starts a new MANIFEST
  // and deletes what it no longer needs. A reader that read the MANIFEST before such a flush and
  // listed the logs after it saw a log with a hole ("commit 47 is missing (the next stored commit
  // is 48)"), or failed on a deleted table file and called the ledger damaged.
  Fixture f;
  f.ledger.reset();
  constexpr int kWriterOpens = 60;
  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < kWriterOpens; ++i) {
      auto opened = Ledger::open(f.dir);
      if (!opened) continue;
      auto res = (*opened)->append({request(f.admin, {entity_event("w" + std::to_string(i), Kind::EMPLOYER)})});
      if (res) ++written;
    }
    done = true;
  });
  int views = 0;
  std::set<uint64_t> sizes_seen;  // the reader saw the log grow, not only before or after the writers
  std::vector<std::string> errors;
  while (!done) {
    auto opened = Ledger::open(f.dir, {.read_only = true});
    // Giving up after every attempt overlapped a writer's change is allowed (spec/LOG.md): it
    // says so with an I/O error, never with a partial view or a claim of damage.
    if (!opened && opened.error().code() == StatusCode::kIOError &&
        opened.error().message().find("during each of") != std::string::npos)
      continue;
    if (!opened) {
      errors.push_back("open: " + opened.error().to_string());
      continue;
    }
    Status scanned = (*opened)->scan([](const CommitRecord&, uint64_t, schema::Event::Reader) { return Status::ok(); });
    if (!scanned.is_ok()) errors.push_back("scan: " + scanned.to_string());
    sizes_seen.insert((*opened)->head().value().tree_size);
    ++views;
  }
  writer.join();
  std::string all;
  for (auto& e : errors) all += e + "\n";
  INFO(views << " views; " << errors.size() << " failed:\n" << all);
  CHECK(errors.empty());
  CHECK(written == kWriterOpens);
  CHECK(sizes_seen.size() >= 3);
}
