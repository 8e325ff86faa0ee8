// CSV in the dialect Danish Excel opens as it is (spec/WEB.md, "CSV downloads"): UTF-8 with a
// byte order mark, fields separated by ';', decimal comma without thousands separators
// ("1563832,73"), rows ended by CRLF, fields quoted (RFC 4180 style) when they hold ';', '"', CR
// or LF. A text field that Excel would read as a formula (starting with = + - @, tab or CR) is
// prefixed with an apostrophe, so a name in the register can never run in a spreadsheet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grantledger::web {

class ExcelCsv {
 public:
  ExcelCsv();
  void text(std::string_view field);
  void money(int64_t ore);  // "1563832,73", "-2100,80"
  void end_row();
  void row_of_text(const std::vector<std::string>& fields);
  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  bool row_started_ = false;
};

}  // namespace grantledger::web
