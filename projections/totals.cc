#include "projections/totals.h"

#include "ledger/date.h"
#include "spec/events.capnp.h"

namespace grantledger::projections {

namespace {
constexpr std::string_view kReturnedSuffix = "#returned";
constexpr uint32_t kOrderBit = 0x80000000u;  // maps int32 order onto uint32 order
void put_u32_be(Bytes* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
uint32_t get_u32_be(std::string_view b) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}
}  // namespace

uint32_t month_bucket(int32_t day) {
  int year;
  unsigned month, d;
  civil_from_days(day, &year, &month, &d);
  return static_cast<uint32_t>(year) * 12 + (month - 1);
}

int32_t first_day_of_month_bucket(uint32_t month) {
  return days_from_civil(static_cast<int>(month / 12), month % 12 + 1, 1);
}

uint32_t day_bucket(int32_t day) { return static_cast<uint32_t>(day) ^ kOrderBit; }

Bytes totals_prefix(std::string_view measure, char granularity) {
  Bytes k(measure);
  k.push_back('\0');
  k.push_back(granularity);
  return k;
}

Bytes totals_bucket_prefix(std::string_view measure, char granularity, uint32_t bucket) {
  Bytes k = totals_prefix(measure, granularity);
  put_u32_be(&k, bucket);
  return k;
}

Bytes totals_key(std::string_view measure, char granularity, uint32_t bucket, uint64_t epoch) {
  Bytes k = totals_bucket_prefix(measure, granularity, bucket);
  put_u64_be(&k, ~epoch);
  return k;
}

Bytes totals_after_measure(std::string_view measure) {
  Bytes k(measure);
  k.push_back('\x01');
  return k;
}

bool decode_totals_key(std::string_view key, TotalsKey* out) {
  size_t nul = key.find('\0');
  if (nul == std::string_view::npos || key.size() != nul + 1 + 1 + 4 + 8) return false;
  out->measure = std::string(key.substr(0, nul));
  out->granularity = key[nul + 1];
  if (out->granularity != kGranularityDay && out->granularity != kGranularityMonth) return false;
  out->bucket = get_u32_be(key.substr(nul + 2));
  out->epoch = ~get_u64_be(key.substr(nul + 6));
  return true;
}

Bytes encode_totals_value(const TotalsValue& v) {
  Bytes b;
  put_u64_be(&b, static_cast<uint64_t>(v.sum_ore.value));
  put_u64_be(&b, static_cast<uint64_t>(v.count));
  return b;
}

bool decode_totals_value(std::string_view bytes, TotalsValue* out) {
  if (bytes.size() != 16) return false;
  out->sum_ore = Ore{static_cast<int64_t>(get_u64_be(bytes))};
  out->count = static_cast<int64_t>(get_u64_be(bytes.substr(8)));
  return true;
}

void for_each_measure(const Posting& posting, uint16_t event_type, int64_t count,
                      const std::function<void(const std::string&, Ore, int64_t)>& fn) {
  using Which = schema::Event::Body::Which;
  fn(posting.account, posting.amount, count);
  // What a closing programme takes back from its recipients, and a closing project from its grant.
  const bool programme_closed = event_type == static_cast<uint16_t>(Which::PROGRAMME_CLOSED);
  const bool project_closed = event_type == static_cast<uint16_t>(Which::PROJECT_CLOSED);
  if (!programme_closed && !project_closed) return;
  std::optional<Account> account = Account::parse(posting.account);
  if (account && account->kind() == (programme_closed ? Account::Kind::kAvailable : Account::Kind::kProjectAvailable))
    fn(posting.account + std::string(kReturnedSuffix), posting.amount, count);
}

std::optional<Measure> parse_measure(std::string_view measure) {
  // One reading only: a split's name is never an account's (its last word would be
  // "available#returned"), and the split reading needs an `available` account, so
  // "funding:X#returned" (programme "X#returned") stays an account.
  if (measure.ends_with(kReturnedSuffix)) {
    std::optional<Account> account = Account::parse(measure.substr(0, measure.size() - kReturnedSuffix.size()));
    if (account && (account->kind() == Account::Kind::kAvailable || account->kind() == Account::Kind::kProjectAvailable))
      return Measure{std::move(*account), true};
  }
  std::optional<Account> account = Account::parse(measure);
  if (!account) return std::nullopt;
  return Measure{std::move(*account), false};
}

}  // namespace grantledger::projections
