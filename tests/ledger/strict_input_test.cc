// Input that could store a value the user did not see, or end the process, is refused with exit 2
// naming the line and field, and nothing is written: duplicate keys, numbers beyond a double, a
// directory given as the input file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

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

// parse_strict_json builds its document from nlohmann's SAX events: where nlohmann's own parser
// accepts a text (and the text has no repeated key and no number beyond a double), the documents are
// equal; where nlohmann refuses it, so does parse_strict_json.
TEST_CASE("strict JSON: the same documents as nlohmann's parser, on crafted, fuzz corpus and damaged texts", "[ledger][json][fuzz]") {
  std::vector<std::string> texts = {
      "{}", "[]", "0", "-0", "1.5e3", "-12345678901234567890", "18446744073709551615", "18446744073709551616", "1e308",
      "\"text\"", "true", "false", "null", R"({"a":[1,2,{"b":[[],{}]},"x"],"c":{"d":{"e":null}}})",
      R"(  { "sp" : [ 1 , 2 ] }  )", R"({"u":"\u00e6\u00f8\u00e5 \ud83d\ude00","esc":"\"\\\/\b\f\n\r\t"})",
      R"([[[[[[[[1]]]]]]]])", R"({"a":1} x)", R"({"a":})", R"({"a" 1})", R"([1,])", R"({"a":1,})", "", " ", "{", "[",
      R"({"a":"\x"})", R"({"a":"\ud800"})", "nul", "01", "1.", ".5", "+1", "[1e]", "\"\x01\"", "{\"a\":1}\n",
      R"({"a":1.7976931348623157e308,"b":-4.9e-324})", R"([{"k":1},{"k":2},{}])", R"({"":""})"};
  const std::filesystem::path fuzz = std::filesystem::path(GL_TEST_DATA_DIR).parent_path() / "fuzz";
  for (const char* dir : {"corpus/event_json_fuzz", "corpus/proof_json_fuzz", "crashes/proof_json_fuzz"}) {
    if (!std::filesystem::exists(fuzz / dir)) continue;
    for (const auto& f : std::filesystem::directory_iterator(fuzz / dir)) {
      std::ifstream in(f.path(), std::ios::binary);
      texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  // Damaged copies: each text with bytes flipped, cut short or doubled.
  std::mt19937 rng(16);
  const size_t originals = texts.size();
  for (size_t i = 0; i < originals; ++i) {
    for (int k = 0; k < 40 && !texts[i].empty(); ++k) {
      std::string t = texts[i];
      size_t at = rng() % t.size();
      switch (k % 4) {
        case 0: t[at] = static_cast<char>(rng() % 256); break;
        case 1: t.resize(at); break;
        case 2: t.insert(at, t.substr(at, 1 + rng() % 8)); break;
        case 3: t[at] = "{}[],:\"0e-"[rng() % 11]; break;
      }
      texts.push_back(std::move(t));
    }
  }
  size_t accepted = 0, refused = 0;
  for (const std::string& t : texts) {
    INFO(t);
    nlohmann::json theirs = nlohmann::json::parse(t, nullptr, /*allow_exceptions=*/false);
    auto ours = parse_strict_json(t);
    if (theirs.is_discarded()) {
      CHECK(!ours.has_value());
      ++refused;
      continue;
    }
    if (!ours.has_value()) {  // only for what nlohmann keeps silently: a repeated key
      CHECK(ours.error().message().find("appears twice in one object") != std::string::npos);
      continue;
    }
    CHECK(*ours == theirs);
    ++accepted;
  }
  CHECK(accepted > 100);
  CHECK(refused > 100);
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
