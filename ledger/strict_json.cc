#include "ledger/strict_json.h"

#include <set>
#include <string>
#include <vector>

namespace grantledger {

namespace {
using json = nlohmann::json;

// The first key, in document order, that appears twice in one object; empty when none does. The
// slow path: it keeps every object's keys, so parse_strict_json runs it only once it knows there is one.
std::string first_duplicate_key(std::string_view text) {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto track = [&](int, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() && !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty())
          duplicate = parsed.get<std::string>();
        break;
      default: break;
    }
    return true;
  };
  try {
    json ignored = json::parse(text.begin(), text.end(), track);
  } catch (const json::exception&) {
  }
  return duplicate;
}
}  // namespace

Result<nlohmann::json> parse_strict_json(std::string_view text) {
  // Each open object counts the keys read for it; an object that ends with fewer members than
  // keys read had a key twice (nlohmann keeps the last). The last key read names the field of a
  // number that does not fit.
  std::vector<size_t> keys_read;
  std::string last_key;
  bool duplicate = false;
  auto track = [&](int, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start: keys_read.push_back(0); break;
      case json::parse_event_t::object_end:
        if (!keys_read.empty()) {
          if (parsed.size() != keys_read.back()) duplicate = true;
          keys_read.pop_back();
        }
        break;
      case json::parse_event_t::key:
        if (!keys_read.empty()) ++keys_read.back();
        last_key.assign(parsed.get_ref<const std::string&>());
        break;
      default: break;
    }
    return true;
  };
  json out;
  try {
    out = json::parse(text.begin(), text.end(), track);
  } catch (const json::out_of_range&) {
    // 406: a number beyond a double (nlohmann throws this even where parse errors do not).
    std::string where = last_key.empty() ? "" : "field " + last_key + ": ";
    return Status::invalid_argument(where + "number out of range (larger than any JSON number we accept)");
  } catch (const json::exception& e) {
    return Status::invalid_argument(std::string("malformed JSON: ") + e.what());
  }
  if (duplicate)
    return Status::invalid_argument("field " + first_duplicate_key(text) + ": appears twice in one object (each key once)");
  return out;
}

}  // namespace grantledger
