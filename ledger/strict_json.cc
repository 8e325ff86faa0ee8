#include "ledger/strict_json.h"

#include <cmath>
#include <string>
#include <vector>

namespace grantledger {

namespace {
using json = nlohmann::json;

// nlohmann's SAX events built into a document as its own DOM parser builds one, noting the first
// key that repeats in its object (nlohmann's parser keeps the last value) and stopping at a number
// no double holds (where nlohmann's parser throws out_of_range).
class StrictDocument {
 public:
  json root;
  std::string last_key;   // the last key read: it names the field of a number that does not fit
  std::string duplicate;  // the first key, in document order, that appears twice in its object
  bool out_of_range = false;
  std::string malformed;  // the parser's message

  bool null() { return add(nullptr); }
  bool boolean(bool v) { return add(v); }
  bool number_integer(json::number_integer_t v) { return add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return add(v); }
  bool number_float(json::number_float_t v, const json::string_t&) {
    if (!std::isfinite(v)) {
      out_of_range = true;
      return false;
    }
    return add(v);
  }
  bool string(json::string_t& v) { return add(std::move(v)); }  // the lexer clears its buffer before the next token
  bool binary(json::binary_t& v) { return add(std::move(v)); }
  bool start_object(std::size_t) {
    open_.push_back(place(json::value_t::object));
    return true;
  }
  bool key(json::string_t& k) {
    last_key = k;
    auto [it, inserted] = open_.back()->get_ref<json::object_t&>().emplace(std::move(k), nullptr);
    if (!inserted && duplicate.empty()) duplicate = last_key;
    member_ = &it->second;
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    open_.push_back(place(json::value_t::array));
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    if (e.id == 406) {  // the lexer's "number overflow"
      out_of_range = true;
      return false;
    }
    malformed = e.what();
    return false;
  }

 private:
  template <typename V>
  bool add(V&& v) {
    place(std::forward<V>(v));
    return true;
  }
  // The new value's place: the document, the open array's next element or the member whose key
  // was just read. Open containers are the last value of their parent, so their addresses hold.
  template <typename V>
  json* place(V&& v) {
    if (open_.empty()) {
      root = json(std::forward<V>(v));
      return &root;
    }
    if (open_.back()->is_array()) {
      auto& array = open_.back()->get_ref<json::array_t&>();
      array.emplace_back(std::forward<V>(v));
      return &array.back();
    }
    *member_ = json(std::forward<V>(v));
    return member_;
  }
  std::vector<json*> open_;
  json* member_ = nullptr;
};
}  // namespace

Result<nlohmann::json> parse_strict_json(std::string_view text) {
  StrictDocument doc;
  const bool parsed = json::sax_parse(text.begin(), text.end(), &doc);
  if (doc.out_of_range) {
    std::string where = doc.last_key.empty() ? "" : "field " + doc.last_key + ": ";
    return Status::invalid_argument(where + "number out of range (larger than any JSON number we accept)");
  }
  if (!doc.malformed.empty()) return Status::invalid_argument("malformed JSON: " + doc.malformed);
  if (!doc.duplicate.empty())
    return Status::invalid_argument("field " + doc.duplicate + ": appears twice in one object (each key once)");
  if (!parsed) return Status::invalid_argument("malformed JSON");  // every stop above says why; kept as a guard
  return std::move(doc.root);
}

}  // namespace grantledger
