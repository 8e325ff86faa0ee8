#include "ledger/money.h"

namespace grantledger {

std::optional<Ore> checked_add(Ore a, Ore b) {
  int64_t r;
  if (__builtin_add_overflow(a.value, b.value, &r)) return std::nullopt;
  return Ore{r};
}

std::optional<Ore> checked_sub(Ore a, Ore b) {
  int64_t r;
  if (__builtin_sub_overflow(a.value, b.value, &r)) return std::nullopt;
  return Ore{r};
}

namespace {
Status sum_overflow(std::string_view what) {
  return Status::corruption("the sum of " + std::string(what) +
                            " leaves the 64-bit range: the stored amounts exceed the limits of spec/DOMAIN.md, \"Amount limits\"");
}
}  // namespace

Status add_to_sum(int64_t* sum, int64_t delta, std::string_view what) {
  int64_t r;
  if (__builtin_add_overflow(*sum, delta, &r)) return sum_overflow(what);
  *sum = r;
  return Status::ok();
}

Status subtract_from_sum(int64_t* sum, int64_t delta, std::string_view what) {
  int64_t r;
  if (__builtin_sub_overflow(*sum, delta, &r)) return sum_overflow(what);
  *sum = r;
  return Status::ok();
}

Status add_to_sum(Ore* sum, Ore delta, std::string_view what) { return add_to_sum(&sum->value, delta.value, what); }

Status subtract_from_sum(Ore* sum, Ore delta, std::string_view what) {
  return subtract_from_sum(&sum->value, delta.value, what);
}

namespace {
// Magnitude as unsigned, correct for INT64_MIN too.
uint64_t magnitude(int64_t v) { return v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }

std::string format(Ore amount, char thousands, char decimal) {
  uint64_t m = magnitude(amount.value);
  std::string whole = std::to_string(m / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (thousands && i > 0 && (whole.size() - i) % 3 == 0) grouped += thousands;
    grouped += whole[i];
  }
  unsigned cents = static_cast<unsigned>(m % 100);
  std::string out = amount.value < 0 ? "-" : "";
  out += grouped;
  out += decimal;
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}
}  // namespace

std::string format_amount_da(Ore amount) { return format(amount, '.', ','); }
std::string format_kroner_da(Ore amount) { return format_amount_da(amount) + " kr."; }
std::string format_kroner_plain(Ore amount) { return format(amount, 0, '.'); }

}  // namespace grantledger
