#include "tools/table_output.h"

#include <algorithm>

#include "ledger/money.h"

namespace grantledger::cli {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Display width of UTF-8 text: code points, not bytes ("København").
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string table_cell(const OutputColumn& c, const OutputCell& cell) {
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  int64_t v = std::get<int64_t>(cell);
  return c.kind == OutputColumn::kMoney ? format_amount_da(Ore{v}) : std::to_string(v);
}

nlohmann::ordered_json json_row(const std::vector<OutputColumn>& columns, const OutputRow& row) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (size_t i = 0; i < columns.size(); ++i) {
    const OutputColumn& c = columns[i];
    if (const auto* text = std::get_if<std::string>(&row[i])) {
      j[c.name] = *text;
    } else if (c.kind == OutputColumn::kMoney) {
      j[c.name] = format_kroner_plain(Ore{std::get<int64_t>(row[i])});
      j[c.name + "_ore"] = std::get<int64_t>(row[i]);
    } else {
      j[c.name] = std::get<int64_t>(row[i]);
    }
  }
  return j;
}

}  // namespace

Result<OutputFormat> parse_output_format(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  return Status::invalid_argument("--format " + name + ": expected table, json or csv");
}

namespace {

// "rows" (and "total") of `t` into `j`.
void add_json_rows(const OutputTable& t, nlohmann::ordered_json* j) {
  (*j)["rows"] = nlohmann::ordered_json::array();
  for (const OutputRow& r : t.rows) (*j)["rows"].push_back(json_row(t.columns, r));
  if (t.total) (*j)["total"] = json_row(t.columns, *t.total);
}

// One table as text or CSV: a header, its rows, its total.
void print_rows(const OutputTable& t, OutputFormat format, std::ostream& out) {
  std::vector<const OutputRow*> all;
  for (const OutputRow& r : t.rows) all.push_back(&r);
  if (t.total) all.push_back(&*t.total);

  if (format == OutputFormat::kCsv) {
    std::string header;
    for (const OutputColumn& c : t.columns) {
      if (!header.empty()) header += ",";
      header += c.kind == OutputColumn::kMoney ? c.name + "," + c.name + "_ore" : c.name;
    }
    out << header << "\n";
    for (const OutputRow* r : all) {
      std::string line;
      for (size_t i = 0; i < t.columns.size(); ++i) {
        if (i) line += ",";
        const OutputCell& cell = (*r)[i];
        if (const auto* text = std::get_if<std::string>(&cell)) {
          line += csv_field(*text);
        } else if (t.columns[i].kind == OutputColumn::kMoney) {
          line += format_kroner_plain(Ore{std::get<int64_t>(cell)}) + "," + std::to_string(std::get<int64_t>(cell));
        } else {
          line += std::to_string(std::get<int64_t>(cell));
        }
      }
      out << line << "\n";
    }
    return;
  }
  // Table: text left-aligned, numbers right-aligned, a rule above the total.
  std::vector<size_t> w(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) {
    w[i] = width(t.columns[i].kind == OutputColumn::kMoney ? t.columns[i].name + " (kr.)" : t.columns[i].name);
    for (const OutputRow* r : all) w[i] = std::max(w[i], width(table_cell(t.columns[i], (*r)[i])));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string pad(w[i] - width(cells[i]), ' ');
      bool right = t.columns[i].kind != OutputColumn::kText;
      if (i) s += "  ";
      s += right ? pad + cells[i] : cells[i] + (i + 1 == cells.size() ? "" : pad);
    }
    out << s << "\n";
  };
  std::vector<std::string> head;
  for (const OutputColumn& c : t.columns) head.push_back(c.kind == OutputColumn::kMoney ? c.name + " (kr.)" : c.name);
  line(head);
  for (const OutputRow& r : t.rows) {
    std::vector<std::string> cells;
    for (size_t i = 0; i < t.columns.size(); ++i) cells.push_back(table_cell(t.columns[i], r[i]));
    line(cells);
  }
  if (t.total) {
    size_t total_width = 0;
    for (size_t x : w) total_width += x;
    out << std::string(total_width + 2 * (w.size() - 1), '-') << "\n";
    std::vector<std::string> cells;
    for (size_t i = 0; i < t.columns.size(); ++i) cells.push_back(table_cell(t.columns[i], (*t.total)[i]));
    line(cells);
  }
}

}  // namespace

void print_table(const OutputTable& t, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json j = t.metadata;
    add_json_rows(t, &j);
    for (const OutputTable::Section& s : t.sections) add_json_rows(s.table, &(j[s.name] = nlohmann::ordered_json::object()));
    out << j.dump(2) << "\n";
    return;
  }
  print_rows(t, format, out);
  for (const OutputTable::Section& s : t.sections) {
    out << "\n";
    print_rows(s.table, format, out);
  }
}

}  // namespace grantledger::cli
