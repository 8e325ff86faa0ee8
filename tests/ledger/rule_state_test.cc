// The rule state in the database (spec/LOG.md, "Rule state"): written with each commit, read on
// demand by the writer, checked by the audit, upgraded from ledgers written before it existed;
// readers beside the writer (spec/LOG.md, "Readers beside the writer").
#include <atomic>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ledger/ledger.h"
#include "ledger/store.h"
#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// One course payment of Aalborg (851), which the demo's finance-851 key may record.
std::string payment_file(const TempDir& tmp, const std::string& id) {
  const std::string path = tmp / (id + ".jsonl");
  std::ofstream(path) << R"({"type":"course_payment_recorded","effective_date":"2013-03-01","payment_id":")" << id
                      << R"(","employer_code":"851","provider_code":"eaaa","participant":"P-state","course_kind":"akademi",)"
                      << R"("module":"Akademiuddannelsen i ledelse, modul 1","course_start_date":"2013-03-04",)"
                      << R"("payment_date":"2013-03-01","amount_ore":650000})" << "\n";
  return path;
}

CliResult append_payment(const TempDir& tmp, const std::string& dir, const std::string& id) {
  return run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/finance-851.pem", "--input", payment_file(tmp, id)});
}

std::vector<StateDifference> differences(const std::string& dir) {
  auto ledger = Ledger::open(dir, {.writer = false});
  REQUIRE(ledger.has_value());
  auto d = (*ledger)->check_state();
  REQUIRE(d.has_value());
  return *d;
}

void put_state(const std::string& dir, const Bytes& key, const Bytes& value) {
  auto store = Store::open(dir, Store::Mode::kReadWrite);
  REQUIRE(store.has_value());
  REQUIRE((*store)->db()->Put(rocksdb::WriteOptions(), (*store)->cf(Cf::kState), key, value).ok());
}

void record_demo(const TempDir& tmp, const std::string& dir) {
  auto r = run_cli(tmp, {"demo", "--data", dir, "--seed", "5", "--course-payments", "20"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("rule state: a ledger written before the state was stored upgrades on its first read-write open", "[ledger][state][upgrade]") {
  TempDir tmp;
  const std::string dir = tmp / "v1";
  copy_upgrade_ledger("v1-demo", dir);

  // Readers work on it as it is; the audit says the state is not stored yet.
  {
    auto ledger = Ledger::open(dir, {.read_only = true});
    REQUIRE(ledger.has_value());
    CHECK_FALSE((*ledger)->has_stored_state());
  }
  auto before = run_cli(tmp, {"audit", "--data", dir});
  INFO(before.out << before.err);
  CHECK(before.exit_code == 0);
  CHECK_THAT(before.out, Catch::Contains("rule state: n/a"));
  CHECK(run_cli(tmp, {"balance", "--data", dir, "--by", "municipality"}).exit_code == 0);

  // The first append upgrades it: the stored state is the replay's, and the append builds on it.
  auto appended = append_payment(tmp, dir, "UPGRADE-1");
  INFO(appended.err);
  REQUIRE(appended.exit_code == 0);
  CHECK(differences(dir).empty());
  CHECK(append_payment(tmp, dir, "UPGRADE-1").exit_code == 2);  // the upgraded state knows the payment
  auto after = run_cli(tmp, {"audit", "--data", dir});
  INFO(after.out);
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("rule state: checked"));

  SECTION("an interrupted upgrade starts over: stray entries and a lost head are derived again") {
    {
      auto store = Store::open(dir, Store::Mode::kReadWrite);
      REQUIRE(store.has_value());
      REQUIRE((*store)->db()->Delete(rocksdb::WriteOptions(), (*store)->cf(Cf::kMeta), kStateHeadKey).ok());
    }
    put_state(dir, "bstray:account", "\x01\x02");
    REQUIRE(append_payment(tmp, dir, "UPGRADE-2").exit_code == 0);
    CHECK(differences(dir).empty());
  }
}

TEST_CASE("rule state: a damaged state value stops the writer with exit 3 naming it, and the audit finds it", "[ledger][state]") {
  TempDir tmp;
  const std::string dir = tmp / "l";
  record_demo(tmp, dir);
  const Bytes balance_key = Bytes("b") + "employer:851:course_fees";

  SECTION("a value that does not decode") {
    put_state(dir, balance_key, "\x01\x02\x03");
    std::string log_before = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"}).out;
    auto r = append_payment(tmp, dir, "DAMAGED-1");
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("state: balance employer:851:course_fees: malformed encoding"));
    CHECK(run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"}).out == log_before);  // nothing written
    auto audited = run_cli(tmp, {"audit", "--data", dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("FINDING state key=balance employer:851:course_fees"));
  }
  SECTION("a well-formed value that differs from the replay's") {
    put_state(dir, balance_key, u64_be(1));
    auto audited = run_cli(tmp, {"audit", "--data", dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("balance employer:851:course_fees: stored value differs from the one the replay derives"));
  }
  SECTION("an entry the replay does not derive, and a missing one") {
    put_state(dir, Bytes("lINVENTED-CLAIM"), "x");
    {
      auto store = Store::open(dir, Store::Mode::kReadWrite);
      REQUIRE(store.has_value());
      REQUIRE((*store)->db()->Delete(rocksdb::WriteOptions(), (*store)->cf(Cf::kState), balance_key).ok());
    }
    auto audited = run_cli(tmp, {"audit", "--data", dir});
    CHECK(audited.exit_code == 1);
    CHECK_THAT(audited.out, Catch::Contains("claim INVENTED-CLAIM: stored, but the replay derives no such entry"));
    CHECK_THAT(audited.out, Catch::Contains("balance employer:851:course_fees: missing from the stored state"));
  }
}

TEST_CASE("readers beside the writer: queries succeed and are consistent while another process appends", "[ledger][state][processes]") {
  TempDir tmp;
  const std::string dir = tmp / "l";
  record_demo(tmp, dir);
  constexpr int kAppends = 12;
  std::atomic<int> appended{0}, failed{0};
  TempDir writer_tmp;  // run_cli captures output in files of its TempDir: one per thread
  std::thread writer([&] {
    for (int i = 0; i < kAppends; ++i) {
      if (append_payment(writer_tmp, dir, "BESIDE-" + std::to_string(i)).exit_code == 0) {
        ++appended;
      } else {
        ++failed;
      }
    }
  });
  uint64_t last_commits = 0;
  int queries = 0;
  while (appended + failed < kAppends || queries < 6) {
    auto balance = run_cli(tmp, {"balance", "--data", dir, "--by", "municipality", "--format", "json"});
    INFO(balance.err);
    REQUIRE(balance.exit_code == 0);
    auto j = nlohmann::json::parse(balance.out);
    const uint64_t log_commits = j["log_commits"].get<uint64_t>();
    CHECK(j["projected_commits"].get<uint64_t>() <= log_commits);
    CHECK(log_commits >= last_commits);  // never an older view than one already seen
    last_commits = log_commits;
    auto checkpoint = run_cli(tmp, {"checkpoint", "--data", dir});
    REQUIRE(checkpoint.exit_code == 0);
    auto log = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "1"});
    INFO(log.err);
    REQUIRE(log.exit_code == 0);
    ++queries;
  }
  writer.join();
  CHECK(failed == 0);
  CHECK(appended == kAppends);
  auto audited = run_cli(tmp, {"audit", "--data", dir});
  INFO(audited.out);
  CHECK(audited.exit_code == 0);
}
