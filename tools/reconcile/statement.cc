#include "tools/reconcile/statement.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>

namespace grantledger::reconcile {

const char* format_name(StatementFormat f) {
  switch (f) {
    case StatementFormat::kCamt053: return "camt053";
    case StatementFormat::kCsv: return "csv";
  }
  return "unknown";
}

Result<Bytes> read_statement_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::invalid_argument(path + ": not a readable file");
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::io_error(path + ": " + ec.message());
  if (size > kMaxStatementBytes)
    return Status::invalid_argument(path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                                    std::to_string(kMaxStatementBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument(path + ": cannot be opened");
  Bytes bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) return Status::io_error(path + ": short read");
  return bytes;
}

Status check_unique_line_ids(const Statement& statement) {
  std::unordered_map<std::string_view, const StatementEntry*> seen;
  seen.reserve(statement.entries.size());
  for (const StatementEntry& e : statement.entries) {
    auto [it, fresh] = seen.emplace(e.line_id, &e);
    if (!fresh)
      return Status::invalid_argument(e.location + ": duplicated statement line id \"" + e.line_id + "\" (first at " +
                                      it->second->location + ")");
  }
  return Status::ok();
}

Status check_statement_amount(int64_t ore) {
  static_assert(kMaxStatementEntries <= std::numeric_limits<int64_t>::max() / kMaxAmountOre);
  if (ore > kMaxAmountOre || ore < -kMaxAmountOre)
    return Status::invalid_argument("amount " + format_kroner_plain(Ore{ore}) + " is above the limit of " +
                                    format_kroner_plain(Ore{kMaxAmountOre}) + " for one entry");
  return Status::ok();
}

Result<int64_t> parse_amount_ore(std::string_view text, char decimal, char thousands) {
  auto bad = [&](const std::string& why) {
    return Status::invalid_argument("amount \"" + std::string(text) + "\": " + why);
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t dec = s.find(decimal);
  std::string_view whole = s.substr(0, dec);
  std::string_view frac = dec == std::string_view::npos ? std::string_view() : s.substr(dec + 1);
  if (whole.empty()) return bad("no digits before the decimal separator");
  if (dec != std::string_view::npos && (frac.empty() || frac.size() > 2))
    return bad("one or two digits after the decimal separator (øre)");
  // Thousands separators, when used, group the whole part in threes: 1.234.567
  bool grouped = thousands != 0 && whole.find(thousands) != std::string_view::npos;
  int64_t kroner = 0;
  int group_digits = 0, groups = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    char c = whole[i];
    if (grouped && c == thousands) {
      if ((groups == 0 && (group_digits < 1 || group_digits > 3)) || (groups > 0 && group_digits != 3))
        return bad("thousands separators must group digits in threes");
      ++groups;
      group_digits = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad(std::string("unexpected character '") + c + "'");
    constexpr int64_t kMaxKroner = std::numeric_limits<int64_t>::max() / 100;
    if (kroner > (kMaxKroner - (c - '0')) / 10) return bad("too large");
    kroner = kroner * 10 + (c - '0');
    ++group_digits;
  }
  if (grouped && group_digits != 3) return bad("thousands separators must group digits in threes");
  int64_t ore = 0;
  for (size_t i = 0; i < 2; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return bad(std::string("unexpected character '") + c + "'");
    ore = ore * 10 + (c - '0');
  }
  if (kroner > (std::numeric_limits<int64_t>::max() - ore) / 100) return bad("too large");
  int64_t total = kroner * 100 + ore;
  return negative ? -total : total;
}

}  // namespace grantledger::reconcile
