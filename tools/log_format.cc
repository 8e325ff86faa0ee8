#include "tools/log_format.h"

#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/event_json.h"

namespace grantledger::cli {

Status print_log(Ledger& ledger, uint64_t from, uint64_t limit, bool json, std::ostream& out) {
  GL_ASSIGN_OR_RETURN(std::vector<CommitRecord> commits, ledger.commits(from, limit));
  for (const CommitRecord& c : commits) {
    nlohmann::json events = nlohmann::json::array();
    GL_ASSIGN_OR_RETURN(std::vector<Bytes> stored, ledger.events_of(c));
    for (uint32_t i = 0; i < c.info.event_count; ++i) {
      uint64_t index = c.info.first_event_index + i;
      GL_ASSIGN_OR_RETURN(DecodedMessage msg, DecodedMessage::decode(stored[i]));
      nlohmann::json e = event_to_json(msg.root<schema::Event>());
      nlohmann::json row = {{"index", index}, {"leaf_hash", to_hex(c.event_hashes.at(i))}};
      row.update(e);
      events.push_back(std::move(row));
    }
    if (json) {
      nlohmann::json j = {{"sequence", c.info.sequence},
                          {"recorded_at", format_timestamp_ns(c.info.recorded_at_ns)},
                          {"recorded_at_ns", c.info.recorded_at_ns},
                          {"signer_key_id", to_hex(c.info.signer_key_id)},
                          {"idempotency_key", c.info.idempotency_key},
                          {"first_event_index", c.info.first_event_index},
                          {"event_count", c.info.event_count},
                          {"commit_hash", to_hex(c.info.commit_hash)},
                          {"previous_commit_hash", to_hex(c.previous_commit_hash)},
                          {"signature", to_hex(c.signature)},
                          {"format_version", c.format_version}};
      // Log format v2 (spec/LOG.md, "Commits"): the submitter's signature and when it signed.
      if (c.format_version == kCommitFormatV2) {
        j["submission_created_at"] = format_timestamp_ns(c.submission_created_at_ns);
        j["submission_signature"] = to_hex(c.submission_signature);
      }
      j["events"] = std::move(events);
      out << j.dump() << "\n";
      continue;
    }
    out << "commit " << c.info.sequence << "  recorded " << format_timestamp_ns(c.info.recorded_at_ns)
        << "  signer " << to_hex(c.info.signer_key_id).substr(0, 16) << "  events "
        << c.info.first_event_index << ".." << c.info.first_event_index + c.info.event_count - 1;
    if (!c.info.idempotency_key.empty()) out << "  idempotency_key " << c.info.idempotency_key;
    out << "\n  hash " << to_hex(c.info.commit_hash) << "\n";
    for (auto& e : events) {
      std::string type = e["type"], date = e["effective_date"];
      uint64_t index = e["index"];
      for (const char* k : {"index", "leaf_hash", "type", "effective_date"}) e.erase(k);
      out << "  #" << index << "  " << date << "  " << type << "  " << e.dump() << "\n";
    }
  }
  return Status::ok();
}

}  // namespace grantledger::cli
