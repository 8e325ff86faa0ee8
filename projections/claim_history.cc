#include "projections/claim_history.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace grantledger::projections {

namespace {

// The keys' separator: codes and claim ids are text without NUL.
constexpr char kSeparator = '\0';

// A string field, required or (when `required` is false) absent meaning empty.
bool string_field(const nlohmann::json& j, const char* name, bool required, std::string* out) {
  auto f = j.find(name);
  if (f == j.end()) return !required;
  if (!f->is_string()) return false;
  *out = f->get<std::string>();
  return true;
}

// An integer field within [lo, hi].
bool integer_field(const nlohmann::json& j, const char* name, int64_t lo, int64_t hi, int64_t* out) {
  auto f = j.find(name);
  if (f == j.end() || !f->is_number_integer()) return false;
  if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
  int64_t v = f->get<int64_t>();
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

std::optional<ClaimStatus> parse_claim_status(std::string_view name) {
  for (ClaimStatus s : kClaimStatuses)
    if (name == claim_status_name(s)) return s;
  return std::nullopt;
}

Bytes claim_changes_of_entity(std::string_view employer) {
  Bytes key(kClaimChangePrefix);
  key.append(employer);
  key.push_back(kSeparator);
  return key;
}

Bytes claim_change_key(std::string_view employer, std::string_view claim_id, uint64_t event_index) {
  Bytes key = claim_changes_of_entity(employer);
  key.append(claim_id);
  key.push_back(kSeparator);
  put_u64_be(&key, event_index);
  return key;
}

namespace {

bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// A JSON string exactly as nlohmann::json::dump() writes one of ASCII text.
void append_json_string(Bytes* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    switch (ch) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(ch));
          *out += escaped;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

Bytes claim_change_value(const ClaimChange& c) {
  // The common case, written directly (this runs for every claim event the builder applies): the
  // same bytes as claim_change_json, keys in its (sorted) order. Text with non-ASCII
  // bytes takes the general path, which also validates the UTF-8.
  if (ascii(c.text) && ascii(c.programme) && ascii(c.payment_id)) {
    Bytes out;
    out.reserve(128 + c.text.size() + c.programme.size() + c.payment_id.size());
    out += '{';
    if (c.state == ClaimStatus::kClaimed) out += "\"amount_ore\":" + std::to_string(c.amount_ore.value) + ",";
    out += "\"commit\":" + std::to_string(c.commit_sequence) + ",\"date\":" + std::to_string(c.effective_date);
    if (c.state == ClaimStatus::kClaimed) {
      out += ",\"payment\":";
      append_json_string(&out, c.payment_id);
      out += ",\"programme\":";
      append_json_string(&out, c.programme);
    }
    out += ",\"state\":";
    append_json_string(&out, claim_status_name(c.state));
    if (!c.text.empty()) {
      out += ",\"text\":";
      append_json_string(&out, c.text);
    }
    out += '}';
    return out;
  }
  return claim_change_json(c);
}

Bytes claim_change_json(const ClaimChange& c) {
  // nlohmann::json orders keys, so equal changes give equal bytes (the digest depends on it).
  nlohmann::json j = {{"state", claim_status_name(c.state)}, {"date", c.effective_date}, {"commit", c.commit_sequence}};
  if (!c.text.empty()) j["text"] = c.text;
  if (c.state == ClaimStatus::kClaimed) {
    j["programme"] = c.programme;
    j["payment"] = c.payment_id;
    j["amount_ore"] = c.amount_ore.value;
  }
  return j.dump();
}

bool decode_claim_change(std::string_view key, std::string_view value, std::string* employer, std::string* claim_id,
                         ClaimChange* out) {
  if (!key.starts_with(kClaimChangePrefix) || key.size() < kClaimChangePrefix.size() + 2 + 8) return false;
  std::string_view rest = key.substr(kClaimChangePrefix.size(), key.size() - kClaimChangePrefix.size() - 8);
  size_t sep = rest.find(kSeparator);
  if (sep == std::string_view::npos || rest.back() != kSeparator || sep + 1 >= rest.size()) return false;
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  ClaimChange c;
  c.event_index = get_u64_be(key.substr(key.size() - 8));
  std::string state;
  int64_t date = 0, commit = 0;
  if (!string_field(j, "state", true, &state) || !integer_field(j, "date", INT32_MIN, INT32_MAX, &date) ||
      !integer_field(j, "commit", 0, INT64_MAX, &commit) || !string_field(j, "text", false, &c.text))
    return false;
  std::optional<ClaimStatus> parsed = parse_claim_status(state);
  if (!parsed) return false;
  c.state = *parsed;
  c.effective_date = static_cast<int32_t>(date);
  c.commit_sequence = static_cast<uint64_t>(commit);
  if (j.contains("programme")) {
    if (!string_field(j, "programme", true, &c.programme) || !string_field(j, "payment", true, &c.payment_id) ||
        !integer_field(j, "amount_ore", INT64_MIN, INT64_MAX, &c.amount_ore.value))
      return false;
  }
  *employer = std::string(rest.substr(0, sep));
  *claim_id = std::string(rest.substr(sep + 1, rest.size() - sep - 2));
  *out = std::move(c);
  return true;
}

std::optional<ClaimAsOf> claim_as_of(const std::string& employer, const std::string& claim_id,
                                     const std::vector<ClaimChange>& changes, const AsOf& as_of) {
  const ClaimChange& claimed = changes.front();
  if (!as_of.includes(claimed.effective_date, claimed.commit_sequence)) return std::nullopt;
  ClaimAsOf out{employer, claim_id, claimed, claimed};
  for (const ClaimChange& c : changes)
    if (as_of.includes(c.effective_date, c.commit_sequence)) out.last = c;
  return out;
}

}  // namespace grantledger::projections
