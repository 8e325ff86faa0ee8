#include "ledger/jsonl_input.h"

#include <capnp/message.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>
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

namespace {
// Lines are read in chunks of about this many bytes; each chunk is parsed on up to two threads.
constexpr size_t kChunkBytes = 4 << 20;
constexpr size_t kMinLinesPerThread = 64;

struct Line {
  size_t no;
  std::string text;
};

// Parses lines [begin, end) into out[begin, end); stops at the first that fails and returns it.
Status parse_lines(const std::string& path, const std::vector<Line>& lines, size_t begin, size_t end, std::vector<InputEvent>* out) {
  for (size_t i = begin; i < end; ++i) {
    std::string where = path + " line " + std::to_string(lines[i].no);
    auto bytes = event_bytes_from_json_line(lines[i].text);
    if (!bytes) return bytes.error().with_context(where + ": ");
    (*out)[i] = {std::move(bytes).value(), std::move(where)};
  }
  return Status::ok();
}

// Appends the events of `lines` to `out`, parsed on two threads when there are enough of them. The
// error is that of the first failing line, as a parse line by line would report it.
Status parse_chunk(const std::string& path, const std::vector<Line>& lines, std::vector<InputEvent>* out) {
  std::vector<InputEvent> parsed(lines.size());
  const bool split = lines.size() >= 2 * kMinLinesPerThread && std::thread::hardware_concurrency() > 1;
  const size_t half = split ? lines.size() / 2 : lines.size();
  Status second = Status::ok();
  {
    std::jthread helper;
    if (split) helper = std::jthread([&] { second = parse_lines(path, lines, half, lines.size(), &parsed); });
    GL_RETURN_IF_ERROR(parse_lines(path, lines, 0, half, &parsed));
  }  // joined
  GL_RETURN_IF_ERROR(second);
  for (InputEvent& e : parsed) out->push_back(std::move(e));
  return Status::ok();
}
}  // namespace

Result<std::vector<InputEvent>> read_events_jsonl(const std::string& path) {
  GL_RETURN_IF_ERROR(check_input_file(path, "input file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("input file " + path + ": cannot be read: " + std::strerror(errno));
  std::vector<InputEvent> out;
  std::vector<Line> chunk;
  size_t chunk_bytes = 0, events = 0;
  std::string line;
  size_t line_no = 0;
  // A line that ends the reading (too long, one event too many) is reported only after every line
  // before it parsed: the error is always the first line's that fails.
  Status stopped = Status::ok();
  while (std::getline(in, line)) {
    ++line_no;
    if (line.size() > kMaxJsonLineBytes) {
      stopped = Status::invalid_argument(path + " line " + std::to_string(line_no) + ": longer than " +
                                         std::to_string(kMaxJsonLineBytes) + " bytes");
      break;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (events == kMaxEventsPerFile) {
      stopped = Status::invalid_argument(path + ": more than " + std::to_string(kMaxEventsPerFile) + " events");
      break;
    }
    ++events;
    chunk_bytes += line.size();
    chunk.push_back({line_no, std::move(line)});
    line.clear();
    if (chunk_bytes >= kChunkBytes) {
      GL_RETURN_IF_ERROR(parse_chunk(path, chunk, &out));
      chunk.clear();
      chunk_bytes = 0;
    }
  }
  GL_RETURN_IF_ERROR(parse_chunk(path, chunk, &out));
  GL_RETURN_IF_ERROR(stopped);
  if (in.bad()) return Status::io_error("input file " + path + ": read failed");
  if (out.empty()) return Status::invalid_argument("input file " + path + ": holds no events");
  return out;
}

}  // namespace grantledger
