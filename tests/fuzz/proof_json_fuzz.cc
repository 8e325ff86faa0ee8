// libFuzzer target: a proof document (spec/AUDIT.md, "Proof JSON") through audit::verify_proof,
// as `grantledger verify-proof` reads one from an outside party, with the demo log key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/demo_log_key.h"
#include "tools/audit/proof_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  std::string document(reinterpret_cast<const char*>(data), size);
  (void)audit::verify_proof(document, fuzz::demo_log_key());
  return 0;
}
