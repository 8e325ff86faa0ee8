#include "tools/server/structured_field.h"

#include <optional>
#include <utility>

#include "ledger/bytes.h"

namespace grantledger::server::sf {
namespace {

bool is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_key_char(char c) {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}
bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || is_lcalpha(c) || is_digit(c) || c == '+' || c == '/' || c == '=';
}

// A cursor over the field value; every parse_* either advances past what it read or fails.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Dictionary> dictionary() {
    Dictionary dict;
    skip_sp();
    if (at_end()) return dict;
    while (true) {
      Member member;
      GL_ASSIGN_OR_RETURN(member.key, key());
      for (const Member& seen : dict) {
        if (seen.key == member.key) return fail("duplicate dictionary key \"" + member.key + "\"");
      }
      if (!consume('=')) return fail("a member without a value (Boolean) is not supported");
      if (peek() == '(') {
        member.is_inner_list = true;
        GL_ASSIGN_OR_RETURN(member.inner_list, inner_list());
      } else {
        GL_ASSIGN_OR_RETURN(member.item, bare_item());
      }
      GL_ASSIGN_OR_RETURN(member.params, parameters());
      dict.push_back(std::move(member));
      skip_ows();
      if (at_end()) return dict;
      if (!consume(',')) return fail("expected ',' between members");
      skip_ows();
      if (at_end()) return fail("trailing ','");
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void skip_sp() {
    while (!at_end() && text_[pos_] == ' ') ++pos_;
  }
  void skip_ows() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  Status fail(const std::string& what) const {
    return Status::invalid_argument("structured field: offset " + std::to_string(pos_) + ": " +
                                    what);
  }

  Result<std::string> key() {
    if (!(is_lcalpha(peek()) || peek() == '*')) return fail("expected a key");
    size_t start = pos_;
    while (!at_end() && is_key_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<std::vector<std::string>> inner_list() {
    consume('(');
    std::vector<std::string> items;
    while (true) {
      skip_sp();
      if (consume(')')) return items;
      if (at_end()) return fail("unterminated inner list");
      if (peek() != '"') return fail("inner-list items must be Strings");
      GL_ASSIGN_OR_RETURN(Item item, bare_item());
      if (peek() == ';') return fail("parameters on an inner-list item are not supported");
      items.push_back(std::move(item.text));
      if (peek() != ' ' && peek() != ')') return fail("expected a space or ')' in an inner list");
    }
  }

  Result<std::vector<Parameter>> parameters() {
    std::vector<Parameter> params;
    while (consume(';')) {
      skip_sp();
      Parameter param;
      GL_ASSIGN_OR_RETURN(param.key, key());
      for (const Parameter& seen : params) {
        if (seen.key == param.key) return fail("duplicate parameter \"" + param.key + "\"");
      }
      if (!consume('=')) return fail("a parameter without a value (Boolean) is not supported");
      GL_ASSIGN_OR_RETURN(param.value, bare_item());
      params.push_back(std::move(param));
    }
    return params;
  }

  Result<Item> bare_item() {
    char c = peek();
    if (c == '-' || is_digit(c)) return integer();
    if (c == '"') return string();
    if (c == ':') return byte_sequence();
    if (at_end()) return fail("expected a value");
    return fail("only Integer, String and Byte Sequence values are supported");
  }

  Result<Item> integer() {
    bool negative = consume('-');
    size_t start = pos_;
    int64_t value = 0;
    while (!at_end() && is_digit(text_[pos_])) {
      if (pos_ - start == 15) return fail("an Integer has at most 15 digits");
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start) return fail("expected a digit");
    if (peek() == '.') return fail("Decimals are not supported");
    return Item::of_integer(negative ? -value : value);
  }

  Result<Item> string() {
    consume('"');
    std::string out;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '"') return Item::of_string(std::move(out));
      if (c == '\\') {
        char next = peek();
        if (next != '"' && next != '\\') return fail("a String may escape only '\"' and '\\'");
        ++pos_;
        out += next;
      } else if (c < 0x20 || c > 0x7e) {
        return fail("a String holds printable ASCII only");
      } else {
        out += c;
      }
    }
    return fail("unterminated String");
  }

  Result<Item> byte_sequence() {
    consume(':');
    size_t start = pos_;
    while (!at_end() && is_base64_char(text_[pos_])) ++pos_;
    std::string_view encoded = text_.substr(start, pos_ - start);
    if (!consume(':')) return fail("unterminated Byte Sequence");
    std::optional<Bytes> decoded = from_base64(encoded);
    // Canonical form only, so one byte string has one spelling.
    if (!decoded || to_base64(*decoded) != encoded) {
      return fail("a Byte Sequence must be canonical padded base64");
    }
    return Item{Item::Kind::kByteSequence, 0, std::move(*decoded)};
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<Dictionary> parse_dictionary(std::string_view text) {
  // RFC 8941 section 4.2: leading and trailing SP are discarded.
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return Parser(text).dictionary();
}

bool is_key(std::string_view key) {
  if (key.empty() || !(is_lcalpha(key[0]) || key[0] == '*')) return false;
  for (char c : key) {
    if (!is_key_char(c)) return false;
  }
  return true;
}

bool is_string_safe(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string serialize_string(std::string_view s) {
  GL_ASSERT(is_string_safe(s));
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string serialize_item(const Item& item) {
  switch (item.kind) {
    case Item::Kind::kInteger:
      GL_ASSERT(item.integer >= -kMaxInteger && item.integer <= kMaxInteger);
      return std::to_string(item.integer);
    case Item::Kind::kString:
      return serialize_string(item.text);
    case Item::Kind::kByteSequence:
      return ":" + to_base64(item.text) + ":";
  }
  GL_ASSERT(false);
  return {};
}

std::string serialize_params(const std::vector<Parameter>& params) {
  std::string out;
  for (const Parameter& p : params) {
    GL_ASSERT(is_key(p.key));
    out += ";" + p.key + "=" + serialize_item(p.value);
  }
  return out;
}

std::string serialize_inner_list(const std::vector<std::string>& strings,
                                 const std::vector<Parameter>& params) {
  std::string out = "(";
  for (size_t i = 0; i < strings.size(); ++i) {
    if (i > 0) out += ' ';
    out += serialize_string(strings[i]);
  }
  out += ")";
  return out + serialize_params(params);
}

}  // namespace grantledger::server::sf
