// libFuzzer target: one JSON line of an events file (spec/JSON.md) to canonical Event bytes.
//
// Beyond "no crash": a line that is accepted must give bytes that decode, print back to JSON
// (as `grantledger log --format json` does) and read back to the very same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/canonical.h"
#include "ledger/event_json.h"
#include "ledger/jsonl_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto bytes = event_bytes_from_json_line(line);
  if (!bytes) return 0;
  auto message = DecodedMessage::decode(*bytes);
  if (!message) std::abort();  // we wrote bytes we cannot read
  std::string printed = event_to_json(message->root<schema::Event>()).dump();
  auto again = event_bytes_from_json_line(printed);
  if (!again || *again != *bytes) std::abort();  // printing and reading back changed the event
  return 0;
}
