// Every input the fuzzers found that once crashed a decoder (tests/fuzz/crashes/) is now refused
// as corruption, or decodes into something every reader can print: no exception escapes, no
// undefined behaviour (the sanitizer build runs this too).
#include <catch2/catch.hpp>

#include <filesystem>

#include "ledger/canonical.h"
#include "ledger/event_json.h"
#include "ledger/ledger.h"
#include "tests/cli_support.h"
#include "tools/audit/proof_json.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

std::vector<std::string> crash_files(const std::string& target) {
  std::vector<std::string> out;
  const auto dir = std::filesystem::path(GL_TEST_DATA_DIR).parent_path() / "fuzz" / "crashes" / target;
  for (const auto& f : std::filesystem::directory_iterator(dir)) out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("fuzz reproducers: events that crashed the decoder are refused or print", "[ledger][fuzz]") {
  const auto files = crash_files("event_decode_fuzz");
  REQUIRE(files.size() >= 5);
  for (const auto& path : files) {
    INFO(path);
    const std::string bytes = read_file(path);
    auto message = DecodedMessage::decode(bytes);
    if (!message) {
      CHECK(message.error().code() == StatusCode::kCorruption);
      continue;
    }
    CHECK_NOTHROW(event_to_json(message->root<schema::Event>()).dump());
  }
}

TEST_CASE("a list of zero-sized elements claiming more elements than the message has bits is refused", "[ledger][fuzz]") {
  // 72 bytes whose list of empty structs claimed about 4 million elements: printing it took 27 s
  // (a fuzzer's timeout). Decoding now refuses it before any reader walks the list.
  const std::string bytes = read_file(std::string(GL_TEST_DATA_DIR) + "/../fuzz/crashes/event_decode_fuzz/zero_size_struct_list_4m.bin");
  REQUIRE(bytes.size() == 72);
  auto message = DecodedMessage::decode(bytes);
  REQUIRE(!message.has_value());
  CHECK(message.error().code() == StatusCode::kCorruption);
  CHECK(message.error().message().find("more elements than the message has bits") != std::string::npos);
}

TEST_CASE("fuzz reproducers: commits that crashed the decoder are refused as corruption", "[ledger][fuzz]") {
  const auto files = crash_files("commit_decode_fuzz");
  REQUIRE(files.size() >= 2);
  for (const auto& path : files) {
    INFO(path);
    auto commit = decode_commit(read_file(path));
    REQUIRE(!commit.has_value());
    CHECK(commit.error().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("fuzz reproducers: proofs that crashed verify-proof do not verify", "[ledger][fuzz]") {
  const auto files = crash_files("proof_json_fuzz");
  REQUIRE(!files.empty());
  const PublicKey key = PrivateKey::generate().public_key();
  for (const auto& path : files) {
    INFO(path);
    auto v = audit::verify_proof(read_file(path), key);
    CHECK(!v.has_value());
  }
}
