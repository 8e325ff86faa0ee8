// Stored sums that would leave the int64 range (spec/DOMAIN.md, "Amount limits"): the rules keep
// them in range, so one read from disk is corruption, reported with exit 3 — never a wrapped figure
// printed with exit 0.
#include <catch2/catch.hpp>

#include "projections/builder.h"
#include "projections/totals.h"
#include "tests/audit/audit_world.h"
#include "tests/cli_support.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::projections;

namespace {

// The audit fixture plus course payments at two more providers, eal and via; projections built.
struct ThreeProviders : AuditWorld {
  ThreeProviders() : AuditWorld(/*build_projections=*/false) {
    ok(admin, {ev("entity_registered", "2012-01-01",
                  {{"kind", "provider"}, {"code", "eal"}, {"name", "Udbyder eal"}}),
               ev("entity_registered", "2012-01-01",
                  {{"kind", "provider"}, {"code", "via"}, {"name", "Udbyder via"}})});
    json at_eal = payment("B4", "665", 200000), at_via = payment("B5", "665", 300000);
    at_eal["provider_code"] = "eal";
    at_via["provider_code"] = "via";
    ok(lemvig, {at_eal, at_via});
    Builder builder(*ledger);
    REQUIRE(builder.catch_up().is_ok());
  }
};

}  // namespace

TEST_CASE("a report total beyond the int64 range is corruption with exit 3, not a wrapped TOTAL",
          "[projections][limits][cli]") {
  ThreeProviders w;
  w.close();
  {
    // Each provider's income 40.000.000.000.000.000,00 kr.: every row fits, their TOTAL does not.
    auto s = raw_store(w.dir);
    std::unique_ptr<rocksdb::Iterator> it(
        s->db()->NewIterator(rocksdb::ReadOptions(), s->cf(Cf::kProjTotals)));
    int rewritten = 0;
    for (it->Seek("provider:"); it->Valid() && it->key().starts_with("provider:"); it->Next()) {
      TotalsValue v;
      REQUIRE(decode_totals_value(std::string_view(it->value().data(), it->value().size()), &v));
      v.sum_ore = Ore{-4'000'000'000'000'000'000};
      put(*s, Cf::kProjTotals, std::string_view(it->key().data(), it->key().size()),
          encode_totals_value(v));
      ++rewritten;
    }
    REQUIRE(it->status().ok());
    CHECK(rewritten == 3 * 2);  // three providers, a day and a month bucket each
  }
  TempDir out;
  auto r = run_cli(out, {"balance", "--data", w.dir, "--by", "provider"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("corruption") != std::string::npos);
  CHECK(r.err.find("leaves the 64-bit range") != std::string::npos);
  CHECK(r.out.find("TOTAL") == std::string::npos);
  // One provider alone fits: its row is printed exactly.
  auto one = run_cli(
      out, {"balance", "--data", w.dir, "--by", "provider", "--entity", "eal", "--format", "csv"});
  INFO(one.err);
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("eal,Udbyder eal,1,40000000000000000.00") != std::string::npos);
}

TEST_CASE("a stored balance that would wrap stops the builder with corruption and writes nothing",
          "[projections][limits]") {
  ThreeProviders w;
  const std::string account = Account::course_income("easv").name();
  w.close();
  {
    auto s = raw_store(w.dir);
    put(*s, Cf::kProjBalances, account, u64_be(static_cast<uint64_t>(INT64_MIN + 1)));
  }
  auto reopened = Ledger::open(w.dir);
  REQUIRE(reopened.has_value());
  w.ledger = std::move(reopened).value();
  w.ok(w.lemvig, {LedgerWorld::payment("B6", "665", 100)});
  Builder builder(*w.ledger);
  Status s = builder.catch_up();
  INFO(s.to_string());
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message().find("projection balances") != std::string::npos);
  CHECK(s.message().find("the sum of " + account + " leaves the 64-bit range") !=
        std::string::npos);
  CHECK(get_u64_be(get(w.ledger->store(), Cf::kProjBalances, account)) ==
        static_cast<uint64_t>(INT64_MIN + 1));
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  for (const auto& st : *statuses) {
    CAPTURE(st.name);
    CHECK(st.error.empty() == (st.name != "balances"));
  }
}
