#include "tools/unsigned_flag.h"

#include <charconv>
#include <cstdint>

namespace grantledger::cli {

CLI::Validator unsigned_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string expected = "expected a whole number 0 .. 18446744073709551615, got \"" + text + "\"";
        if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return expected;
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) return expected;
        return "";
      },
      "UINT", "unsigned_number");
}

}  // namespace grantledger::cli
