#include "tools/audit/proof_json.h"
#include "tools/audit/proof_fields.h"
#include "tools/audit/receipt.h"

#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/event_json.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"
#include "ledger/strict_json.h"

#include <algorithm>
#include <type_traits>

namespace grantledger::audit {

using nlohmann::json;
using namespace proof_fields;

namespace {

Result<uint64_t> latest_size(Ledger& ledger, std::optional<uint64_t> size) {
  if (size) return *size;
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  return head.tree_size;
}

}  // namespace

Result<json> make_inclusion_proof(Ledger& ledger, uint64_t index, std::optional<uint64_t> tree_size) {
  GL_ASSIGN_OR_RETURN(uint64_t size, latest_size(ledger, tree_size));
  if (index >= size)
    return Status::invalid_argument("event " + std::to_string(index) + " is not in the tree of " + std::to_string(size) + " events");
  GL_ASSIGN_OR_RETURN(std::string note, checkpoint_at(ledger, size));
  GL_ASSIGN_OR_RETURN(std::vector<Hash32> path, ledger.inclusion_proof(index, size));
  GL_ASSIGN_OR_RETURN(Bytes event, ledger.event(index));
  GL_ASSIGN_OR_RETURN(uint64_t seq, ledger.commit_of_event(index));
  GL_ASSIGN_OR_RETURN(CommitRecord commit, ledger.commit(seq));
  GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(event));
  Sha256 sha;
  const Hash32 leaf = merkle_leaf_hash(sha, event);
  // What the proof presents must be what the ledger holds: a stored event that no longer hashes
  // to its commit's leaf hash is corruption, never a proof.
  if (index < commit.info.first_event_index || index - commit.info.first_event_index >= commit.event_hashes.size() ||
      commit.event_hashes[index - commit.info.first_event_index] != leaf)
    return Status::corruption("event " + std::to_string(index) + " does not match the leaf hash in commit " + std::to_string(seq));
  return json{{"format", kProofFormat},
              {"type", "inclusion"},
              {"origin", ledger.origin()},
              {"event_index", index},
              {"commit_sequence", seq},
              {"tree_size", size},
              {"leaf_hash", to_hex(leaf)},
              {"event_bytes", to_hex(event)},
              {"commit", to_hex(commit.bytes)},
              {"event", event_to_json(msg.root<schema::Event>())},
              {"audit_path", hex_list(path)},
              {"checkpoint", note}};
}

Result<json> make_consistency_proof(Ledger& ledger, uint64_t from_size, std::optional<uint64_t> to_size) {
  GL_ASSIGN_OR_RETURN(uint64_t to, latest_size(ledger, to_size));
  if (from_size > to)
    return Status::invalid_argument("--from " + std::to_string(from_size) + " is after --to " + std::to_string(to));
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  if (to > head.tree_size)
    return Status::invalid_argument("tree size " + std::to_string(to) + " is beyond the log's " + std::to_string(head.tree_size) + " events");
  GL_ASSIGN_OR_RETURN(std::string from_note, checkpoint_at(ledger, from_size));
  GL_ASSIGN_OR_RETURN(std::string to_note, checkpoint_at(ledger, to));
  GL_ASSIGN_OR_RETURN(std::vector<Hash32> proof, ledger.consistency_proof(from_size, to));
  GL_ASSIGN_OR_RETURN(Hash32 from_root, ledger.root(from_size));
  GL_ASSIGN_OR_RETURN(Hash32 to_root, ledger.root(to));
  return json{{"format", kProofFormat},
              {"type", "consistency"},
              {"origin", ledger.origin()},
              {"from_tree_size", from_size},
              {"to_tree_size", to},
              {"from_root", to_hex(from_root)},
              {"to_root", to_hex(to_root)},
              {"proof", hex_list(proof)},
              {"from_checkpoint", from_note},
              {"to_checkpoint", to_note}};
}

namespace {

// Every key a proof of `type` carries; anything else is refused, so no field is shown unverified.
const std::vector<std::string>& proof_keys(const std::string& type) {
  static const std::vector<std::string> inclusion = {"format", "type", "origin", "event_index", "commit_sequence",
                                                     "tree_size", "leaf_hash", "event_bytes", "commit", "event",
                                                     "audit_path", "checkpoint"};
  static const std::vector<std::string> consistency = {"format", "type", "origin", "from_tree_size", "to_tree_size",
                                                       "from_root", "to_root", "proof", "from_checkpoint", "to_checkpoint"};
  return type == "inclusion" ? inclusion : consistency;
}

// Inclusion: the event's bytes hash to the leaf, the leaf is in the commit the proof names, the
// JSON shown is derived from those bytes, and the audit path leads to the signed root.
Result<ProofVerification> verify_inclusion(const json& j, const PublicKey& log_key, const std::string& origin,
                                           const std::optional<Checkpoint>& kept) {
  GL_ASSIGN_OR_RETURN(uint64_t index, field<uint64_t>(j, "event_index"));
  GL_ASSIGN_OR_RETURN(uint64_t size, field<uint64_t>(j, "tree_size"));
  GL_ASSIGN_OR_RETURN(uint64_t sequence, field<uint64_t>(j, "commit_sequence"));
  GL_ASSIGN_OR_RETURN(Hash32 leaf, hash_field(j, "leaf_hash"));
  GL_ASSIGN_OR_RETURN(std::vector<Hash32> path, hash_list(j, "audit_path"));
  GL_ASSIGN_OR_RETURN(Bytes event_bytes, hex_field(j, "event_bytes"));
  GL_ASSIGN_OR_RETURN(Bytes commit_bytes, hex_field(j, "commit"));
  if (index >= size) return Status::findings("proof: event_index is not below tree_size");
  GL_ASSIGN_OR_RETURN(Checkpoint cp, carried_checkpoint(j, "checkpoint", log_key, size, origin));

  Sha256 sha;
  if (merkle_leaf_hash(sha, event_bytes) != leaf) return Status::findings("proof: event_bytes do not hash to leaf_hash");
  if (!merkle_verify_inclusion(index, size, leaf, path, cp.root))
    return Status::findings("proof: the audit path of event " + std::to_string(index) +
                            " does not lead to the checkpoint's root at tree size " + std::to_string(size));
  auto event = DecodedMessage::decode(event_bytes);
  if (!event) return Status::findings("proof: event_bytes are not a canonical event: " + event.error().message());
  if (event_to_json(event->root<schema::Event>()) != j.at("event"))
    return Status::findings("proof: the event shown differs from the event whose bytes were verified");
  auto commit = decode_commit(commit_bytes);
  if (!commit) return Status::findings("proof: commit is not a canonical commit: " + commit.error().message());
  const CommitInfo& c = commit->info;
  if (c.sequence != sequence || commit->origin != origin)
    return Status::findings("proof: commit is commit " + std::to_string(c.sequence) + " of " + commit->origin +
                            ", not commit_sequence " + std::to_string(sequence) + " of " + origin);
  if (index < c.first_event_index || index - c.first_event_index >= commit->event_hashes.size() ||
      c.first_event_index + c.event_count > size || commit->event_hashes[index - c.first_event_index] != leaf)
    return Status::findings("proof: commit " + std::to_string(sequence) + " does not hold event " + std::to_string(index) +
                            " with this leaf hash inside tree size " + std::to_string(size));
  if (kept && kept->tree_size > size)
    return Status::invalid_argument("the kept checkpoint (tree size " + std::to_string(kept->tree_size) +
                                    ") is newer than the proof's; ask for a proof at that size");
  GL_RETURN_IF_ERROR(agree_with_kept(kept, size, cp.root));
  ProofVerification out;
  out.type = "inclusion";
  out.summary = "event " + std::to_string(index) + " (leaf " + to_hex(leaf).substr(0, 16) + ", commit " +
                std::to_string(sequence) + " by key " + to_hex(c.signer_key_id).substr(0, 16) + ") is in the log " +
                origin + " at tree size " + std::to_string(size) + ", root " + to_hex(cp.root);
  return out;
}

Result<ProofVerification> verify_consistency(const json& j, const PublicKey& log_key, const std::string& origin,
                                             const std::optional<Checkpoint>& kept) {
  GL_ASSIGN_OR_RETURN(uint64_t from, field<uint64_t>(j, "from_tree_size"));
  GL_ASSIGN_OR_RETURN(uint64_t to, field<uint64_t>(j, "to_tree_size"));
  GL_ASSIGN_OR_RETURN(Hash32 from_root, hash_field(j, "from_root"));
  GL_ASSIGN_OR_RETURN(Hash32 to_root, hash_field(j, "to_root"));
  GL_ASSIGN_OR_RETURN(std::vector<Hash32> proof, hash_list(j, "proof"));
  if (from > to) return Status::findings("proof: from_tree_size is after to_tree_size");
  GL_ASSIGN_OR_RETURN(Checkpoint from_cp, carried_checkpoint(j, "from_checkpoint", log_key, from, origin));
  GL_ASSIGN_OR_RETURN(Checkpoint to_cp, carried_checkpoint(j, "to_checkpoint", log_key, to, origin));
  if (from_root != from_cp.root || to_root != to_cp.root)
    return Status::findings("proof: from_root or to_root differs from the root its signed checkpoint carries");
  if (!merkle_verify_consistency(from, to, from_cp.root, to_cp.root, proof))
    return Status::findings("proof: the tree at size " + std::to_string(to) + " is not an extension of the tree at size " +
                            std::to_string(from));
  if (kept && kept->tree_size != from && kept->tree_size != to)
    return Status::invalid_argument("the kept checkpoint is at tree size " + std::to_string(kept->tree_size) +
                                    "; ask for a proof --from " + std::to_string(kept->tree_size));
  GL_RETURN_IF_ERROR(agree_with_kept(kept, from, from_cp.root));
  GL_RETURN_IF_ERROR(agree_with_kept(kept, to, to_cp.root));
  ProofVerification out;
  out.type = "consistency";
  out.summary = "the log " + origin + " at tree size " + std::to_string(to) + " (root " + to_hex(to_cp.root) +
                ") extends tree size " + std::to_string(from) + " (root " + to_hex(from_cp.root) + ")";
  return out;
}

}  // namespace

Result<ProofVerification> verify_proof(const std::string& document, const PublicKey& log_key,
                                       const std::optional<std::string>& kept_checkpoint,
                                       const std::vector<Submission>* submissions) {
  if (document.size() > kMaxReceiptBytes)
    return Status::invalid_argument("proof: larger than " + std::to_string(kMaxReceiptBytes) + " bytes");
  // Not JSON at all: bad input (2). JSON that is not exactly a proof: it does not verify (1).
  json lenient = json::parse(document, nullptr, false);
  if (lenient.is_discarded() || !lenient.is_object()) return Status::invalid_argument("proof: not a JSON object");
  auto parsed = parse_strict_json(document);
  if (!parsed) return unbound(parsed.error().with_context("proof: "));
  const json& j = *parsed;
  GL_ASSIGN_OR_RETURN(std::string format, field<std::string>(j, "format"));
  if (format != kProofFormat) return Status::invalid_argument("proof: format \"" + format + "\" is not " + kProofFormat);
  GL_ASSIGN_OR_RETURN(std::string type, field<std::string>(j, "type"));
  if (type != "inclusion" && type != "consistency" && type != "receipt")
    return Status::invalid_argument("proof: type \"" + type + "\" is not inclusion, consistency or receipt");
  if (type != "receipt" && document.size() > kMaxProofBytes)
    return Status::invalid_argument("proof: larger than " + std::to_string(kMaxProofBytes) + " bytes");
  if (submissions && type != "receipt")
    return Status::invalid_argument("proof: a submission file is checked against a receipt, not a " + type + " proof");
  const auto& keys = type == "receipt" ? receipt_keys() : proof_keys(type);
  for (const auto& [key, value] : j.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      return Status::findings("proof: field " + key + " is not part of a " + type + " proof (nothing unverified is shown)");
  for (const auto& key : keys)
    if (!j.contains(key)) return Status::findings("proof: field " + key + " is missing");
  auto origin = field<std::string>(j, "origin");
  if (!origin) return unbound(origin.error());

  std::optional<Checkpoint> kept;
  if (kept_checkpoint) {
    auto cp = verify_checkpoint(*kept_checkpoint, log_key);
    if (!cp) return Status::findings("the kept checkpoint does not verify with the log key: " + cp.error().message());
    kept = *cp;
  }
  auto verified = type == "inclusion"     ? verify_inclusion(j, log_key, *origin, kept)
                  : type == "consistency" ? verify_consistency(j, log_key, *origin, kept)
                                          : verify_receipt(j, log_key, kept, submissions);
  // A field of the wrong type or shape is a proof that does not verify (1); a kept checkpoint at
  // the wrong size stays the caller's mistake (2).
  if (!verified && verified.error().message().rfind("the kept checkpoint", 0) != 0) return unbound(verified.error());
  return verified;
}

}  // namespace grantledger::audit
