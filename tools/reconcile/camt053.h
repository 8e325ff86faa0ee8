// ISO 20022 camt.053 bank-to-customer statements (spec/RECONCILIATION.md, "camt.053"), versions
// camt.053.001.02 and later, parsed with libxml2: booked debit entries with booking and value
// date, amount and currency, end-to-end id and remittance references, and the creditor.
#pragma once

#include <string>
#include <string_view>

#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

// Parses `bytes` (the file `name`). Never fetches anything (no network, no DTD, no entity
// expansion). invalid_argument naming the file, the XML line and path and the reason for:
// malformed XML, a document that is not camt.053.001.02+, a currency other than DKK, an
// unparsable date or amount, a batched entry whose transactions do not sum to it, a duplicated
// entry reference, more than kMaxStatementEntries entries.
Result<Statement> parse_camt053_statement(std::string_view bytes, const std::string& name);

}  // namespace grantledger::reconcile
