// Evidence of a rewritten history (spec/MIRROR.md, "Evidence"): when the log a mirror follows
// serves a checkpoint inconsistent with one the mirror verified, the mirror keeps both signed
// notes (and the two commits, when they differ at one sequence) in a folder of its own under
// DIR/evidence/, every file and folder fsync'd, before it reports the refusal.
#pragma once

#include <string>

#include "ledger/status.h"

namespace grantledger::mirror {

struct ForkEvidence {
  std::string reason;               // one line for a person
  std::string verified_checkpoint;  // the signed note the mirror verified and stored
  std::string served_checkpoint;    // the signed note the log served that contradicts it
  std::string verified_commit_hex;  // optional: the stored commit at the sequence where they differ
  std::string served_commit_hex;    // optional: the served commit there
};

// Writes `evidence` into a new folder DIR/evidence/<UTC time>-<n>/ (verified.checkpoint,
// served.checkpoint, reason.txt, and verified.commit.hex / served.commit.hex when given), syncs
// it, and returns the folder's path. io_error if it cannot be written durably.
Result<std::string> keep_evidence(const std::string& data_dir, const ForkEvidence& evidence);

}  // namespace grantledger::mirror
