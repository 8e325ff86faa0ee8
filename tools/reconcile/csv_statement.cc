#include "tools/reconcile/csv_statement.h"

#include <map>
#include <optional>
#include <vector>

#include "ledger/date.h"
#include "ledger/sha256.h"
#include "ledger/utf8.h"

namespace grantledger::reconcile {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Splits one line into fields: RFC 4180 quoting ("a;b" and "" for a quote) with `delim`.
Result<std::vector<std::string>> split_fields(std::string_view line, char delim) {
  std::vector<std::string> out;
  std::string field;
  size_t i = 0;
  for (;;) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return Status::invalid_argument("a quoted field is not closed on its line");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != delim) return Status::invalid_argument("text after a closing quote");
    } else {
      while (i < line.size() && line[i] != delim) field += line[i++];
    }
    if (field.size() > kMaxFieldBytes)
      return Status::invalid_argument("a field longer than " + std::to_string(kMaxFieldBytes) + " bytes");
    out.push_back(trim(field));
    if (i >= line.size()) break;
    ++i;  // the delimiter
  }
  return out;
}

}  // namespace

Result<int32_t> parse_statement_date(std::string_view t) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  if (t.size() == 10 && (t[2] == '-' || t[2] == '.') && t[5] == t[2] && digits(0, 2) && digits(3, 2) && digits(6, 4)) {
    std::string iso = std::string(t.substr(6, 4)) + "-" + std::string(t.substr(3, 2)) + "-" + std::string(t.substr(0, 2));
    auto d = parse_date(iso);
    if (d) return d;
  } else if (t.size() == 10 && t[4] == '-' && t[7] == '-') {
    auto d = parse_date(t);
    if (d) return d;
  }
  return Status::invalid_argument("date \"" + std::string(t) + "\": expected a real day as dd-mm-yyyy or yyyy-mm-dd");
}

Result<Statement> parse_csv_statement(std::string_view bytes, const std::string& name, const CsvOptions& o) {
  Statement st;
  st.format = StatementFormat::kCsv;
  st.name = name;
  st.sha256 = Sha256().digest(bytes);
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (!valid_utf8(bytes)) return Status::invalid_argument(name + ": not UTF-8 text (export the statement as UTF-8)");
  if (o.decimal != ',' && o.decimal != '.') return Status::invalid_argument("--csv-decimal: ',' or '.'");
  const char thousands = o.decimal == ',' ? '.' : ',';

  std::optional<std::vector<std::string>> header;
  std::map<std::string, size_t> column;
  size_t line_no = 0, pos = 0;
  auto col = [&](const std::string& wanted, bool required) -> Result<std::optional<size_t>> {
    if (wanted.empty()) return std::optional<size_t>();
    auto it = column.find(wanted);
    if (it != column.end()) return std::optional<size_t>(it->second);
    if (!required) return std::optional<size_t>();
    std::string have;
    for (const auto& h : *header) have += (have.empty() ? "" : ", ") + ("\"" + h + "\"");
    return Status::invalid_argument(name + ": line " + std::to_string(line_no) + ": no column \"" + wanted +
                                    "\" in the header (columns: " + have + "); map columns with --csv-*-column");
  };
  std::map<std::string, size_t> seen_ids;
  std::optional<size_t> c_date, c_amount, c_ref, c_payee, c_id, c_ccy, c_value, c_payee_id;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string where = name + ": line " + std::to_string(line_no) + ": ";
    if (line.size() > kMaxCsvLineBytes)
      return Status::invalid_argument(where + "longer than " + std::to_string(kMaxCsvLineBytes) + " bytes");
    if (trim(line).empty()) continue;
    auto fields = split_fields(line, o.delimiter);
    if (!fields) return fields.error().with_context(where);
    if (!header) {
      header = *fields;
      for (size_t i = 0; i < header->size(); ++i)
        if (!column.emplace((*header)[i], i).second)
          return Status::invalid_argument(where + "column \"" + (*header)[i] + "\" appears twice in the header");
      GL_ASSIGN_OR_RETURN(c_date, col(o.date_column, true));
      GL_ASSIGN_OR_RETURN(c_amount, col(o.amount_column, true));
      GL_ASSIGN_OR_RETURN(c_ref, col(o.reference_column, true));
      GL_ASSIGN_OR_RETURN(c_payee, col(o.payee_column, true));
      GL_ASSIGN_OR_RETURN(c_id, col(o.id_column, false));
      GL_ASSIGN_OR_RETURN(c_ccy, col(o.currency_column, false));
      GL_ASSIGN_OR_RETURN(c_value, col(o.value_date_column, true));
      GL_ASSIGN_OR_RETURN(c_payee_id, col(o.payee_id_column, true));
      continue;
    }
    if (fields->size() != header->size())
      return Status::invalid_argument(where + std::to_string(fields->size()) + " fields, the header has " +
                                      std::to_string(header->size()));
    auto field = [&](size_t i) -> const std::string& { return (*fields)[i]; };
    auto in_column = [&](size_t i) { return where + "column \"" + (*header)[i] + "\": "; };
    if (c_ccy && field(*c_ccy) != "DKK")
      return Status::invalid_argument(in_column(*c_ccy) + "currency \"" + field(*c_ccy) + "\": only DKK is reconciled");
    auto amount = parse_amount_ore(field(*c_amount), o.decimal, thousands);
    if (!amount) return amount.error().with_context(in_column(*c_amount));
    GL_RETURN_IF_ERROR(check_statement_amount(*amount).with_context(in_column(*c_amount)));
    auto date = parse_statement_date(field(*c_date));
    if (!date) return date.error().with_context(in_column(*c_date));
    int32_t value_date = *date;
    if (c_value && !field(*c_value).empty()) {
      auto v = parse_statement_date(field(*c_value));
      if (!v) return v.error().with_context(in_column(*c_value));
      value_date = *v;
    }
    if (c_id) {  // every row's id is unique, credits included
      const std::string& id = field(*c_id);
      if (id.empty()) return Status::invalid_argument(in_column(*c_id) + "empty line id");
      auto [it, fresh] = seen_ids.emplace(id, line_no);
      if (!fresh)
        return Status::invalid_argument(in_column(*c_id) + "duplicated statement line id \"" + id + "\" (first at line " +
                                        std::to_string(it->second) + ")");
    }
    if (*amount >= 0) {  // a credit (money in) or nothing: not a payout
      ++st.skipped_entries;
      continue;
    }
    if (st.entries.size() >= kMaxStatementEntries)
      return Status::invalid_argument(where + "more than " + std::to_string(kMaxStatementEntries) + " statement entries");
    StatementEntry e;
    e.location = name + ": line " + std::to_string(line_no);
    e.line_id = c_id ? field(*c_id) : "line " + std::to_string(line_no);
    e.booking_date = *date;
    e.value_date = value_date;
    e.amount = Ore{-*amount};
    if (!field(*c_ref).empty()) e.references.push_back(field(*c_ref));
    e.payee_name = field(*c_payee);
    if (c_payee_id) e.payee_id = field(*c_payee_id);
    st.entries.push_back(std::move(e));
  }
  if (!header) return Status::invalid_argument(name + ": empty file: expected a header row and statement lines");
  GL_RETURN_IF_ERROR(check_unique_line_ids(st));
  return st;
}

}  // namespace grantledger::reconcile
