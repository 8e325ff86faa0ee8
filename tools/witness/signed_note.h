// C2SP signed-note (c2sp.org/signed-note): a text, a blank line, then signature lines
//   "\u2014 " <key name> " " base64(key ID (4 bytes, big-endian) || signature) "\n"
// and verifier keys ("vkeys") <name>+<8 hex key ID>+base64(signature type || public key).
// Parsing only: what a signature means depends on its type (0x01 Ed25519 over the text,
// 0x04 a tlog cosignature: tools/witness/cosignature.h). Formats: spec/WITNESS.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "ledger/status.h"

namespace grantledger::witness {

// Signature types (signed-note, "Signature types").
inline constexpr uint8_t kSigTypeEd25519 = 0x01;
inline constexpr uint8_t kSigTypeCosignatureV1 = 0x04;

// Limits: a note longer than this, or with more signature lines, is refused. signed-note asks
// verifiers to accept at least 16 signatures.
inline constexpr size_t kMaxNoteBytes = 32 * 1024;
inline constexpr size_t kMaxNoteSignatures = 64;

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;   // the bytes after the key ID
  std::string line;  // the whole line, "\u2014 ... \n", as it was
};

struct SignedNote {
  std::string text;  // up to and including the newline before the last blank line
  std::vector<NoteSignature> signatures;
};

// Splits a note at its last blank line and parses every signature line. invalid_argument naming
// the reason for a note that is not valid UTF-8, holds a control character other than newline,
// has no blank line or no signature, or a signature line that is not "\u2014 name base64" with
// at least 4 bytes (a key name holds no space and no '+').
Result<SignedNote> parse_signed_note(std::string_view note);

// SHA-256(name || "\n" || type || public key)[0:4], big-endian.
uint32_t note_key_id(std::string_view name, uint8_t type, std::string_view raw_public_key);

// A verifier key of an Ed25519 key (type 0x01 or 0x04; the key material is 32 bytes).
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  uint8_t type = 0;
  PublicKey key;

  std::string to_string() const;
};

VerifierKey make_verifier_key(std::string name, uint8_t type, const PublicKey& key);
// invalid_argument unless `vkey` is name+8 hex digits+base64 of a supported type (one of
// `types`) and 32 key bytes, and the key ID is the one the name, type and key give.
Result<VerifierKey> parse_verifier_key(std::string_view vkey, std::initializer_list<uint8_t> types);

// "\u2014 " name " " base64(key ID || signature) "\n".
std::string note_signature_line(std::string_view name, uint32_t key_id, std::string_view signature);

}  // namespace grantledger::witness
