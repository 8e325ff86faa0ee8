// Reading and checking the fields of proof documents (spec/AUDIT.md, "Proof JSON"): shared by
// inclusion and consistency proofs and by receipts. A field that is missing or of the wrong type
// is invalid_argument naming it; a document that is well-formed but does not verify is findings.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/status.h"

namespace grantledger::audit::proof_fields {

using nlohmann::json;

inline json hex_list(const std::vector<Hash32>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(to_hex(h));
  return out;
}

// The checkpoint at a commit boundary; invalid_argument (the caller's size) when there is none.
inline Result<std::string> checkpoint_at(Ledger& ledger, uint64_t size) {
  auto note = ledger.checkpoint(size);
  if (!note && note.error().code() == StatusCode::kNotFound)
    return Status::invalid_argument("tree size " + std::to_string(size) +
                                    " is not a commit boundary (proofs refer to a signed checkpoint)");
  return note;
}

// Reads a field, turning a missing or mistyped one into invalid_argument naming it.
template <typename T>
inline Result<T> field(const json& j, const char* name) {
  if (!j.contains(name)) return Status::invalid_argument("proof: field " + std::string(name) + " is missing");
  if constexpr (std::is_integral_v<T>) {
    // A fraction, a float beyond the type or a negative number is not a position in a log (and
    // nlohmann's conversion of such a float is undefined behaviour).
    const json& v = j.at(name);
    const bool fits = v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
    if (!fits) return Status::invalid_argument("proof: field " + std::string(name) + " is not a non-negative integer");
  }
  try {
    return j.at(name).get<T>();
  } catch (const json::exception&) {
    return Status::invalid_argument("proof: field " + std::string(name) + " has the wrong type");
  }
}

inline Result<Hash32> hash_field(const json& j, const char* name) {
  GL_ASSIGN_OR_RETURN(std::string hex, field<std::string>(j, name));
  auto b = from_hex(hex);
  if (!b || b->size() != 32) return Status::invalid_argument("proof: field " + std::string(name) + " is not 64 hex digits");
  return to_hash32(*b);
}

inline Result<std::vector<Hash32>> hash_list(const json& j, const char* name) {
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
inline Result<Checkpoint> carried_checkpoint(const json& j, const char* name, const PublicKey& log_key, uint64_t size,
                                      const std::string& origin) {
  GL_ASSIGN_OR_RETURN(std::string note, field<std::string>(j, name));
  auto cp = verify_checkpoint(note, log_key);
  if (!cp) return Status::findings("proof: " + std::string(name) + " does not verify with the log key: " + cp.error().message());
  if (cp->tree_size != size || cp->origin != origin)
    return Status::findings("proof: " + std::string(name) + " is for " + cp->origin + " at tree size " +
                            std::to_string(cp->tree_size) + ", not " + origin + " at " + std::to_string(size));
  return std::move(cp).value();
}

// A checkpoint the auditor kept, when at `size`, must carry the same root there.
inline Status agree_with_kept(const std::optional<Checkpoint>& kept, uint64_t size, const Hash32& root) {
  if (!kept || kept->tree_size != size || kept->root == root) return Status::ok();
  return Status::findings("the log's root at tree size " + std::to_string(size) +
                          " differs from the checkpoint the auditor kept: the history was rewritten");
}

// A structural problem of a proof document: it does not verify (exit 1).
inline Status unbound(const Status& s) { return Status::findings(s.message()); }

inline Result<Bytes> hex_field(const json& j, const char* name) {
  GL_ASSIGN_OR_RETURN(std::string hex, field<std::string>(j, name));
  auto bytes = from_hex(hex);
  if (!bytes) return Status::invalid_argument("proof: field " + std::string(name) + " is not hex");
  return std::move(bytes).value();
}


}  // namespace grantledger::audit::proof_fields
