// Tabular output in the three formats queries print (spec/CLI.md, "Output formats"):
//   table  aligned columns, amounts in kroner with Danish separators ("1.234.567,89")
//   json   one object: metadata, "rows" (and "total"), each amount as kroner text "1234567.89"
//          and as øre integer under "<column>_ore"
//   csv    a header row, amount columns as kroner "1234567.89" followed by "<column>_ore"
// A table may carry sections (a summary after its rows), printed in the same format.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "ledger/status.h"

namespace grantledger::cli {

enum class OutputFormat { kTable, kJson, kCsv };
Result<OutputFormat> parse_output_format(const std::string& name);

struct OutputColumn {
  enum Kind { kText, kMoney, kCount };
  std::string name;
  Kind kind = kText;
};

using OutputCell = std::variant<std::string, int64_t>;  // text, or an øre amount / count
using OutputRow = std::vector<OutputCell>;

struct OutputTable {
  std::vector<OutputColumn> columns;
  std::vector<OutputRow> rows;
  std::optional<OutputRow> total;  // printed last (table, csv) or as "total" (json)
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();  // json only: leading fields
  // Tables printed after this one (a summary): table and csv after a blank line, json as
  // "<name>": {"rows": [...], "total": {...}}. Their own metadata and sections are not printed.
  struct Section;
  std::vector<Section> sections;
};

struct OutputTable::Section {
  std::string name;
  OutputTable table;
};

void print_table(const OutputTable& table, OutputFormat format, std::ostream& out);

}  // namespace grantledger::cli
