// Statements as Danish banks export them to CSV (spec/RECONCILIATION.md, "CSV"): a header row,
// semicolon-separated by default, dates dd-mm-yyyy or yyyy-mm-dd, amounts like -1.234,56 with
// debits negative, UTF-8 with or without a byte order mark. Columns are found by header name.
#pragma once

#include <string>
#include <string_view>

#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

struct CsvOptions {
  char delimiter = ';';
  char decimal = ',';            // ',' (1.234,56) or '.' (1,234.56)
  // Header names. Required: date, amount, reference, payee. Used when present in the header:
  // id (else the line number is the line id), currency (else DKK). Used when not empty (and
  // then required): value date, payee id.
  std::string date_column = "Dato";
  std::string amount_column = "Beløb";
  std::string reference_column = "Reference";
  std::string payee_column = "Modtager";
  std::string id_column = "Id";
  std::string currency_column = "Valuta";
  std::string value_date_column;
  std::string payee_id_column;
};

// Parses `bytes` (the file `name`) into booked debit entries; credits and zero amounts are
// skipped. invalid_argument naming file, line, column and reason for: a missing column, a
// row with the wrong field count, an unparsable date or amount, a currency other than DKK,
// bytes that are not UTF-8, a duplicated line id, more than kMaxStatementEntries rows.
Result<Statement> parse_csv_statement(std::string_view bytes, const std::string& name, const CsvOptions& options);

// Parses dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd to days since 1970-01-01.
Result<int32_t> parse_statement_date(std::string_view text);

}  // namespace grantledger::reconcile
