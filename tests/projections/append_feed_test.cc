// Projections fed by the writer as it stages an append (projections/append_feed.h): what they write
// is byte for byte what a rebuild from the log gives, and whenever the feed cannot vouch for its
// result it falls back to a catch-up from the log, which ends the same. The lanes and the writer's
// thread run together here, so ThreadSanitizer runs these tests.
#include <catch2/catch.hpp>

#include <map>

#include "projections/append_feed.h"
#include "projections/builder.h"
#include "tests/ledger_world.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::projections;

namespace {

// Lemvig's finance officer and a programme administrator on programme P (akademi rule), with
// 60,000.00 kr. allocated to the municipalities; the projections at the head.
struct FedWorld : LedgerWorld {
  Key admin = new_key(), pa = new_key(), lemvig = new_key();

  FedWorld() {
    create(admin, "test.local/fed");
    std::vector<json> setup = small_registry();
    setup.push_back(key(pa, "programme_administrator", ""));
    setup.push_back(key(lemvig, "finance_officer", "665"));
    setup.push_back(ev("programme_created", "2012-09-01",
                       {{"code", "P"}, {"name", "P"}, {"total_ore", 10000000}, {"period_start", "2012-01-01"}, {"period_end", "2013-12-31"},
                        {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000}, {"cap_per_participant_ore", 4000000},
                        {"rules", {akademi_rule()}}}));
    ok(admin, setup);
    ok(pa, {ev("sector_share_allocated", "2013-01-01", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 6000000}}),
            allocation(6000000)});
    REQUIRE(Builder(*ledger).catch_up().is_ok());
  }

  // Appends as `append` does, the projections fed by the writer; `wrote_fed`: whether they were
  // written as fed (false: caught up from the log).
  std::vector<CommitInfo> append(std::vector<CommitRequest> requests, bool* wrote_fed = nullptr) {
    AppendFeed feed(*ledger);
    auto res = ledger->append(std::move(requests), feed.observer());
    Status projected = feed.finish(res.has_value());
    INFO((res ? projected.to_string() : res.error().to_string()));
    REQUIRE(res.has_value());
    REQUIRE(projected.is_ok());
    if (wrote_fed) *wrote_fed = feed.wrote_fed();
    return *res;
  }

  std::map<std::string, std::string> digests() {
    auto statuses = Builder(*ledger).status();
    REQUIRE(statuses.has_value());
    std::map<std::string, std::string> out;
    for (const auto& s : *statuses) {
      INFO(s.name << " " << s.error);
      CHECK(s.lag_commits == 0);
      CHECK(s.error.empty());
      out[s.name] = to_hex(s.digest);
    }
    return out;
  }
  // The projections now against a rebuild from the log.
  void check_equals_rebuild() {
    auto fed = digests();
    REQUIRE(Builder(*ledger).rebuild().is_ok());
    CHECK(digests() == fed);
  }

  std::vector<json> payments(int from, int to) {
    std::vector<json> out;
    for (int i = from; i < to; ++i) out.push_back(payment("B" + std::to_string(i), "665", 100000 + i));
    return out;
  }
  std::vector<json> claims(int from, int to) {
    std::vector<json> out;
    for (int i = from; i < to; ++i) out.push_back(claim("K" + std::to_string(i), "B" + std::to_string(i), 10000));
    return out;
  }
  static json reverse(uint64_t index) { return ev("event_reversed", "2013-04-01", {{"event_index", index}, {"reason", "paid twice"}}); }
};

}  // namespace

TEST_CASE("projections fed by the writer equal a rebuild from the log, byte for byte", "[projections][concurrency]") {
  FedWorld w;
  bool fed = false;
  // Two commits in one append: payments, then their claims.
  w.append({w.req(w.lemvig, w.payments(0, 30)), w.req(w.lemvig, w.claims(0, 30))}, &fed);
  CHECK(fed);
  std::vector<json> decisions;
  for (int i = 0; i < 27; ++i) decisions.push_back(FedWorld::approve("K" + std::to_string(i)));
  for (int i = 27; i < 30; ++i)
    decisions.push_back(ev("reimbursement_rejected", "2013-03-01", {{"claim_id", "K" + std::to_string(i)}, {"reason", "no receipt"}}));
  w.append({w.req(w.pa, decisions)}, &fed);
  CHECK(fed);
  std::vector<json> payouts;
  for (int i = 0; i < 20; ++i) payouts.push_back(FedWorld::pay("K" + std::to_string(i), "UDB-" + std::to_string(i)));
  auto paid = w.append({w.req(w.pa, payouts)}, &fed);
  CHECK(fed);
  // A reversal of a payout from an earlier append, and a reversal of that reversal.
  auto reversed = w.append({w.req(w.pa, {FedWorld::reverse(paid.at(0).first_event_index)})}, &fed);
  CHECK(fed);
  w.append({w.req(w.pa, {FedWorld::reverse(reversed.at(0).first_event_index)})}, &fed);
  CHECK(fed);
  w.check_equals_rebuild();
}

TEST_CASE("projections the writer's feed cannot vouch for are caught up from the log, and end the same", "[projections][concurrency]") {
  FedWorld w;
  bool fed = true;
  w.append({w.req(w.lemvig, w.payments(0, 10)), w.req(w.lemvig, w.claims(0, 10))});
  w.append({w.req(w.pa, {FedWorld::approve("K0"), FedWorld::approve("K1")})});

  SECTION("a payout and its reversal in one append") {
    // The reversal reads the payout back from the log, which holds it only once the append is
    // durable: fed or caught up, the result is the log's.
    auto first = w.ledger->head()->tree_size;
    w.append({w.req(w.pa, {FedWorld::pay("K0", "UDB-0"), FedWorld::reverse(first)})});
  }
  SECTION("projections behind the log when the append begins") {
    REQUIRE(w.ledger->append({w.req(w.pa, {FedWorld::pay("K0", "UDB-0")})}).has_value());  // no projections follow
    w.append({w.req(w.pa, {FedWorld::pay("K1", "UDB-1")})}, &fed);
    CHECK_FALSE(fed);
  }
  SECTION("an idempotent retry writes nothing") {
    CommitRequest once = w.req(w.pa, {FedWorld::pay("K0", "UDB-0")});
    CommitRequest again = once;
    w.append({std::move(once)}, &fed);
    CHECK(fed);
    auto before = w.digests();
    auto retried = w.append({std::move(again)}, &fed);
    CHECK(retried.at(0).replayed);
    CHECK_FALSE(fed);
    CHECK(w.digests() == before);
  }
  SECTION("a refused append leaves the projections where they were") {
    auto before = w.digests();
    AppendFeed feed(*w.ledger);
    // The second commit pays a claim that was never approved: the whole append is refused.
    auto res = w.ledger->append({w.req(w.pa, {FedWorld::pay("K0", "UDB-0")}), w.req(w.pa, {FedWorld::pay("K5", "UDB-5")})}, feed.observer());
    REQUIRE_FALSE(res.has_value());
    CHECK(feed.finish(false).is_ok());
    CHECK_FALSE(feed.wrote_fed());
    CHECK(w.digests() == before);
  }
  SECTION("more events than the feed may hold") {
    AppendFeed feed(*w.ledger, 5);
    REQUIRE(w.ledger->append({w.req(w.pa, {FedWorld::pay("K0", "UDB-0")}), w.req(w.lemvig, w.payments(20, 25))}, feed.observer()).has_value());
    REQUIRE(feed.finish(true).is_ok());
    CHECK_FALSE(feed.wrote_fed());
  }
  w.check_equals_rebuild();
}

TEST_CASE("a damaged projection is not masked by the writer's feed: the catch-up from the log stops it", "[projections]") {
  FedWorld w;
  w.append({w.req(w.lemvig, w.payments(0, 1)), w.req(w.lemvig, w.claims(0, 1))});
  // A balance of 3 bytes, not 8, under Lemvig's available money, which an approval draws on.
  Store& store = w.ledger->store();
  const std::string account = Account::available("P", "665").name();
  REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kProjBalances), account, "bad").ok());
  AppendFeed feed(*w.ledger);
  auto res = w.ledger->append({w.req(w.pa, {FedWorld::approve("K0")})}, feed.observer());
  REQUIRE(res.has_value());
  Status projected = feed.finish(true);
  CHECK_FALSE(feed.wrote_fed());
  CHECK(projected.code() == StatusCode::kCorruption);
  CHECK_THAT(projected.message(), Catch::Contains("projection balances") && Catch::Contains(account));
  auto statuses = Builder(*w.ledger).status();
  REQUIRE(statuses.has_value());
  for (const auto& s : *statuses) {
    INFO(s.name);
    CHECK((s.name == "balances") == !s.error.empty());
    CHECK((s.name == "balances") == (s.lag_commits == 1));
  }
}
