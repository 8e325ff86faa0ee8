// Replica: a verified, verbatim copy of another ledger's log (spec/MIRROR.md), kept by
// `grantledger mirror`.
//
// A replica holds no log key (keys/log.pem): it cannot sign, so nothing can be appended to it but
// commits the source's log key signed. Each replicated commit is stored exactly as the source
// stored it (commit bytes, event bytes, the signed checkpoint at its tree size), after the same
// checks an audit makes: position and hash chain, recorded time, leaf hashes, the log key's and
// the submitter's signatures, every rule (the replay), and the checkpoint signing the root the
// replica computes itself. Everything derived (postings, rule state, tree nodes, idempotency keys,
// head) is written in the layout the writer writes (spec/LOG.md, "On-disk layout"), so a replica
// opens, audits and answers queries as the source does: Ledger::open(dir) with writer = false.
// A batch of commits is one WriteBatch with sync = true: all of it is stored, or none.
#pragma once

#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/acknowledged_head.h"
#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "ledger/ledger.h"
#include "ledger/ledger_state.h"
#include "ledger/merkle.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace grantledger {

// Limit: commits in one append_replicated batch (the raw route serves at most this many at once).
inline constexpr size_t kMaxReplicatedCommits = 1000;
// Decoded rule-state entries kept cached between batches (as LedgerOptions::state_cache_entries).
inline constexpr size_t kReplicaStateCacheEntries = 50000;

// One commit as the source stores it (GET /v1/log/raw, spec/SERVER.md).
struct ReplicatedCommit {
  Bytes commit;                // canonical Commit bytes
  std::vector<Bytes> events;   // canonical Event bytes, in order
  std::string checkpoint;      // the signed note at the commit's tree size
};

class Replica {
 public:
  // Opens the replica in `dir`, creating it when `dir` does not exist or is empty: the meta
  // entries only (format, origin, log public key; no commit: the first replicated commit is the
  // source's genesis). An existing replica must have this origin and log key (invalid_argument
  // otherwise) and is checked as Ledger::open checks a ledger (corruption if damaged).
  // Holds the database lock like any read-write open.
  static Result<std::unique_ptr<Replica>> open(const std::string& dir, const std::string& origin,
                                               const PublicKey& log_key);
  ~Replica();

  // Verifies `commits` (the next ones after the head, in order) and stores them verbatim, in one
  // fsync'd WriteBatch. corruption naming the commit and the check on any failure (a commit out
  // of place, a broken chain, a changed event, a bad signature, a broken rule, a checkpoint that
  // does not verify or does not sign the recomputed root); invalid_argument for an empty batch or
  // one over kMaxReplicatedCommits. Nothing is written unless every commit passes.
  Status append_replicated(const std::vector<ReplicatedCommit>& commits);

  const Head& head() const { return head_; }
  const std::string& origin() const { return origin_; }
  // The copy as a ledger, for reads and projection builders (its head is the replica's).
  Ledger& ledger() { return *ledger_; }
  // The stored bytes of commit `sequence` and the stored signed note at `tree_size`.
  Result<Bytes> commit_bytes(uint64_t sequence);
  Result<std::string> checkpoint(uint64_t tree_size);
  // MTH of the first `tree_size` stored events. REQUIRES tree_size <= head().tree_size.
  Result<Hash32> root(uint64_t tree_size);

 private:
  Replica() = default;
  Status stage(const ReplicatedCommit& c, size_t position, rocksdb::WriteBatch* batch);

  std::unique_ptr<Ledger> ledger_;  // read-write, no writer: holds the lock, reads, projections
  std::string origin_;
  std::optional<PublicKey> log_key_;
  LedgerState state_;
  Head head_;
  MerkleFrontier frontier_;
  Sha256 sha_;
  std::optional<AcknowledgedHead> acknowledged_;
  std::set<std::string> staged_keys_;  // idempotency keys of the batch being staged
};

}  // namespace grantledger
