#include "tools/web/excel_csv.h"

#include "tools/web/number_format.h"

namespace grantledger::web {

ExcelCsv::ExcelCsv() : out_("\xEF\xBB\xBF") {}

void ExcelCsv::separate() {
  if (row_started_) out_.push_back(';');
  row_started_ = true;
}

void ExcelCsv::text(std::string_view field) {
  separate();
  std::string value(field);
  if (!value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos) value.insert(0, "'");
  if (value.find_first_of(";\"\r\n") == std::string::npos) {
    out_ += value;
    return;
  }
  out_.push_back('"');
  for (char c : value) {
    if (c == '"') out_.push_back('"');
    out_.push_back(c);
  }
  out_.push_back('"');
}

void ExcelCsv::money(int64_t ore) {
  separate();
  std::string amount = format_amount(ore, Language::kDanish);
  std::string plain;
  for (char c : amount)
    if (c != '.') plain.push_back(c);
  out_ += plain;
}

void ExcelCsv::end_row() {
  out_ += "\r\n";
  row_started_ = false;
}

void ExcelCsv::row_of_text(const std::vector<std::string>& fields) {
  for (const auto& f : fields) text(f);
  end_row();
}

}  // namespace grantledger::web
