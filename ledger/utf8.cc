#include "ledger/utf8.h"

#include <cstdint>

namespace grantledger {

bool next_code_point(std::string_view text, size_t* pos, char32_t* out) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(*pos);
  size_t length;
  char32_t cp, min;
  if (lead < 0x80) {
    length = 1, cp = lead, min = 0;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return false;  // a continuation byte without a lead, or 0xF8..0xFF
  }
  if (text.size() - *pos < length) return false;
  for (size_t i = 1; i < length; ++i) {
    uint8_t b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;  // overlong, too large, surrogate
  *pos += length;
  *out = cp;
  return true;
}

bool valid_utf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {  // ASCII, most text: one compare per byte
      ++pos;
      continue;
    }
    char32_t cp;
    if (!next_code_point(text, &pos, &cp)) return false;
  }
  return true;
}

}  // namespace grantledger
