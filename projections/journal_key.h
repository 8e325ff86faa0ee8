// Keys and values of the journal projection (spec/PROJECTIONS.md, "journal").
//
// key   = account || 0x00 || (effective date + 2^31) as u32 BE || event index as u64 BE
// value = amount (i64 BE) || commit sequence (u64 BE) || event type (u8, the union ordinal)
// Ordered by account, then effective date, then log order: a prefix scan of one account up to a
// date is the account's history as of that date.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/money.h"

namespace grantledger::projections {

struct JournalEntry {
  std::string account;
  int32_t effective_date = 0;
  uint64_t event_index = 0;
  Ore amount_ore;
  uint64_t commit_sequence = 0;
  uint8_t event_type = 0;
};

Bytes journal_key(std::string_view account, int32_t effective_date, uint64_t event_index);
Bytes journal_value(Ore amount, uint64_t commit_sequence, uint8_t event_type);
// The prefix every key of `account` starts with.
Bytes journal_account_prefix(std::string_view account);
bool decode_journal(std::string_view key, std::string_view value, JournalEntry* out);

}  // namespace grantledger::projections
