#include "ledger/strict_json.h"

#include <set>
#include <string>
#include <vector>

namespace grantledger {

Result<nlohmann::json> parse_strict_json(std::string_view text) {
  using json = nlohmann::json;
  // One set of keys per open object: a key seen twice in the same object is refused. The last key
  // read names the field of a number that does not fit.
  std::vector<std::set<std::string>> open_objects;
  std::string last_key, duplicate;
  auto track = [&](int, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        last_key = parsed.get<std::string>();
        if (!open_objects.empty() && !open_objects.back().insert(last_key).second && duplicate.empty())
          duplicate = last_key;
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
  if (!duplicate.empty())
    return Status::invalid_argument("field " + duplicate + ": appears twice in one object (each key once)");
  return out;
}

}  // namespace grantledger
