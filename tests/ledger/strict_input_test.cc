// Input that could store a value the user did not see, or end the process, is refused with exit 2
// naming the line and field, and nothing is written: duplicate keys, numbers beyond a double, a
// directory given as the input file.
#include <catch2/catch.hpp>

#include <fstream>

#include "ledger/strict_json.h"
#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

struct CliLedger {
  TempDir tmp;
  std::string dir = tmp / "ledger";
  CliLedger() { REQUIRE(run_cli(tmp, {"init", "--data", dir}).exit_code == 0); }
  std::string fingerprint() {
    auto ledger = Ledger::open(dir, {.read_only = true});
    REQUIRE(ledger.has_value());
    return testing::fingerprint(**ledger);
  }
  CliResult append_lines(const std::string& lines) {
    std::ofstream(tmp / "in.jsonl") << lines;
    return run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input", tmp / "in.jsonl"});
  }
};

const std::string kEntity =
    R"({"type":"entity_registered","effective_date":"2012-01-01","kind":"provider","code":"eal","name":"EAL")";

}  // namespace

TEST_CASE("strict JSON: one value per key, numbers a double holds", "[ledger][json]") {
  CHECK(parse_strict_json(R"({"a":1,"b":{"a":2}})").has_value());  // the same key in another object is fine
  auto dup = parse_strict_json(R"({"amount_ore":100000,"x":1,"amount_ore":999999})");
  REQUIRE(!dup.has_value());
  CHECK(dup.error().code() == StatusCode::kInvalidArgument);
  CHECK(dup.error().message().find("field amount_ore: appears twice") != std::string::npos);
  auto nested = parse_strict_json(R"({"rules":[{"k":1,"k":2}]})");
  REQUIRE(!nested.has_value());
  CHECK(nested.error().message().find("field k") != std::string::npos);
  // The first key repeated in document order is named, whichever object ends first; the same key
  // in sibling objects, and an empty object, are fine.
  auto outer_first = parse_strict_json(R"({"a":1,"a":2,"b":{"c":1,"c":2}})");
  REQUIRE(!outer_first.has_value());
  CHECK(outer_first.error().message().find("field a: appears twice") != std::string::npos);
  auto inner_first = parse_strict_json(R"({"b":{"c":1,"c":2},"a":1,"a":2})");
  REQUIRE(!inner_first.has_value());
  CHECK(inner_first.error().message().find("field c: appears twice") != std::string::npos);
  auto deep = parse_strict_json(R"({"x":[{},{"y":{"z":[1,{"q":1,"q":{}}]}}]})");
  REQUIRE(!deep.has_value());
  CHECK(deep.error().message().find("field q: appears twice") != std::string::npos);
  CHECK(parse_strict_json(R"([{"k":1},{"k":2},{}])").has_value());
  auto huge = parse_strict_json(R"({"amount_ore":1e400})");
  REQUIRE(!huge.has_value());
  CHECK(huge.error().code() == StatusCode::kInvalidArgument);
  CHECK(huge.error().message().find("field amount_ore: number out of range") != std::string::npos);
  CHECK(!parse_strict_json(R"({"a":-1e400})").has_value());
  CHECK(!parse_strict_json("{not json").has_value());
}

TEST_CASE("append refuses duplicate keys, huge numbers and a directory, writing nothing", "[ledger][json][cli]") {
  CliLedger l;
  const std::string before = l.fingerprint();
  struct Case {
    std::string input, needle;
  };
  const std::vector<Case> cases = {
      {kEntity + R"(,"code":"evil"})" + "\n", "line 1: field code: appears twice"},
      {R"({"type":"entity_registered","type":"key_revoked","effective_date":"2012-01-01","kind":"provider","code":"x","name":"X"})"
       "\n",
       "line 1: field type: appears twice"},
      {kEntity + "}\n" + kEntity + R"(,"population":1e400})" + "\n", "line 2: field population: number out of range"},
      {kEntity + R"(,"unknown_field":1e400})" + "\n", "line 1: field unknown_field: number out of range"},
  };
  for (const Case& c : cases) {
    auto r = l.append_lines(c.input);
    INFO(c.input << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.needle) != std::string::npos);
    CHECK(l.fingerprint() == before);
  }
  auto dir = run_cli(l.tmp, {"append", "--data", l.dir, "--key", l.dir + "/keys/admin.pem", "--input", l.tmp.path()});
  CHECK(dir.exit_code == 2);
  CHECK(dir.err.find("is a directory") != std::string::npos);
  auto key_dir = run_cli(l.tmp, {"append", "--data", l.dir, "--key", l.tmp.path(), "--input", l.tmp / "in.jsonl"});
  CHECK(key_dir.exit_code == 2);
  CHECK(l.fingerprint() == before);
  // The same line without the duplicate is accepted: the refusals were about the input, not the event.
  auto good = l.append_lines(kEntity + "}\n");
  INFO(good.err);
  CHECK(good.exit_code == 0);
}
