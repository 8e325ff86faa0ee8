#include "ledger/checkpoint.h"

#include <charconv>
#include <vector>

#include "ledger/sha256.h"

namespace grantledger {

namespace {
constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr uint8_t kSigTypeEd25519 = 0x01;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}
}  // namespace

std::string Checkpoint::body() const {
  return origin + "\n" + std::to_string(tree_size) + "\n" + to_base64(as_view(root)) + "\n";
}

uint32_t note_key_id(const std::string& key_name, const PublicKey& key) {
  Sha256 sha;
  sha.update(key_name);
  sha.update(uint8_t{'\n'});
  sha.update(kSigTypeEd25519);
  sha.update(key.raw());
  Hash32 h = sha.finish();
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

std::string note_verifier_key(const std::string& key_name, const PublicKey& key) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", note_key_id(key_name, key));
  std::string typed = std::string(1, static_cast<char>(kSigTypeEd25519)) + key.raw();
  return key_name + "+" + hex + "+" + to_base64(typed);
}

std::string sign_checkpoint(const Checkpoint& checkpoint, const PrivateKey& log_key) {
  std::string body = checkpoint.body();
  uint32_t id = note_key_id(checkpoint.origin, log_key.public_key());
  std::string blob;
  for (int shift = 24; shift >= 0; shift -= 8) blob.push_back(static_cast<char>(id >> shift));
  blob += log_key.sign(body);
  return body + "\n" + std::string(kDash) + checkpoint.origin + " " + to_base64(blob) + "\n";
}

Result<Checkpoint> verify_checkpoint(const std::string& note, const PublicKey& log_key) {
  size_t split = note.find("\n\n");
  if (split == std::string::npos)
    return Status::corruption("checkpoint: no blank line between body and signatures");
  std::string body = note.substr(0, split + 1);
  std::vector<std::string_view> lines = split_lines(body);
  if (lines.size() < 3) return Status::corruption("checkpoint: body has fewer than 3 lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  auto size_text = lines[1];
  auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), cp.tree_size);
  if (ec != std::errc() || ptr != size_text.data() + size_text.size() || size_text.empty() ||
      (size_text.size() > 1 && size_text[0] == '0'))
    return Status::corruption("checkpoint: tree size is not a decimal number");
  auto root = from_base64(lines[2]);
  if (!root || root->size() != 32) return Status::corruption("checkpoint: root is not 32 base64 bytes");
  cp.root = to_hash32(*root);

  uint32_t want_id = note_key_id(cp.origin, log_key);
  std::string_view sigs = std::string_view(note).substr(split + 2);
  for (std::string_view line : split_lines(sigs)) {
    if (line.substr(0, kDash.size()) != kDash) return Status::corruption("checkpoint: malformed signature line");
    line.remove_prefix(kDash.size());
    size_t space = line.rfind(' ');
    if (space == std::string_view::npos) return Status::corruption("checkpoint: malformed signature line");
    if (line.substr(0, space) != cp.origin) continue;
    auto blob = from_base64(line.substr(space + 1));
    if (!blob || blob->size() != 4 + kEd25519SignatureSize) continue;
    uint32_t id = (uint32_t{uint8_t((*blob)[0])} << 24) | (uint32_t{uint8_t((*blob)[1])} << 16) |
                  (uint32_t{uint8_t((*blob)[2])} << 8) | uint8_t((*blob)[3]);
    if (id != want_id) continue;
    if (!log_key.verify(body, std::string_view(*blob).substr(4)))
      return Status::corruption("checkpoint at tree size " + std::to_string(cp.tree_size) +
                                ": signature does not verify with the log key");
    return cp;
  }
  return Status::corruption("checkpoint: no signature by the log key " + cp.origin);
}

}  // namespace grantledger
