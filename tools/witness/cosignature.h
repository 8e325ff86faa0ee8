// C2SP tlog-cosignature, Ed25519 (c2sp.org/tlog-cosignature; spec/WITNESS.md): a witness's note
// signature line on a checkpoint. Signed message:
//   "cosignature/v1\n" "time " <timestamp, decimal> "\n" <checkpoint text>
// Signature line: "\u2014 " <witness name> " " base64(key ID || u64 BE timestamp || Ed25519 signature)
// with key ID = SHA-256(name || "\n" || 0x04 || public key)[0:4].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/status.h"
#include "tools/witness/signed_note.h"

namespace grantledger::witness {

// The bytes a v1 cosignature signs.
std::string cosignature_message(std::string_view checkpoint_text, uint64_t timestamp_s);

// A witness's identity: its name (a schema-less URL) and Ed25519 key.
struct Cosigner {
  std::string name;
  PrivateKey key;

  VerifierKey verifier_key() const { return make_verifier_key(name, kSigTypeCosignatureV1, key.public_key()); }
  // The signature line of this witness on `checkpoint_text` at `timestamp_s` (> 0).
  std::string cosign(std::string_view checkpoint_text, uint64_t timestamp_s) const;
};

// A cosignature that verified: whose, and when it says it was made.
struct VerifiedCosignature {
  std::string witness;  // the vkey's name
  uint64_t timestamp_s = 0;
  std::string line;
};

// The cosignatures on `note` (a signed note of a checkpoint) by the witnesses in `witnesses`
// (type 0x04 vkeys): at most one per witness. Lines of other keys are ignored, as signed-note
// says. invalid_argument if the note is malformed; corruption if a line with a known witness's
// name and key ID does not verify (signed-note: reject the whole note).
Result<std::vector<VerifiedCosignature>> verify_cosignatures(std::string_view note, const std::vector<VerifierKey>& witnesses);

// ok if `note` carries valid cosignatures of at least `quorum` distinct witnesses of
// `witnesses`; findings otherwise, naming how many of which it has. `what` names the note in
// the message ("checkpoint at tree size 23").
Status check_quorum(std::string_view note, const std::vector<VerifierKey>& witnesses, size_t quorum, const std::string& what);

}  // namespace grantledger::witness
