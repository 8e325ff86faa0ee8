// Ledger: the signed, append-only event log. The one entry point for writes and reads.
//
// Writes go through one writer thread (group commit): concurrent append() calls are staged in
// arrival order, each validated against every rule, signed, hashed into the Merkle tree and
// checkpointed, and a whole group is made durable by a single RocksDB WriteBatch with sync.
// append() returns only after that fsync (or with the reason nothing was written).
// Reads are thread-safe and see one consistent snapshot per call.
//
// Formats: spec/LOG.md (layout, hashed and signed bytes, checkpoints).
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "ledger/ledger_state.h"
#include "ledger/status.h"
#include "ledger/store.h"
#include "ledger/submission.h"

namespace grantledger {

// Limits (spec/LOG.md, "Limits").
inline constexpr size_t kMaxEventsPerCommit = 10000;
inline constexpr size_t kMaxEventBytes = 64 * 1024;
inline constexpr size_t kMaxIdempotencyKeyBytes = 256;
inline constexpr size_t kMaxGroupEvents = 100000;  // events per fsync group
inline constexpr size_t kMaxOriginBytes = 256;
// A writer that closes with more than this in its memtables flushes them, so readers opening
// after it replay at most this much write-ahead log.
inline constexpr uint64_t kMaxUnflushedOnClose = 1 << 20;

// One commit to append: a signed submission (spec/LOG.md, "Submissions"): its events (canonical
// Event bytes), its idempotency key and its signature. For local use a request may instead carry
// the signer's private key: append() then signs the submission on the caller's thread first
// (an empty idempotency key becomes a random one), so every commit takes the same path.
struct CommitRequest {
  std::vector<Bytes> events;
  std::shared_ptr<const PrivateKey> signer;  // sign here; or
  std::optional<SubmissionSignature> signed_by;  // signed elsewhere (for this ledger's origin)
  std::string idempotency_key;  // empty only with `signer`
  // Optional, one per event: where it came from ("input.jsonl line 12"), named in errors.
  std::vector<std::string> event_labels;

  // The request for a submission someone signed (its events are moved).
  static CommitRequest from(Submission submission);
};

// What the ledger acknowledged.
struct CommitInfo {
  uint64_t sequence = 0;
  uint64_t first_event_index = 0;
  uint32_t event_count = 0;
  int64_t recorded_at_ns = 0;
  Hash32 commit_hash{};
  Hash32 signer_key_id{};
  std::string idempotency_key;
  bool replayed = false;  // an idempotent retry: the original commit, nothing new written
};

// A stored commit, decoded.
struct CommitRecord {
  CommitInfo info;
  std::string origin;  // the ledger's origin line the commit is bound to
  Hash32 previous_commit_hash{};
  std::vector<Hash32> event_hashes;
  Bytes signature;  // v1: the signer's; v2: the log key's
  // Log format v2 (spec/LOG.md, "Commits"): the submitter's signature and when it signed.
  uint32_t format_version = 1;
  int64_t submission_created_at_ns = 0;
  Bytes submission_signature;
  Bytes bytes;  // canonical Commit bytes as stored
};

// A commit as the writer staged it, before it is durable: for a caller that derives from it on
// another thread while the writer goes on (projections fed by `append`, projections/append_feed.h).
// The references are valid during the observer's call only.
struct StagedCommit {
  const CommitInfo& info;
  const std::vector<Bytes>& events;                 // canonical Event bytes, decoded and checked
  const std::vector<std::vector<Posting>>& postings;  // one list per event, as the rules derived
};
// Called on the writer's thread for each commit of a request, in order, as it is staged. A staged
// commit is durable only if append() then returns it: a request that fails (a later commit breaks
// a rule, the write fails) leaves nothing, though its observer may have seen some of its commits;
// it is not told they were dropped (the caller learns it from append()'s result). Commits an
// idempotent retry returns (`replayed`) are not staged.
using StagedObserver = std::function<void(const StagedCommit&)>;

struct LedgerOptions {
  bool read_only = false;  // no writer, no log key needed; audit tools open this way
  // Read-write without a writer: no replay, no log key; for projection builders and queries.
  // Holds the database lock like any read-write open.
  bool writer = true;
  // Refuse to open unless the head is the end of the log and the latest checkpoint signs it
  // (spec/LOG.md, "Opening a ledger"). Only the audit opens without: it checks everything itself
  // and reports damage as findings instead of refusing.
  bool check_head = true;
  // The writer's cache of rule-state entries (spec/LOG.md, "Rule state"): at most this many
  // decoded entries and keys found absent stay in memory between commit groups.
  size_t state_cache_entries = 50000;
  // RocksDB's block cache (data, index and filter blocks), MiB.
  size_t block_cache_mib = 8;
  // Read-only opens: hold every table file open (see Store::open). Only the writer's damage probe,
  // which acts on corruption alone, opens them on demand.
  bool hold_table_files = true;
};

// One way the stored rule state differs from the state a replay derives.
struct StateDifference {
  std::string object;  // "claim K1", "balance grant:LEDER-2012:pool", "state head"
  std::string reason;
};

class Ledger {
 public:
  // Creates a ledger in `dir` (which must not exist or be empty): a new log key in
  // `dir`/keys/log.pem, and the genesis commit registering `admin` and the log key.
  static Result<CommitInfo> init(const std::string& dir, const std::string& origin,
                                 const PrivateKey& admin, const std::string& admin_name);

  // Opens an existing ledger. A read-write open reads the head and the stored rule state on
  // demand: nothing proportional to the log (a ledger from before the state was stored is
  // upgraded once, by a replay). A read-only open takes no lock and sees the log as it was
  // durable when it opened.
  static Result<std::unique_ptr<Ledger>> open(const std::string& dir, LedgerOptions options = {});
  ~Ledger();

  // Appends commits atomically: all of them become durable in one WriteBatch, or none does.
  // A rejected request writes nothing; its error names the commit, the event and the rule.
  // REQUIRES: not opened read-only.
  // `on_staged`, when set, sees each commit of this request as it is staged (StagedObserver).
  Result<std::vector<CommitInfo>> append(std::vector<CommitRequest> commits, StagedObserver on_staged = {});
  std::future<Result<std::vector<CommitInfo>>> append_async(std::vector<CommitRequest> commits, StagedObserver on_staged = {});

  // --- reads: each call sees one consistent snapshot ---------------------------------------
  Result<Head> head();
  const std::string& origin() const { return origin_; }
  const PublicKey& log_public_key() const { return *log_public_; }
  Result<CommitRecord> commit(uint64_t sequence);
  // Up to `limit` commits from `from_sequence` on, read from one snapshot. corruption if one is
  // missing or does not chain by hash to the one before it.
  Result<std::vector<CommitRecord>> commits(uint64_t from_sequence, uint64_t limit);
  Result<Bytes> event(uint64_t index);
  // The events of `commit` (a commit of this log), in order, from one snapshot: each checked
  // against the leaf hash the commit signed (corruption if missing or changed). One pass, where
  // event() per index would decode the commit once per event.
  Result<std::vector<Bytes>> events_of(const CommitRecord& commit);
  // The sequence of the commit holding event `index`.
  Result<uint64_t> commit_of_event(uint64_t index);
  // The signed note for `tree_size` (the latest when nullopt).
  Result<std::string> checkpoint(std::optional<uint64_t> tree_size = std::nullopt);
  Result<Hash32> root(uint64_t tree_size);
  Result<std::vector<Hash32>> inclusion_proof(uint64_t index, uint64_t tree_size);
  Result<std::vector<Hash32>> consistency_proof(uint64_t old_size, uint64_t new_size);
  // The inclusion proofs of events [first, first + count) in the tree of `tree_size`, from one
  // snapshot; each stored node is read once (a commit's proofs share most of theirs).
  Result<std::vector<std::vector<Hash32>>> inclusion_proofs(uint64_t first, uint64_t count, uint64_t tree_size);
  // Replays the whole log in order from one snapshot, applying every event to `state` (which
  // must be fresh) with the same rules the writer enforces. `on_event` sees each event and its
  // postings, `on_commit` each commit after its events; either may stop the replay with an
  // error. corruption if stored data does not decode or breaks a rule.
  using EventVisitor = std::function<Status(const CommitRecord&, uint64_t index, schema::Event::Reader event,
                                            const std::vector<Posting>& postings)>;
  using CommitVisitor = std::function<Status(const CommitRecord&)>;
  Status replay(LedgerState* state, const EventVisitor& on_event = {}, const CommitVisitor& on_commit = {});
  // Reads the whole log in order from one snapshot (a LogReader), decoding every commit and event
  // but applying no rules. corruption if stored data does not decode or a commit or event is
  // missing, out of place or changed (chain, leaf hashes, head).
  using DecodedEventVisitor = std::function<Status(const CommitRecord&, uint64_t index, schema::Event::Reader event)>;
  Status scan(const DecodedEventVisitor& on_event, const CommitVisitor& on_commit = {});
  // Replays the whole log with the rules and requires the stored postings to be exactly those the
  // rules derive (projection rebuilds build on them). corruption naming the first event that differs.
  Status check_postings();

  // The key `key_id` as the latest durable rule state records it (role, scope, revocation);
  // nullopt if it was never registered. Thread-safe; each call reads the store, so a revocation
  // is seen by the next call after its commit. Used to authenticate requests to `serve`.
  Result<std::optional<KeyState>> registered_key(const Hash32& key_id);

  // True when the ledger stores its rule state (false only for a read-only open of a ledger
  // written before it did, until its next read-write open upgrades it).
  bool has_stored_state();
  // Compares the stored rule state with `derived`, a state replayed to the same head: every
  // entry, and the state's head. At most `limit` differences; none when they are equal.
  Result<std::vector<StateDifference>> compare_stored_state(const LedgerState& derived, size_t limit = 100);
  // Replays the log and compares the stored rule state with the result ("reopen equals replay").
  // REQUIRES: no append in flight (the replay and the comparison read separate snapshots).
  Result<std::vector<StateDifference>> check_state();

  // The rule state as of the last durable commit. REQUIRES: not opened read-only.
  // Call only while no append is in flight (tests, CLI summaries).
  const LedgerState& state() const;

  // The storage, for ledger/ itself, for the projections' own families (through
  // projections::ProjectionStore only) and for tests that damage a store on purpose. Everything
  // else reads the log through LogReader (ledger/log_reader.h).
  Store& store() { return *store_; }

  class Writer;  // ledger/commit_writer.h

 private:
  Ledger() = default;
  // One attempt of open(); sets *behind_acknowledged when the database opened ended before the
  // acknowledged checkpoint (a reader's view of a writer between flushing and dropping a log).
  static Result<std::unique_ptr<Ledger>> open_once(const std::string& dir, const LedgerOptions& options,
                                                   bool* behind_acknowledged);
  // Upgrading a ledger from before postings were stored: derives and writes them (spec/LOG.md).
  Status write_missing_postings();
  Status replay_checking_postings(LedgerState* state);
  // Upgrading a ledger from before the rule state was stored, or whose stored state lost its
  // head: derives the state by a checked replay and writes it (spec/LOG.md, "Upgrading").
  Status write_state(const Head& head);
  bool read_only_ = true;
  bool write_failed() const;
  std::unique_ptr<Store> store_;
  std::string origin_;
  std::optional<PublicKey> log_public_;
  std::unique_ptr<Writer> writer_;
};

// Decodes a stored Commit.
Result<CommitRecord> decode_commit(std::string_view bytes);
// Checks a stored commit's signatures (spec/LOG.md, "Commits"): v1, the signer's over the commit;
// v2, the log key's over the commit and the submitter's over its submission. corruption naming
// the signature that does not verify.
Status verify_commit_signatures(const CommitRecord& commit, const PublicKey& signer, const PublicKey& log_key);
// The bytes a v1 commit's signer signs: "grantledger/commit/v1\n" || canonical(CommitBody).
inline constexpr std::string_view kCommitSignaturePrefix = "grantledger/commit/v1\n";
// The bytes the log key signs for a v2 commit: "grantledger/commit/v2\n" || canonical(CommitBody).
inline constexpr std::string_view kCommitV2SignaturePrefix = "grantledger/commit/v2\n";
inline constexpr uint32_t kCommitFormatV2 = 2;


}  // namespace grantledger
