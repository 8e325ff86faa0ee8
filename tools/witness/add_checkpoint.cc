#include "tools/witness/add_checkpoint.h"

#include "tools/witness/checkpoint_body.h"

namespace grantledger::witness {

std::string encode_add_checkpoint(const AddCheckpointRequest& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const Hash32& h : request.proof) out += to_base64(as_view(h)) + "\n";
  return out + "\n" + request.note;
}

Result<AddCheckpointRequest> parse_add_checkpoint(std::string_view body) {
  if (body.size() > kMaxAddCheckpointBytes)
    return Status::invalid_argument("add-checkpoint: the body is longer than " + std::to_string(kMaxAddCheckpointBytes) + " bytes");
  AddCheckpointRequest out;
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos || body.substr(0, 4) != "old " || !parse_tlog_decimal(body.substr(4, nl - 4), &out.old_size))
    return Status::invalid_argument("add-checkpoint: the first line is not \"old <size>\"");
  body.remove_prefix(nl + 1);
  while (true) {
    nl = body.find('\n');
    if (nl == std::string_view::npos) return Status::invalid_argument("add-checkpoint: no empty line before the checkpoint");
    const std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    if (line.empty()) break;
    if (out.proof.size() == kMaxProofLines)
      return Status::invalid_argument("add-checkpoint: more than " + std::to_string(kMaxProofLines) + " proof lines");
    auto hash = from_base64(line);
    if (!hash || hash->size() != 32) return Status::invalid_argument("add-checkpoint: a proof line is not base64 of 32 bytes");
    out.proof.push_back(to_hash32(*hash));
  }
  out.note = std::string(body);
  return out;
}

}  // namespace grantledger::witness
