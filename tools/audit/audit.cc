#include "tools/audit/audit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <unistd.h>

#include "ledger/canonical.h"
#include "ledger/log_reader.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/postings.h"
#include "ledger/sha256.h"
#include "ledger/tree_nodes.h"
#include "projections/builder.h"
#include "projections/registry.h"
#include "tools/audit/recompute.h"

namespace grantledger::audit {

namespace {

using Clock = std::chrono::steady_clock;

std::string short_hex(const Hash32& h) { return to_hex(h).substr(0, 16); }

// Findings of one thread, capped at kMaxFindings (the rest are counted).
class FindingList {
 public:
  void add(FindingClass cls, std::optional<uint64_t> commit, std::optional<uint64_t> event, std::string reason,
           std::optional<uint64_t> tree_size = std::nullopt, std::string key = "") {
    if (list_.size() >= kMaxFindings) {
      ++suppressed_;
      return;
    }
    list_.push_back(Finding{cls, commit, event, tree_size, std::move(key), std::move(reason)});
  }
  std::vector<Finding>& list() { return list_; }
  uint64_t suppressed() const { return suppressed_; }

 private:
  std::vector<Finding> list_;
  uint64_t suppressed_ = 0;
};

struct EventWork {
  uint64_t index = 0;
  bool present = false;
  Bytes bytes;
  std::optional<DecodedMessage> msg;  // nullopt: missing or does not decode (already reported)
  bool leaf_ok = false;               // the bytes hash to the leaf the commit signed
};

// One commit as the reader hands it to the replayer.
struct CommitWork {
  uint64_t sequence = 0;
  std::optional<CommitRecord> record;  // nullopt: did not decode (already reported)
  std::vector<EventWork> events;
  // Filled by the replayer: per event, the postings the rules derived (empty when not applied).
  std::vector<std::vector<Posting>> derived;
};

// A bounded queue between the two threads (limit: kMaxQueuedEvents events in flight).
class WorkQueue {
 public:
  static constexpr size_t kMaxQueuedEvents = 100000;
  void push(std::unique_ptr<CommitWork> w) {
    std::unique_lock<std::mutex> lock(mu_);
    size_t n = w->events.size();
    not_full_.wait(lock, [&] { return queued_events_ == 0 || queued_events_ + n <= kMaxQueuedEvents || cancelled_; });
    if (cancelled_) return;
    queued_events_ += n;
    q_.push_back(std::move(w));
    not_empty_.notify_one();
  }
  // Null when closed and drained, or cancelled.
  std::unique_ptr<CommitWork> pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_ || cancelled_; });
    if (cancelled_ || q_.empty()) return nullptr;
    auto w = std::move(q_.front());
    q_.pop_front();
    queued_events_ -= w->events.size();
    not_full_.notify_one();
    return w;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<std::unique_ptr<CommitWork>> q_;
  size_t queued_events_ = 0;
  bool closed_ = false, cancelled_ = false;
};

struct KeptCheckpoint {
  Checkpoint cp;
  bool checked = false;
};

// The reader: decodes, hashes and chains; verifies checkpoints; remembers what the derived
// indexes must hold.
class Reader {
 public:
  // Keeps the recomputed nodes of levels `lowest_kept_level` and up for the tree check (none: 64).
  Reader(AuditSource& source, std::vector<KeptCheckpoint>* kept, const AuditOptions& options, uint8_t lowest_kept_level)
      : source_(source), kept_(kept), options_(options), lowest_kept_level_(lowest_kept_level) {}

  // Reads the next commit and its events; nullptr at the end.
  Result<std::unique_ptr<CommitWork>> next() {
    std::optional<SourceRecord> rec;
    GL_RETURN_IF_ERROR(source_.next_commit(&rec));
    if (!rec) return std::unique_ptr<CommitWork>();
    auto work = std::make_unique<CommitWork>();
    if (rec->key != expected_seq_) {
      if (rec->key > expected_seq_) {
        findings_.add(FindingClass::kCommitMissing, expected_seq_, std::nullopt,
                      rec->key - expected_seq_ == 1 ? "commit " + std::to_string(expected_seq_) + " is missing"
                                                    : "commits " + std::to_string(expected_seq_) + ".." +
                                                          std::to_string(rec->key - 1) + " are missing");
      }
      expected_seq_ = rec->key;
    }
    work->sequence = rec->key;
    ++commits_checked_;
    auto decoded = decode_commit(rec->bytes);
    if (!decoded) {
      findings_.add(FindingClass::kDecode, work->sequence, std::nullopt, "commit does not decode: " + decoded.error().message());
      ++expected_seq_;
      return work;
    }
    CommitRecord& c = *decoded;
    const uint64_t seq = work->sequence;
    if (!check_commit_fields(seq, rec->bytes, c)) {
      ++expected_seq_;
      return work;
    }
    // Events [first, first + count): events below `first` no commit covers.
    GL_RETURN_IF_ERROR(read_events(seq, c, work.get()));
    // The tree is built from the hashes the commit signed, so one bad event is reported once,
    // at the event, not again at every later checkpoint (spec/AUDIT.md, "What is checked").
    for (uint32_t i = 0; i < c.info.event_count; ++i) append_leaf(c.event_hashes[i]);
    GL_RETURN_IF_ERROR(check_checkpoint(seq));
    if (!c.info.idempotency_key.empty()) {
      sha_.reset();
      sha_.update(as_view(c.info.signer_key_id));
      for (const auto& h : c.event_hashes) sha_.update(as_view(h));
      Hash32 content = sha_.finish();
      auto [it, inserted] = idempotency_.emplace(c.info.idempotency_key, std::make_pair(seq, content));
      if (!inserted)
        findings_.add(FindingClass::kIdempotency, seq, std::nullopt,
                      "idempotency key \"" + printable_key(c.info.idempotency_key) + "\" was already used by commit " +
                          std::to_string(it->second.first));
    }
    commit_index_.emplace_back(c.info.first_event_index, seq);
    boundaries_.insert(frontier_.size());
    last_commit_hash_ = c.info.commit_hash;
    last_recorded_ns_ = c.info.recorded_at_ns;
    ++expected_seq_;
    work->record = std::move(c);
    if (options_.progress && events_checked_ >= next_progress_) {
      options_.progress(events_checked_, source_.head().tree_size);
      next_progress_ = events_checked_ + kProgressEvents;
    }
    return work;
  }

  // After the last commit: stored events no commit covers, the head, extra checkpoints.
  Status finish() {
    for (;;) {
      std::optional<SourceRecord> ev;
      GL_RETURN_IF_ERROR(source_.next_event(&ev));
      if (!ev) break;
      findings_.add(FindingClass::kEventExtra, std::nullopt, ev->key,
                    "stored event " + std::to_string(ev->key) + " is beyond the last commit (tree size " +
                        std::to_string(frontier_.size()) + ")");
    }
    Head head = source_.head();
    std::string computed = "commits=" + std::to_string(expected_seq_) + " tree_size=" + std::to_string(frontier_.size()) +
                           " last_commit=" + short_hex(last_commit_hash_);
    if (head.commit_count != expected_seq_ || head.tree_size != frontier_.size() ||
        head.last_commit_hash != last_commit_hash_ || head.last_recorded_at_ns != last_recorded_ns_)
      findings_.add(FindingClass::kHead, std::nullopt, std::nullopt,
                    "stored head commits=" + std::to_string(head.commit_count) + " tree_size=" +
                        std::to_string(head.tree_size) + " last_commit=" + short_hex(head.last_commit_hash) +
                        " differs from the log: " + computed,
                    std::nullopt, "head");
    GL_ASSIGN_OR_RETURN(std::vector<uint64_t> sizes, source_.checkpoint_sizes());
    for (uint64_t size : sizes)
      if (!boundaries_.count(size))
        findings_.add(FindingClass::kCheckpointExtra, std::nullopt, std::nullopt,
                      "a checkpoint is stored for tree size " + std::to_string(size) + ", which is no commit boundary",
                      size);
    for (auto& k : *kept_) {
      if (k.checked) continue;
      findings_.add(FindingClass::kConsistency, std::nullopt, std::nullopt,
                    "a kept checkpoint has tree size " + std::to_string(k.cp.tree_size) + " but the log has only " +
                        std::to_string(frontier_.size()) + " events: the log was truncated or rolled back",
                    k.cp.tree_size);
      k.checked = true;
    }
    if (options_.progress) options_.progress(events_checked_, events_checked_);
    return Status::ok();
  }

  FindingList& findings() { return findings_; }
  uint64_t events_checked() const { return events_checked_; }
  uint64_t commits_checked() const { return commits_checked_; }
  uint64_t checkpoints_checked() const { return checkpoints_checked_; }
  uint64_t tree_size() const { return frontier_.size(); }
  Hash32 root() { return frontier_.root(sha_); }
  const std::vector<std::vector<Hash32>>& nodes_by_level() const { return nodes_; }
  const std::vector<std::pair<uint64_t, uint64_t>>& commit_index() const { return commit_index_; }
  const std::map<std::string, std::pair<uint64_t, Hash32>>& idempotency() const { return idempotency_; }

 private:
  bool check_commit_fields(uint64_t seq, const Bytes& bytes, const CommitRecord& c) {
    bool ok = true;
    if (c.info.sequence != seq) {
      findings_.add(FindingClass::kCommitMalformed, seq, std::nullopt,
                    "stored under sequence " + std::to_string(seq) + " but says sequence " + std::to_string(c.info.sequence));
    }
    auto msg = DecodedMessage::decode(bytes, DecodedMessage::Kind::kCommit);
    if (msg) {
      std::string origin = msg->root<schema::Commit>().getBody().getOrigin().cStr();
      if (origin != source_.origin())
        findings_.add(FindingClass::kCommitMalformed, seq, std::nullopt,
                      "origin \"" + origin + "\" is not this ledger's \"" + source_.origin() + "\"");
    }
    if (c.info.event_count == 0 || c.info.event_count > kMaxEventsPerCommit || c.event_hashes.size() != c.info.event_count) {
      findings_.add(FindingClass::kCommitMalformed, seq, std::nullopt,
                    "event_count " + std::to_string(c.info.event_count) + " with " + std::to_string(c.event_hashes.size()) +
                        " event hashes (1.." + std::to_string(kMaxEventsPerCommit) + " required)");
      ok = false;
    }
    if (c.previous_commit_hash != last_commit_hash_)
      findings_.add(FindingClass::kCommitChain, seq, std::nullopt,
                    "previous_commit_hash " + short_hex(c.previous_commit_hash) + " is not the hash " +
                        short_hex(last_commit_hash_) + " of the commit before it");
    if (c.info.first_event_index != frontier_.size())
      findings_.add(FindingClass::kCommitChain, seq, c.info.first_event_index,
                    "first_event_index " + std::to_string(c.info.first_event_index) + " is not the tree size " +
                        std::to_string(frontier_.size()) + " after the commit before it");
    if (c.info.recorded_at_ns < last_recorded_ns_)
      findings_.add(FindingClass::kCommitChain, seq, std::nullopt,
                    "recorded_at_ns " + std::to_string(c.info.recorded_at_ns) + " is before the previous commit's " +
                        std::to_string(last_recorded_ns_));
    // spec/LOG.md, "Commits": once the log writes v2 commits it never writes a v1 commit again.
    if (c.format_version < last_format_version_)
      findings_.add(FindingClass::kCommitMalformed, seq, std::nullopt,
                    "a v" + std::to_string(c.format_version) + " commit after a v" + std::to_string(last_format_version_) +
                        " commit (the format never goes back)");
    last_format_version_ = std::max(last_format_version_, c.format_version);
    return ok;
  }

  Status read_events(uint64_t seq, const CommitRecord& c, CommitWork* work) {
    // The commit's events are numbered from the running tree size; a commit that claims another
    // first index was reported above.
    const uint64_t first = frontier_.size();
    for (uint32_t i = 0; i < c.info.event_count; ++i) {
      const uint64_t index = first + i;
      EventWork ev;
      ev.index = index;
      // Skip stored events below `index` (no commit covers them).
      while (!pending_ || pending_->key < index) {
        if (pending_) {
          findings_.add(FindingClass::kEventExtra, seq, pending_->key,
                        "stored event " + std::to_string(pending_->key) + " is covered by no commit");
          pending_.reset();
        }
        GL_RETURN_IF_ERROR(source_.next_event(&pending_));
        if (!pending_) break;
      }
      ++events_checked_;
      if (!pending_ || pending_->key != index) {
        findings_.add(FindingClass::kEventMissing, seq, index,
                      "event " + std::to_string(index) + " (event " + std::to_string(i + 1) + " of commit " +
                          std::to_string(seq) + ") is not stored");
        work->events.push_back(std::move(ev));
        continue;
      }
      ev.present = true;
      ev.bytes = std::move(pending_->bytes);
      pending_.reset();
      if (ev.bytes.size() > kMaxEventBytes)
        findings_.add(FindingClass::kDecode, seq, index, "event of " + std::to_string(ev.bytes.size()) +
                                                             " bytes exceeds the limit of " + std::to_string(kMaxEventBytes));
      Hash32 leaf = merkle_leaf_hash(sha_, ev.bytes);
      ev.leaf_ok = leaf == c.event_hashes[i];
      if (!ev.leaf_ok)
        findings_.add(FindingClass::kLeafHash, seq, index,
                      "stored bytes hash to " + short_hex(leaf) + " but commit " + std::to_string(seq) +
                          " signed leaf hash " + short_hex(c.event_hashes[i]) + " for it");
      auto msg = DecodedMessage::decode(ev.bytes);
      if (!msg) {
        findings_.add(FindingClass::kDecode, seq, index, "event does not decode against the schema: " + msg.error().message());
      } else {
        ev.msg = std::move(msg).value();
      }
      work->events.push_back(std::move(ev));
    }
    return Status::ok();
  }

  void append_leaf(const Hash32& leaf) {
    completed_.clear();
    frontier_.append(sha_, leaf, &completed_);
    for (const auto& [id, hash] : completed_) {
      if (id.level < lowest_kept_level_) continue;
      if (nodes_.size() <= id.level) nodes_.resize(id.level + 1);
      GL_ASSERT(nodes_[id.level].size() == id.index);
      nodes_[id.level].push_back(hash);
    }
    // A checkpoint the auditor kept: the recomputed root at its size must be its root.
    for (auto& k : *kept_) {
      if (k.checked || k.cp.tree_size != frontier_.size()) continue;
      k.checked = true;
      Hash32 root = frontier_.root(sha_);
      if (root != k.cp.root)
        findings_.add(FindingClass::kConsistency, std::nullopt, std::nullopt,
                      "the log's root at tree size " + std::to_string(k.cp.tree_size) + " is " + short_hex(root) +
                          ", not the root " + short_hex(k.cp.root) +
                          " of the checkpoint the auditor kept: the history was rewritten",
                      k.cp.tree_size);
    }
  }

  Status check_checkpoint(uint64_t seq) {
    const uint64_t size = frontier_.size();
    GL_ASSIGN_OR_RETURN(std::optional<std::string> note, source_.checkpoint(size));
    if (!note) {
      findings_.add(FindingClass::kCheckpointMissing, seq, std::nullopt,
                    "no checkpoint for tree size " + std::to_string(size) + " after commit " + std::to_string(seq), size);
      return Status::ok();
    }
    ++checkpoints_checked_;
    auto cp = verify_checkpoint(*note, source_.log_key());
    if (!cp) {
      findings_.add(FindingClass::kCheckpointSignature, seq, std::nullopt, cp.error().message(), size);
      return Status::ok();
    }
    Hash32 root = frontier_.root(sha_);
    if (cp->origin != source_.origin() || cp->tree_size != size || cp->root != root)
      findings_.add(FindingClass::kCheckpointRoot, seq, std::nullopt,
                    "checkpoint says origin " + cp->origin + " tree size " + std::to_string(cp->tree_size) + " root " +
                        short_hex(cp->root) + "; recomputed tree size " + std::to_string(size) + " root " + short_hex(root),
                    size);
    return Status::ok();
  }

  AuditSource& source_;
  std::vector<KeptCheckpoint>* kept_;
  const AuditOptions& options_;
  uint8_t lowest_kept_level_;
  FindingList findings_;
  Sha256 sha_;
  MerkleFrontier frontier_;
  std::vector<std::pair<MerkleNodeId, Hash32>> completed_;
  std::vector<std::vector<Hash32>> nodes_;  // level -> recomputed perfect subtree hashes (empty below the lowest kept)
  std::optional<SourceRecord> pending_;     // the next stored event not yet consumed
  uint64_t expected_seq_ = 0, events_checked_ = 0, commits_checked_ = 0, checkpoints_checked_ = 0;
  uint64_t next_progress_ = kProgressEvents;
  Hash32 last_commit_hash_{};
  int64_t last_recorded_ns_ = 0;
  uint32_t last_format_version_ = 1;
  std::set<uint64_t> boundaries_;
  std::vector<std::pair<uint64_t, uint64_t>> commit_index_;  // first event index, sequence
  std::map<std::string, std::pair<uint64_t, Hash32>> idempotency_;
};

// The replayer: signers as registered at each point, commit signatures, domain rules, postings;
// and the projections recomputed from what it replayed.
class Replayer {
 public:
  // Nothing is rolled back during an audit (a failing event is reported, and the replay goes on):
  // the state records no undo.
  explicit Replayer(AuditSource& source) : source_(source) { state_.stop_recording_undo(); }

  // Replays `w` and leaves the postings it derived in w.derived.
  Status apply(CommitWork& w) {
    ++commit_count_;
    w.derived.assign(w.events.size(), {});
    if (!w.record) {
      // Its events cannot be attributed to a signer; their stored postings are not compared.
      return Status::ok();
    }
    const CommitRecord& c = *w.record;
    const uint64_t seq = w.sequence;
    bool apply_events = true;
    if (seq == 0) {
      apply_events = check_genesis(w);
    } else {
      Status signer = state_.check_signer(c.info.signer_key_id);
      if (!signer.is_ok()) findings_.add(FindingClass::kSigner, seq, std::nullopt, signer.message());
      const KeyState* key = state_.key(c.info.signer_key_id);
      if (key) {
        verify_signature(seq, c, key->public_key);
      } else {
        apply_events = false;  // an unknown signer has no role: its events are not history
      }
    }
    std::vector<std::vector<Posting>>& derived = w.derived;
    std::vector<bool> applied(w.events.size(), false);
    if (apply_events) {
      for (size_t i = 0; i < w.events.size(); ++i) {
        const EventWork& ev = w.events[i];
        if (!ev.msg) continue;
        Status s = state_.apply(EventContext{seq, ev.index, c.info.signer_key_id}, ev.msg->root<schema::Event>(), &derived[i]);
        if (!s.is_ok()) {
          findings_.add(FindingClass::kRule, seq, ev.index, s.message());
          continue;
        }
        applied[i] = true;
        std::optional<Ore> sum = Ore{};
        for (const auto& p : derived[i])
          if (sum) sum = checked_add(*sum, p.amount);
        if (!sum)
          findings_.add(FindingClass::kTrialBalance, seq, ev.index, "the event's postings sum beyond the 64-bit range");
        else if (*sum != Ore{})
          findings_.add(FindingClass::kTrialBalance, seq, ev.index, "the event's postings sum to " + std::to_string(sum->value) + " øre");
      }
    }
    for (size_t i = 0; i < w.events.size(); ++i)
      GL_RETURN_IF_ERROR(compare_postings(seq, w.events[i].index, applied[i] ? &derived[i] : nullptr));
    return Status::ok();
  }

  Status finish() {
    if (Ore tb = state_.trial_balance(); tb != Ore{})
      findings_.add(FindingClass::kTrialBalance, std::nullopt, std::nullopt,
                    "the trial balance of all accounts is " + std::to_string(tb.value) + " øre, not zero");
    GL_RETURN_IF_ERROR(start_postings());
    if (postings_) {
      while (posting_) {
        findings_.add(FindingClass::kPostings, std::nullopt, key_index(),
                      "postings are stored for event " + std::to_string(key_index()) + ", which is beyond the log");
        GL_RETURN_IF_ERROR(next_posting());
      }
    }
    return Status::ok();
  }

  FindingList& findings() { return findings_; }
  const LedgerState& state() const { return state_; }
  uint64_t commit_count() const { return commit_count_; }

 private:
  bool check_genesis(const CommitWork& w) {
    const CommitRecord& c = *w.record;
    std::vector<schema::Event::Reader> events;
    for (const auto& ev : w.events) {
      if (!ev.msg) {
        findings_.add(FindingClass::kSigner, 0, ev.index, "the genesis commit cannot be checked: an event is missing or does not decode");
        return false;
      }
      events.push_back(ev.msg->root<schema::Event>());
    }
    Status s = LedgerState::check_genesis(c.info.signer_key_id, events);
    if (!s.is_ok()) {
      findings_.add(FindingClass::kSigner, 0, std::nullopt, s.message());
      return false;
    }
    auto raw = events[0].getBody().getKeyRegistered().getPublicKey();
    verify_signature(0, c, Bytes(view(raw)));
    auto log_raw = events[1].getBody().getKeyRegistered().getPublicKey();
    if (Bytes(view(log_raw)) != source_.log_key().raw())
      findings_.add(FindingClass::kLogKey, 0, w.events[1].index,
                    "the log key genesis registers (" + short_hex(key_id_of(view(log_raw))) +
                        ") is not the key checkpoints are verified with (" + short_hex(source_.log_key().key_id()) + ")");
    return true;
  }

  void verify_signature(uint64_t seq, const CommitRecord& c, const Bytes& raw_key) {
    auto it = keys_.find(raw_key);
    if (it == keys_.end()) {
      auto pub = PublicKey::from_raw(raw_key);
      if (!pub) {
        findings_.add(FindingClass::kCommitSignature, seq, std::nullopt, "the signer's public key is invalid: " + pub.error().message());
        return;
      }
      it = keys_.emplace(raw_key, std::move(pub).value()).first;
    }
    Status verified = verify_commit_signatures(c, it->second, source_.log_key());
    if (!verified.is_ok())
      findings_.add(FindingClass::kCommitSignature, seq, std::nullopt, verified.message() + " (as registered at this point)");
  }

  // The stored postings, read in key order beside the replay (a ledger's source only).
  Status start_postings() {
    if (postings_started_) return Status::ok();
    postings_started_ = true;
    Ledger* l = source_.ledger();
    if (!l) return Status::ok();
    GL_ASSIGN_OR_RETURN(postings_reader_, LogReader::open(*l, {.raw_only = true}));
    postings_.emplace(postings_reader_->cursor(StoredFamily::kPostings));
    return next_posting();
  }
  Status next_posting() {
    GL_ASSIGN_OR_RETURN(posting_, postings_->next());
    return Status::ok();
  }
  uint64_t key_index() const { return posting_->first.size() == 8 ? get_u64_be(posting_->first) : UINT64_MAX; }

  // Compares the stored postings of `index` with `derived` (null: not derived, not compared).
  Status compare_postings(uint64_t seq, uint64_t index, const std::vector<Posting>* derived) {
    GL_RETURN_IF_ERROR(start_postings());
    if (!postings_) return Status::ok();
    while (posting_ && key_index() < index) {
      findings_.add(FindingClass::kPostings, std::nullopt, key_index(),
                    "postings are stored for event " + std::to_string(key_index()) + ", which no commit holds");
      GL_RETURN_IF_ERROR(next_posting());
    }
    std::optional<std::vector<Posting>> stored;
    if (posting_ && key_index() == index) {
      auto decoded = decode_postings(posting_->second);
      stored = decoded ? std::move(decoded).value() : std::vector<Posting>{{"<undecodable>", Ore{}}};
      GL_RETURN_IF_ERROR(next_posting());
    }
    if (!derived) return Status::ok();
    const std::vector<Posting> none;
    const std::vector<Posting>& have = stored ? *stored : none;
    if (have != *derived) {
      auto describe = [](const std::vector<Posting>& ps) {
        std::string out;
        for (const auto& p : ps) out += (out.empty() ? "" : ", ") + p.account + " " + std::to_string(p.amount.value);
        return out.empty() ? std::string("none") : out;
      };
      findings_.add(FindingClass::kPostings, seq, index,
                    "stored postings [" + describe(have) + "] differ from the rules' [" + describe(*derived) + "]");
    }
    return Status::ok();
  }

  AuditSource& source_;
  FindingList findings_;
  LedgerState state_;
  std::map<Bytes, PublicKey> keys_;  // raw public key -> parsed key
  bool postings_started_ = false;
  std::unique_ptr<LogReader> postings_reader_;
  std::optional<LogReader::Cursor> postings_;            // declared after its reader: destroyed first
  std::optional<std::pair<Bytes, Bytes>> posting_;        // the next stored postings not yet compared
  uint64_t commit_count_ = 0;
};

// Feeds a replayed commit to the projections' recomputation.
Status recompute(Recomputation& recomputation, const CommitWork& w) {
  std::vector<ReplayedEvent> events;
  events.reserve(w.events.size());
  for (size_t i = 0; i < w.events.size(); ++i) {
    const EventWork& ev = w.events[i];
    events.push_back({ev.index, ev.msg ? &*ev.msg : nullptr, ev.leaf_ok, &w.derived[i]});
  }
  return recomputation.add(w.sequence, w.record ? &*w.record : nullptr, events);
}

// The lowest level of the tree nodes `ledger` stores: kLowestStoredTreeLevel, or 0 for a ledger
// written before format v3 (keys sort by level, so the first one tells). The reader keeps the
// recomputed nodes from there up: at 1M events the levels below 6 would be about 63 MB.
uint8_t lowest_stored_tree_level(Ledger& ledger) {
  std::unique_ptr<rocksdb::Iterator> it(ledger.store().db()->NewIterator(rocksdb::ReadOptions(), ledger.store().cf(Cf::kTree)));
  it->SeekToFirst();
  if (!it->status().ok()) return 0;  // keep every level: the tree check names what it cannot read
  if (it->Valid() && (it->key().empty() || static_cast<uint8_t>(it->key()[0]) < kLowestStoredTreeLevel)) return 0;
  return kLowestStoredTreeLevel;
}

// The derived indexes against what the reader recomputed.
void check_indexes(Ledger& ledger, Reader& reader, FindingList* out) {
  auto opened = LogReader::open(ledger, {.raw_only = true});
  if (!opened) {
    out->add(FindingClass::kDecode, std::nullopt, std::nullopt, "read the indexes: " + opened.error().message());
    return;
  }
  LogReader& log = **opened;
  auto scan = [&](StoredFamily family, const std::function<void(std::string_view, std::string_view)>& fn) {
    Status s = log.for_each_stored(family, [&](std::string_view k, std::string_view v) -> Result<bool> {
      fn(k, v);
      return true;
    });
    if (!s.is_ok()) out->add(FindingClass::kDecode, std::nullopt, std::nullopt, s.message());
  };

  // Tree nodes: every recomputed perfect subtree of a stored level is stored with the same hash,
  // and no other. Smaller ones (ledger/tree_nodes.h) are stored only by ledgers written before
  // format v3; where present they must match too.
  const auto& nodes = reader.nodes_by_level();
  std::vector<uint64_t> seen(nodes.size(), 0);
  scan(StoredFamily::kTree, [&](std::string_view k, std::string_view v) {
    if (k.size() != 9) {
      out->add(FindingClass::kTreeNode, std::nullopt, std::nullopt, "malformed tree key", std::nullopt, printable_key(k));
      return;
    }
    uint8_t level = static_cast<uint8_t>(k[0]);
    uint64_t index = get_u64_be(k.substr(1));
    std::string key = "level=" + std::to_string(level) + "/index=" + std::to_string(index);
    if (level >= nodes.size() || index >= nodes[level].size()) {
      out->add(FindingClass::kTreeNode, std::nullopt, std::nullopt, "stored node is beyond the log's tree", std::nullopt, key);
      return;
    }
    ++seen[level];
    if (v.size() != 32 || to_hash32(v) != nodes[level][index])
      out->add(FindingClass::kTreeNode, std::nullopt, level == 0 ? std::optional<uint64_t>(index) : std::nullopt,
               "stored node differs from the recomputed " + short_hex(nodes[level][index]), std::nullopt, key);
  });
  for (size_t level = kLowestStoredTreeLevel; level < nodes.size(); ++level)
    if (seen[level] < nodes[level].size())
      out->add(FindingClass::kTreeNode, std::nullopt, std::nullopt,
               std::to_string(nodes[level].size() - seen[level]) + " of " + std::to_string(nodes[level].size()) +
                   " nodes of level " + std::to_string(level) + " are missing",
               std::nullopt, "level=" + std::to_string(level));

  // Commit index: first event index -> sequence, one per commit.
  std::map<uint64_t, uint64_t> want_index(reader.commit_index().begin(), reader.commit_index().end());
  scan(StoredFamily::kCommitIndex, [&](std::string_view k, std::string_view v) {
    uint64_t first = k.size() == 8 ? get_u64_be(k) : UINT64_MAX;
    auto it = want_index.find(first);
    if (it == want_index.end()) {
      out->add(FindingClass::kCommitIndex, std::nullopt, std::nullopt, "entry names no commit's first event", std::nullopt,
               printable_key(k));
      return;
    }
    if (v.size() != 8 || get_u64_be(v) != it->second)
      out->add(FindingClass::kCommitIndex, it->second, first,
               "entry for first event " + std::to_string(first) + " does not name commit " + std::to_string(it->second));
    want_index.erase(it);
  });
  for (const auto& [first, seq] : want_index)
    out->add(FindingClass::kCommitIndex, seq, first, "no entry for commit " + std::to_string(seq));

  // Idempotency index: key -> sequence || content hash, one per commit with a key.
  auto want_idem = reader.idempotency();
  scan(StoredFamily::kIdempotency, [&](std::string_view k, std::string_view v) {
    auto it = want_idem.find(std::string(k));
    if (it == want_idem.end()) {
      out->add(FindingClass::kIdempotency, std::nullopt, std::nullopt, "entry for a key no commit carries", std::nullopt,
               printable_key(k));
      return;
    }
    const auto& [seq, content] = it->second;
    if (v.size() != 40 || get_u64_be(v) != seq || to_hash32(v.substr(8, 32)) != content)
      out->add(FindingClass::kIdempotency, seq, std::nullopt,
               "entry does not hold commit " + std::to_string(seq) + " and its content hash", std::nullopt, printable_key(k));
    want_idem.erase(it);
  });
  for (const auto& [key, entry] : want_idem)
    out->add(FindingClass::kIdempotency, entry.first, std::nullopt, "no entry for the commit's idempotency key", std::nullopt,
             printable_key(key));
}

// A directory that is removed when the object dies.
class ScratchDir {
 public:
  static Result<ScratchDir> create(std::string path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty()) {
      std::random_device rd;
      path = (fs::temp_directory_path(ec) / ("grantledger-audit-" + std::to_string(rd()) + std::to_string(rd()))).string();
    }
    if (fs::exists(path, ec) && !fs::is_empty(path, ec))
      return Status::invalid_argument("scratch directory " + path + " exists and is not empty");
    fs::create_directories(path, ec);
    if (ec) return Status::io_error("cannot create scratch directory " + path + ": " + ec.message());
    ScratchDir d;
    d.path_ = path;
    return d;
  }
  ScratchDir() = default;
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&& o) noexcept {
    std::swap(path_, o.path_);
    return *this;
  }
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The memory this process may use: physical memory, or its cgroup's limit when that is lower
// ("max" or an unreadable file: no limit). 0 when unknown.
uint64_t usable_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  uint64_t bytes = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  for (const char* limit_file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(limit_file);
    uint64_t limit = 0;
    if (in >> limit && limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  }
  return bytes;
}

}  // namespace

uint64_t in_memory_recomputation_events() {
  return std::max(kInMemoryRecomputationEvents, usable_memory_bytes() / 4 / kRecomputationBytesPerEvent);
}

Result<AuditReport> run_audit(AuditSource& source, const AuditOptions& options) {
  if (options.threads < 1 || options.threads > 2) return Status::invalid_argument("threads: 1 or 2");
  const auto start = Clock::now();
  AuditReport report;
  report.summary.source = source.description();
  report.summary.origin = source.origin();
  report.summary.threads = options.threads;

  FindingList general;
  std::vector<KeptCheckpoint> kept;
  for (const auto& note : options.kept_checkpoints) {
    auto cp = verify_checkpoint(note, source.log_key());
    if (!cp) {
      general.add(FindingClass::kConsistency, std::nullopt, std::nullopt,
                  "a kept checkpoint does not verify with the log key: " + cp.error().message());
      continue;
    }
    if (cp->origin != source.origin()) {
      general.add(FindingClass::kConsistency, std::nullopt, std::nullopt,
                  "a kept checkpoint is for origin " + cp->origin + ", not this ledger's " + source.origin(), cp->tree_size);
      continue;
    }
    kept.push_back({*cp, false});
  }
  report.summary.kept_checkpoints_checked = kept.size();

  Ledger* ledger = source.ledger();
  const bool projections = ledger != nullptr && options.check_projections;
  report.summary.projections_checked = projections;
  ScratchDir scratch_dir;
  std::unique_ptr<Recomputation> recomputation;
  // Where the stored projections are: the recomputation keeps a snapshot at each of these positions.
  std::map<std::string, uint64_t> stored_positions;
  // The recomputed projections are kept in memory, or in a scratch database when the log is larger
  // than memory should hold (spec/AUDIT.md, "Projections") or a scratch directory is asked for.
  const bool scratch_on_disk =
      projections && (!options.scratch_dir.empty() || source.head().tree_size > options.in_memory_max_events);
  if (projections) {
    spdlog::info("audit: projections recomputed {} (log of {} events; in memory up to {} on this machine)",
                 scratch_on_disk ? "in a scratch database" : "in memory", source.head().tree_size, options.in_memory_max_events);
    if (scratch_on_disk) {
      GL_ASSIGN_OR_RETURN(scratch_dir, ScratchDir::create(options.scratch_dir));
    }
    projections::ProjectionStore store(*ledger);
    const projections::ProjectionStore::View view = store.view();
    for (const projections::ProjectionEntry& e : projections::projection_registry()) {
      if (!projections::projection_present(*ledger, e)) continue;
      GL_ASSIGN_OR_RETURN(stored_positions[e.name], projections::applied_position(view, e.name));
    }
  }
  spdlog::info("audit phase=setup elapsed_s={:.3f}", std::chrono::duration<double>(Clock::now() - start).count());

  Reader reader(source, &kept, options, ledger ? lowest_stored_tree_level(*ledger) : uint8_t{64});
  Replayer replayer(source);
  // Creating a scratch database takes a few hundred milliseconds: with two threads the
  // projections' thread does it while the reader already reads.
  auto open_scratch = [&]() -> Status {
    if (!projections) return Status::ok();
    // With two threads the projections' own thread has a helper (projections/feed.h): the
    // replayer and the reader leave a core part idle when the log is large.
    GL_ASSIGN_OR_RETURN(recomputation, Recomputation::create(*ledger, scratch_on_disk ? scratch_dir.path() + "/db" : std::string(),
                                                             stored_positions, options.threads > 1 ? 2 : 1));
    return Status::ok();
  };
  // The stored projections' positions and errors, read by the reader's thread once it is done (their
  // digests come with the comparison, Recomputation::compare, in one pass over each family).
  Result<std::vector<projections::ProjectionStatus>> stored_projections = std::vector<projections::ProjectionStatus>{};
  auto read_stored_projections = [&] {
    if (!projections) return;
    projections::Builder stored_builder(*ledger);
    stored_projections = stored_builder.status(/*digests=*/false);
  };
  // The stored rule state is a cache of the replay's (spec/AUDIT.md, "state"): every entry must
  // be the one the replay derived. Checked once the replay is done (with two threads, on the
  // replayer's, while the projections' thread catches up).
  FindingList state_findings;
  Status state_status = Status::ok();
  auto check_state = [&]() -> Status {
    if (!ledger) return Status::ok();
    auto differences = ledger->compare_stored_state(replayer.state(), kMaxFindings);
    if (!differences && differences.error().code() == StatusCode::kNotFound) {
      report.summary.state = "n/a (" + differences.error().message() + ")";
      return Status::ok();
    }
    GL_RETURN_IF_ERROR(differences.status());
    report.summary.state = "checked";
    for (const StateDifference& d : *differences)
      state_findings.add(FindingClass::kState, std::nullopt, std::nullopt, d.object + ": " + d.reason, std::nullopt, d.object);
    return Status::ok();
  };
  Status reader_status = Status::ok(), replayer_status = Status::ok();
  FindingList index_findings;

  Status projection_status = Status::ok();
  if (options.threads == 1) {
    replayer_status = open_scratch();
    for (; replayer_status.is_ok() && projection_status.is_ok();) {
      auto work = reader.next();
      if (!work) {
        reader_status = work.error();
        break;
      }
      if (!*work) break;
      replayer_status = replayer.apply(**work);
      if (replayer_status.is_ok() && recomputation) projection_status = recompute(*recomputation, **work);
    }
    if (reader_status.is_ok() && replayer_status.is_ok()) reader_status = reader.finish();
    if (reader_status.is_ok() && replayer_status.is_ok()) replayer_status = replayer.finish();
    if (reader_status.is_ok() && replayer_status.is_ok()) state_status = check_state();
    if (reader_status.is_ok() && ledger) check_indexes(*ledger, reader, &index_findings);
    read_stored_projections();
  } else {
    // A pipeline: the reader (this thread) -> the replayer -> the projections' recomputation.
    WorkQueue queue, replayed;
    std::promise<bool> reader_done;  // set once, after the reader's last check: whether it read everything
    auto cancel_all = [&] {
      queue.cancel();
      replayed.cancel();
    };
    std::thread projection_thread([&] {
      projection_status = open_scratch();
      while (projection_status.is_ok()) {
        auto w = replayed.pop();
        if (!w) break;
        if (recomputation) projection_status = recompute(*recomputation, *w);
      }
      if (!projection_status.is_ok()) cancel_all();
    });
    std::thread replay_thread([&] {
      while (auto w = queue.pop()) {
        replayer_status = replayer.apply(*w);
        if (!replayer_status.is_ok()) {
          cancel_all();
          return;
        }
        replayed.push(std::move(w));
      }
      replayed.close();
      replayer_status = replayer.finish();
      // Only after a complete read: a reader that stopped early left the replay short.
      if (replayer_status.is_ok() && reader_done.get_future().get()) state_status = check_state();
    });
    for (;;) {
      auto work = reader.next();
      if (!work) {
        reader_status = work.error();
        cancel_all();
        break;
      }
      if (!*work) break;
      queue.push(std::move(work).value());
    }
    queue.close();
    // The reader's thread checks the indexes while the replayer catches up.
    if (reader_status.is_ok()) reader_status = reader.finish();
    reader_done.set_value(reader_status.is_ok());
    if (reader_status.is_ok() && ledger) check_indexes(*ledger, reader, &index_findings);
    if (reader_status.is_ok()) read_stored_projections();
    replay_thread.join();
    projection_thread.join();
  }
  GL_RETURN_IF_ERROR(reader_status);
  GL_RETURN_IF_ERROR(replayer_status);
  GL_RETURN_IF_ERROR(projection_status);
  GL_RETURN_IF_ERROR(stored_projections.status());
  GL_RETURN_IF_ERROR(state_status);
  spdlog::info("audit phase=replay events={} elapsed_s={:.3f}", reader.events_checked(),
               std::chrono::duration<double>(Clock::now() - start).count());

  FindingList projection_findings;
  if (projections) {
    std::vector<Finding> found;
    GL_RETURN_IF_ERROR(recomputation->compare(*ledger, *stored_projections, replayer.commit_count(), options.threads, &report.projections, &found));
    for (Finding& f : found) projection_findings.add(f.cls, f.commit_sequence, f.event_index, std::move(f.reason), f.tree_size, std::move(f.key));
    spdlog::info("audit phase=projections elapsed_s={:.3f}", std::chrono::duration<double>(Clock::now() - start).count());
  }
  source.final_checks(&general.list());

  report.summary.events_checked = reader.events_checked();
  report.summary.commits_checked = reader.commits_checked();
  report.summary.checkpoints_checked = reader.checkpoints_checked();
  report.summary.tree_size = reader.tree_size();
  report.summary.root = reader.root();
  for (FindingList* list : {&general, &reader.findings(), &replayer.findings(), &index_findings, &state_findings, &projection_findings}) {
    report.findings_suppressed += list->suppressed();
    for (auto& f : list->list()) report.findings.push_back(std::move(f));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(), finding_before);
  if (report.findings.size() > kMaxFindings) {
    report.findings_suppressed += report.findings.size() - kMaxFindings;
    report.findings.resize(kMaxFindings);
  }
  report.summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  spdlog::info("audit source=\"{}\" events={} commits={} findings={} elapsed_s={:.3f}", report.summary.source,
               report.summary.events_checked, report.summary.commits_checked, report.findings.size(),
               report.summary.elapsed_s);
  return report;
}

}  // namespace grantledger::audit
