// libFuzzer target: stored Event bytes (spec/LOG.md, "Canonical bytes") decoded and printed as
// JSON, the path `grantledger log` takes over the events family.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ledger/canonical.h"
#include "ledger/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  auto message = DecodedMessage::decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!message) return 0;
  auto event = message->root<schema::Event>();
  (void)event_type_name(event);
  (void)event_to_json(event).dump();
  return 0;
}
