// The body of a C2SP tlog-witness add-checkpoint request (spec/WITNESS.md):
//   "old " <size> "\n"  (decimal, no leading zeros)
//   zero to 63 lines of base64 consistency proof hashes
//   "\n"
//   the signed checkpoint note
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger::witness {

inline constexpr size_t kMaxProofLines = 63;
// Limit: the largest request body a witness reads.
inline constexpr size_t kMaxAddCheckpointBytes = 64 * 1024;

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash32> proof;
  std::string note;  // the signed checkpoint, as sent
};

std::string encode_add_checkpoint(const AddCheckpointRequest& request);
// invalid_argument naming what is malformed (the witness answers 400).
Result<AddCheckpointRequest> parse_add_checkpoint(std::string_view body);

}  // namespace grantledger::witness
