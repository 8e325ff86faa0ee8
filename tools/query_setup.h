// Opening a ledger for queries (balance, history, projections, export): shared set-up.
#pragma once

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "projections/queries.h"

namespace grantledger::cli {

// Opens the ledger without a writer (no log key needed) and brings every projection up to the
// log's head, so queries answer for everything durable. conflict if another process holds it.
Result<std::unique_ptr<Ledger>> open_for_queries(const std::string& dir);

// --as-of YYYY-MM-DD and --known-at SEQ|TIME (either may be empty).
Result<projections::AsOf> parse_as_of(Ledger& ledger, const std::string& as_of, const std::string& known_at);

}  // namespace grantledger::cli
