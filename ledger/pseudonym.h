// Pseudonyms: a course participant is recorded under a pseudonym, never a CPR number
// (spec/DOMAIN.md, "Course payments"; refused with rule 25).
#pragma once

#include <string_view>

namespace grantledger {

enum class PseudonymCheck {
  kOk,
  kNotUtf8,       // the bytes are not well-formed UTF-8
  kLooksLikeCpr,  // ten digits in a row once separators are removed
};

// Decodes `text` as UTF-8 (strict: no overlong forms, surrogates or code points above U+10FFFF),
// removes every code point that is neither a letter nor a digit (ASCII and Unicode spaces,
// punctuation, symbols, controls, marks) and looks for ten digits in a row. A digit is any code
// point with a Unicode digit value (ASCII, Arabic-Indic, Devanagari, full-width and every other
// decimal digit block; superscript, subscript and circled digits), counted as its ASCII digit; a
// letter (Unicode category L) ends a run. Cost: O(bytes), a binary search per non-ASCII code point.
PseudonymCheck check_pseudonym(std::string_view text);

}  // namespace grantledger
