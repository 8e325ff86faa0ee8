#include "tools/witness/signed_note.h"

#include <cstdio>

#include "ledger/sha256.h"
#include "ledger/utf8.h"

namespace grantledger::witness {

namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space

uint32_t be32(std::string_view b) {
  return (uint32_t{static_cast<uint8_t>(b[0])} << 24) | (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[2])} << 8) | static_cast<uint8_t>(b[3]);
}

std::string hex32(uint32_t v) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", v);
  return hex;
}

bool valid_key_name(std::string_view name) {
  // No Unicode spaces: ASCII space is the one a line could carry (controls are refused already);
  // U+0085, U+00A0 and the U+2000 block are refused too.
  if (name.empty() || name.find_first_of(" +") != std::string_view::npos) return false;
  for (std::string_view space : {"\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                                 "\xE2\x81\x9F", "\xE3\x80\x80"})
    if (name.find(space) != std::string_view::npos) return false;
  for (unsigned char c = 0x80; c <= 0x8A; ++c)
    if (name.find(std::string("\xE2\x80") + static_cast<char>(c)) != std::string_view::npos) return false;
  return true;
}

}  // namespace

Result<SignedNote> parse_signed_note(std::string_view note) {
  if (note.size() > kMaxNoteBytes)
    return Status::invalid_argument("signed note: longer than " + std::to_string(kMaxNoteBytes) + " bytes");
  if (!valid_utf8(note)) return Status::invalid_argument("signed note: not valid UTF-8");
  for (char c : note)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n')
      return Status::invalid_argument("signed note: holds a control character other than newline");
  if (note.empty() || note.back() != '\n') return Status::invalid_argument("signed note: does not end in a newline");
  // The text is separated from the signatures by the last blank line.
  const size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return Status::invalid_argument("signed note: no blank line before the signatures");
  SignedNote out;
  out.text = std::string(note.substr(0, blank + 1));
  std::string_view rest = note.substr(blank + 2);
  if (rest.empty()) return Status::invalid_argument("signed note: no signature line");
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (out.signatures.size() == kMaxNoteSignatures)
      return Status::invalid_argument("signed note: more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    if (line.substr(0, kDash.size()) != kDash)
      return Status::invalid_argument("signed note: a signature line does not start with \"\u2014 \"");
    std::string_view fields = line.substr(kDash.size());
    const size_t space = fields.find(' ');
    if (space == std::string_view::npos || fields.find(' ', space + 1) != std::string_view::npos)
      return Status::invalid_argument("signed note: a signature line is not \"\u2014 <name> <base64>\"");
    NoteSignature sig;
    sig.name = std::string(fields.substr(0, space));
    if (!valid_key_name(sig.name)) return Status::invalid_argument("signed note: key name \"" + sig.name + "\" is empty or holds a space or '+'");
    auto blob = from_base64(fields.substr(space + 1));
    if (!blob || blob->size() < 5)
      return Status::invalid_argument("signed note: the signature of " + sig.name + " is not base64 of a key ID and a signature");
    sig.key_id = be32(*blob);
    sig.signature = blob->substr(4);
    sig.line = std::string(line) + "\n";
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

uint32_t note_key_id(std::string_view name, uint8_t type, std::string_view raw_public_key) {
  Sha256 sha;
  sha.update(name);
  sha.update(uint8_t{'\n'});
  sha.update(type);
  sha.update(raw_public_key);
  const Hash32 h = sha.finish();
  return be32(as_view(h));
}

std::string VerifierKey::to_string() const {
  return name + "+" + hex32(key_id) + "+" + to_base64(std::string(1, static_cast<char>(type)) + key.raw());
}

VerifierKey make_verifier_key(std::string name, uint8_t type, const PublicKey& key) {
  const uint32_t id = note_key_id(name, type, key.raw());
  return VerifierKey{std::move(name), id, type, key};
}

Result<VerifierKey> parse_verifier_key(std::string_view vkey, std::initializer_list<uint8_t> types) {
  const std::string quoted = "verifier key \"" + std::string(vkey) + "\": ";
  const size_t p1 = vkey.find('+');
  const size_t p2 = p1 == std::string_view::npos ? p1 : vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos)  // the base64 after the second '+' may hold '+' itself
    return Status::invalid_argument(quoted + "give NAME+KEYID+BASE64");
  const std::string name(vkey.substr(0, p1));
  if (!valid_key_name(name)) return Status::invalid_argument(quoted + "the name is empty or holds a space");
  const std::string_view id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  auto id = from_hex(id_hex);
  if (id_hex.size() != 8 || !id || id_hex.find_first_of("ABCDEF") != std::string_view::npos)
    return Status::invalid_argument(quoted + "the key ID is not 8 lower-case hex digits");
  auto material = from_base64(vkey.substr(p2 + 1));
  if (!material || material->empty()) return Status::invalid_argument(quoted + "the key is not base64");
  const auto type = static_cast<uint8_t>((*material)[0]);
  bool supported = false;
  for (uint8_t t : types) supported |= t == type;
  if (!supported) return Status::invalid_argument(quoted + "signature type " + std::to_string(type) + " is not one this command takes");
  auto key = PublicKey::from_raw(std::string_view(*material).substr(1));
  if (!key) return Status::invalid_argument(quoted + "not a 32-byte Ed25519 public key");
  VerifierKey out = make_verifier_key(name, type, *key);
  if (out.key_id != be32(*id)) return Status::invalid_argument(quoted + "the key ID does not match the name and key");
  return out;
}

std::string note_signature_line(std::string_view name, uint32_t key_id, std::string_view signature) {
  Bytes blob;
  for (int shift = 24; shift >= 0; shift -= 8) blob.push_back(static_cast<char>(key_id >> shift));
  blob += signature;
  return std::string(kDash) + std::string(name) + " " + to_base64(blob) + "\n";
}

}  // namespace grantledger::witness
