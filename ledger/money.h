// Money: integer øre in an int64, never floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace grantledger {

// An amount in øre (1/100 krone). A distinct type so money is never a bare int passed around.
struct Ore {
  int64_t value = 0;
  friend bool operator==(Ore, Ore) = default;
  friend auto operator<=>(Ore, Ore) = default;
};

// a + b, or nullopt on int64 overflow.
std::optional<Ore> checked_add(Ore a, Ore b);
std::optional<Ore> checked_sub(Ore a, Ore b);

// "1.234.567,89 kr." style with Danish separators (tables, messages).
std::string format_kroner_da(Ore amount);
// "1.234.567,89": the same without the unit (table columns headed "kr.").
std::string format_amount_da(Ore amount);
// "1234567.89" (JSON, CSV, journals).
std::string format_kroner_plain(Ore amount);

}  // namespace grantledger
