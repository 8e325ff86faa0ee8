// The checkpoint origin a new ledger gets when none is given (spec/LOG.md, "Checkpoints").
#pragma once

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace grantledger {

inline constexpr std::string_view kDefaultOriginPrefix = "grantledger.local/";

// "grantledger.local/<label><16 random hex digits>": unique per ledger, so the checkpoints of two
// ledgers can never be confused. `label` (e.g. "demo-") names what made the ledger; it must be
// lower-case letters, digits and '-' only. io_error if the system has no randomness.
Result<std::string> random_origin(std::string_view label = "");

}  // namespace grantledger
