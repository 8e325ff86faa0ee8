// Money: integer øre in an int64, never floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace grantledger {

// An amount in øre (1/100 krone). A distinct type so money is never a bare int passed around.
struct Ore {
  int64_t value = 0;
  friend bool operator==(Ore, Ore) = default;
  friend auto operator<=>(Ore, Ore) = default;
  // The opposite amount (the other leg of a posting, a reversal). REQUIRES: not INT64_MIN, which
  // no stored amount can be (spec/DOMAIN.md, "Amount limits").
  friend Ore operator-(Ore a) {
    GL_ASSERT(a.value != INT64_MIN);
    return Ore{-a.value};
  }
};

// The largest amount one field of an event may carry: 10^12 øre = 10.000.000.000,00 kr., far
// above any Danish grant scheme (spec/DOMAIN.md, "Amount limits"; refused with rule 41). With it,
// sums over millions of events fit in an int64.
inline constexpr int64_t kMaxAmountOre = 1'000'000'000'000;

// a + b, or nullopt on int64 overflow.
std::optional<Ore> checked_add(Ore a, Ore b);
std::optional<Ore> checked_sub(Ore a, Ore b);

// *sum += delta (or -= delta) for a sum over stored amounts: balances, projection totals, report
// rows and totals. The amount limit keeps such sums in range; one that would leave the int64 range
// is corruption naming `what`, and *sum is unchanged. Never a wrapped figure.
[[nodiscard]] Status add_to_sum(int64_t* sum, int64_t delta, std::string_view what);
[[nodiscard]] Status subtract_from_sum(int64_t* sum, int64_t delta, std::string_view what);
[[nodiscard]] Status add_to_sum(Ore* sum, Ore delta, std::string_view what);
[[nodiscard]] Status subtract_from_sum(Ore* sum, Ore delta, std::string_view what);

// "1.234.567,89 kr." style with Danish separators (tables, messages).
std::string format_kroner_da(Ore amount);
// "1.234.567,89": the same without the unit (table columns headed "kr.").
std::string format_amount_da(Ore amount);
// "1234567.89" (JSON, CSV, journals).
std::string format_kroner_plain(Ore amount);

}  // namespace grantledger
