#include "tools/witness/witness.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ledger/merkle.h"
#include "tools/witness/add_checkpoint.h"
#include "tools/witness/checkpoint_body.h"

namespace grantledger::witness {

namespace {

WitnessAnswer answer(int status, std::string body) {
  WitnessAnswer a;
  a.status = status;
  a.body = std::move(body);
  if (!a.body.empty() && a.body.back() != '\n') a.body += "\n";
  return a;
}

}  // namespace

Witness::Witness(Cosigner cosigner, std::vector<TrustedLog> logs, std::unique_ptr<WitnessStore> store)
    : cosigner_(std::move(cosigner)), store_(std::move(store)) {
  GL_ASSERT(!logs.empty());
  for (auto& log : logs) {
    GL_ASSERT(log.key.type == kSigTypeEd25519);
    logs_[log.origin].push_back(std::move(log.key));
  }
}

WitnessAnswer Witness::add_checkpoint(std::string_view body, uint64_t now_s) {
  auto request = parse_add_checkpoint(body);
  if (!request) return answer(400, request.error().message());
  auto note = parse_signed_note(request->note);
  if (!note) return answer(400, "checkpoint: " + note.error().message());
  auto checkpoint = parse_checkpoint_body(note->text);
  if (!checkpoint) return answer(400, checkpoint.error().message());
  auto log = logs_.find(checkpoint->origin);
  if (log == logs_.end()) return answer(404, "unknown log origin " + checkpoint->origin);

  // The log's signatures: lines of unknown keys are ignored; a line of a trusted key must verify.
  std::string log_lines;
  for (const NoteSignature& sig : note->signatures) {
    for (const VerifierKey& key : log->second) {
      if (sig.name != key.name || sig.key_id != key.key_id) continue;
      if (!key.key.verify(note->text, sig.signature))
        return answer(403, "the signature of log key " + key.name + " does not verify");
      log_lines += sig.line;
    }
  }
  if (log_lines.empty()) return answer(403, "no signature by a key this witness trusts for " + checkpoint->origin);
  const uint64_t old_size = request->old_size, size = checkpoint->tree_size;
  if (old_size > size)
    return answer(400, "old size " + std::to_string(old_size) + " is above the checkpoint's size " + std::to_string(size));

  std::lock_guard<std::mutex> lock(mu_);
  uint64_t stored_size = 0, stored_time_s = 0;
  Hash32 stored_root = merkle_empty_root();
  if (auto stored = store_->latest(checkpoint->origin)) {
    auto stored_note = parse_signed_note(*stored);
    auto stored_cp = stored_note ? parse_checkpoint_body(stored_note->text) : Result<CheckpointBody>(stored_note.error());
    if (!stored_cp) return answer(500, "the stored checkpoint of " + checkpoint->origin + " does not parse: " + stored_cp.error().message());
    stored_size = stored_cp->tree_size;
    stored_root = stored_cp->root;
    auto own = verify_cosignatures(*stored, {cosigner_.verifier_key()});
    if (own && !own->empty()) stored_time_s = own->front().timestamp_s;
  }
  if (old_size != stored_size) {
    WitnessAnswer a = answer(409, std::to_string(stored_size));
    a.content_type = kSizeContentType;
    return a;
  }
  // From here the log signed something; a refusal may be evidence of a log misbehaving.
  auto refuse = [&](const std::string& why) {
    spdlog::warn("witness: refused {} at size {} (old {}): {}", checkpoint->origin, size, old_size, why);
    return answer(422, why);
  };
  if (size == 0 && checkpoint->root != merkle_empty_root()) return refuse("a checkpoint of size 0 must have the empty tree's root");
  if (old_size == 0) {
    if (!request->proof.empty()) return refuse("the consistency proof from size 0 must be empty");
  } else if (old_size == size) {
    if (checkpoint->root != stored_root)
      return refuse("the root differs from the one this witness cosigned at size " + std::to_string(size));
    if (!request->proof.empty()) return refuse("the consistency proof between equal sizes must be empty");
  } else if (!merkle_verify_consistency(old_size, size, stored_root, checkpoint->root, request->proof)) {
    return refuse("the consistency proof from size " + std::to_string(old_size) + " does not verify");
  }
  // Never a timestamp before the last cosignature's (a clock stepped back): a later cosignature
  // always states the larger tree as of the later time.
  const std::string line = cosigner_.cosign(note->text, std::max(now_s, stored_time_s));
  Status recorded = store_->record(checkpoint->origin, note->text + "\n" + log_lines + line);
  if (!recorded.is_ok()) {
    spdlog::error("witness: {}", recorded.to_string());
    return answer(500, "the witness could not store its state; nothing was cosigned");
  }
  spdlog::info("witness: cosigned {} at size {} (old {})", checkpoint->origin, size, old_size);
  WitnessAnswer ok = answer(200, "");
  ok.body = line;
  return ok;
}

WitnessAnswer Witness::latest_checkpoint(std::string_view origin_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [origin, keys] : logs_) {
    if (WitnessStore::origin_hash(origin) != origin_hash) continue;
    auto note = store_->latest(origin);
    if (!note) break;
    WitnessAnswer a = answer(200, "");
    a.body = *note;
    return a;
  }
  return answer(404, "this witness has cosigned no checkpoint of that log");
}

}  // namespace grantledger::witness
