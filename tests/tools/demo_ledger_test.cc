// The demo writes only to an absent or empty directory or to a ledger it created; every demo
// ledger gets its own random origin (tools/demo/demo_ledger.h, spec/CLI.md "demo").
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>

#include "tests/cli_support.h"
#include "tools/demo/demo_ledger.h"

using namespace grantledger;
using namespace grantledger::testing;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSmallDemo = {"--seed", "7", "--course-payments", "12"};

CliResult demo_cli(const TempDir& tmp, const std::string& dir) {
  std::vector<std::string> args = {"demo", "--data", dir};
  args.insert(args.end(), kSmallDemo.begin(), kSmallDemo.end());
  return run_cli(tmp, args);
}

// Every file under `dir` (or `dir` itself, a file) with its content, except RocksDB's own files,
// which any open may rotate or rewrite (the ledger's content is compared by fingerprint): equal
// snapshots mean no key, file or directory was written.
std::map<std::string, std::string> files_under(const std::string& dir) {
  static const std::regex kRocksDbFile(R"(\d+\.(log|sst|blob)|MANIFEST-\d+|OPTIONS-\d+|CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?)");
  std::map<std::string, std::string> out;
  if (!fs::exists(dir)) return out;
  if (!fs::is_directory(dir)) return {{"", read_file(dir)}};
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (std::regex_match(e.path().filename().string(), kRocksDbFile)) continue;
    out[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? read_file(e.path().string()) : "<dir>";
  }
  return out;
}

std::string origin_of(const std::string& dir) {
  auto ledger = Ledger::open(dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  return (*ledger)->origin();
}

}  // namespace

TEST_CASE("demo refuses a ledger made by init, even with DIR/keys/admin.pem, and writes nothing", "[demo]") {
  TempDir tmp;
  const std::string dir = tmp / "L";
  auto init = run_cli(tmp, {"init", "--data", dir});
  REQUIRE(init.exit_code == 0);
  REQUIRE(fs::exists(dir + "/keys/admin.pem"));
  const auto files = files_under(dir);
  const std::string before = fingerprint(dir);

  auto r = demo_cli(tmp, dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("a ledger the demo did not create"));
  CHECK(r.out.find("signed checkpoint") == std::string::npos);
  CHECK(fingerprint(dir) == before);
  CHECK(files_under(dir) == files);
}

TEST_CASE("demo refuses a file, a directory of other files, and writes nothing", "[demo]") {
  TempDir tmp;
  fs::create_directories(tmp / "other/sub");
  std::ofstream(tmp / "other/notes.txt") << "mine\n";
  std::ofstream(tmp / "afile") << "x";
  // A directory that looks like RocksDB's but is not a ledger, and one with only a keys folder.
  fs::create_directories(tmp / "keysonly/keys");
  for (const std::string& dir : {tmp / "other", tmp / "afile", tmp / "keysonly"}) {
    CAPTURE(dir);
    const auto files = files_under(dir);
    auto r = demo_cli(tmp, dir);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("the demo writes only to an absent or empty directory"));
    CHECK(files_under(dir) == files);
  }
  CHECK(read_file(tmp / "afile") == "x");
}

TEST_CASE("demo refuses its own ledger when DIR/keys/admin.pem is missing or another key", "[demo]") {
  TempDir tmp;
  const std::string dir = tmp / "d";
  REQUIRE(demo_cli(tmp, dir).exit_code == 0);
  const std::string before = fingerprint(dir);
  fs::rename(dir + "/keys/admin.pem", tmp / "admin.pem.saved");
  const auto files = files_under(dir);
  auto missing = demo_cli(tmp, dir);
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("admin.pem is missing"));
  CHECK(files_under(dir) == files);

  fs::remove(dir + "/keys/admin.pub.pem");
  REQUIRE(PrivateKey::generate().save(dir + "/keys/admin").is_ok());
  const auto files2 = files_under(dir);
  auto other = demo_cli(tmp, dir);
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("is not the admin key its genesis commit registered"));
  CHECK(files_under(dir) == files2);
  CHECK(fingerprint(dir) == before);
}

TEST_CASE("demo creates its ledger in an empty directory, and a rerun writes nothing and prints the summary", "[demo]") {
  TempDir tmp;
  const std::string dir = tmp / "empty";
  fs::create_directories(dir);
  auto first = demo_cli(tmp, dir);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const std::string before = fingerprint(dir);
  const auto files = files_under(dir);

  auto again = demo_cli(tmp, dir);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("the demo was already recorded in " + dir + "; nothing new written"));
  CHECK_THAT(again.out, Catch::Contains("trial balance: 0,00 kr."));
  CHECK_THAT(again.out, Catch::Contains("signed checkpoint"));
  CHECK(fingerprint(dir) == before);
  CHECK(files_under(dir) == files);
}

TEST_CASE("every demo ledger has its own random origin, and classify recognises the demo's marks", "[demo]") {
  TempDir tmp;
  REQUIRE(demo_cli(tmp, tmp / "a").exit_code == 0);
  REQUIRE(demo_cli(tmp, tmp / "b").exit_code == 0);
  const std::string a = origin_of(tmp / "a"), b = origin_of(tmp / "b");
  const std::regex kDemoOrigin("grantledger\\.local/demo-[0-9a-f]{16}");
  CHECK(std::regex_match(a, kDemoOrigin));
  CHECK(std::regex_match(b, kDemoOrigin));
  CHECK(a != b);
  // Whatever the seed and size, commit 4 records the 2012 allocations and ends at tree size 238
  // (spec/CLI.md, "demo"; README's --known-at 4 and --from 238).
  for (const std::string& dir : {tmp / "a", tmp / "c"}) {
    if (dir == tmp / "c") REQUIRE(run_cli(tmp, {"demo", "--data", dir, "--seed", "99", "--course-payments", "40"}).exit_code == 0);
    auto ledger = Ledger::open(dir, {.read_only = true});
    REQUIRE(ledger.has_value());
    auto c = (*ledger)->commit(4);
    REQUIRE(c.has_value());
    CHECK(c->info.idempotency_key == "demo/allocations-2012/1");
    CHECK(c->info.first_event_index + c->info.event_count == 238);
  }
  // The checkpoint names the origin.
  auto cp = run_cli(tmp, {"checkpoint", "--data", tmp / "a"});
  CHECK(cp.out.rfind(a + "\n", 0) == 0);

  CHECK(demo::classify_demo_directory(tmp / "a").value() == demo::DemoDirectory::kOwn);
  CHECK(demo::classify_demo_directory(tmp / "absent").value() == demo::DemoDirectory::kNew);
  CHECK_FALSE(fs::exists(tmp / "absent"));

  // A ledger from before random origins (grantledger.local/demo, its admin key in DIR/keys/) is
  // still the demo's; the same under any other origin is not.
  for (const std::string& origin : {std::string(demo::kLegacyDemoOrigin), std::string("grantledger.local/0123456789abcdef")}) {
    const std::string dir = tmp / ("l-" + std::to_string(origin.size()));
    PrivateKey admin = PrivateKey::generate();
    REQUIRE(Ledger::init(dir, origin, admin, demo::kDemoAdminName).has_value());
    REQUIRE(admin.save(dir + "/keys/admin").is_ok());
    auto kind = demo::classify_demo_directory(dir);
    if (origin == demo::kLegacyDemoOrigin) {
      CHECK(kind.value() == demo::DemoDirectory::kOwn);
    } else {
      REQUIRE_FALSE(kind.has_value());
      CHECK(kind.error().code() == StatusCode::kInvalidArgument);
    }
  }
}
