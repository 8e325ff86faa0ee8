#include "tools/web/number_format.h"

namespace grantledger::web {

namespace {

// The digits of |n| (as unsigned, so INT64_MIN has a magnitude) grouped by three with `sep`.
std::string grouped(uint64_t magnitude, char sep) {
  std::string digits = std::to_string(magnitude);
  std::string out;
  const size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (size_t i = first; i < digits.size(); i += 3) {
    out.push_back(sep);
    out.append(digits, i, 3);
  }
  return out;
}

uint64_t magnitude_of(int64_t n) { return n < 0 ? uint64_t{0} - static_cast<uint64_t>(n) : static_cast<uint64_t>(n); }

}  // namespace

std::string format_amount(int64_t ore, Language language) {
  const bool da = language == Language::kDanish;
  const uint64_t m = magnitude_of(ore);
  const uint64_t cents = m % 100;
  std::string out = ore < 0 ? "-" : "";
  out += grouped(m / 100, da ? '.' : ',');
  out.push_back(da ? ',' : '.');
  out.push_back(static_cast<char>('0' + cents / 10));
  out.push_back(static_cast<char>('0' + cents % 10));
  return out;
}

std::string format_money(int64_t ore, Language language) {
  return language == Language::kDanish ? format_amount(ore, language) + " kr." : "DKK " + format_amount(ore, language);
}

std::string format_count(int64_t n, Language language) {
  return (n < 0 ? "-" : "") + grouped(magnitude_of(n), language == Language::kDanish ? '.' : ',');
}

std::string format_date(std::string_view iso, Language language) {
  const bool shaped = iso.size() == 10 && iso[4] == '-' && iso[7] == '-';
  if (!shaped || language == Language::kEnglish) return std::string(iso);
  return std::string(iso.substr(8, 2)) + "." + std::string(iso.substr(5, 2)) + "." + std::string(iso.substr(0, 4));
}

}  // namespace grantledger::web
