// Printing commits and events (spec/CLI.md, "log"): shared by `log` and `demo`.
#pragma once

#include <ostream>

#include "ledger/ledger.h"

namespace grantledger::cli {

inline constexpr uint64_t kMaxLogPageSize = 100000;

// Prints up to `limit` commits from `from` as a table or as JSON lines (one commit per line).
Status print_log(Ledger& ledger, uint64_t from, uint64_t limit, bool json, std::ostream& out);

}  // namespace grantledger::cli
