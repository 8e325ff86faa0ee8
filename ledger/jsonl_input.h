// Reading events from a JSON-lines file (spec/JSON.md): one event object per line.
//
// Every line is parsed and mapped to canonical Event bytes before anything is submitted, so a
// bad line anywhere rejects the whole file. Blank lines are skipped. Errors name the file, the
// line, the field and the reason.
#pragma once

#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

inline constexpr size_t kMaxJsonLineBytes = 64 * 1024;
inline constexpr size_t kMaxEventsPerFile = 1000000;

struct InputEvent {
  Bytes canonical;    // canonical Event bytes
  std::string label;  // "FILE line N"
};

Result<std::vector<InputEvent>> read_events_jsonl(const std::string& path);
// Parses one JSON line to canonical Event bytes; errors carry no location.
Result<Bytes> event_bytes_from_json_line(std::string_view line);

}  // namespace grantledger
