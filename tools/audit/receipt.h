// Receipts (spec/AUDIT.md, "Receipts"): what `grantledger serve` answers a submission with, and
// what `verify-proof` checks offline. A receipt is a proof document of type "receipt": every
// commit the submission became (its canonical bytes and the signer's public key), every event of
// it with its inclusion proof, and the signed checkpoint they lead to. It shows that the log holds
// exactly what the submitter signed, at that place, under the log key's signatures.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "ledger/submission.h"
#include "tools/audit/proof_json.h"

namespace grantledger::audit {

// Limit: the largest receipt read (10,000 events of 64 KiB each would not fit; receipts of the
// commits the CLI and the service write are far smaller).
inline constexpr size_t kMaxReceiptBytes = 256u << 20;

// The receipt for `commits` (acknowledged by `ledger`, in order, contiguous or not), proved at
// the checkpoint at the end of the last one: the JSON document's text.
Result<std::string> make_receipt(Ledger& ledger, const std::vector<CommitInfo>& commits);

// Verifies a parsed receipt (format and type already checked) with the log key; with
// `submissions`, also that commit i holds exactly submission i as signed (same events, key,
// idempotency key, time and signature). findings when it does not verify.
Result<ProofVerification> verify_receipt(const nlohmann::json& receipt, const PublicKey& log_key,
                                         const std::optional<Checkpoint>& kept,
                                         const std::vector<Submission>* submissions);

// The fields a receipt carries; anything else is refused.
const std::vector<std::string>& receipt_keys();

}  // namespace grantledger::audit
