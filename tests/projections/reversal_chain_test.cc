// Reversal chains in the projections (spec/DOMAIN.md, "Corrections"): a reversal undoes its
// original, a reversal of that reversal restores it, a third reversal undoes it again. Provider
// counts, claim states and amounts at every step: built incrementally, rebuilt, and as of each step
// by effective date and by commit.
#include "projections/reversal_chain.h"

#include <catch2/catch.hpp>

#include "ledger/date.h"
#include "projections/balance_report.h"
#include "projections/builder.h"
#include "projections/queries.h"
#include "tests/audit/audit_world.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::projections;

namespace {

using Which = schema::Event::Body::Which;

// The first event of `type` in the log.
uint64_t first_event(Ledger& ledger, Which type) {
  uint64_t size = ledger.head()->tree_size;
  for (uint64_t i = 0; i < size; ++i) {
    auto msg = DecodedMessage::decode(ledger.event(i).value());
    REQUIRE(msg.has_value());
    if (msg->root<schema::Event>().getBody().which() == type) return i;
  }
  FAIL("no event of that type");
  return 0;
}

json reversal(uint64_t index, const std::string& date) {
  return ev("event_reversed", date, {{"event_index", index}, {"reason", "reversal chain"}});
}

// What the projections must show after `depth` reversals of course payment B3 (1.000,00 kr. at
// easv, besides B1 and B2) and of the payout of claim K1 (4.000,00 kr. to Lemvig).
struct Expected {
  int64_t provider_count, provider_ore;  // easv: live course payments and their income
  int64_t paid_count, paid_ore;          // grant:P:recipient:665:paid
  int64_t claims_paid, claims_approved;  // the claims projection
};
Expected expected_at(int depth) {
  bool undone = depth % 2 == 1;
  return {undone ? 2 : 3,      undone ? 800000 : 900000, undone ? 0 : 1,
          undone ? 0 : 400000, undone ? 0 : 1,           undone ? 2 : 1};
}

const char* const kDates[] = {"2013-04-30", "2013-05-01", "2013-06-01",
                              "2013-07-01"};  // depth 0 .. 3
const char* const kDayBefore[] = {"2013-04-30", "2013-05-31", "2013-06-30",
                                  "2013-07-31"};  // as of: depth 0 .. 3

void check_now_or_as_of(Queries& q, const AsOf& as_of, const Expected& want) {
  auto providers = q.providers(as_of);
  REQUIRE(providers.has_value());
  CHECK(providers->at("easv").count == want.provider_count);
  CHECK(providers->at("easv").total_ore == Ore{want.provider_ore});
  const std::string paid = Account::paid("P", "665").name();
  auto totals = q.totals(paid, as_of);
  REQUIRE(totals.has_value());
  CHECK(totals->at(paid).count == want.paid_count);
  CHECK(totals->at(paid).sum_ore == Ore{want.paid_ore});
  auto balances = q.programme_balances("P", as_of);
  REQUIRE(balances.has_value());
  CHECK(balances->recipients.at("665").paid == Ore{want.paid_ore});
  CHECK(balances->recipients.at("665").reserved == Ore{400000 - want.paid_ore});
  // The report the CLI prints: the provider row and its TOTAL.
  auto report = balance_report(q, BalanceQuery{BalanceBy::kProvider, "", "", as_of});
  REQUIRE(report.has_value());
  REQUIRE(report->rows.size() == 1);
  // course_payments, course_income, then the provider's project grants (none here).
  const std::vector<int64_t> row = {want.provider_count, want.provider_ore, 0, 0, 0, 0, 0};
  CHECK(report->rows[0].values == row);
  CHECK(report->total.values == row);
}

void check_current(Ledger& ledger, const Expected& want) {
  Queries q(ledger);
  check_now_or_as_of(q, AsOf{}, want);
  auto claims = q.claim_counts();
  REQUIRE(claims.has_value());
  CHECK(claims->at("paid") == want.claims_paid);
  CHECK(claims->at("approved") == want.claims_approved);
  // The providers projection counts the same payments.
  CHECK(get_u64_be(get(ledger.store(), Cf::kProjProviders, "count/easv")) ==
        static_cast<uint64_t>(want.provider_count));
  CHECK(get_u64_be(get(ledger.store(), Cf::kProjProviders, "total/easv")) ==
        static_cast<uint64_t>(want.provider_ore));
}

std::map<std::string, Hash32> digests(Builder& builder) {
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  std::map<std::string, Hash32> out;
  for (const auto& s : *statuses) {
    CHECK(s.error.empty());
    CHECK(s.lag_commits == 0);
    out[s.name] = s.digest;
  }
  return out;
}

}  // namespace

TEST_CASE(
    "a reversal of a reversal restores counts and amounts, a third reversal removes them again",
    "[projections][reversal]") {
  AuditWorld w(/*build_projections=*/false);
  const uint64_t payment_b3 = w.ledger->head()->tree_size - 1;  // the fixture's last event
  uint64_t payout_k1 = first_event(*w.ledger, Which::REIMBURSEMENT_PAID);
  Builder builder(*w.ledger);
  REQUIRE(builder.catch_up().is_ok());
  check_current(*w.ledger, expected_at(0));

  std::vector<uint64_t> commits_after = {w.ledger->head()->commit_count};  // per depth
  uint64_t payment_target = payment_b3, payout_target = payout_k1;
  for (int depth = 1; depth <= 3; ++depth) {
    CAPTURE(depth);
    payment_target = w.ok(w.aalborg, {reversal(payment_target, kDates[depth])}).first_event_index;
    payout_target =
        w.ok(w.programme_admin, {reversal(payout_target, kDates[depth])}).first_event_index;
    commits_after.push_back(w.ledger->head()->commit_count);
    REQUIRE(builder.catch_up().is_ok());  // incrementally, one depth at a time
    check_current(*w.ledger, expected_at(depth));
  }

  auto incremental = digests(builder);
  REQUIRE(builder.rebuild().is_ok());
  CHECK(digests(builder) == incremental);
  check_current(*w.ledger, expected_at(3));

  // As of each step: by effective date (the totals' buckets), and as the ledger knew it after each
  // step's commits (a replay of the log's tail).
  Queries q(*w.ledger);
  for (int depth = 0; depth <= 3; ++depth) {
    CAPTURE(depth);
    check_now_or_as_of(q, AsOf{parse_date(kDayBefore[depth]).value(), std::nullopt},
                       expected_at(depth));
    check_now_or_as_of(q, AsOf{std::nullopt, commits_after[depth]}, expected_at(depth));
  }
}

TEST_CASE("a reversal chain that does not lead to an earlier event is corruption",
          "[projections][reversal]") {
  // The rules never record one; a chain read from damaged data must not loop or guess.
  std::map<uint64_t, Bytes> log;
  auto reversal_event = [](uint64_t target) {
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<schema::Event>();
    e.setEffectiveDate(15706);
    auto r = e.initBody().initEventReversed();
    r.setEventIndex(target);
    r.setReason("x");
    return canonical_bytes(e.asReader());
  };
  log[3] = entity_event("easv", schema::EntityKind::PROVIDER);
  log[5] = reversal_event(3);
  log[7] = reversal_event(9);  // names a later event
  ReversalChains chains([&](uint64_t index) { return DecodedMessage::decode(log.at(index)); });
  auto decoded = [&](uint64_t index) { return DecodedMessage::decode(log.at(index)).value(); };
  auto at5 = decoded(5);
  auto origin = chains.origin(5, at5.root<schema::Event>().getBody().getEventReversed());
  REQUIRE(origin.has_value());
  CHECK(origin->index == 3);
  CHECK(origin->depth == 1);
  auto at7 = decoded(7);
  auto bad = chains.origin(7, at7.root<schema::Event>().getBody().getEventReversed());
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == StatusCode::kCorruption);
  CHECK(bad.error().message().find("not an earlier event") != std::string::npos);
}
