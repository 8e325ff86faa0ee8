// The audit: a full, independent replay of a ledger or a bundle that recomputes and checks
// every hash, signature, rule, index and projection, and reports each discrepancy found with
// its exact position (spec/AUDIT.md).
//
// Work is split over two threads: a reader decodes events and commits, recomputes leaf hashes,
// the commit hash chain, the Merkle tree and verifies every checkpoint; a replayer checks each
// commit's signer as registered at that point of history, verifies its signature, re-applies
// every domain rule to a fresh LedgerState and compares the derived postings. The derived
// indexes (tree nodes, commit index, idempotency index, head) are compared once the reader is
// done, while the replayer still runs; projections are recomputed beside the replay, in memory or
// in a scratch database, never touching the audited one.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "tools/audit/audit_source.h"
#include "tools/audit/findings.h"

namespace grantledger::audit {

// Projections recomputed in memory cost about 0.6 KB per event beside the replay's own state
// (1.33 GB peak at 1M events, against 0.74 GB with a scratch database) and save 12-14 % of the
// audit's time at 1M (bench/RESULTS.md, issue 16, eleventh pass). A log is recomputed in memory
// when kRecomputationBytesPerEvent per event fits in a quarter of the memory this process may use
// (physical memory, or the cgroup's limit when lower), and always up to
// kInMemoryRecomputationEvents; larger logs use a scratch database.
inline constexpr uint64_t kInMemoryRecomputationEvents = 250'000;
inline constexpr uint64_t kRecomputationBytesPerEvent = 1536;
// The largest log recomputed in memory on this machine (the rule above).
uint64_t in_memory_recomputation_events();

struct AuditOptions {
  int threads = 2;  // 1: everything on the calling thread; 2: reader and replayer in parallel
  // Signed notes the auditor kept from earlier: the log must extend each one (kConsistency).
  std::vector<std::string> kept_checkpoints = {};
  bool check_projections = true;  // ignored for sources without a ledger (bundles)
  // Projections are recomputed in memory for logs of at most `in_memory_max_events` events, else
  // in a scratch database in `scratch_dir` (empty: a fresh directory under the system temp dir),
  // which the audit creates and removes; a `scratch_dir` given is always used.
  // REQUIRES: `scratch_dir` absent or empty.
  std::string scratch_dir = {};
  uint64_t in_memory_max_events = in_memory_recomputation_events();
  // Called from the reader about every kProgressEvents events and at the end.
  std::function<void(uint64_t events_done, uint64_t events_total)> progress = {};
};

inline constexpr uint64_t kProgressEvents = 100000;

// Runs the audit. Findings are values in the report (exit 1), not errors: an error means the
// audit could not run to completion (unreadable source, scratch database failure).
Result<AuditReport> run_audit(AuditSource& source, const AuditOptions& options);

}  // namespace grantledger::audit
