// The stored form of an event's postings (spec/LOG.md, "Postings"): the `postings` column
// family maps an event index to the double-entry postings the rules derived from it.
//
// Encoding: u32 BE count, then per posting: u16 BE account length, account bytes, i64 BE amount.
#pragma once

#include <vector>

#include "ledger/bytes.h"
#include "ledger/ledger_state.h"
#include "ledger/status.h"

namespace grantledger {

Bytes encode_postings(const std::vector<Posting>& postings);
// corruption if the bytes are not a valid encoding.
Result<std::vector<Posting>> decode_postings(std::string_view bytes);

}  // namespace grantledger
