// libFuzzer target: stored Commit bytes (spec/LOG.md, "Commits") through decode_commit, which
// every reader of the commits family uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/ledger.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto commit = decode_commit(bytes);
  if (!commit) return 0;
  if (commit->bytes != bytes) std::abort();  // the record must keep the bytes it came from
  return 0;
}
