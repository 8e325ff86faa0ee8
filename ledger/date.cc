#include "ledger/date.h"

#include <chrono>
#include <cstdio>

namespace grantledger {

// Howard Hinnant's civil-days algorithms.
int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(int32_t z, int* year, unsigned* month, unsigned* day) {
  // 64-bit: every int32 day count (about +-5.8 million years) converts without overflow.
  const int64_t zz = static_cast<int64_t>(z) + 719468;
  const int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(zz - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400);
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

Result<int32_t> parse_date(std::string_view t) {
  auto bad = [&](const std::string& why) {
    return Status::invalid_argument("invalid date \"" + std::string(t) + "\": " + why);
  };
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return bad("expected YYYY-MM-DD");
  int v[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < lens[i]; ++j) {
      char c = t[starts[i] + j];
      if (c < '0' || c > '9') return bad("expected YYYY-MM-DD");
      v[i] = v[i] * 10 + (c - '0');
    }
  if (v[0] < kMinYear || v[0] > kMaxYear)
    return bad("year outside " + std::to_string(kMinYear) + ".." + std::to_string(kMaxYear));
  if (v[1] < 1 || v[1] > 12) return bad("month must be 01..12");
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
  int max_day = kDays[v[1] - 1] + (v[1] == 2 && leap ? 1 : 0);
  if (v[2] < 1 || v[2] > max_day) return bad("day does not exist in that month");
  return days_from_civil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
}

std::string format_date(int32_t days) {
  int y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

int64_t now_utc_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_timestamp_ns(int64_t ns) {
  int64_t secs = ns >= 0 ? ns / 1000000000 : (ns - 999999999) / 1000000000;
  int64_t frac = ns - secs * 1000000000;
  int32_t days = static_cast<int32_t>(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
  int64_t sod = secs - int64_t{days} * 86400;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%09lldZ", format_date(days).c_str(),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), static_cast<long long>(frac));
  return buf;
}

}  // namespace grantledger
