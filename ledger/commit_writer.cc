#include "ledger/commit_writer.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>

#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/date.h"
#include "ledger/event_json.h"
#include "ledger/postings.h"
#include "ledger/stored_value.h"
#include "ledger/tree_nodes.h"

namespace grantledger {

namespace {

rocksdb::Slice slice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

std::string event_label(const CommitRequest& r, size_t i) {
  if (i < r.event_labels.size() && !r.event_labels[i].empty()) return r.event_labels[i];
  return "event " + std::to_string(i + 1) + " of the commit";
}


// Free space needed for a write of `batch_bytes`: the WAL record, the memtable flush it may cause
// and room for RocksDB's own files (MANIFEST, OPTIONS): four times the batch and 8 MiB.
Status check_free_space(const std::string& dir, size_t batch_bytes) {
  struct statvfs fs{};
  if (::statvfs(dir.c_str(), &fs) != 0) return Status::ok();  // unknown: let the write tell
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const uint64_t needed = 4 * static_cast<uint64_t>(batch_bytes) + (8u << 20);
  if (free_bytes < needed)
    return Status::io_error("no space left for the commit: " + std::to_string(free_bytes) + " bytes free in " + dir + ", " +
                            std::to_string(needed) + " needed; nothing was written");
  return Status::ok();
}

}  // namespace

Ledger::Writer::Writer(Store& store, std::string origin, PrivateKey log_key, LedgerState state,
                       Head head, MerkleFrontier frontier, size_t state_cache_entries)
    : store_(store),
      origin_(std::move(origin)),
      log_key_(std::move(log_key)),
      state_(std::move(state)),
      state_cache_entries_(state_cache_entries),
      head_(head),
      frontier_(std::move(frontier)) {
  GL_ASSERT(frontier_.size() == head_.tree_size);
}

Ledger::Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Ledger::Writer::start() { thread_ = std::thread([this] { run(); }); }

std::future<Result<std::vector<CommitInfo>>> Ledger::Writer::submit(std::vector<CommitRequest> commits, StagedObserver on_staged) {
  Pending p{std::move(commits), {}, std::move(on_staged)};
  auto future = p.promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    GL_ASSERT(!stopping_);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return future;
}

Result<std::vector<CommitInfo>> Ledger::Writer::write_now(std::vector<CommitRequest> commits,
                                                          rocksdb::WriteBatch prelude) {
  GL_ASSERT(!thread_.joinable());
  auto results = process({Request{&commits, nullptr}}, &prelude);
  return std::move(results[0]);
}

void Ledger::Writer::run() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued was written
      size_t events = 0;
      while (!queue_.empty() && (group.empty() || events < kMaxGroupEvents)) {
        for (const auto& c : queue_.front().commits) events += c.events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<Request> requests;
    for (auto& p : group) requests.push_back({&p.commits, &p.on_staged});
    rocksdb::WriteBatch batch;
    auto results = process(std::move(requests), &batch);
    for (size_t i = 0; i < group.size(); ++i) group[i].promise.set_value(std::move(results[i]));
  }
}

std::vector<Result<std::vector<CommitInfo>>> Ledger::Writer::process(std::vector<Request> group, rocksdb::WriteBatch* batch) {
  const size_t group_mark = state_.mark();
  const Head head_before = head_;
  const MerkleFrontier frontier_before = frontier_;
  GroupIndex index;
  std::vector<Result<std::vector<CommitInfo>>> results;
  bool wrote_any = false;
  for (const Request& request : group) {
    results.push_back(stage_request(request, batch, &index));
    if (results.back().has_value())
      for (const auto& info : results.back().value()) wrote_any |= !info.replayed;
  }
  if (!wrote_any) {
    state_.release();
    state_.trim_cache(state_cache_entries_);
    return results;
  }
  if (!acknowledged_) {
    auto opened = AcknowledgedHead::open_for_writing(store_.dir());
    if (opened) acknowledged_.emplace(std::move(opened).value());
  }
  // A full file system is refused before RocksDB sees the write (spec/LOG.md, "Durability"): a
  // write that fails part way leaves RocksDB in a background-error state that only a reopen clears.
  Status s = acknowledged_ ? check_free_space(store_.dir(), batch->GetDataSize())
                           : Status::io_error(AcknowledgedHead::path_in(store_.dir()) + ": cannot be opened for writing");
  if (s.is_ok()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;  // acknowledged only when durable
    s = from_rocks(store_.db()->Write(wo, batch), "write commit group");
  }
  if (!s.is_ok()) {
    spdlog::error("append failed, nothing acknowledged: {}", s.to_string());
    write_failed_ = true;
    state_.rollback(group_mark);
    head_ = head_before;
    frontier_ = frontier_before;
    for (auto& r : results)
      if (r.has_value()) r = s;
    return results;
  }
  state_.release();
  state_.trim_cache(state_cache_entries_);
  // The acknowledged head outside RocksDB (spec/LOG.md, "Damage"), synced before anyone is told.
  auto note = store_.get(Cf::kCheckpoints, u64_be(head_.tree_size));
  Status recorded = note ? acknowledged_->record(*note) : note.error();
  if (!recorded.is_ok()) {
    spdlog::error("commit group is durable but its acknowledged head could not be recorded: {}", recorded.to_string());
    const Status unacknowledged = Status::io_error("the commit is durable but could not be acknowledged (" + recorded.message() +
                                                   "); retry with the same idempotency key to get it");
    for (auto& r : results)
      if (r.has_value()) r = unacknowledged;
    return results;
  }
  spdlog::debug("group commit requests={} head_seq={} tree_size={}", group.size(),
                head_.commit_count, head_.tree_size);
  return results;
}

Result<std::vector<CommitInfo>> Ledger::Writer::stage_request(Request request, rocksdb::WriteBatch* batch, GroupIndex* index) {
  std::vector<CommitRequest>& commits = *request.commits;
  const StagedObserver* on_staged = request.on_staged && *request.on_staged ? request.on_staged : nullptr;
  if (commits.empty()) return Status::invalid_argument("an append needs at least one commit");
  const size_t mark = state_.mark();
  const Head head_before = head_;
  const MerkleFrontier frontier_before = frontier_;
  batch->SetSavePoint();
  std::vector<std::string> index_keys;
  std::vector<CommitInfo> infos;
  for (size_t i = 0; i < commits.size(); ++i) {
    auto info = stage_commit(commits[i], batch, index, &index_keys, on_staged);
    if (!info) {
      state_.rollback(mark);
      head_ = head_before;
      frontier_ = frontier_before;
      GL_ASSERT(batch->RollbackToSavePoint().ok());
      for (const auto& k : index_keys) index->erase(k);
      std::string where = commits.size() > 1 ? "commit " + std::to_string(i + 1) + " of " +
                                                   std::to_string(commits.size()) + ": "
                                             : "";
      return info.error().with_context(where);
    }
    infos.push_back(std::move(info).value());
  }
  GL_ASSERT(batch->PopSavePoint().ok());
  return infos;
}

Result<CommitInfo> Ledger::Writer::stage_commit(const CommitRequest& request,
                                                rocksdb::WriteBatch* batch, GroupIndex* index,
                                                std::vector<std::string>* index_keys,
                                                const StagedObserver* on_staged) {
  // Preconditions that blame the caller.
  if (request.events.empty()) return Status::invalid_argument("a commit holds at least one event");
  if (request.events.size() > kMaxEventsPerCommit)
    return Status::invalid_argument("a commit holds at most " + std::to_string(kMaxEventsPerCommit) +
                                    " events, got " + std::to_string(request.events.size()));
  if (request.idempotency_key.size() > kMaxIdempotencyKeyBytes)
    return Status::invalid_argument("idempotency key longer than " + std::to_string(kMaxIdempotencyKeyBytes) + " bytes");
  if (!request.signed_by) return Status::invalid_argument("a commit needs a signed submission");
  if (request.idempotency_key.empty())
    return Status::invalid_argument("idempotency_key: a submission needs one (it makes a retried submission harmless)");
  const SubmissionSignature& signed_by = *request.signed_by;
  if (signed_by.signature.size() != kEd25519SignatureSize)
    return Status::invalid_argument("signature: not " + std::to_string(kEd25519SignatureSize) + " bytes");

  const Hash32 signer_id = signed_by.signer_key_id;
  std::vector<DecodedMessage> decoded;
  std::vector<schema::Event::Reader> events;
  std::vector<Hash32> leaf_hashes;
  decoded.reserve(request.events.size());
  for (size_t i = 0; i < request.events.size(); ++i) {
    const Bytes& bytes = request.events[i];
    if (bytes.size() > kMaxEventBytes)
      return Status::invalid_argument(event_label(request, i) + ": event larger than " +
                                      std::to_string(kMaxEventBytes) + " bytes");
    auto msg = DecodedMessage::decode(bytes);
    if (!msg) return Status::invalid_argument(event_label(request, i) + ": " + msg.error().message());
    decoded.push_back(std::move(msg).value());
    events.push_back(decoded.back().root<schema::Event>());
    leaf_hashes.push_back(merkle_leaf_hash(sha_, bytes));
  }

  // Idempotency: same key and same content returns the original commit and writes nothing.
  Hash32 content_hash{};
  if (!request.idempotency_key.empty()) {
    sha_.update(as_view(signer_id));
    for (const auto& h : leaf_hashes) sha_.update(as_view(h));
    content_hash = sha_.finish();
    const std::string& key = request.idempotency_key;
    auto conflict = [&](uint64_t seq) {
      return Status::conflict("idempotency key \"" + key + "\" was used by commit " + std::to_string(seq) +
                              " with different content (signer or events differ)");
    };
    auto staged = index->find(key);
    if (staged != index->end()) {
      if (staged->second.content_hash != content_hash) return conflict(staged->second.info.sequence);
      CommitInfo info = staged->second.info;
      info.replayed = true;
      return info;
    }
    auto stored = store_.get(Cf::kIdempotency, key);
    if (stored) {
      // spec/LOG.md, "On-disk layout": sequence (u64 BE) || content hash (32).
      if (stored->size() != 40)
        return Status::corruption("idempotency " + printable_stored_key(key) + ": stored value is " + std::to_string(stored->size()) +
                                  " bytes, not 40");
      uint64_t seq = get_u64_be(*stored);
      if (to_hash32(std::string_view(*stored).substr(8, 32)) != content_hash) return conflict(seq);
      GL_ASSIGN_OR_RETURN(Bytes commit_bytes, store_.get(Cf::kCommits, u64_be(seq)));
      GL_ASSIGN_OR_RETURN(CommitRecord record, decode_commit(commit_bytes));
      record.info.replayed = true;
      return record.info;
    }
    if (stored.error().code() != StatusCode::kNotFound) return stored.error();
  }

  // Signer, the submitter's signature and rules.
  const uint64_t seq = head_.commit_count;
  Bytes signer_raw;
  if (seq == 0) {
    GL_RETURN_IF_ERROR(LedgerState::check_genesis(signer_id, events));
    signer_raw = Bytes(view(events[0].getBody().getKeyRegistered().getPublicKey()));
  } else {
    GL_RETURN_IF_ERROR(state_.check_signer(signer_id));
    signer_raw = state_.key(signer_id)->public_key;
  }
  const int64_t recorded_at_ns = std::max(now_utc_ns(), head_.last_recorded_at_ns);
  {
    GL_ASSIGN_OR_RETURN(PublicKey signer, PublicKey::from_raw(signer_raw));
    Bytes submitted = submission_signed_bytes(origin_, request.idempotency_key, signer_id, signed_by.created_at_ns, leaf_hashes);
    if (!signer.verify(submitted, signed_by.signature))
      return Status::invalid_argument("signature: the submission's signature does not verify with key " +
                                      to_hex(signer_id).substr(0, 16) +
                                      " for this ledger's origin (signed for another ledger, altered, or by another key)");
    if (signed_by.created_at_ns > recorded_at_ns + kMaxSubmissionClockSkewNs)
      return Status::invalid_argument("created_at: the submission says it was signed at " +
                                      format_timestamp_ns(signed_by.created_at_ns) + ", more than " +
                                      std::to_string(kMaxSubmissionClockSkewNs / 1000000000) +
                                      " s after the ledger's clock (" + format_timestamp_ns(recorded_at_ns) + ")");
  }
  std::vector<std::vector<Posting>> postings(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EventContext ctx{seq, head_.tree_size + i, signer_id};
    Status s = state_.apply(ctx, events[i], &postings[i]);
    if (!s.is_ok()) return s.with_context(event_label(request, i) + " (" + event_type_name(events[i]) + "): ");
  }

  // The commit: body, signature, hash (spec/LOG.md, "Commits").
  CommitInfo info;
  info.sequence = seq;
  info.first_event_index = head_.tree_size;
  info.event_count = static_cast<uint32_t>(events.size());
  info.recorded_at_ns = recorded_at_ns;
  info.signer_key_id = signer_id;
  info.idempotency_key = request.idempotency_key;

  capnp::MallocMessageBuilder message;
  auto commit = message.initRoot<schema::Commit>();
  auto body = commit.initBody();
  body.setOrigin(origin_);
  body.setSequence(seq);
  body.setFirstEventIndex(info.first_event_index);
  body.setEventCount(info.event_count);
  body.setRecordedAtNs(info.recorded_at_ns);
  body.setSignerKeyId(data_of(as_view(signer_id)));
  body.setIdempotencyKey(request.idempotency_key);
  body.setPreviousCommitHash(data_of(as_view(head_.last_commit_hash)));
  auto hashes = body.initEventHashes(info.event_count);
  for (size_t i = 0; i < leaf_hashes.size(); ++i) hashes.set(static_cast<unsigned>(i), data_of(as_view(leaf_hashes[i])));
  // Log format v2: the submitter's signature in the body, the log key's over the commit.
  body.setFormatVersion(kCommitFormatV2);
  body.setSubmissionCreatedAtNs(signed_by.created_at_ns);
  body.setSubmissionSignature(data_of(signed_by.signature));
  Bytes signed_bytes(kCommitV2SignaturePrefix);
  signed_bytes += canonical_bytes(body.asReader());
  Bytes signature = log_key_.sign(signed_bytes);
  commit.setSignature(data_of(signature));
  Bytes commit_bytes = canonical_bytes(commit.asReader());
  info.commit_hash = sha_.digest(commit_bytes);

  // Everything derived from the commit goes into the same batch.
  for (size_t i = 0; i < request.events.size(); ++i) {
    batch->Put(store_.cf(Cf::kEvents), slice(u64_be(info.first_event_index + i)), slice(request.events[i]));
    if (!postings[i].empty())
      batch->Put(store_.cf(Cf::kPostings), slice(u64_be(info.first_event_index + i)), slice(encode_postings(postings[i])));
  }
  batch->Put(store_.cf(Cf::kCommits), slice(u64_be(seq)), slice(commit_bytes));
  batch->Put(store_.cf(Cf::kCommitIndex), slice(u64_be(info.first_event_index)), slice(u64_be(seq)));
  std::vector<std::pair<MerkleNodeId, Hash32>> nodes;
  nodes.reserve(leaf_hashes.size() * 2 + 64);
  for (const auto& h : leaf_hashes) frontier_.append(sha_, h, &nodes);
  put_tree_nodes(store_, std::move(nodes), batch);
  if (!request.idempotency_key.empty()) {
    Bytes value = u64_be(seq);
    value += as_view(content_hash);
    batch->Put(store_.cf(Cf::kIdempotency), slice(request.idempotency_key), slice(value));
    (*index)[request.idempotency_key] = GroupEntry{content_hash, info};
    index_keys->push_back(request.idempotency_key);
  }
  // The rule state this commit changed, and the head it is the state of.
  state_.flush([&](std::string_view k, std::string_view v) { batch->Put(store_.cf(Cf::kState), slice(k), slice(v)); });
  head_.commit_count = seq + 1;
  head_.tree_size = frontier_.size();
  head_.last_commit_hash = info.commit_hash;
  head_.last_recorded_at_ns = info.recorded_at_ns;
  Checkpoint cp{origin_, head_.tree_size, frontier_.root(sha_)};
  batch->Put(store_.cf(Cf::kCheckpoints), slice(u64_be(head_.tree_size)), slice(sign_checkpoint(cp, log_key_)));
  batch->Put(store_.cf(Cf::kMeta), "head", slice(head_.encode()));
  batch->Put(store_.cf(Cf::kMeta), kStateHeadKey, slice(u64_be(head_.commit_count)));
  batch->Put(store_.cf(Cf::kMeta), "format", kFormatVersion);  // a v1 or v2 ledger becomes v3 with this commit
  if (on_staged) (*on_staged)(StagedCommit{info, request.events, postings});
  return info;
}

}  // namespace grantledger
