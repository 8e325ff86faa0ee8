#include "ledger/jsonl_input.h"

#include <capnp/message.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/event_json.h"
#include "ledger/input_file.h"
#include "ledger/strict_json.h"

namespace grantledger {

Result<Bytes> event_bytes_from_json_line(std::string_view line) {
  GL_ASSIGN_OR_RETURN(nlohmann::json obj, parse_strict_json(line));
  // A first segment of 1 KiB holds a typical event (capnp's default, 8 KiB, is zeroed per line).
  capnp::MallocMessageBuilder message(128);
  auto event = message.initRoot<schema::Event>();
  GL_RETURN_IF_ERROR(event_from_json(obj, event));
  return canonical_bytes(event.asReader());
}

Result<std::vector<InputEvent>> read_events_jsonl(const std::string& path) {
  GL_RETURN_IF_ERROR(check_input_file(path, "input file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("input file " + path + ": cannot be read: " + std::strerror(errno));
  std::vector<InputEvent> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string where = path + " line " + std::to_string(line_no);
    if (line.size() > kMaxJsonLineBytes)
      return Status::invalid_argument(where + ": longer than " + std::to_string(kMaxJsonLineBytes) + " bytes");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (out.size() == kMaxEventsPerFile)
      return Status::invalid_argument(path + ": more than " + std::to_string(kMaxEventsPerFile) + " events");
    auto bytes = event_bytes_from_json_line(line);
    if (!bytes) return bytes.error().with_context(where + ": ");
    out.push_back({std::move(bytes).value(), where});
  }
  if (in.bad()) return Status::io_error("input file " + path + ": read failed");
  if (out.empty()) return Status::invalid_argument("input file " + path + ": holds no events");
  return out;
}

}  // namespace grantledger
