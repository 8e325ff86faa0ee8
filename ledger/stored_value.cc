#include "ledger/stored_value.h"

namespace grantledger {

std::string printable_stored_key(std::string_view key) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : key) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out += static_cast<char>(ch);
    } else {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 0xf];
    }
  }
  return out;
}

Result<uint64_t> decode_stored_u64(std::string_view family, std::string_view key, std::string_view value) {
  if (value.size() != 8)
    return Status::corruption(std::string(family) + " " + printable_stored_key(key) + ": stored value is " +
                              std::to_string(value.size()) + " bytes, not 8");
  return get_u64_be(value);
}

Result<int64_t> decode_stored_i64(std::string_view family, std::string_view key, std::string_view value) {
  GL_ASSIGN_OR_RETURN(uint64_t v, decode_stored_u64(family, key, value));
  return static_cast<int64_t>(v);
}

Result<uint64_t> decode_stored_position_key(std::string_view family, std::string_view key) {
  if (key.size() != 8)
    return Status::corruption(std::string(family) + ": key " + printable_stored_key(key) + " is " + std::to_string(key.size()) +
                              " bytes, not 8");
  return get_u64_be(key);
}

}  // namespace grantledger
