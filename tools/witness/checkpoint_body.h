// The text of a C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): origin line, tree size (decimal,
// no leading zeros), base64 root hash, then optional non-empty extension lines, each ending in
// "\n". A witness cosigns the whole text, extension lines included (spec/WITNESS.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger::witness {

struct CheckpointBody {
  std::string origin;
  uint64_t tree_size = 0;
  Hash32 root{};
  std::string text;  // the exact text, extension lines included
};

// invalid_argument naming the line that is not what the format says.
Result<CheckpointBody> parse_checkpoint_body(std::string_view text);

// Parses an unsigned decimal with no leading zeros ("0" for zero), at most 2^63 - 1.
bool parse_tlog_decimal(std::string_view text, uint64_t* out);

}  // namespace grantledger::witness
