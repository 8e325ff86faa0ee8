// Exporting every posting for independent tools (spec/PROJECTIONS.md, "Export").
//
//   ledger  a plain-text accounting journal that hledger and ledger-cli read as-is: one
//           transaction per financial event, dated by its effective date, code = event index,
//           description = event type, a "commit:" tag; amounts "1234567.89 DKK"
//   csv     event,commit,date,type,account,amount,amount_ore (one row per posting)
//
// Read from the log (events and their stored postings) in log order, from one snapshot, so the
// journal's balances equal the balances projection exactly.
#pragma once

#include <ostream>

#include "ledger/ledger.h"

namespace grantledger::projections {

enum class ExportFormat { kLedger, kCsv };

struct ExportSummary {
  uint64_t transactions = 0;
  uint64_t postings = 0;
};

Result<ExportSummary> export_postings(Ledger& ledger, ExportFormat format, std::ostream& out);

}  // namespace grantledger::projections
