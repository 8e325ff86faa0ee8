#include "tools/witness/witness_policy.h"

#include <set>

#include "tools/witness/cosignature.h"

namespace grantledger::witness {

Result<WitnessPolicy> witness_policy(const std::vector<std::string>& vkeys, std::optional<size_t> quorum) {
  WitnessPolicy policy;
  std::set<std::string> names;
  for (const std::string& v : vkeys) {
    auto key = parse_verifier_key(v, {kSigTypeCosignatureV1});
    if (!key) return Status::invalid_argument("--witness: " + key.error().message());
    if (!names.insert(key->name).second) return Status::invalid_argument("--witness " + key->name + ": given twice");
    policy.witnesses.push_back(*key);
  }
  if (quorum && policy.witnesses.empty()) return Status::invalid_argument("--quorum needs the witnesses: give --witness NAME+KEYID+KEY");
  policy.quorum = quorum.value_or(policy.witnesses.size());
  if (policy.quorum > policy.witnesses.size())
    return Status::invalid_argument("--quorum " + std::to_string(policy.quorum) + ": only " + std::to_string(policy.witnesses.size()) +
                                    " witnesses are given");
  return policy;
}

Status check_witnessed(const WitnessPolicy& policy, const std::vector<std::string>& notes, const std::string& what) {
  if (policy.quorum == 0) return Status::ok();
  if (notes.empty()) return Status::findings(what + ": no checkpoint to check the witnesses' cosignatures on");
  // One note with every signature line of the notes that share the first one's text.
  auto first = parse_signed_note(notes.front());
  if (!first) return Status::findings(what + ": " + first.error().message());
  std::string combined = first->text + "\n";
  std::set<std::string> lines;
  for (const std::string& n : notes) {
    auto parsed = parse_signed_note(n);
    if (!parsed || parsed->text != first->text) continue;
    for (const auto& sig : parsed->signatures)
      if (lines.insert(sig.line).second) combined += sig.line;
  }
  return check_quorum(combined, policy.witnesses, policy.quorum, what);
}

}  // namespace grantledger::witness
