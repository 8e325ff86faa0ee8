#include "tools/remote_submit.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "ledger/date.h"

namespace grantledger::cli {

Result<Acknowledged> submit_to_server(server::Client& client, const std::string& file) {
  GL_ASSIGN_OR_RETURN(server::Response response, client.post("/v1/submissions", file, "application/octet-stream"));
  GL_RETURN_IF_ERROR(response.error());
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("commits") || !j["commits"].is_array() || !j.contains("tree_size") ||
      !j["tree_size"].is_number_unsigned())
    return Status::io_error("the service's answer is not a receipt");
  Acknowledged out;
  out.tree_size = j["tree_size"].get<uint64_t>();
  // spec/SERVER.md: Grantledger-Replayed says, per commit, whether it was an idempotent retry.
  const bool replayed = response.replayed;
  for (const auto& c : j["commits"]) {
    if (!c.is_object() || !c.contains("commit") || !c["commit"].is_string()) return Status::io_error("the receipt lists a malformed commit");
    auto bytes = from_hex(c["commit"].get<std::string>());
    if (!bytes) return Status::io_error("the receipt lists a commit that is not hex");
    GL_ASSIGN_OR_RETURN(CommitRecord record, decode_commit(*bytes));
    record.info.replayed = replayed;
    out.commits.push_back(record.info);
  }
  out.receipt = std::move(response.body);
  return out;
}

Result<std::string> server_origin(server::Client& client) {
  GL_ASSIGN_OR_RETURN(server::Response response, client.get("/v1/checkpoint"));
  GL_RETURN_IF_ERROR(response.error());
  const size_t nl = response.body.find('\n');
  if (nl == std::string::npos || nl == 0) return Status::io_error("the service's checkpoint has no origin line");
  return response.body.substr(0, nl);
}

void print_acknowledged(const std::vector<CommitInfo>& commits, uint64_t tree_size, std::ostream& out) {
  bool all_replayed = true;
  for (const auto& info : commits) {
    all_replayed &= info.replayed;
    out << (info.replayed ? "already recorded" : "committed") << " seq=" << info.sequence << " events=" << info.first_event_index
        << ".." << info.first_event_index + info.event_count - 1 << " recorded_at=" << format_timestamp_ns(info.recorded_at_ns)
        << " hash=" << to_hex(info.commit_hash) << "\n";
  }
  out << "tree_size=" << tree_size << "\n";
  if (all_replayed) std::cerr << "grantledger: idempotent retry: nothing new was written\n";
}

}  // namespace grantledger::cli
