#include "tools/audit/receipt.h"

#include "ledger/merkle.h"
#include "ledger/sha256.h"
#include "tools/audit/proof_fields.h"

namespace grantledger::audit {

using nlohmann::json;
using namespace proof_fields;

const std::vector<std::string>& receipt_keys() {
  static const std::vector<std::string> keys = {"format", "type", "origin", "tree_size", "commits", "checkpoint"};
  return keys;
}

Result<std::string> make_receipt(Ledger& ledger, const std::vector<CommitInfo>& commits) {
  if (commits.empty()) return Status::invalid_argument("a receipt needs at least one commit");
  const CommitInfo& last = commits.back();
  const uint64_t size = last.first_event_index + last.event_count;
  GL_ASSIGN_OR_RETURN(std::string note, checkpoint_at(ledger, size));
  // Written directly rather than through a JSON tree: a 1,000-event receipt is about 1 MB of hex,
  // and building and dumping the tree cost as much as the append itself.
  std::string out = "{\"format\":" + json(kProofFormat).dump() + ",\"type\":\"receipt\",\"origin\":" +
                    json(ledger.origin()).dump() + ",\"tree_size\":" + std::to_string(size) + ",\"commits\":[";
  for (size_t n = 0; n < commits.size(); ++n) {
    GL_ASSIGN_OR_RETURN(CommitRecord c, ledger.commit(commits[n].sequence));
    GL_ASSIGN_OR_RETURN(std::optional<KeyState> signer, ledger.registered_key(c.info.signer_key_id));
    if (!signer) return Status::corruption("commit " + std::to_string(c.info.sequence) + ": its signer's key is not registered");
    GL_ASSIGN_OR_RETURN(auto paths, ledger.inclusion_proofs(c.info.first_event_index, c.info.event_count, size));
    GL_ASSIGN_OR_RETURN(std::vector<Bytes> stored, ledger.events_of(c));
    out += n ? ",{" : "{";
    out += "\"commit\":\"" + to_hex(c.bytes) + "\",\"signer_public_key\":\"" + to_hex(signer->public_key) + "\",\"events\":[";
    for (uint32_t i = 0; i < c.info.event_count; ++i) {
      out += i ? ",{\"event_bytes\":\"" : "{\"event_bytes\":\"";
      out += to_hex(stored[i]);
      out += "\",\"audit_path\":[";
      for (size_t k = 0; k < paths[i].size(); ++k) {
        out += k ? ",\"" : "\"";
        out += to_hex(paths[i][k]);
        out += '"';
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "],\"checkpoint\":" + json(note).dump() + "}";
  return out;
}

Result<ProofVerification> verify_receipt(const json& j, const PublicKey& log_key, const std::optional<Checkpoint>& kept,
                                         const std::vector<Submission>* submissions) {
  GL_ASSIGN_OR_RETURN(std::string origin, field<std::string>(j, "origin"));
  GL_ASSIGN_OR_RETURN(uint64_t size, field<uint64_t>(j, "tree_size"));
  GL_ASSIGN_OR_RETURN(Checkpoint cp, carried_checkpoint(j, "checkpoint", log_key, size, origin));
  if (!j.at("commits").is_array() || j.at("commits").empty())
    return Status::findings("receipt: commits is not a non-empty list");
  const json& commits = j.at("commits");
  if (submissions && submissions->size() != commits.size())
    return Status::findings("receipt: it holds " + std::to_string(commits.size()) + " commits, the submission file " +
                            std::to_string(submissions->size()) + " submissions");
  Sha256 sha;
  uint64_t events_checked = 0;
  std::string sequences;
  for (size_t n = 0; n < commits.size(); ++n) {
    const json& jc = commits[n];
    const std::string where = "receipt: commit " + std::to_string(n + 1) + ": ";
    if (!jc.is_object() || jc.size() != 3 || !jc.contains("commit") || !jc.contains("signer_public_key") ||
        !jc.contains("events") || !jc.at("events").is_array())
      return Status::findings(where + "not an object of commit, signer_public_key and events");
    GL_ASSIGN_OR_RETURN(Bytes commit_bytes, hex_field(jc, "commit"));
    GL_ASSIGN_OR_RETURN(Bytes signer_raw, hex_field(jc, "signer_public_key"));
    auto commit = decode_commit(commit_bytes);
    if (!commit) return Status::findings(where + "not a canonical commit: " + commit.error().message());
    const CommitRecord& c = *commit;
    if (c.origin != origin) return Status::findings(where + "it is a commit of " + c.origin + ", not of " + origin);
    if (c.format_version != kCommitFormatV2)
      return Status::findings(where + "a v1 commit carries no submitter's signature; a receipt holds v2 commits");
    auto signer = PublicKey::from_raw(signer_raw);
    if (!signer) return Status::findings(where + "signer_public_key is not an Ed25519 public key");
    Status signatures = verify_commit_signatures(c, *signer, log_key);
    if (!signatures.is_ok()) return Status::findings("receipt: " + signatures.message());
    const json& events = jc.at("events");
    if (events.size() != c.info.event_count || c.info.first_event_index + c.info.event_count > size)
      return Status::findings(where + "it shows " + std::to_string(events.size()) + " events of a commit of " +
                              std::to_string(c.info.event_count) + ", or the commit ends beyond tree size " +
                              std::to_string(size));
    for (uint32_t i = 0; i < c.info.event_count; ++i) {
      const json& je = events[i];
      const uint64_t index = c.info.first_event_index + i;
      if (!je.is_object() || je.size() != 2)
        return Status::findings(where + "event " + std::to_string(index) + " is not an object of event_bytes and audit_path");
      GL_ASSIGN_OR_RETURN(Bytes event, hex_field(je, "event_bytes"));
      GL_ASSIGN_OR_RETURN(std::vector<Hash32> path, hash_list(je, "audit_path"));
      const Hash32 leaf = merkle_leaf_hash(sha, event);
      if (leaf != c.event_hashes[i])
        return Status::findings(where + "event " + std::to_string(index) + " is not the event the commit signed");
      if (!merkle_verify_inclusion(index, size, leaf, path, cp.root))
        return Status::findings(where + "the audit path of event " + std::to_string(index) +
                                " does not lead to the checkpoint's root at tree size " + std::to_string(size));
      ++events_checked;
    }
    if (submissions) {
      const Submission& s = (*submissions)[n];
      if (s.origin != c.origin || s.idempotency_key != c.info.idempotency_key ||
          s.signed_by.signer_key_id != c.info.signer_key_id || s.signed_by.created_at_ns != c.submission_created_at_ns ||
          s.signed_by.signature != c.submission_signature || s.event_hashes != c.event_hashes)
        return Status::findings(where + "commit " + std::to_string(c.info.sequence) + " does not hold submission " +
                                std::to_string(n + 1) + " of the file exactly as it was signed");
    }
    if (!sequences.empty()) sequences += ",";
    sequences += std::to_string(c.info.sequence);
  }
  if (kept && kept->tree_size > size)
    return Status::invalid_argument("the kept checkpoint (tree size " + std::to_string(kept->tree_size) +
                                    ") is newer than the receipt's; ask for a consistency proof from tree size " +
                                    std::to_string(size));
  GL_RETURN_IF_ERROR(agree_with_kept(kept, size, cp.root));
  ProofVerification out;
  out.type = "receipt";
  out.summary = "commits " + sequences + " (" + std::to_string(events_checked) + " events, signed by their submitters" +
                (submissions ? ", exactly as in the submission file" : "") + ") are in the log " + origin +
                " at tree size " + std::to_string(size) + ", root " + to_hex(cp.root);
  return out;
}

}  // namespace grantledger::audit
