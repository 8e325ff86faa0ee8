#include "ledger/replica.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/event_json.h"
#include "ledger/ledger.h"
#include "ledger/postings.h"
#include "ledger/stored_state.h"
#include "ledger/stored_value.h"
#include "ledger/tree_nodes.h"

namespace grantledger {

namespace {

rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

Status write_synced(Store& store, rocksdb::WriteBatch* batch, const char* what) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return from_rocks(store.db()->Write(wo, batch), what);
}

}  // namespace

Result<std::unique_ptr<Replica>> Replica::open(const std::string& data_dir, const std::string& origin, const PublicKey& log_key) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::unique_ptr<Replica> r(new Replica());
  r->origin_ = origin;
  r->log_key_ = log_key;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const bool fresh = !fs::exists(dir, ec) || fs::is_empty(dir, ec);
  if (fresh) {
    if (origin.empty() || origin.size() > kMaxOriginBytes || origin.find_first_of(" \n") != std::string::npos)
      return Status::invalid_argument("origin: must be one non-empty line without spaces, at most " +
                                      std::to_string(kMaxOriginBytes) + " bytes");
    // Created aside and renamed into place once its meta is durable: a copy killed while being
    // created leaves no half-made database under `dir`, only a folder the next open removes.
    const std::string aside = dir + ".creating";
    fs::remove_all(aside, ec);
    {
      GL_ASSIGN_OR_RETURN(auto created, Store::open(aside, Store::Mode::kCreate));
      rocksdb::WriteBatch meta;
      meta.Put(created->cf(Cf::kMeta), "format", kFormatVersion);
      meta.Put(created->cf(Cf::kMeta), "origin", origin);
      meta.Put(created->cf(Cf::kMeta), "log_public_key", log_key.raw());
      GL_RETURN_IF_ERROR(write_synced(*created, &meta, "write the replica's meta"));
    }
    fs::rename(aside, dir, ec);
    if (ec) return Status::io_error("cannot rename " + aside + " to " + dir + ": " + ec.message());
    GL_RETURN_IF_ERROR(sync_directory(fs::absolute(dir).parent_path().string()));
  }
  // Read-write without a writer (no log key); the head is checked below, once there is one.
  GL_ASSIGN_OR_RETURN(r->ledger_, Ledger::open(dir, {.writer = false, .check_head = false}));
  Store& store = r->ledger_->store();
  if (r->ledger_->origin() != origin || r->ledger_->log_public_key().raw() != log_key.raw())
    return Status::invalid_argument(dir + " is a copy of the log " + r->ledger_->origin() +
                                    " with another log key or origin than the one followed (" + origin + ")");
  auto head = store.get(Cf::kMeta, "head");
  if (!head && head.error().code() != StatusCode::kNotFound) return head.error();
  if (head) {
    // Checked as every open checks a ledger (spec/LOG.md, "Opening a ledger"), beside our lock.
    GL_RETURN_IF_ERROR(Ledger::open(dir, {.read_only = true, .check_head = true, .hold_table_files = false}).status());
    GL_ASSIGN_OR_RETURN(r->head_, Head::decode(*head));
    GL_ASSIGN_OR_RETURN(r->frontier_, MerkleFrontier::load(tree_nodes(store, nullptr), r->head_.tree_size));
    auto state_head = store.get(Cf::kMeta, kStateHeadKey);
    if (!state_head || state_head->size() != 8 || get_u64_be(*state_head) != r->head_.commit_count)
      return Status::corruption("meta/" + std::string(kStateHeadKey) + ": the stored rule state is not the state of the replica's head");
  }
  r->state_.attach(std::make_shared<StoredStateSource>(store));
  return r;
}

Replica::~Replica() = default;

Result<Bytes> Replica::commit_bytes(uint64_t sequence) { return ledger_->store().get(Cf::kCommits, u64_be(sequence)); }

Result<std::string> Replica::checkpoint(uint64_t tree_size) { return ledger_->store().get(Cf::kCheckpoints, u64_be(tree_size)); }

Result<Hash32> Replica::root(uint64_t tree_size) {
  GL_ASSERT(tree_size <= head_.tree_size);
  return MerkleReader(tree_nodes(ledger_->store(), nullptr)).root(tree_size);
}

Status Replica::append_replicated(const std::vector<ReplicatedCommit>& commits) {
  if (commits.empty()) return Status::invalid_argument("a replicated batch holds at least one commit");
  if (commits.size() > kMaxReplicatedCommits)
    return Status::invalid_argument("a replicated batch holds at most " + std::to_string(kMaxReplicatedCommits) + " commits");
  const size_t mark = state_.mark();
  const Head head_before = head_;
  const MerkleFrontier frontier_before = frontier_;
  rocksdb::WriteBatch batch;
  staged_keys_.clear();
  Status s = Status::ok();
  for (size_t i = 0; i < commits.size() && s.is_ok(); ++i) s = stage(commits[i], i, &batch);
  if (s.is_ok()) s = write_synced(ledger_->store(), &batch, "write replicated commits");
  if (!s.is_ok()) {
    state_.rollback(mark);
    head_ = head_before;
    frontier_ = frontier_before;
    return s;
  }
  state_.release();
  state_.trim_cache(kReplicaStateCacheEntries);
  // The acknowledged head outside RocksDB (spec/LOG.md, "Damage"), as the writer keeps it.
  if (!acknowledged_) {
    GL_ASSIGN_OR_RETURN(AcknowledgedHead opened, AcknowledgedHead::open_for_writing(ledger_->store().dir()));
    acknowledged_.emplace(std::move(opened));
  }
  return acknowledged_->record(commits.back().checkpoint);
}

Status Replica::stage(const ReplicatedCommit& c, size_t position, rocksdb::WriteBatch* batch) {
  Store& store = ledger_->store();
  const uint64_t seq = head_.commit_count;
  const std::string which = "replicated commit " + std::to_string(seq) + " (" + std::to_string(position + 1) + " of the batch): ";
  auto bad = [&which](const std::string& why) { return Status::corruption(which + why); };
  auto decoded_commit = decode_commit(c.commit);
  if (!decoded_commit) return decoded_commit.error().with_context(which);
  const CommitRecord& record = *decoded_commit;
  // Position, chain and time (spec/LOG.md, "Commits").
  if (record.origin != origin_) return bad("bound to origin " + record.origin + ", not " + origin_);
  if (record.info.sequence != seq) return bad("has sequence " + std::to_string(record.info.sequence) + ", the next is " + std::to_string(seq));
  if (record.info.first_event_index != head_.tree_size)
    return bad("starts at event " + std::to_string(record.info.first_event_index) + ", the next is " + std::to_string(head_.tree_size));
  if (record.previous_commit_hash != head_.last_commit_hash)
    return bad("does not chain to the previous commit (previous_commit_hash differs): the history was rewritten");
  if (record.info.recorded_at_ns < head_.last_recorded_at_ns) return bad("recorded before the previous commit");
  if (record.event_hashes.size() != record.info.event_count || c.events.size() != record.info.event_count)
    return bad("holds " + std::to_string(record.info.event_count) + " events, " + std::to_string(c.events.size()) + " were given");
  if (c.events.empty() || c.events.size() > kMaxEventsPerCommit) return bad("event count out of range");
  // Events: each the bytes the commit's leaf hash names.
  std::vector<DecodedMessage> decoded;
  std::vector<schema::Event::Reader> events;
  decoded.reserve(c.events.size());
  for (size_t i = 0; i < c.events.size(); ++i) {
    if (c.events[i].size() > kMaxEventBytes) return bad("event " + std::to_string(i + 1) + " is larger than the limit");
    if (merkle_leaf_hash(sha_, c.events[i]) != record.event_hashes[i])
      return bad("event " + std::to_string(head_.tree_size + i) + " differs from the leaf hash the commit signed");
    auto msg = DecodedMessage::decode(c.events[i]);
    if (!msg) return msg.error().with_context(which + "event " + std::to_string(head_.tree_size + i) + ": ");
    decoded.push_back(std::move(msg).value());
    events.push_back(decoded.back().root<schema::Event>());
  }
  // Signatures and signer, as the writer and the audit check them.
  const Hash32 signer_id = record.info.signer_key_id;
  Bytes signer_raw;
  if (seq == 0) {
    Status genesis = LedgerState::check_genesis(signer_id, events);
    if (!genesis.is_ok()) return bad(genesis.message());
    signer_raw = Bytes(view(events[0].getBody().getKeyRegistered().getPublicKey()));
  } else {
    Status signer_ok = state_.check_signer(signer_id);
    if (!signer_ok.is_ok()) return bad(signer_ok.message());
    signer_raw = state_.key(signer_id)->public_key;
  }
  auto signer = PublicKey::from_raw(signer_raw);
  if (!signer) return bad("signer key: " + signer.error().message());
  Status signed_ok = verify_commit_signatures(record, *signer, *log_key_);
  if (!signed_ok.is_ok()) return bad(signed_ok.message());
  // Idempotency keys are unique in a log (a retry stores nothing new).
  sha_.update(as_view(signer_id));
  for (const auto& h : record.event_hashes) sha_.update(as_view(h));
  const Hash32 content_hash = sha_.finish();
  const std::string& key = record.info.idempotency_key;
  if (key.empty() || key.size() > kMaxIdempotencyKeyBytes) return bad("idempotency key missing or too long");
  auto used = store.get(Cf::kIdempotency, key);
  if (used) return bad("idempotency key \"" + key + "\" was already used by commit " + std::to_string(get_u64_be(*used)));
  if (used.error().code() != StatusCode::kNotFound) return used.error();
  if (!staged_keys_.insert(key).second) return bad("idempotency key \"" + key + "\" is used twice in the batch");
  // The rules (the replay).
  std::vector<std::vector<Posting>> postings(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EventContext ctx{seq, head_.tree_size + i, signer_id};
    Status applied = state_.apply(ctx, events[i], &postings[i]);
    if (!applied.is_ok())
      return bad("event " + std::to_string(head_.tree_size + i) + " (" + event_type_name(events[i]) + ") breaks a rule: " +
                 applied.message());
  }
  // The tree, and the checkpoint that must sign its root.
  std::vector<std::pair<MerkleNodeId, Hash32>> nodes;
  nodes.reserve(record.event_hashes.size() * 2 + 64);
  for (const auto& h : record.event_hashes) frontier_.append(sha_, h, &nodes);
  auto cp = verify_checkpoint(c.checkpoint, *log_key_);
  if (!cp) return bad("its checkpoint: " + cp.error().message());
  if (cp->origin != origin_ || cp->tree_size != frontier_.size() || cp->root != frontier_.root(sha_))
    return bad("its checkpoint (tree size " + std::to_string(cp->tree_size) +
               ") does not sign the root of the log it ends: the history was rewritten or altered");

  // Stored as the writer stores a commit (ledger/commit_writer.cc, spec/LOG.md "On-disk layout").
  const uint64_t first = record.info.first_event_index;
  for (size_t i = 0; i < c.events.size(); ++i) {
    batch->Put(store.cf(Cf::kEvents), slice(u64_be(first + i)), slice(c.events[i]));
    if (!postings[i].empty())
      batch->Put(store.cf(Cf::kPostings), slice(u64_be(first + i)), slice(encode_postings(postings[i])));
  }
  batch->Put(store.cf(Cf::kCommits), slice(u64_be(seq)), slice(c.commit));
  batch->Put(store.cf(Cf::kCommitIndex), slice(u64_be(first)), slice(u64_be(seq)));
  put_tree_nodes(store, std::move(nodes), batch);
  Bytes value = u64_be(seq);
  value += as_view(content_hash);
  batch->Put(store.cf(Cf::kIdempotency), slice(key), slice(value));
  state_.flush([&](std::string_view k, std::string_view v) { batch->Put(store.cf(Cf::kState), slice(k), slice(v)); });
  head_.commit_count = seq + 1;
  head_.tree_size = frontier_.size();
  head_.last_commit_hash = record.info.commit_hash;
  head_.last_recorded_at_ns = record.info.recorded_at_ns;
  batch->Put(store.cf(Cf::kCheckpoints), slice(u64_be(head_.tree_size)), slice(c.checkpoint));
  batch->Put(store.cf(Cf::kMeta), "head", slice(head_.encode()));
  batch->Put(store.cf(Cf::kMeta), kStateHeadKey, slice(u64_be(head_.commit_count)));
  batch->Put(store.cf(Cf::kMeta), "format", kFormatVersion);
  return Status::ok();
}

}  // namespace grantledger
