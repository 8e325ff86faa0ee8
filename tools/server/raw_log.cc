#include "tools/server/raw_log.h"

#include <nlohmann/json.hpp>

namespace grantledger::server {

using nlohmann::json;

Result<std::string> raw_log_ndjson(Ledger& ledger, uint64_t from_sequence, uint64_t limit) {
  if (limit == 0 || limit > kMaxRawCommits)
    return Status::invalid_argument("limit: between 1 and " + std::to_string(kMaxRawCommits) + " commits");
  GL_ASSIGN_OR_RETURN(std::vector<CommitRecord> commits, ledger.commits(from_sequence, limit));
  std::string out;
  for (const CommitRecord& c : commits) {
    GL_ASSIGN_OR_RETURN(std::vector<Bytes> events, ledger.events_of(c));
    GL_ASSIGN_OR_RETURN(std::string note, ledger.checkpoint(c.info.first_event_index + c.info.event_count));
    std::string text = raw_log_line(c.bytes, events, note);
    if (!out.empty() && out.size() + text.size() > kMaxRawBytes) break;
    out += text;
  }
  return out;
}

std::string raw_log_line(std::string_view commit, const std::vector<Bytes>& events, const std::string& checkpoint) {
  // Written by hand: hex needs no escaping, and the JSON writer escapes byte by byte.
  std::string text = "{\"commit\":\"" + to_hex(commit) + "\",\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) text += (i ? ",\"" : "\"") + to_hex(events[i]) + "\"";
  text += "],\"checkpoint\":" + json(checkpoint).dump() + "}\n";
  return text;
}

Result<std::vector<ReplicatedCommit>> parse_raw_log(std::string_view ndjson) {
  std::vector<ReplicatedCommit> out;
  size_t line_number = 0;
  while (!ndjson.empty()) {
    const size_t nl = ndjson.find('\n');
    const std::string_view line = ndjson.substr(0, nl);
    ndjson.remove_prefix(nl == std::string_view::npos ? ndjson.size() : nl + 1);
    ++line_number;
    const std::string where = "raw log line " + std::to_string(line_number) + ": ";
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("commit") || !j["commit"].is_string() || !j.contains("events") ||
        !j["events"].is_array() || !j.contains("checkpoint") || !j["checkpoint"].is_string())
      return Status::invalid_argument(where + "not an object with commit, events and checkpoint");
    ReplicatedCommit c;
    auto commit = from_hex(j["commit"].get<std::string>());
    if (!commit) return Status::invalid_argument(where + "commit: not hex");
    c.commit = std::move(*commit);
    for (const auto& e : j["events"]) {
      auto bytes = e.is_string() ? from_hex(e.get<std::string>()) : std::nullopt;
      if (!bytes) return Status::invalid_argument(where + "events: not a list of hex strings");
      c.events.push_back(std::move(*bytes));
    }
    c.checkpoint = j["checkpoint"].get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace grantledger::server
