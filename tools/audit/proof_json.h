// Proofs as self-contained JSON documents (spec/AUDIT.md, "Proof JSON"): an RFC 6962 inclusion
// or consistency proof with hex hashes and the signed checkpoint(s) it refers to, so a proof is
// verified with nothing but the document and the log's public key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/ed25519.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "ledger/submission.h"

namespace grantledger::audit {

inline constexpr const char* kProofFormat = "grantledger-proof-v1";
// Limit: the largest proof document read (a proof holds at most 2 x 64 hashes and 2 notes).
inline constexpr size_t kMaxProofBytes = 1024 * 1024;

// The inclusion proof of event `index` in the tree of `tree_size` events (the latest when
// nullopt), which must be a commit boundary (a checkpoint exists there). invalid_argument for an
// index or size out of range.
Result<nlohmann::json> make_inclusion_proof(Ledger& ledger, uint64_t index, std::optional<uint64_t> tree_size);

// The consistency proof between the checkpoints at `from_size` and `to_size` (the latest when
// nullopt). REQUIRES from_size <= to_size, both commit boundaries.
Result<nlohmann::json> make_consistency_proof(Ledger& ledger, uint64_t from_size, std::optional<uint64_t> to_size);

struct ProofVerification {
  std::string type;  // "inclusion" or "consistency"
  std::string summary;  // one line for a person
};

// Verifies a proof document with no database: every checkpoint it carries must verify with
// `log_key`, and the audit path must lead to the checkpoint's root. With `kept_checkpoint` (a
// note the auditor kept earlier), the proof must also agree with it: same root at its size.
// invalid_argument if the document is malformed; findings if it is well-formed but does not
// verify (wrong key, altered hash, a rewritten history).
// A receipt (type "receipt", tools/audit/receipt.h) is verified the same way; with
// `submissions` (a submission file's), it must hold exactly them as signed.
Result<ProofVerification> verify_proof(const std::string& document, const PublicKey& log_key,
                                       const std::optional<std::string>& kept_checkpoint = std::nullopt,
                                       const std::vector<Submission>* submissions = nullptr);

}  // namespace grantledger::audit
