// How the web page writes amounts and dates (spec/WEB.md, "Numbers and dates"): Danish by
// default, as its users write them ("1.563.832,73 kr.", "31.03.2013"), English on request
// ("DKK 1,563,832.73", "2013-03-31"). Amounts are integer øre throughout; nothing here rounds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace grantledger::web {

enum class Language { kDanish, kEnglish };

// "1.563.832,73 kr." / "-2.100,80 kr." (Danish), "DKK 1,563,832.73" (English). Exact for every
// int64 value, INT64_MIN included.
std::string format_money(int64_t ore, Language language);
// The amount only, without the unit: "1.563.832,73" / "1,563,832.73".
std::string format_amount(int64_t ore, Language language);
// A count with thousands separators: "11.676" / "11,676".
std::string format_count(int64_t n, Language language);
// "YYYY-MM-DD" -> "31.03.2013" (Danish) or unchanged (English); any other text is returned as is.
std::string format_date(std::string_view iso, Language language);

}  // namespace grantledger::web
