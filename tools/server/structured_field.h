// The subset of RFC 8941 Structured Field Values that HTTP message signatures (RFC 9421) and
// Content-Digest (RFC 9530) use: Dictionaries whose members are an Inner List of Strings or a
// single Integer, String or Byte Sequence, each with Parameters of those three types.
//
// Parsing is stricter than RFC 8941, on purpose (spec/AUTH.md, "Header syntax"): two parsers of
// one header must never disagree about what was signed, so a duplicate dictionary key or
// parameter, which RFC 8941 resolves by keeping the last, is refused here, and so is every
// type outside the subset (Token, Decimal, Boolean, Date, Display String, parameters on an
// inner-list item). Byte Sequences must be canonical padded base64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace grantledger::server::sf {

// RFC 8941 section 3.3.1: at most 15 digits.
inline constexpr int64_t kMaxInteger = 999'999'999'999'999;

struct Item {
  enum class Kind { kInteger, kString, kByteSequence };
  Kind kind = Kind::kInteger;
  int64_t integer = 0;
  std::string text;  // a String's value, or a Byte Sequence's decoded bytes

  static Item of_integer(int64_t v) { return {Kind::kInteger, v, {}}; }
  static Item of_string(std::string s) { return {Kind::kString, 0, std::move(s)}; }
  bool operator==(const Item&) const = default;
};

struct Parameter {
  std::string key;
  Item value;
  bool operator==(const Parameter&) const = default;
};

// A dictionary member: either an inner list of Strings or one bare item, then its parameters.
struct Member {
  std::string key;
  bool is_inner_list = false;
  std::vector<std::string> inner_list;  // when is_inner_list
  Item item;                            // otherwise
  std::vector<Parameter> params;        // in the order they appear
};

// Members in the order they appear; keys are unique.
using Dictionary = std::vector<Member>;

// Parses a whole field value as a Dictionary. Fails with invalid_argument naming the offset and
// the rule broken. An empty (or all-space) value is an empty dictionary. Cost: linear in text.
Result<Dictionary> parse_dictionary(std::string_view text);

// True iff `key` is an RFC 8941 key: lcalpha or '*', then lcalpha, DIGIT, '_', '-', '.', '*'.
bool is_key(std::string_view key);
// True iff every byte of `s` is printable ASCII (0x20-0x7e), which a String can carry.
bool is_string_safe(std::string_view s);

// Serializers (RFC 8941 section 4.1). REQUIRES (asserted): the values are serializable:
// is_string_safe() for strings, is_key() for keys, |integer| <= kMaxInteger.
std::string serialize_string(std::string_view s);
std::string serialize_item(const Item& item);
// ';key=value' for each parameter, in the order given.
std::string serialize_params(const std::vector<Parameter>& params);
// '("a" "b");key=value...': an inner list of Strings with its parameters.
std::string serialize_inner_list(const std::vector<std::string>& strings,
                                 const std::vector<Parameter>& params);

}  // namespace grantledger::server::sf
