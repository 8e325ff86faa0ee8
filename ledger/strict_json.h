// Strict JSON for everything a user hands us (event lines, proofs): one value per key, numbers a
// double can hold, and errors that name the field (spec/JSON.md, "Strictness").
//
// nlohmann::json alone keeps the last of two equal keys and throws out_of_range on a number such
// as 1e400; both are turned into invalid_argument here, so no input can store a value the user
// did not see or end the process.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "ledger/status.h"

namespace grantledger {

// Parses one JSON document. invalid_argument (naming the field where there is one) for malformed
// JSON, a key that appears twice in one object, or a number outside a double's range.
Result<nlohmann::json> parse_strict_json(std::string_view text);

}  // namespace grantledger
