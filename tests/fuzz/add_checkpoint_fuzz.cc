// libFuzzer target: a tlog-witness add-checkpoint body (spec/WITNESS.md) through the parsers a
// witness runs on it before any key is involved (parse_add_checkpoint, parse_signed_note,
// parse_checkpoint_body), and the note's lines through verify_cosignatures with a fixed vkey.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tools/witness/add_checkpoint.h"
#include "tools/witness/checkpoint_body.h"
#include "tools/witness/cosignature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger::witness;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto request = parse_add_checkpoint(body);
  if (!request) return 0;
  // What parsed encodes and parses back to the same request.
  auto again = parse_add_checkpoint(encode_add_checkpoint(*request));
  if (!again || again->old_size != request->old_size || again->proof != request->proof || again->note != request->note) std::abort();
  auto note = parse_signed_note(request->note);
  if (!note) return 0;
  // The text is a prefix of the note, and every line's bytes are in the note.
  if (request->note.compare(0, note->text.size(), note->text) != 0) std::abort();
  for (const auto& sig : note->signatures)
    if (request->note.find(sig.line) == std::string::npos) std::abort();
  (void)parse_checkpoint_body(note->text);
  static const auto vkey = parse_verifier_key("witness.example/w1+eb762cc2+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea", {kSigTypeCosignatureV1});
  if (!vkey) std::abort();
  (void)verify_cosignatures(request->note, {*vkey});
  return 0;
}
