// libFuzzer target: a bank statement as CSV (spec/RECONCILIATION.md, "CSV"), with the default
// (Danish) columns and separators that `grantledger reconcile` uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/reconcile/csv_statement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger::reconcile;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto statement = parse_csv_statement(bytes, "fuzz.csv", CsvOptions{});
  // The parser refuses duplicated line ids, so what it returns must pass the same check.
  if (statement && !check_unique_line_ids(*statement).is_ok()) std::abort();
  return 0;
}
