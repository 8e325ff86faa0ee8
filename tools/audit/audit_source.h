// AuditSource: what the audit reads, whether a RocksDB ledger opened read-only or a bundle
// directory (tools/audit/bundle.h). The audit recomputes everything from the events, commits
// and checkpoints a source yields; a source with a ledger also offers its derived indexes and
// projections for comparison.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "tools/audit/findings.h"

namespace grantledger::audit {

// One stored record: its key (commit sequence or event index) and its bytes as stored.
struct SourceRecord {
  uint64_t key = 0;
  Bytes bytes;
};

class AuditSource {
 public:
  virtual ~AuditSource() = default;
  // "ledger DIR" or "bundle DIR", for the report.
  virtual std::string description() const = 0;
  virtual const std::string& origin() const = 0;
  // The key checkpoints are verified with (the source's own, unless the auditor pinned one).
  virtual const PublicKey& log_key() const = 0;
  // The head as the source claims it (meta "head", or the bundle manifest).
  virtual Head head() const = 0;

  // Sequential scans in key order; *out is nullopt at the end. Only one thread scans.
  virtual Status next_commit(std::optional<SourceRecord>* out) = 0;
  virtual Status next_event(std::optional<SourceRecord>* out) = 0;
  // The signed note at `tree_size`; nullopt when there is none.
  virtual Result<std::optional<std::string>> checkpoint(uint64_t tree_size) = 0;
  // Every tree size a checkpoint is stored for, ascending.
  virtual Result<std::vector<uint64_t>> checkpoint_sizes() = 0;

  // Checks the source makes on its own container once the scans ended (bundle file hashes).
  virtual void final_checks(std::vector<Finding>* findings) { (void)findings; }

  // The ledger, when the source is one: derived indexes and projections are compared. Null for
  // a bundle. Reads through it are thread-safe.
  virtual Ledger* ledger() { return nullptr; }
};

// Opens the ledger in `dir` read-only (no private key needed). With `pinned_log_key`, checkpoints
// are verified with that key and a stored log key that differs is a finding (kLogKey, reported
// by the audit). invalid_argument if `dir` is not a ledger.
Result<std::unique_ptr<AuditSource>> open_ledger_source(const std::string& dir,
                                                        std::optional<PublicKey> pinned_log_key = std::nullopt);

}  // namespace grantledger::audit
