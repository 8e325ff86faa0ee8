#include "ledger/ledger.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/acknowledged_head.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/commit_writer.h"
#include "ledger/date.h"
#include "ledger/log_reader.h"
#include "ledger/merkle.h"
#include "ledger/postings.h"
#include "ledger/state_codec.h"
#include "ledger/stored_value.h"
#include "ledger/stored_state.h"
#include "ledger/tree_nodes.h"

namespace grantledger {

namespace {

Bytes key_registered_event(int32_t effective_date, const PublicKey& key, schema::Role role,
                           const std::string& name) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(effective_date);
  auto k = e.initBody().initKeyRegistered();
  k.setPublicKey(data_of(key.raw()));
  k.setRole(role);
  k.setName(name);
  return canonical_bytes(e.asReader());
}

std::string log_key_path(const std::string& dir) { return (std::filesystem::path(dir) / "keys" / "log.pem").string(); }

// Nothing may lie beyond the head in `cf` (keys are u64 BE positions): a head rolled back under
// stored records would let the next append overwrite signed history.
Status nothing_beyond(Store& store, const rocksdb::Snapshot* snap, Cf cf, uint64_t first_key, const char* what) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(cf)));
  const Bytes key = u64_be(first_key);
  it->Seek(rocksdb::Slice(key));
  if (it->Valid()) {
    const std::string_view key(it->key().data(), it->key().size());
    return Status::corruption(std::string(what) + " " +
                              (key.size() == 8 ? std::to_string(get_u64_be(key)) : printable_stored_key(key)) +
                              " exists beyond the log's head (meta/head says " + std::to_string(first_key) +
                              "): the head was rolled back or the store is damaged");
  }
  return from_rocks(it->status(), std::string("read ") + cf_name(cf));
}

Status verify_head(Store& store, const rocksdb::Snapshot* snap, const std::string& origin, const PublicKey& log_key,
                   const Head& head, const Hash32& root) {
  // spec/LOG.md, "Opening a ledger": the head must be the end of the log, and agree with the
  // last commit and the latest signed checkpoint.
  GL_RETURN_IF_ERROR(nothing_beyond(store, snap, Cf::kCommits, head.commit_count, "commit"));
  GL_RETURN_IF_ERROR(nothing_beyond(store, snap, Cf::kEvents, head.tree_size, "event"));
  GL_RETURN_IF_ERROR(nothing_beyond(store, snap, Cf::kCheckpoints, head.tree_size + 1, "checkpoint at tree size"));
  if (head.commit_count == 0) return Status::corruption("meta/head: the log has no genesis commit");
  auto last_bytes = store.get(Cf::kCommits, u64_be(head.commit_count - 1), snap);
  if (!last_bytes)
    return Status::corruption("commit " + std::to_string(head.commit_count - 1) + " (the head's last commit): " +
                              last_bytes.error().message());
  auto last = decode_commit(*last_bytes);
  if (!last) return last.error().with_context("commit " + std::to_string(head.commit_count - 1) + ": ");
  if (last->info.commit_hash != head.last_commit_hash || last->info.sequence != head.commit_count - 1 ||
      last->info.first_event_index + last->info.event_count != head.tree_size ||
      last->info.recorded_at_ns != head.last_recorded_at_ns || last->origin != origin)
    return Status::corruption("meta/head disagrees with commit " + std::to_string(head.commit_count - 1) +
                              " (hash, position or time): the head or the commit was changed");
  auto note = store.get(Cf::kCheckpoints, u64_be(head.tree_size), snap);
  if (!note) return Status::corruption("checkpoint at tree size " + std::to_string(head.tree_size) + ": " + note.error().message());
  auto cp = verify_checkpoint(*note, log_key);
  if (!cp) return cp.error().with_context("checkpoint at tree size " + std::to_string(head.tree_size) + ": ");
  if (cp->origin != origin || cp->tree_size != head.tree_size || cp->root != root)
    return Status::corruption("the latest checkpoint (tree size " + std::to_string(cp->tree_size) +
                              ") does not sign the log's root at its head: the tree or the checkpoint was changed");
  return Status::ok();
}

// The database must reach the last checkpoint the writer acknowledged (kept outside RocksDB), with
// the same root there: a WAL cut short at a record boundary opens as a shorter, consistent log.
Status verify_acknowledged(Store& store, const rocksdb::Snapshot* snap, const std::vector<std::string>& notes,
                           const PublicKey& log_key, const Head& head, bool* behind) {
  GL_ASSIGN_OR_RETURN(std::optional<AcknowledgedCheckpoint> read, AcknowledgedHead::choose(notes, store.dir(), log_key));
  if (!read) return Status::ok();
  const Checkpoint* acked = &read->checkpoint;
  *behind = acked->tree_size > head.tree_size;
  if (*behind)
    return Status::corruption("the database ends at tree size " + std::to_string(head.tree_size) + " but tree size " +
                              std::to_string(acked->tree_size) + " was acknowledged (" + AcknowledgedHead::path_in(store.dir()) +
                              "): acknowledged commits are missing, e.g. from a damaged write-ahead log (spec/LOG.md, \"Damage\")");
  GL_ASSIGN_OR_RETURN(Hash32 root, MerkleReader(tree_nodes(store, snap)).root(acked->tree_size));
  if (root != acked->root)
    return Status::corruption("the log's root at tree size " + std::to_string(acked->tree_size) +
                              " differs from the acknowledged checkpoint's: the history was rewritten");
  return Status::ok();
}

// Requests that carry the signer's private key are signed here, on the caller's thread, as a
// submitter would sign them (spec/LOG.md, "Submissions"). One that cannot be signed (no events,
// too many, too long a key) is left for the writer to refuse with the same reason.
void sign_requests(const std::string& origin, std::vector<CommitRequest>* commits) {
  for (auto& c : *commits) {
    if (!c.signer || c.signed_by) continue;
    if (c.events.empty() || c.events.size() > kMaxEventsPerCommit || c.idempotency_key.size() > kMaxIdempotencyKeyBytes) continue;
    auto signed_submission = sign_submission(origin, std::move(c.events), *c.signer, std::move(c.idempotency_key), now_utc_ns());
    GL_ASSERT(signed_submission.has_value());
    c.events = std::move(signed_submission->events);
    c.idempotency_key = std::move(signed_submission->idempotency_key);
    c.signed_by = std::move(signed_submission->signed_by);
  }
}

}  // namespace

Result<CommitRecord> decode_commit(std::string_view bytes) {
  GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(bytes, DecodedMessage::Kind::kCommit));
  auto c = msg.root<schema::Commit>();
  auto b = c.getBody();
  CommitRecord r;
  if (b.getSignerKeyId().size() != 32 || b.getPreviousCommitHash().size() != 32)
    return Status::corruption("commit " + std::to_string(b.getSequence()) + ": malformed hash field");
  r.info.sequence = b.getSequence();
  r.info.first_event_index = b.getFirstEventIndex();
  r.info.event_count = b.getEventCount();
  r.info.recorded_at_ns = b.getRecordedAtNs();
  r.info.signer_key_id = to_hash32(view(b.getSignerKeyId()));
  r.info.idempotency_key = b.getIdempotencyKey().cStr();
  r.origin = b.getOrigin().cStr();
  r.previous_commit_hash = to_hash32(view(b.getPreviousCommitHash()));
  for (auto h : b.getEventHashes()) {
    if (h.size() != 32) return Status::corruption("commit " + std::to_string(r.info.sequence) + ": malformed event hash");
    r.event_hashes.push_back(to_hash32(view(h)));
  }
  r.signature = Bytes(view(c.getSignature()));
  // spec/LOG.md, "Commits": v1 has no submission fields; v2 has its submitter's signature.
  const uint32_t version = b.getFormatVersion();
  if (version == 0) {
    if (b.getSubmissionCreatedAtNs() != 0 || b.hasSubmissionSignature())
      return Status::corruption("commit " + std::to_string(r.info.sequence) + ": a v1 commit with submission fields");
  } else if (version == kCommitFormatV2) {
    if (b.getSubmissionSignature().size() != kEd25519SignatureSize)
      return Status::corruption("commit " + std::to_string(r.info.sequence) + ": malformed submission signature");
    r.format_version = kCommitFormatV2;
    r.submission_created_at_ns = b.getSubmissionCreatedAtNs();
    r.submission_signature = Bytes(view(b.getSubmissionSignature()));
  } else {
    return Status::corruption("commit " + std::to_string(r.info.sequence) + ": unknown format version " + std::to_string(version));
  }
  r.bytes = Bytes(bytes);
  r.info.commit_hash = Sha256().digest(bytes);
  return r;
}

Status verify_commit_signatures(const CommitRecord& commit, const PublicKey& signer, const PublicKey& log_key) {
  const std::string which = "commit " + std::to_string(commit.info.sequence) + ": ";
  if (signer.key_id() != commit.info.signer_key_id)
    return Status::corruption(which + "checked with a key other than its signer's");
  auto msg = DecodedMessage::decode(commit.bytes, DecodedMessage::Kind::kCommit);
  if (!msg) return msg.error().with_context(which);
  auto c = msg->root<schema::Commit>();
  const bool v2 = commit.format_version == kCommitFormatV2;
  Bytes signed_bytes(v2 ? kCommitV2SignaturePrefix : kCommitSignaturePrefix);
  signed_bytes += canonical_bytes(c.getBody());
  if (!v2) {
    if (!signer.verify(signed_bytes, view(c.getSignature())))
      return Status::corruption(which + "the signature does not verify with signer key " +
                                to_hex(commit.info.signer_key_id).substr(0, 16));
    return Status::ok();
  }
  if (!log_key.verify(signed_bytes, view(c.getSignature())))
    return Status::corruption(which + "the log key's signature over the commit does not verify");
  Bytes submission = submission_signed_bytes(commit.origin, commit.info.idempotency_key, commit.info.signer_key_id,
                                             commit.submission_created_at_ns, commit.event_hashes);
  if (!signer.verify(submission, commit.submission_signature))
    return Status::corruption(which + "the submitter's signature does not verify with signer key " +
                              to_hex(commit.info.signer_key_id).substr(0, 16));
  return Status::ok();
}

CommitRequest CommitRequest::from(Submission submission) {
  CommitRequest r;
  r.events = std::move(submission.events);
  r.signed_by = std::move(submission.signed_by);
  r.idempotency_key = std::move(submission.idempotency_key);
  return r;
}

Result<CommitInfo> Ledger::init(const std::string& dir, const std::string& origin,
                                 const PrivateKey& admin, const std::string& admin_name) {
  if (origin.empty() || origin.find('\n') != std::string::npos || origin.find(' ') != std::string::npos)
    return Status::invalid_argument("origin: must be one non-empty line without spaces");
  // Limit: a checkpoint note (origin twice, size, root, signature) must fit a slot of the
  // acknowledged head (spec/LOG.md, "Damage").
  if (origin.size() > kMaxOriginBytes)
    return Status::invalid_argument("origin: longer than " + std::to_string(kMaxOriginBytes) + " bytes");
  GL_ASSIGN_OR_RETURN(auto store, Store::open(dir, Store::Mode::kCreate));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir) / "keys", ec);
  if (ec) return Status::io_error("cannot create " + dir + "/keys: " + ec.message());
  PrivateKey log_key = PrivateKey::generate();
  GL_RETURN_IF_ERROR(log_key.save((std::filesystem::path(dir) / "keys" / "log").string()));

  rocksdb::WriteBatch prelude;
  prelude.Put(store->cf(Cf::kMeta), "format", kFormatVersion);
  prelude.Put(store->cf(Cf::kMeta), "origin", origin);
  prelude.Put(store->cf(Cf::kMeta), "log_public_key", log_key.public_key().raw());

  CommitRequest genesis;
  genesis.signer = std::make_shared<PrivateKey>(admin);
  // The keys are effective from the day the ledger is created (UTC).
  const int32_t today = static_cast<int32_t>(now_utc_ns() / (86400LL * 1000000000LL));
  genesis.events.push_back(key_registered_event(today, admin.public_key(), schema::Role::ADMIN, admin_name));
  genesis.events.push_back(key_registered_event(today, log_key.public_key(), schema::Role::LOG, "log"));
  genesis.idempotency_key = "genesis";
  LedgerState state;
  state.attach(std::make_shared<StoredStateSource>(*store));
  Ledger::Writer writer(*store, origin, log_key, std::move(state), Head(), MerkleFrontier(), 0);
  std::vector<CommitRequest> requests;
  requests.push_back(std::move(genesis));
  sign_requests(origin, &requests);
  GL_ASSIGN_OR_RETURN(auto infos, writer.write_now(std::move(requests), std::move(prelude)));
  spdlog::debug("init dir={} origin={}", dir, origin);
  return infos.at(0);
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dir, LedgerOptions options) {
  // A read-only open reads the acknowledged head first, then the database: Store::open opens a
  // whole view (spec/LOG.md, "Readers beside the writer"), which holds every commit acknowledged
  // before it. A view that ends before the acknowledged head is tried again on a fresh view before
  // acknowledged commits are called missing, so no reader reports damage on one view alone.
  for (int attempt = 0;; ++attempt) {
    bool behind = false;
    auto opened = open_once(dir, options, &behind);
    if (opened || !behind || !options.read_only || attempt == 5) return opened;
    spdlog::debug("open {} read-only: {}; trying again", dir, opened.error().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
  }
}

Result<std::unique_ptr<Ledger>> Ledger::open_once(const std::string& dir, const LedgerOptions& options,
                                                  bool* behind_acknowledged) {
  if (!options.read_only && options.check_head) {
    // Damage is found by a read-only open first: a read-write open of a damaged database may
    // already have deleted files its damaged MANIFEST no longer lists, or flushed over them.
    // (An old ledger the read-write open upgrades fails the probe with invalid_argument.)
    auto probe = Ledger::open(dir, {.read_only = true, .check_head = true, .hold_table_files = false});
    if (!probe && probe.error().code() == StatusCode::kCorruption) return probe.error();
  }
  std::unique_ptr<Ledger> ledger(new Ledger());
  // Read before the database, so a writer's later acknowledgement cannot look newer than it.
  GL_ASSIGN_OR_RETURN(const std::vector<std::string> acknowledged_notes, AcknowledgedHead::read_notes(dir));
  ledger->read_only_ = options.read_only;
  GL_ASSIGN_OR_RETURN(ledger->store_, Store::open(dir, options.read_only ? Store::Mode::kReadOnly : Store::Mode::kReadWrite,
                                                  options.block_cache_mib, options.hold_table_files));
  Store& store = *ledger->store_;
  // A database with every family of a ledger but without these is damaged, not foreign.
  auto meta = [&](const char* key) -> Result<Bytes> {
    auto v = store.get(Cf::kMeta, key);
    if (!v && v.error().code() == StatusCode::kNotFound) return Status::corruption(std::string("meta/") + key + " is missing");
    return v;
  };
  GL_ASSIGN_OR_RETURN(ledger->origin_, meta("origin"));
  GL_ASSIGN_OR_RETURN(Bytes log_raw, meta("log_public_key"));
  auto log_pub = PublicKey::from_raw(log_raw);
  if (!log_pub) return Status::corruption("meta/log_public_key: " + log_pub.error().message());
  ledger->log_public_ = *log_pub;

  // The head must be the end of the log and signed by the latest checkpoint (spec/LOG.md,
  // "Opening a ledger"); the writer builds on it, so nothing is appended over signed history.
  Snapshot snap(store.db());
  const bool writes = !options.read_only && options.writer;  // a writer always builds on a checked head
  if (options.check_head || writes) {
    GL_ASSIGN_OR_RETURN(Head head, store.head(snap.get()));
    GL_ASSIGN_OR_RETURN(MerkleFrontier frontier, MerkleFrontier::load(tree_nodes(store, snap.get()), head.tree_size));
    Sha256 sha;
    GL_RETURN_IF_ERROR(verify_head(store, snap.get(), ledger->origin_, *ledger->log_public_, head, frontier.root(sha)));
    GL_RETURN_IF_ERROR(verify_acknowledged(store, snap.get(), acknowledged_notes, *ledger->log_public_, head, behind_acknowledged));
  }
  if (!options.read_only && store.postings_pending()) GL_RETURN_IF_ERROR(ledger->write_missing_postings());
  if (options.read_only || !options.writer) return ledger;
  GL_ASSIGN_OR_RETURN(Head head, store.head(snap.get()));
  GL_ASSIGN_OR_RETURN(MerkleFrontier frontier, MerkleFrontier::load(tree_nodes(store, snap.get()), head.tree_size));

  GL_ASSIGN_OR_RETURN(PrivateKey log_key, PrivateKey::load(log_key_path(dir)));
  if (log_key.public_key().raw() != ledger->log_public_->raw())
    return Status::invalid_argument(log_key_path(dir) + " is not this ledger's log key");

  // The rule state is read from the database on demand (spec/LOG.md, "Rule state"); it must be
  // the state of exactly this head. A ledger without it is upgraded by a checked replay.
  auto state_head = store.get(Cf::kMeta, kStateHeadKey, snap.get());
  if (!state_head && state_head.error().code() != StatusCode::kNotFound) return state_head.error();
  if (!state_head) {
    GL_RETURN_IF_ERROR(ledger->write_state(head));
  } else if (state_head->size() != 8 || get_u64_be(*state_head) != head.commit_count) {
    return Status::corruption("meta/" + std::string(kStateHeadKey) + ": the stored rule state is not the state of the log's head (" +
                              std::to_string(head.commit_count) + " commits): the state or the head was changed");
  }
  LedgerState state;
  state.attach(std::make_shared<StoredStateSource>(store));
  ledger->writer_ = std::make_unique<Writer>(store, ledger->origin_, std::move(log_key), std::move(state), head,
                                             std::move(frontier), options.state_cache_entries);
  ledger->writer_->start();
  spdlog::debug("open dir={} commits={} events={}", dir, head.commit_count, head.tree_size);
  return ledger;
}

Ledger::~Ledger() {
  const bool failed = write_failed();
  writer_.reset();
  // Readers that open after a writer closed find (almost) everything in table files: at most
  // kMaxUnflushedOnClose of write-ahead log to replay (spec/LOG.md, "Readers beside the writer").
  // Small writers (one append) leave theirs: flushing every family would cost more than a
  // reader's replay of it. Not after a failed write: RocksDB refuses further writes until it is
  // reopened, and the next open recovers from the log.
  // Measured as the live write-ahead logs' bytes, not the memtables' (whose size includes their
  // allocator's and filters' overhead, not what a reader replays).
  if (store_ && !read_only_ && !failed) {
    const std::optional<uint64_t> unflushed = store_->live_wal_bytes();
    if (unflushed && *unflushed > kMaxUnflushedOnClose) {
      Status flushed = store_->flush_all();
      if (!flushed.is_ok()) spdlog::warn("close: {}", flushed.to_string());
    }
  }
}

bool Ledger::write_failed() const { return writer_ && writer_->write_failed(); }

bool Ledger::has_stored_state() {
  return store_->has_state_family() && store_->get(Cf::kMeta, kStateHeadKey).has_value();
}

Status Ledger::write_state(const Head& head) {
  // Every entry is derived again, so an interrupted upgrade simply starts over; entries left from
  // anything else are cleared first (the tags are printable ASCII, below 0x7f).
  Store& store = *store_;
  spdlog::info("upgrade dir={}: deriving the rule state from {} events", store.dir(), head.tree_size);
  GL_RETURN_IF_ERROR(from_rocks(store.db()->DeleteRange(rocksdb::WriteOptions(), store.cf(Cf::kState), "", "\x7f"),
                                "clear the rule state"));
  LedgerState state;
  GL_RETURN_IF_ERROR(replay_checking_postings(&state));
  rocksdb::WriteBatch batch;
  size_t written = 0;
  Status status = Status::ok();
  state.for_each_encoded_entry([&](std::string_view k, std::string_view v) {
    if (!status.is_ok()) return;
    batch.Put(store.cf(Cf::kState), rocksdb::Slice(k.data(), k.size()), rocksdb::Slice(v.data(), v.size()));
    if (++written % 10000 == 0) {
      status = from_rocks(store.db()->Write(rocksdb::WriteOptions(), &batch), "write the rule state");
      batch.Clear();
    }
  });
  GL_RETURN_IF_ERROR(status);
  // Synced, last: the entries before it are durable with it.
  batch.Put(store.cf(Cf::kMeta), kStateHeadKey, u64_be(head.commit_count));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  GL_RETURN_IF_ERROR(from_rocks(store.db()->Write(sync, &batch), "write the rule state"));
  spdlog::info("upgrade dir={}: rule state written ({} entries)", store.dir(), written);
  return Status::ok();
}

Result<std::vector<StateDifference>> Ledger::compare_stored_state(const LedgerState& derived, size_t limit) {
  Store& store = *store_;
  if (!store.has_state_family()) return Status::not_found("the ledger stores no rule state yet (it is upgraded by its next read-write open)");
  Snapshot snap(store.db());
  std::vector<StateDifference> out;
  auto differ = [&](std::string object, std::string reason) {
    if (out.size() < limit) out.push_back({std::move(object), std::move(reason)});
  };
  GL_ASSIGN_OR_RETURN(Head head, store.head(snap.get()));
  auto state_head = store.get(Cf::kMeta, kStateHeadKey, snap.get());
  if (!state_head && state_head.error().code() != StatusCode::kNotFound) return state_head.error();
  if (!state_head) return Status::not_found("the ledger stores no rule state yet (it is upgraded by its next read-write open)");
  if (state_head->size() != 8 || get_u64_be(*state_head) != head.commit_count)
    differ("state head", "the stored state does not claim the log's head (" + std::to_string(head.commit_count) + " commits)");
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.cf(Cf::kState)));
  auto stored_key = [&] { return std::string_view(it->key().data(), it->key().size()); };
  auto extra = [&] { differ(state_codec::describe_key(stored_key()), "stored, but the replay derives no such entry"); };
  // A merge of two walks in key order: the derived entries, one at a time, and the stored family.
  it->SeekToFirst();
  derived.for_each_encoded_entry([&](std::string_view key, std::string_view value) {
    for (; it->Valid() && stored_key() < key; it->Next()) extra();
    if (!it->Valid() || stored_key() != key) return differ(state_codec::describe_key(key), "missing from the stored state");
    if (std::string_view(it->value().data(), it->value().size()) != value)
      differ(state_codec::describe_key(key), "stored value differs from the one the replay derives");
    it->Next();
  });
  for (; it->Valid(); it->Next()) extra();
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "read the rule state"));
  return out;
}

Result<std::vector<StateDifference>> Ledger::check_state() {
  LedgerState derived;
  GL_RETURN_IF_ERROR(replay(&derived));
  return compare_stored_state(derived);
}

Status Ledger::replay(LedgerState* state, const EventVisitor& on_event, const CommitVisitor& on_commit) {
  std::vector<Posting> postings;
  auto apply = [&](const CommitRecord& c, uint64_t index, schema::Event::Reader event) -> Status {
    postings.clear();
    Status s = state->apply(EventContext{c.info.sequence, index, c.info.signer_key_id}, event, &postings);
    if (!s.is_ok())
      return Status::corruption("replay of event " + std::to_string(index) + " (commit " + std::to_string(c.info.sequence) +
                                "): " + s.message());
    return on_event ? on_event(c, index, event, postings) : Status::ok();
  };
  GL_RETURN_IF_ERROR(scan(apply, on_commit));
  state->release();
  return Status::ok();
}

Status Ledger::scan(const DecodedEventVisitor& on_event, const CommitVisitor& on_commit) {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(*this));
  while (true) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* c, reader->next_commit());
    if (!c) return Status::ok();
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* e, reader->next_event());
      if (!e) break;
      GL_RETURN_IF_ERROR(on_event(*c, e->index, e->event()));
    }
    if (on_commit) GL_RETURN_IF_ERROR(on_commit(*c));
  }
}

Status Ledger::check_postings() {
  LedgerState state;
  return replay_checking_postings(&state);
}

Status Ledger::replay_checking_postings(LedgerState* state) {
  Snapshot snap(store_->db());
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> stored(store_->db()->NewIterator(ro, store_->cf(Cf::kPostings)));
  stored->SeekToFirst();
  GL_RETURN_IF_ERROR(replay(state, [&](const CommitRecord&, uint64_t index, schema::Event::Reader, const std::vector<Posting>& derived) -> Status {
    // Stored postings exist exactly for the events whose derived postings are not empty.
    const bool present = stored->Valid() && std::string_view(stored->key().data(), stored->key().size()) == u64_be(index);
    if (!present && derived.empty()) return Status::ok();
    if (!present || derived.empty() ||
        std::string_view(stored->value().data(), stored->value().size()) != encode_postings(derived))
      return Status::corruption("postings of event " + std::to_string(index) +
                                " differ from what the rules derive from the event: the stored postings were changed");
    stored->Next();
    return Status::ok();
  }));
  GL_RETURN_IF_ERROR(from_rocks(stored->status(), "read postings"));
  if (stored->Valid())
    return Status::corruption("postings stored for event " + printable_stored_key(std::string_view(stored->key().data(), stored->key().size())) +
                              ", which has none or is beyond the log");
  return Status::ok();
}

Status Ledger::write_missing_postings() {
  // The rules derive every event's postings exactly as the writer did when it appended it;
  // rewriting one already written writes the same bytes, so an interrupted upgrade just resumes.
  Store& store = *store_;
  rocksdb::WriteBatch batch;
  uint64_t written = 0;
  auto flush = [&]() -> Status {
    GL_RETURN_IF_ERROR(from_rocks(store.db()->Write(rocksdb::WriteOptions(), &batch), "write postings"));
    batch.Clear();
    return Status::ok();
  };
  LedgerState state;
  GL_RETURN_IF_ERROR(replay(&state, [&](const CommitRecord&, uint64_t index, schema::Event::Reader, const std::vector<Posting>& postings) -> Status {
    if (postings.empty()) return Status::ok();
    batch.Put(store.cf(Cf::kPostings), u64_be(index), encode_postings(postings));
    ++written;
    return batch.Count() >= 10000 ? flush() : Status::ok();
  }));
  GL_RETURN_IF_ERROR(flush());
  GL_RETURN_IF_ERROR(store.finish_postings_upgrade());  // synced: the postings before it are durable too
  spdlog::info("upgrade dir={} postings_written={}", store.dir(), written);
  return Status::ok();
}

std::future<Result<std::vector<CommitInfo>>> Ledger::append_async(std::vector<CommitRequest> commits, StagedObserver on_staged) {
  GL_ASSERT(writer_ != nullptr);
  sign_requests(origin_, &commits);
  return writer_->submit(std::move(commits), std::move(on_staged));
}


Result<std::vector<CommitInfo>> Ledger::append(std::vector<CommitRequest> commits, StagedObserver on_staged) {
  if (!writer_) return Status::invalid_argument("the ledger was opened read-only");
  return append_async(std::move(commits), std::move(on_staged)).get();
}

const LedgerState& Ledger::state() const {
  GL_ASSERT(writer_ != nullptr);
  return writer_->state();
}

Result<Head> Ledger::head() { return store_->head(); }

Result<std::optional<KeyState>> Ledger::registered_key(const Hash32& key_id) {
  if (!has_stored_state()) return Status::invalid_argument("the ledger does not store its rule state yet (spec/LOG.md, \"Upgrading\")");
  LedgerState state;
  auto source = std::make_shared<StoredStateSource>(*store_);
  state.attach(source);
  const KeyState* key = state.key(key_id);
  if (!source->failure().is_ok()) return source->failure();
  if (!key) return std::optional<KeyState>();
  return std::optional<KeyState>(*key);
}

Result<CommitRecord> Ledger::commit(uint64_t sequence) {
  auto bytes = store_->get(Cf::kCommits, u64_be(sequence));
  if (!bytes) {
    if (bytes.error().code() == StatusCode::kNotFound)
      return Status::not_found("commit " + std::to_string(sequence) + " does not exist");
    return bytes.error();
  }
  return decode_commit(*bytes);
}

Result<std::vector<CommitRecord>> Ledger::commits(uint64_t from_sequence, uint64_t limit) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kCommits)));
  std::vector<CommitRecord> out;
  // The commit before the range anchors the chain the range must continue.
  std::optional<Hash32> previous;
  if (from_sequence > 0 && from_sequence <= head.commit_count) {
    it->Seek(rocksdb::Slice(u64_be(from_sequence - 1)));
    if (it->Valid() && std::string_view(it->key().data(), it->key().size()) == u64_be(from_sequence - 1)) {
      GL_ASSIGN_OR_RETURN(CommitRecord before, decode_commit(std::string_view(it->value().data(), it->value().size())));
      previous = before.info.commit_hash;
    } else {
      GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan commits"));
      return Status::corruption("commit " + std::to_string(from_sequence - 1) + " is missing");
    }
  } else if (from_sequence == 0) {
    previous = Hash32{};
  }
  const Bytes start = u64_be(from_sequence);
  uint64_t expected = from_sequence;
  for (it->Seek(rocksdb::Slice(start)); it->Valid() && out.size() < limit && expected < head.commit_count; it->Next(), ++expected) {
    const std::string name = "commit " + std::to_string(expected);
    if (std::string_view(it->key().data(), it->key().size()) != u64_be(expected)) return Status::corruption(name + " is missing");
    auto r = decode_commit(std::string_view(it->value().data(), it->value().size()));
    if (!r) return r.error().with_context(name + ": ");
    if (r->info.sequence != expected || (previous && r->previous_commit_hash != *previous))
      return Status::corruption(name + " does not chain to commit " + std::to_string(expected - 1) + ": a commit was changed");
    previous = r->info.commit_hash;
    out.push_back(std::move(r).value());
  }
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan commits"));
  if (expected < head.commit_count && out.size() < limit) return Status::corruption("commit " + std::to_string(expected) + " is missing");
  // The last commit read must be the one the next commit (or the head) names.
  if (!out.empty() && expected < head.commit_count) {
    auto next = store_->get(Cf::kCommits, u64_be(expected), snap.get());
    if (!next) return Status::corruption("commit " + std::to_string(expected) + ": " + next.error().message());
    auto n = decode_commit(*next);
    if (!n) return n.error().with_context("commit " + std::to_string(expected) + ": ");
    if (n->previous_commit_hash != out.back().info.commit_hash)
      return Status::corruption("commit " + std::to_string(expected - 1) + " does not match the hash commit " +
                                std::to_string(expected) + " names: a commit was changed");
  }
  // The log's last commit is bound to the head when the ledger is opened (verify_head).
  return out;
}

Result<Bytes> Ledger::event(uint64_t index) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (index >= head.tree_size)
    return Status::not_found("event " + std::to_string(index) + " does not exist (the log has " + std::to_string(head.tree_size) +
                             " events)");
  // Inside the log a missing or altered event is corruption: it is checked against the leaf hash
  // its commit signed.
  auto bytes = store_->get(Cf::kEvents, u64_be(index), snap.get());
  if (!bytes && bytes.error().code() == StatusCode::kNotFound)
    return Status::corruption("event " + std::to_string(index) + " is missing from the log");
  GL_RETURN_IF_ERROR(bytes.status());
  GL_ASSIGN_OR_RETURN(uint64_t seq, commit_of_event(index));
  auto commit_bytes = store_->get(Cf::kCommits, u64_be(seq), snap.get());
  if (!commit_bytes) return Status::corruption("commit " + std::to_string(seq) + " of event " + std::to_string(index) + " is missing");
  // Only the one leaf hash is read, bounds-checked (read_commit_leaves): decoding the whole commit
  // would walk all its hashes (about 0.6 M instructions for 1,000 events) to use one.
  std::vector<Hash32> leaf;
  uint64_t next = index;
  const Status read = read_commit_leaves(*commit_bytes, seq, &next, index + 1, &leaf);
  if (!read.is_ok() && read.code() != StatusCode::kNotFound)
    return read.with_context("commit " + std::to_string(seq) + " of event " + std::to_string(index) + ": ");
  Sha256 sha;
  if (leaf.size() != 1 || leaf[0] != merkle_leaf_hash(sha, *bytes))
    return Status::corruption("event " + std::to_string(index) + " does not match its leaf hash in commit " + std::to_string(seq) +
                              ": the stored event was changed");
  return bytes;
}

Result<std::vector<Bytes>> Ledger::events_of(const CommitRecord& commit) {
  rocksdb::ReadOptions ro;
  Snapshot snap(store_->db());
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kEvents)));
  std::vector<Bytes> out;
  out.reserve(commit.event_hashes.size());
  Sha256 sha;
  const uint64_t first = commit.info.first_event_index;
  it->Seek(rocksdb::Slice(u64_be(first)));
  for (size_t i = 0; i < commit.event_hashes.size(); ++i, it->Next()) {
    const uint64_t index = first + i;
    if (!it->Valid() || it->key().size() != 8 || get_u64_be(std::string_view(it->key().data(), 8)) != index) {
      GL_RETURN_IF_ERROR(from_rocks(it->status(), "read events"));
      return Status::corruption("event " + std::to_string(index) + " is missing from the log (commit " +
                                std::to_string(commit.info.sequence) + " holds it)");
    }
    Bytes bytes(it->value().data(), it->value().size());
    if (merkle_leaf_hash(sha, bytes) != commit.event_hashes[i])
      return Status::corruption("event " + std::to_string(index) + " does not match its leaf hash in commit " +
                                std::to_string(commit.info.sequence) + ": the stored event was changed");
    out.push_back(std::move(bytes));
  }
  return out;
}

Result<uint64_t> Ledger::commit_of_event(uint64_t index) {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->cf(Cf::kCommitIndex)));
  Bytes key = u64_be(index);
  it->SeekForPrev(rocksdb::Slice(key));
  GL_RETURN_IF_ERROR(from_rocks(it->status(), "scan commit index"));
  if (!it->Valid()) return Status::not_found("event " + std::to_string(index) + " does not exist");
  const std::string_view first(it->key().data(), it->key().size());
  return decode_stored_u64("commit_index", first.size() == 8 ? std::to_string(get_u64_be(first)) : first,
                           std::string_view(it->value().data(), it->value().size()));
}

Result<std::string> Ledger::checkpoint(std::optional<uint64_t> tree_size) {
  Snapshot snap(store_->db());
  uint64_t size;
  if (tree_size) {
    size = *tree_size;
  } else {
    GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
    size = head.tree_size;
  }
  auto note = store_->get(Cf::kCheckpoints, u64_be(size), snap.get());
  if (!note && note.error().code() == StatusCode::kNotFound)
    return Status::not_found("no checkpoint at tree size " + std::to_string(size) +
                             " (checkpoints exist at every commit boundary)");
  return note;
}

Result<Hash32> Ledger::root(uint64_t tree_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (tree_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(tree_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_nodes(*store_, snap.get())).root(tree_size);
}

Result<std::vector<std::vector<Hash32>>> Ledger::inclusion_proofs(uint64_t first, uint64_t count, uint64_t tree_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (tree_size > head.tree_size || first > tree_size || count > tree_size - first)
    return Status::invalid_argument("events " + std::to_string(first) + " + " + std::to_string(count) +
                                    " are not inside tree size " + std::to_string(tree_size) + " (the log has " +
                                    std::to_string(head.tree_size) + " events)");
  std::map<MerkleNodeId, Hash32> read;
  MerkleNodeSource nodes = tree_nodes(*store_, snap.get());
  MerkleReader reader([&](MerkleNodeId id) -> Result<Hash32> {
    auto it = read.find(id);
    if (it != read.end()) return it->second;
    GL_ASSIGN_OR_RETURN(Hash32 h, nodes(id));
    read.emplace(id, h);
    return h;
  });
  std::vector<std::vector<Hash32>> out;
  out.reserve(count);
  for (uint64_t i = first; i < first + count; ++i) {
    GL_ASSIGN_OR_RETURN(std::vector<Hash32> path, reader.inclusion_proof(i, tree_size));
    out.push_back(std::move(path));
  }
  return out;
}

Result<std::vector<Hash32>> Ledger::inclusion_proof(uint64_t index, uint64_t tree_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (tree_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(tree_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_nodes(*store_, snap.get())).inclusion_proof(index, tree_size);
}

Result<std::vector<Hash32>> Ledger::consistency_proof(uint64_t old_size, uint64_t new_size) {
  Snapshot snap(store_->db());
  GL_ASSIGN_OR_RETURN(Head head, store_->head(snap.get()));
  if (new_size > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(new_size) + " is beyond the log's " +
                                    std::to_string(head.tree_size) + " events");
  return MerkleReader(tree_nodes(*store_, snap.get())).consistency_proof(old_size, new_size);
}

}  // namespace grantledger
