// Calendar dates as days since 1970-01-01 (proleptic Gregorian), and UTC timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace grantledger {

// The years a date field may name. Outside them a date is almost surely a typo.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2199;

int32_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(int32_t days, int* year, unsigned* month, unsigned* day);

// Parses "YYYY-MM-DD" exactly (real calendar day, year within [kMinYear, kMaxYear]).
Result<int32_t> parse_date(std::string_view text);
std::string format_date(int32_t days);

// Current UTC time in nanoseconds since the epoch.
int64_t now_utc_ns();
// "2026-11-22T20:32:01.123456789Z".
std::string format_timestamp_ns(int64_t ns);

}  // namespace grantledger
