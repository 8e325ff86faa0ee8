// Reading a JSON-lines file: its lines are parsed in chunks on two threads, and the result is what
// a reading line by line gives: the events in file order with their line labels, and the first
// failing line's error.
#include <catch2/catch.hpp>

#include <fstream>

#include "ledger/jsonl_input.h"
#include "tests/test_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

std::string entity_line(size_t i) {
  return R"({"type":"entity_registered","effective_date":"2012-01-01","kind":"provider","code":"p)" + std::to_string(i) +
         R"(","name":"Provider )" + std::to_string(i) + R"("})";
}

// `count` lines; line numbers (1-based) in `bad` hold an unknown field, those in `long_lines` are
// longer than a line may be; every 7th line is followed by a blank one and every 5th ends in CRLF.
struct File {
  std::string path;
  std::vector<std::string> lines;  // every line written, blank ones included
};
File write_file(const TempDir& tmp, size_t count, const std::set<size_t>& bad = {}, const std::set<size_t>& long_lines = {}) {
  File f{tmp / "in.jsonl", {}};
  for (size_t i = 0; f.lines.size() < count; ++i) {
    size_t no = f.lines.size() + 1;
    std::string line = entity_line(i);
    if (bad.count(no)) line.insert(line.size() - 1, R"(,"surprise":1)");
    if (long_lines.count(no)) line.insert(line.size() - 1, R"(,"pad":")" + std::string(kMaxJsonLineBytes, 'x') + "\"");
    if (i % 5 == 0) line += "\r";
    f.lines.push_back(line);
    if (i % 7 == 6 && f.lines.size() < count) f.lines.push_back("  ");
  }
  size_t placed = 0;
  for (const std::string& l : f.lines) placed += l.find("surprise") != std::string::npos || l.size() > kMaxJsonLineBytes;
  REQUIRE(placed == bad.size() + long_lines.size());  // none asked for on a blank line
  std::ofstream out(f.path, std::ios::binary);
  for (const std::string& l : f.lines) out << l << "\n";
  return f;
}

}  // namespace

TEST_CASE("a JSON-lines file parsed on two threads gives its events in order, labelled by line", "[ledger][json]") {
  TempDir tmp;
  // 45,000 lines: more than one chunk of 4 MiB, each parsed in two halves.
  File f = write_file(tmp, 45000);
  auto events = read_events_jsonl(f.path);
  REQUIRE(events.has_value());
  size_t n = 0;
  for (size_t i = 0; i < f.lines.size(); ++i) {
    std::string line = f.lines[i];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    REQUIRE(n < events->size());
    auto expected = event_bytes_from_json_line(line);
    REQUIRE(expected.has_value());
    INFO("line " << i + 1);
    CHECK((*events)[n].label == f.path + " line " + std::to_string(i + 1));
    CHECK((*events)[n].canonical == *expected);
    ++n;
  }
  CHECK(n == events->size());
  CHECK(n > 38030);
}

TEST_CASE("a JSON-lines file's error is its first failing line's, in whichever half or chunk it is", "[ledger][json]") {
  TempDir tmp;
  struct Case {
    size_t lines;
    std::set<size_t> bad, long_lines;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {1000, {700}, {}, "line 700: field surprise"},
      {1000, {300, 700}, {}, "line 300: field surprise"},
      {1000, {999}, {2}, "line 2: longer than"},
      {1000, {700}, {803}, "line 700: field surprise"},
      {1000, {}, {803}, "line 803: longer than"},
      {45000, {44001}, {}, "line 44001: field surprise"},
      {45000, {30001, 44001}, {40001}, "line 30001: field surprise"},
      {45000, {44001}, {40001}, "line 40001: longer than"},
      {10, {10}, {}, "line 10: field surprise"},
  };
  for (const Case& c : cases) {
    File f = write_file(tmp, c.lines, c.bad, c.long_lines);
    auto events = read_events_jsonl(f.path);
    INFO(c.needle);
    REQUIRE(!events.has_value());
    CHECK(events.error().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(events.error().message(), Catch::Contains(f.path + " " + c.needle));
  }
}
