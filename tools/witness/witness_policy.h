// What a verifier demands of a checkpoint's witnesses (`verify-proof` and `audit` with
// `--witness NAME+KEYID+KEY ... --quorum N`, spec/WITNESS.md "Verifying cosignatures"): valid
// cosignatures of at least N distinct witnesses among the given ones. Lines of other keys are
// ignored; a line that claims a given witness's name and key ID but does not verify refuses the
// note (signed-note).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"
#include "tools/witness/signed_note.h"

namespace grantledger::witness {

struct WitnessPolicy {
  std::vector<VerifierKey> witnesses;
  size_t quorum = 0;  // 0: no witness is required
};

// From the flags. Without --quorum, every given witness is required. invalid_argument for a
// malformed vkey, a witness given twice, --quorum above the number of witnesses, or --quorum
// without any --witness.
Result<WitnessPolicy> witness_policy(const std::vector<std::string>& vkeys, std::optional<size_t> quorum);

// ok when the policy requires nothing, or when the cosignatures on `notes` (signed notes of the
// same checkpoint text, e.g. the one a proof carries and the one the auditor kept; notes of
// another text are not counted) come from at least `quorum` of the witnesses. findings
// otherwise, the message naming `what` and the count.
Status check_witnessed(const WitnessPolicy& policy, const std::vector<std::string>& notes, const std::string& what);

}  // namespace grantledger::witness
