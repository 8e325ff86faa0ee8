// libFuzzer target: a signed note (spec/LOG.md, "Checkpoints") through verify_checkpoint, with
// the demo log key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ledger/checkpoint.h"
#include "tests/fuzz/demo_log_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  std::string note(reinterpret_cast<const char*>(data), size);
  auto checkpoint = verify_checkpoint(note, fuzz::demo_log_key());
  if (!checkpoint) return 0;
  // What verified is the note's body, exactly: parsing it back must give the bytes signed.
  if (note.compare(0, checkpoint->body().size(), checkpoint->body()) != 0) std::abort();
  return 0;
}
