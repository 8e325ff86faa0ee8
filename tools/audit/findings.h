// Audit findings and the audit report (spec/AUDIT.md, "Findings" and "Report").
//
// A finding is one discrepancy the audit established: a stable class name, where it is (commit
// sequence, event index, tree size, key) and a reason for a person. The report is the list of
// findings, sorted by position in the log, and a summary of what was checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/bytes.h"

namespace grantledger::audit {

// Classes of finding. Names (finding_class_name) are stable: reports and scripts use them.
enum class FindingClass {
  kDecode,               // stored bytes are not a canonical Event / Commit
  kLeafHash,             // an event's leaf hash differs from the one its commit signed
  kEventMissing,         // a commit names an event that is not stored
  kEventExtra,           // a stored event no commit covers
  kCommitMissing,        // a sequence number has no commit
  kCommitMalformed,      // a commit's fields are inconsistent (counts, hash lengths, origin)
  kCommitChain,          // previous hash, first event index or recorded time break the chain
  kCommitSignature,      // a commit's signature does not verify with its signer's key
  kSigner,               // the signer was unknown, revoked, or its role may not sign
  kCheckpointMissing,    // no checkpoint at a commit boundary
  kCheckpointSignature,  // a checkpoint does not verify with the log key
  kCheckpointRoot,       // a checkpoint's origin, size or root differs from the recomputed tree
  kCheckpointExtra,      // a checkpoint at a tree size that is no commit boundary
  kLogKey,               // the log key differs from the one genesis registered or the auditor pinned
  kRule,                 // a domain rule rejects an event on replay (rule number in the reason)
  kTrialBalance,         // postings do not sum to zero
  kPostings,             // stored postings differ from the ones the rules derive
  kTreeNode,             // a stored Merkle node differs from the recomputed one, or is missing
  kCommitIndex,          // the commit index differs from the commits
  kIdempotency,          // the idempotency index differs from the commits
  kHead,                 // the stored head differs from the log
  kProjection,           // a stored projection differs from the recomputed one
  kState,                // the stored rule state differs from the state the replay derives
  kConsistency,          // the log is not an extension of a checkpoint the auditor kept
  kBundle,               // a bundle's manifest or files disagree with its contents
};
const char* finding_class_name(FindingClass c);

struct Finding {
  FindingClass cls;
  std::optional<uint64_t> commit_sequence;
  std::optional<uint64_t> event_index;
  std::optional<uint64_t> tree_size;
  std::string key;  // a projection or index key, printable (non-printable bytes as \xHH)
  std::string reason;
};

// Orders findings by commit, then event, then class, so reports are deterministic whichever
// thread found them.
bool finding_before(const Finding& a, const Finding& b);

// One projection's comparison.
struct ProjectionCheck {
  std::string name;
  uint64_t applied_commits = 0;
  Hash32 stored_digest{};
  Hash32 recomputed_digest{};
  bool equal = false;
};

struct AuditSummary {
  std::string source;  // "ledger DIR" or "bundle DIR"
  std::string origin;
  uint64_t events_checked = 0;
  uint64_t commits_checked = 0;
  uint64_t checkpoints_checked = 0;
  uint64_t tree_size = 0;
  Hash32 root{};
  uint64_t kept_checkpoints_checked = 0;
  bool projections_checked = false;  // false for bundles: projections are not in a bundle
  // "checked", or why not: "n/a (not in a bundle)", "n/a (not stored yet: ...)".
  std::string state = "n/a (not in a bundle)";
  double elapsed_s = 0;
  int threads = 1;
};

// Limit: findings kept in one report; further ones are counted, not listed.
inline constexpr size_t kMaxFindings = 10000;

struct AuditReport {
  AuditSummary summary;
  std::vector<Finding> findings;  // sorted with finding_before
  uint64_t findings_suppressed = 0;
  std::vector<ProjectionCheck> projections;
  bool clean() const { return findings.empty() && findings_suppressed == 0; }
  // The first finding of class `c`, or null.
  const Finding* first(FindingClass c) const;
};

// "\xHH" for bytes outside printable ASCII, so keys print on one line.
std::string printable_key(std::string_view key);

std::string render_text(const AuditReport& report);
nlohmann::json render_json(const AuditReport& report);

}  // namespace grantledger::audit
