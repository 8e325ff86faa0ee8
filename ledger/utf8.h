// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF. The one
// check every reader of text uses (canonical events, pseudonyms, signed notes, bank statements).
#pragma once

#include <string_view>

namespace grantledger {

// Decodes the code point starting at text[*pos] into *out and advances *pos past it; false (and
// nothing changed) if the bytes there are not well-formed UTF-8. REQUIRES: *pos < text.size().
bool next_code_point(std::string_view text, size_t* pos, char32_t* out);

// True if all of `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace grantledger
