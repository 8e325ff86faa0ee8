#include "tools/witness/checkpoint_body.h"

#include <charconv>

namespace grantledger::witness {

bool parse_tlog_decimal(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return false;
  if (text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out <= (uint64_t{1} << 63) - 1;
}

Result<CheckpointBody> parse_checkpoint_body(std::string_view text) {
  CheckpointBody cp;
  cp.text = std::string(text);
  std::string_view rest = text;
  auto next_line = [&rest](std::string_view* line) {
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return false;
    *line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    return true;
  };
  std::string_view origin, size, root;
  if (!next_line(&origin) || origin.empty()) return Status::invalid_argument("checkpoint: the origin line is missing or empty");
  if (!next_line(&size) || !parse_tlog_decimal(size, &cp.tree_size))
    return Status::invalid_argument("checkpoint: the tree size line is not a decimal without leading zeros");
  if (!next_line(&root)) return Status::invalid_argument("checkpoint: the root hash line is missing");
  auto hash = from_base64(root);
  if (!hash || hash->size() != 32 || to_base64(*hash) != root)
    return Status::invalid_argument("checkpoint: the root hash line is not base64 of 32 bytes");
  cp.origin = std::string(origin);
  cp.root = to_hash32(*hash);
  std::string_view extension;
  while (!rest.empty()) {
    if (!next_line(&extension)) return Status::invalid_argument("checkpoint: the text does not end in a newline");
    if (extension.empty()) return Status::invalid_argument("checkpoint: an extension line is empty");
  }
  return cp;
}

}  // namespace grantledger::witness
