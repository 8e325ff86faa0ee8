#include "projections/journal_key.h"

namespace grantledger::projections {

namespace {
uint32_t date_bits(int32_t d) { return static_cast<uint32_t>(d) ^ 0x80000000u; }  // order-preserving
}  // namespace

Bytes journal_account_prefix(std::string_view account) {
  Bytes k(account);
  k.push_back('\0');
  return k;
}

Bytes journal_key(std::string_view account, int32_t effective_date, uint64_t event_index) {
  Bytes k = journal_account_prefix(account);
  uint32_t d = date_bits(effective_date);
  for (int s = 24; s >= 0; s -= 8) k.push_back(static_cast<char>(d >> s));
  put_u64_be(&k, event_index);
  return k;
}

Bytes journal_value(Ore amount, uint64_t commit_sequence, uint8_t event_type) {
  Bytes v;
  put_u64_be(&v, static_cast<uint64_t>(amount.value));
  put_u64_be(&v, commit_sequence);
  v.push_back(static_cast<char>(event_type));
  return v;
}

bool decode_journal(std::string_view key, std::string_view value, JournalEntry* out) {
  size_t nul = key.find('\0');
  if (nul == std::string_view::npos || key.size() != nul + 1 + 4 + 8 || value.size() != 17) return false;
  out->account = std::string(key.substr(0, nul));
  uint32_t d = 0;
  for (size_t i = 0; i < 4; ++i) d = (d << 8) | static_cast<uint8_t>(key[nul + 1 + i]);
  out->effective_date = static_cast<int32_t>(d ^ 0x80000000u);
  out->event_index = get_u64_be(key.substr(nul + 5));
  out->amount_ore = Ore{static_cast<int64_t>(get_u64_be(value))};
  out->commit_sequence = get_u64_be(value.substr(8));
  out->event_type = static_cast<uint8_t>(value[16]);
  return true;
}

}  // namespace grantledger::projections
