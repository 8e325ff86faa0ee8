// A payment statement: the booked debit entries a bank or the state's payment system says left
// the account, as read from a camt.053 or CSV file (spec/RECONCILIATION.md, "Inputs").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/money.h"
#include "ledger/status.h"

namespace grantledger::reconcile {

// Limits (spec/RECONCILIATION.md, "Limits").
inline constexpr uint64_t kMaxStatementBytes = 512ull << 20;  // 512 MiB
inline constexpr size_t kMaxStatementEntries = 1000000;
inline constexpr size_t kMaxCsvLineBytes = 64 * 1024;
inline constexpr size_t kMaxFieldBytes = 4096;

enum class StatementFormat { kCamt053, kCsv };
const char* format_name(StatementFormat f);

// One booked debit: money that left the account.
struct StatementEntry {
  std::string line_id;     // unique within the statement (CSV id column, or camt entry reference)
  std::string location;    // "file.csv: line 7" or "file.xml: /Document/BkToCstmrStmt/Stmt[1]/Ntry[3]"
  int32_t booking_date = 0;
  int32_t value_date = 0;  // the booking date when the file gives none
  Ore amount;              // positive: the amount debited
  // References that may name a ledger payment reference, most specific first (end-to-end id,
  // structured creditor reference, unstructured remittance text). Empty strings are dropped.
  std::vector<std::string> references;
  std::string payee_name;  // creditor name
  std::string payee_id;    // creditor id (e.g. an entity code or CVR), may be empty
};

struct Statement {
  StatementFormat format = StatementFormat::kCsv;
  std::string name;        // the file's base name
  Hash32 sha256{};         // of the file's bytes
  std::vector<StatementEntry> entries;  // booked debits in file order
  uint64_t skipped_entries = 0;         // credits and entries not booked
};

// Reads a whole file (at most kMaxStatementBytes). invalid_argument when missing or too large.
Result<Bytes> read_statement_file(const std::string& path);

// Fails with invalid_argument naming both locations when two entries share a line id.
Status check_unique_line_ids(const Statement& statement);

// An entry's amount is at most kMaxAmountOre either way (spec/RECONCILIATION.md, "Limits"): with
// at most kMaxStatementEntries entries every statement total fits in an int64. invalid_argument
// naming the amount otherwise.
Status check_statement_amount(int64_t ore);

// Parses a decimal amount to øre exactly: optional sign, digits (with `thousands` separators in
// groups of three when `thousands` is not 0), optional `decimal` separator and one or two
// digits. No floating point. invalid_argument with the reason.
Result<int64_t> parse_amount_ore(std::string_view text, char decimal, char thousands);

}  // namespace grantledger::reconcile
