#include "tools/witness/cosignature.h"

#include <set>

namespace grantledger::witness {

std::string cosignature_message(std::string_view checkpoint_text, uint64_t timestamp_s) {
  return "cosignature/v1\ntime " + std::to_string(timestamp_s) + "\n" + std::string(checkpoint_text);
}

std::string Cosigner::cosign(std::string_view checkpoint_text, uint64_t timestamp_s) const {
  GL_ASSERT(timestamp_s > 0 && timestamp_s <= (uint64_t{1} << 63) - 1);
  const VerifierKey vkey = verifier_key();
  Bytes blob = u64_be(timestamp_s);
  blob += key.sign(cosignature_message(checkpoint_text, timestamp_s));
  return note_signature_line(name, vkey.key_id, blob);
}

Result<std::vector<VerifiedCosignature>> verify_cosignatures(std::string_view note, const std::vector<VerifierKey>& witnesses) {
  GL_ASSIGN_OR_RETURN(SignedNote parsed, parse_signed_note(note));
  std::vector<VerifiedCosignature> out;
  std::set<std::string> seen;
  for (const NoteSignature& sig : parsed.signatures) {
    for (const VerifierKey& w : witnesses) {
      if (w.type != kSigTypeCosignatureV1 || w.name != sig.name || w.key_id != sig.key_id) continue;
      const std::string why = "the cosignature of witness " + w.name + " does not verify";
      if (sig.signature.size() != 8 + kEd25519SignatureSize) return Status::corruption(why + " (wrong length)");
      const uint64_t t = get_u64_be(sig.signature);
      if (t > (uint64_t{1} << 63) - 1) return Status::corruption(why + " (timestamp above 2^63 - 1)");
      if (!w.key.verify(cosignature_message(parsed.text, t), std::string_view(sig.signature).substr(8)))
        return Status::corruption(why);
      if (seen.insert(w.name + "+" + std::to_string(w.key_id)).second) out.push_back({w.name, t, sig.line});
    }
  }
  return out;
}

Status check_quorum(std::string_view note, const std::vector<VerifierKey>& witnesses, size_t quorum, const std::string& what) {
  auto cosigned = verify_cosignatures(note, witnesses);
  if (!cosigned) return Status::findings(what + ": " + cosigned.error().message());
  if (cosigned->size() >= quorum) return Status::ok();
  std::string names;
  for (const auto& c : *cosigned) names += (names.empty() ? "" : ", ") + c.witness;
  return Status::findings(what + ": " + std::to_string(cosigned->size()) + " valid cosignature" +
                          (cosigned->size() == 1 ? "" : "s") + " from the given witnesses" +
                          (names.empty() ? "" : " (" + names + ")") + ", the quorum is " + std::to_string(quorum));
}

}  // namespace grantledger::witness
