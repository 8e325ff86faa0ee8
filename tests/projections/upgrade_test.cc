// A ledger written by grantledger before postings and projections were stored (the layout of
// spec/LOG.md without the derived families) upgrades on its first read-write open: the postings
// the rules derive are written, the projections build from them, and the audit finds it clean.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "projections/builder.h"
#include "tests/test_support.h"
#include "tools/audit/audit.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

std::map<std::string, std::string> family(Store& store, Cf cf) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
  REQUIRE(it->status().ok());
  return out;
}

std::map<std::string, std::string> projection_digests(Ledger& ledger) {
  projections::Builder builder(ledger);
  REQUIRE(builder.catch_up().is_ok());
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  std::map<std::string, std::string> out;
  for (const auto& s : *statuses) out[s.name] = to_hex(s.digest);
  return out;
}

// Takes `dir` back to the layout before postings were stored: the derived families dropped, and
// no acknowledged head (which came later still).
void drop_derived_families(const std::string& dir) {
  auto store = Store::open(dir, Store::Mode::kReadWrite);
  REQUIRE(store.has_value());
  for (int cf = static_cast<int>(Cf::kPostings); cf < static_cast<int>(Cf::kCount); ++cf)
    REQUIRE((*store)->db()->DropColumnFamily((*store)->cf(static_cast<Cf>(cf))).ok());
  std::filesystem::remove(std::filesystem::path(dir) / "acknowledged-checkpoint");
}

}  // namespace

TEST_CASE("a ledger from before postings were stored upgrades on its first read-write open", "[projections][upgrade]") {
  TempDir tmp;
  const std::string dir = tmp / "l";
  std::ostringstream log;
  REQUIRE(demo::run_demo(dir, {.seed = 3, .course_payments = 80}, log).has_value());
  std::map<std::string, std::string> postings, digests;
  {
    auto ledger = Ledger::open(dir, {.writer = false});
    REQUIRE(ledger.has_value());
    postings = family((*ledger)->store(), Cf::kPostings);
    digests = projection_digests(**ledger);
  }
  REQUIRE(postings.size() > 100);
  drop_derived_families(dir);

  // Read-only (what an auditor or a query does first) cannot upgrade, and says how.
  auto read_only = Ledger::open(dir, {.read_only = true});
  REQUIRE_FALSE(read_only.has_value());
  CHECK(read_only.error().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(read_only.error().message(), Catch::Contains("earlier grantledger without stored postings"));
  CHECK_THAT(read_only.error().message(), Catch::Contains("projections rebuild --data " + dir));

  SECTION("the upgrade writes exactly the postings the append path wrote") {
    {
      auto ledger = Ledger::open(dir, {.writer = false});
      REQUIRE(ledger.has_value());
      CHECK(family((*ledger)->store(), Cf::kPostings) == postings);
      CHECK(projection_digests(**ledger) == digests);
    }
    auto source = audit::open_ledger_source(dir);
    REQUIRE(source.has_value());
    auto report = audit::run_audit(**source, {});
    REQUIRE(report.has_value());
    INFO(audit::render_text(*report));
    CHECK(report->clean());
  }
  SECTION("an interrupted upgrade resumes; until then read-only opens refuse") {
    {
      // The families exist and the upgrade is marked pending, but only some postings were written.
      auto store = Store::open(dir, Store::Mode::kReadWrite);
      REQUIRE(store.has_value());
      REQUIRE((*store)->postings_pending());
      rocksdb::WriteBatch some;
      size_t n = 0;
      for (const auto& [k, v] : postings)
        if (++n % 3 == 0) some.Put((*store)->cf(Cf::kPostings), k, v);
      REQUIRE((*store)->db()->Write(rocksdb::WriteOptions(), &some).ok());
    }
    auto refused = Ledger::open(dir, {.read_only = true});
    REQUIRE_FALSE(refused.has_value());
    CHECK_THAT(refused.error().message(), Catch::Contains("being upgraded"));
    auto ledger = Ledger::open(dir);  // the writer's open resumes it
    REQUIRE(ledger.has_value());
    CHECK_FALSE((*ledger)->store().postings_pending());
    CHECK(family((*ledger)->store(), Cf::kPostings) == postings);
    CHECK(projection_digests(**ledger) == digests);
  }
}
