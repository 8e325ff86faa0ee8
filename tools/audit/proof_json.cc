#include "tools/audit/proof_json.h"

#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/event_json.h"
#include "ledger/merkle.h"
#include "ledger/sha256.h"

namespace grantledger::audit {

namespace {

using nlohmann::json;

json hex_list(const std::vector<Hash32>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(to_hex(h));
  return out;
}

Result<uint64_t> latest_size(Ledger& ledger, std::optional<uint64_t> size) {
  if (size) return *size;
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  return head.tree_size;
}

// The checkpoint at a commit boundary; invalid_argument (the caller's size) when there is none.
Result<std::string> checkpoint_at(Ledger& ledger, uint64_t size) {
  auto note = ledger.checkpoint(size);
  if (!note && note.error().code() == StatusCode::kNotFound)
    return Status::invalid_argument("tree size " + std::to_string(size) +
                                    " is not a commit boundary (proofs refer to a signed checkpoint)");
  return note;
}

// Reads a field, turning a missing or mistyped one into invalid_argument naming it.
template <typename T>
Result<T> field(const json& j, const char* name) {
  if (!j.contains(name)) return Status::invalid_argument("proof: field " + std::string(name) + " is missing");
  try {
    return j.at(name).get<T>();
  } catch (const json::exception&) {
    return Status::invalid_argument("proof: field " + std::string(name) + " has the wrong type");
  }
}

Result<Hash32> hash_field(const json& j, const char* name) {
  GL_ASSIGN_OR_RETURN(std::string hex, field<std::string>(j, name));
  auto b = from_hex(hex);
  if (!b || b->size() != 32) return Status::invalid_argument("proof: field " + std::string(name) + " is not 64 hex digits");
  return to_hash32(*b);
}

Result<std::vector<Hash32>> hash_list(const json& j, const char* name) {
  if (!j.contains(name) || !j.at(name).is_array())
    return Status::invalid_argument("proof: field " + std::string(name) + " is not a list");
  if (j.at(name).size() > 128) return Status::invalid_argument("proof: field " + std::string(name) + " has too many hashes");
  std::vector<Hash32> out;
  for (const auto& h : j.at(name)) {
    auto b = h.is_string() ? from_hex(h.get<std::string>()) : std::nullopt;
    if (!b || b->size() != 32) return Status::invalid_argument("proof: field " + std::string(name) + " holds a non-hash");
    out.push_back(to_hash32(*b));
  }
  return out;
}

// A carried checkpoint: verified with the log key (findings if not), its size must be `size`.
Result<Checkpoint> carried_checkpoint(const json& j, const char* name, const PublicKey& log_key, uint64_t size,
                                      const std::string& origin) {
  GL_ASSIGN_OR_RETURN(std::string note, field<std::string>(j, name));
  auto cp = verify_checkpoint(note, log_key);
  if (!cp) return Status::findings("proof: " + std::string(name) + " does not verify with the log key: " + cp.error().message());
  if (cp->tree_size != size || cp->origin != origin)
    return Status::findings("proof: " + std::string(name) + " is for " + cp->origin + " at tree size " +
                            std::to_string(cp->tree_size) + ", not " + origin + " at " + std::to_string(size));
  return std::move(cp).value();
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
  GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(event));
  Sha256 sha;
  return json{{"format", kProofFormat},
              {"type", "inclusion"},
              {"origin", ledger.origin()},
              {"event_index", index},
              {"commit_sequence", seq},
              {"tree_size", size},
              {"leaf_hash", to_hex(merkle_leaf_hash(sha, event))},
              {"event_bytes", to_hex(event)},
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

Result<ProofVerification> verify_proof(const std::string& document, const PublicKey& log_key,
                                       const std::optional<std::string>& kept_checkpoint) {
  if (document.size() > kMaxProofBytes)
    return Status::invalid_argument("proof: larger than " + std::to_string(kMaxProofBytes) + " bytes");
  json j = json::parse(document, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::invalid_argument("proof: not a JSON object");
  GL_ASSIGN_OR_RETURN(std::string format, field<std::string>(j, "format"));
  if (format != kProofFormat) return Status::invalid_argument("proof: format \"" + format + "\" is not " + kProofFormat);
  GL_ASSIGN_OR_RETURN(std::string type, field<std::string>(j, "type"));
  GL_ASSIGN_OR_RETURN(std::string origin, field<std::string>(j, "origin"));

  std::optional<Checkpoint> kept;
  if (kept_checkpoint) {
    auto cp = verify_checkpoint(*kept_checkpoint, log_key);
    if (!cp) return Status::findings("the kept checkpoint does not verify with the log key: " + cp.error().message());
    kept = *cp;
  }
  // The kept checkpoint, when at one of the proof's sizes, must have the same root there.
  auto agree_with_kept = [&](uint64_t size, const Hash32& root) -> Status {
    if (!kept || kept->tree_size != size) return Status::ok();
    if (kept->root != root)
      return Status::findings("the log's root at tree size " + std::to_string(size) +
                              " differs from the checkpoint the auditor kept: the history was rewritten");
    return Status::ok();
  };

  ProofVerification out;
  out.type = type;
  if (type == "inclusion") {
    GL_ASSIGN_OR_RETURN(uint64_t index, field<uint64_t>(j, "event_index"));
    GL_ASSIGN_OR_RETURN(uint64_t size, field<uint64_t>(j, "tree_size"));
    GL_ASSIGN_OR_RETURN(Hash32 leaf, hash_field(j, "leaf_hash"));
    GL_ASSIGN_OR_RETURN(std::vector<Hash32> path, hash_list(j, "audit_path"));
    if (index >= size) return Status::invalid_argument("proof: event_index is not below tree_size");
    GL_ASSIGN_OR_RETURN(Checkpoint cp, carried_checkpoint(j, "checkpoint", log_key, size, origin));
    if (j.contains("event_bytes")) {
      GL_ASSIGN_OR_RETURN(std::string hex, field<std::string>(j, "event_bytes"));
      auto bytes = from_hex(hex);
      if (!bytes) return Status::invalid_argument("proof: event_bytes is not hex");
      Sha256 sha;
      if (merkle_leaf_hash(sha, *bytes) != leaf) return Status::findings("proof: event_bytes do not hash to leaf_hash");
    }
    if (!merkle_verify_inclusion(index, size, leaf, path, cp.root))
      return Status::findings("proof: the audit path of event " + std::to_string(index) +
                              " does not lead to the checkpoint's root at tree size " + std::to_string(size));
    if (kept && kept->tree_size > size)
      return Status::invalid_argument("the kept checkpoint (tree size " + std::to_string(kept->tree_size) +
                                      ") is newer than the proof's; ask for a proof at that size");
    GL_RETURN_IF_ERROR(agree_with_kept(size, cp.root));
    out.summary = "event " + std::to_string(index) + " (leaf " + to_hex(leaf).substr(0, 16) + ") is in the log " + origin +
                  " at tree size " + std::to_string(size) + ", root " + to_hex(cp.root);
    return out;
  }
  if (type == "consistency") {
    GL_ASSIGN_OR_RETURN(uint64_t from, field<uint64_t>(j, "from_tree_size"));
    GL_ASSIGN_OR_RETURN(uint64_t to, field<uint64_t>(j, "to_tree_size"));
    GL_ASSIGN_OR_RETURN(std::vector<Hash32> proof, hash_list(j, "proof"));
    if (from > to) return Status::invalid_argument("proof: from_tree_size is after to_tree_size");
    GL_ASSIGN_OR_RETURN(Checkpoint from_cp, carried_checkpoint(j, "from_checkpoint", log_key, from, origin));
    GL_ASSIGN_OR_RETURN(Checkpoint to_cp, carried_checkpoint(j, "to_checkpoint", log_key, to, origin));
    if (!merkle_verify_consistency(from, to, from_cp.root, to_cp.root, proof))
      return Status::findings("proof: the tree at size " + std::to_string(to) + " is not an extension of the tree at size " +
                              std::to_string(from));
    if (kept && kept->tree_size != from && kept->tree_size != to)
      return Status::invalid_argument("the kept checkpoint is at tree size " + std::to_string(kept->tree_size) +
                                      "; ask for a proof --from " + std::to_string(kept->tree_size));
    GL_RETURN_IF_ERROR(agree_with_kept(from, from_cp.root));
    GL_RETURN_IF_ERROR(agree_with_kept(to, to_cp.root));
    out.summary = "the log " + origin + " at tree size " + std::to_string(to) + " (root " + to_hex(to_cp.root) +
                  ") extends tree size " + std::to_string(from) + " (root " + to_hex(from_cp.root) + ")";
    return out;
  }
  return Status::invalid_argument("proof: type \"" + type + "\" is neither inclusion nor consistency");
}

}  // namespace grantledger::audit
