// libFuzzer target: an ISO 20022 camt.053 statement (spec/RECONCILIATION.md, "camt.053").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/reconcile/camt053.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger::reconcile;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto statement = parse_camt053_statement(bytes, "fuzz.xml");
  // The parser refuses duplicated line ids, so what it returns must pass the same check.
  if (statement && !check_unique_line_ids(*statement).is_ok()) std::abort();
  return 0;
}
