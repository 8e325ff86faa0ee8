// Length-checked decoding of stored values and keys. Stored bytes are input, not invariants: a
// value of the wrong length is a damaged store, reported as corruption naming the family and the
// key ("proj_meta applied/balances: 5 bytes, not 8"), never an assertion that stops the process.
#pragma once

#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

// `key` as a person can read it: printable ASCII as is, other bytes as \xNN; 8-byte keys of the
// log's families are numbers and are better named by the caller.
std::string printable_stored_key(std::string_view key);

// A stored u64 BE value of exactly 8 bytes; corruption naming `family` and `key` otherwise.
Result<uint64_t> decode_stored_u64(std::string_view family, std::string_view key, std::string_view value);
// The same, read as a two's-complement i64 (balances, counters).
Result<int64_t> decode_stored_i64(std::string_view family, std::string_view key, std::string_view value);
// A stored key that is a u64 BE position (event index, sequence, tree size): exactly 8 bytes.
Result<uint64_t> decode_stored_position_key(std::string_view family, std::string_view key);

}  // namespace grantledger
