// Grant rules through the real append path: JSON events, signed commits, RocksDB in a temp dir.
// Every rejection asserts the rule and that nothing was written.
#include <catch2/catch.hpp>

#include "ledger/largest_remainder.h"
#include "ledger/rejection.h"
#include "tests/ledger_world.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

json master_rule(const char* pay_from, const char* pay_to, const char* start_from, const char* start_to) {
  return {{"course_kind", "master"}, {"payment_from", pay_from}, {"payment_to", pay_to},
          {"course_start_from", start_from}, {"course_start_to", start_to}};
}

// A small world: two regions, Lemvig (665) and Aalborg (851), a provider, programme P with
// 100,000.00 kr., an 80 % rate, a 40,000 kr. cap, the flexible master rule and an akademi rule.
struct World : LedgerWorld {
  Key admin = new_key(), programme_admin = new_key(), lemvig = new_key(), aalborg = new_key();

  World() {
    create(admin, "test.local/grants");
    std::vector<json> setup = small_registry();
    for (json k : {key(programme_admin, "programme_administrator", ""), key(lemvig, "finance_officer", "665"),
                   key(aalborg, "finance_officer", "851")})
      setup.push_back(k);
    setup.push_back(ev("programme_created", "2012-09-01",
                       {{"code", "P"}, {"name", "Test programme"}, {"total_ore", 10000000}, {"period_start", "2012-01-01"},
                        {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 8000},
                        {"cap_per_participant_ore", 4000000},
                        {"rules", {master_rule("2012-01-01", "2012-12-31", "2012-01-01", "2013-06-30"), akademi_rule()}}}));
    ok(admin, setup);
    // 60,000.00 kr. to municipalities, split by population: Lemvig 4,997.19 kr. of it.
    ok(programme_admin, {ev("sector_share_allocated", "2013-01-01", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 6000000}}),
                         allocation(6000000)});
  }

  json payment(const std::string& id, const char* employer, const char* kind, const char* start, const char* paid, int64_t ore,
               const char* participant = "deltager-abc") {
    return ev("course_payment_recorded", paid,
              {{"payment_id", id}, {"employer_code", employer}, {"provider_code", "easv"}, {"participant", participant},
               {"course_kind", kind}, {"module", "modul 1"}, {"course_start_date", start}, {"payment_date", paid}, {"amount_ore", ore}});
  }
  int64_t balance(const Account& account) { return ledger->state().balance(account).value; }
};

}  // namespace

TEST_CASE("allocation splits are exact and checked against the key", "[domain]") {
  World w;
  int64_t lemvig = w.balance(Account::available("P", "665")), aalborg = w.balance(Account::available("P", "851"));
  CHECK(lemvig + aalborg == 6000000);
  CHECK(lemvig == 499719);  // 6,000,000 * 19,722 / 236,797 = 499,719.2...: floor, and the øre left over go to Aalborg
  CHECK(w.balance(Account::sector("P", schema::Sector::MUNICIPALITIES)) == 0);
  CHECK(w.balance(Account::pool("P")) == 4000000);

  w.ok(w.programme_admin, {ev("sector_share_allocated", "2013-01-02", {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", 1000}})});
  json wrong = World::allocation(1000);
  wrong["lines"][0]["amount_ore"] = wrong["lines"][0]["amount_ore"].get<int64_t>() + 1;
  wrong["lines"][1]["amount_ore"] = wrong["lines"][1]["amount_ore"].get<int64_t>() - 1;
  w.refused(w.programme_admin, {wrong}, Rejection::kBadSplit, "largest-remainder share");
  json bad_sum = World::allocation(1000);
  bad_sum["amount_ore"] = 999;
  w.refused(w.programme_admin, {bad_sum}, Rejection::kBadSplit, "sum to");
  json bad_weight = World::allocation(1000);
  bad_weight["lines"][0]["weight"] = 1;
  w.refused(w.programme_admin, {bad_weight}, Rejection::kBadSplit, "registered population 19722");
  w.refused(w.programme_admin, {World::allocation(1001)}, Rejection::kInsufficientFunds, "exceeds the unallocated municipalities share");
  json region = World::allocation(1000);
  region["lines"][0]["recipient_code"] = "1082";
  w.refused(w.programme_admin, {region}, Rejection::kWrongRecipient, "1082");
  w.refused(w.programme_admin, {ev("sector_share_allocated", "2013-01-02", {{"programme_code", "P"}, {"sector", "state"}, {"amount_ore", 4000001}})},
            Rejection::kInsufficientFunds, "exceeds the unallocated pool 39.990,00 kr.");
  w.ok(w.programme_admin, {World::allocation(1000)});
}

TEST_CASE("a claim is approved, reserved and paid, postings balance", "[domain]") {
  World w;
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 500000), World::claim("K1", "B1", 400000)});
  w.ok(w.programme_admin, {World::approve("K1")});
  CHECK(w.balance(Account::reserved("P", "665")) == 400000);
  CHECK(w.balance(Account::available("P", "665")) == 99719);
  w.ok(w.programme_admin, {World::pay("K1", "NKS-1")});
  CHECK(w.balance(Account::reserved("P", "665")) == 0);
  CHECK(w.balance(Account::paid("P", "665")) == 400000);
  CHECK(w.balance(Account::course_fees("665")) == 500000);
  CHECK(w.balance(Account::course_income("easv")) == -500000);
  CHECK(w.ledger->state().claim("K1")->status == ClaimStatus::kPaid);
  w.refused(w.programme_admin, {World::pay("K1", "NKS-2")}, Rejection::kClaimWrongState, "is paid, not approved");
}

TEST_CASE("a course payment is never reimbursed beyond its amount times the rate, across claims", "[domain]") {
  World w;
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 100000), World::claim("K1", "B1", 50000)});
  w.refused(w.lemvig, {World::claim("K2", "B1", 30001)}, Rejection::kOverReimbursement, "above the 800,00 kr. reimbursable at 80,00 %");
  w.ok(w.lemvig, {World::claim("K2", "B1", 30000)});
  // A rejected claim frees its part of the payment.
  w.ok(w.programme_admin, {ev("reimbursement_rejected", "2013-03-01", {{"claim_id", "K2"}, {"reason", "documentation missing"}})});
  w.ok(w.lemvig, {World::claim("K3", "B1", 30000)});
}

TEST_CASE("approval beyond the remaining allocation names the figures", "[domain]") {
  World w;
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 700000, "deltager-a"),
                  World::claim("K1", "B1", 560000)});
  w.refused(w.programme_admin, {World::approve("K1")}, Rejection::kExceedsRemainingAllocation,
            "claim K1 of 5.600,00 kr. exceeds the remaining allocation 4.997,19 kr. of Lemvig Kommune (665) in programme P");
}

TEST_CASE("the flexible master rule, on both sides of each boundary", "[domain]") {
  World w;
  struct Case {
    const char* paid;
    const char* start;
    bool eligible;
    Rejection rule;
  };
  const Case cases[] = {
      {"2012-12-31", "2013-06-30", true, {}},                                   // paid in 2012, started in spring 2013
      {"2012-01-01", "2012-01-01", true, {}},
      {"2013-01-01", "2013-03-01", false, Rejection::kPaymentDateOutsideWindow},  // paid later: does not count
      {"2011-12-31", "2012-02-01", false, Rejection::kPaymentDateOutsideWindow},
      {"2012-11-01", "2013-07-01", false, Rejection::kCourseStartOutsideWindow},  // started after spring 2013
  };
  int n = 0;
  for (const Case& c : cases) {
    std::string id = std::to_string(++n);
    INFO("paid " << c.paid << " started " << c.start);
    w.ok(w.aalborg, {w.payment("M" + id, "851", "master", c.start, c.paid, 100000, ("deltager-m" + id).c_str()),
                     World::claim("KM" + id, "M" + id, 80000)});
    if (c.eligible) {
      w.ok(w.programme_admin, {World::approve("KM" + id)});
    } else {
      w.refused(w.programme_admin, {World::approve("KM" + id)}, c.rule, "for master in programme P");
    }
  }
  w.ok(w.aalborg, {w.payment("D1", "851", "diplom", "2013-01-10", "2013-01-05", 100000), World::claim("KD1", "D1", 80000)});
  w.refused(w.programme_admin, {World::approve("KD1")}, Rejection::kCourseKindNotFunded, "does not fund diplom");
}

TEST_CASE("the participant cap and the claim deadline", "[domain]") {
  World w;
  w.ok(w.aalborg, {w.payment("B1", "851", "akademi", "2013-01-10", "2013-01-05", 4900000, "deltager-x"),
                   w.payment("B2", "851", "akademi", "2013-01-10", "2013-01-05", 200000, "deltager-x"),
                   World::claim("K1", "B1", 3920000), World::claim("K2", "B2", 160000)});
  w.ok(w.programme_admin, {World::approve("K1")});
  w.refused(w.programme_admin, {World::approve("K2")}, Rejection::kParticipantCapExceeded,
            "would bring participant deltager-x to 40.800,00 kr., above the cap 40.000,00 kr.");
  w.ok(w.aalborg, {w.payment("B3", "851", "akademi", "2013-01-10", "2013-01-05", 100000, "deltager-y")});
  w.refused(w.aalborg, {World::claim("K3", "B3", 1000, "2014-01-01")}, Rejection::kClaimDeadlinePassed, "after the claim deadline 2013-12-31");
  w.ok(w.aalborg, {World::claim("K3", "B3", 1000, "2013-12-31")});
}

TEST_CASE("roles, scopes and pseudonyms are enforced at append", "[domain]") {
  World w;
  w.refused(w.aalborg, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 1000)}, Rejection::kOutOfScope,
            "acts for Aalborg Kommune (851), not for Lemvig Kommune (665)");
  w.refused(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 1000, "010170-1234")},
            Rejection::kPersonalIdentifier, "CPR");
  w.refused(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 1000, "0101701234")},
            Rejection::kPersonalIdentifier);
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 100000), World::claim("K1", "B1", 1000)});
  w.refused(w.lemvig, {World::approve("K1")}, Rejection::kRoleNotAllowed, "finance_officer");
  w.refused(w.aalborg, {World::claim("K2", "B1", 1000)}, Rejection::kOutOfScope);
  w.refused(w.programme_admin, {w.payment("B2", "665", "akademi", "2013-01-10", "2013-01-05", 1000)}, Rejection::kRoleNotAllowed);
  w.refused(w.admin, {World::approve("K1")}, Rejection::kRoleNotAllowed);
  w.refused(w.programme_admin, {ev("programme_created", "2012-09-01", {{"code", "Q"}, {"name", "Q"}, {"total_ore", 1}, {"period_start", "2012-01-01"},
                                                                       {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"},
                                                                       {"rate_basis_points", 100}, {"rules", json::array()}})},
            Rejection::kRoleNotAllowed);
}

TEST_CASE("reversals: undo, a reversal of a reversal, never twice", "[domain]") {
  World w;
  auto head = w.ledger->head().value();
  uint64_t allocation_index = head.tree_size - 1;  // the allocation_made of the fixture
  w.ok(w.programme_admin, {ev("event_reversed", "2013-02-01", {{"event_index", allocation_index}, {"reason", "wrong key"}})});
  CHECK(w.balance(Account::available("P", "665")) == 0);
  CHECK(w.balance(Account::sector("P", schema::Sector::MUNICIPALITIES)) == 6000000);
  w.refused(w.programme_admin, {ev("event_reversed", "2013-02-02", {{"event_index", allocation_index}, {"reason", "again"}})},
            Rejection::kNotReversible, "already reversed");
  uint64_t reversal_index = w.ledger->head()->tree_size - 1;
  w.ok(w.programme_admin, {ev("event_reversed", "2013-02-03", {{"event_index", reversal_index}, {"reason", "reversal in error"}})});
  CHECK(w.balance(Account::available("P", "665")) == 499719);
  CHECK(w.balance(Account::sector("P", schema::Sector::MUNICIPALITIES)) == 0);
  // The original can be reversed again now that its reversal is undone; a finance officer cannot.
  w.refused(w.lemvig, {ev("event_reversed", "2013-02-04", {{"event_index", allocation_index}, {"reason", "x"}})}, Rejection::kRoleNotAllowed);
  w.refused(w.programme_admin, {ev("event_reversed", "2013-02-04", {{"event_index", 0}, {"reason", "x"}})}, Rejection::kNotReversible);

  // A payout reversed (clawback) returns the claim to approved; cancelling releases the money.
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 100000), World::claim("K1", "B1", 80000)});
  w.ok(w.programme_admin, {World::approve("K1")});
  w.ok(w.programme_admin, {World::pay("K1", "NKS-1")});
  uint64_t payout = w.ledger->head()->tree_size - 1;
  // The course payment has a live claim: it cannot be reversed.
  w.ok(w.programme_admin, {ev("event_reversed", "2013-04-01", {{"event_index", payout}, {"reason", "paid in error"}})});
  CHECK(w.ledger->state().claim("K1")->status == ClaimStatus::kApproved);
  CHECK(w.balance(Account::reserved("P", "665")) == 80000);
  w.ok(w.programme_admin, {ev("reimbursement_cancelled", "2013-04-02", {{"claim_id", "K1"}, {"reason", "clawed back"}})});
  CHECK(w.balance(Account::available("P", "665")) == 499719);
  CHECK(w.balance(Account::paid("P", "665")) == 0);
}

TEST_CASE("closing a programme returns unused money, earmarks return to the parent", "[domain]") {
  World w;
  w.ok(w.lemvig, {w.payment("B1", "665", "akademi", "2013-01-10", "2013-01-05", 100000), World::claim("K1", "B1", 80000)});
  w.ok(w.programme_admin, {World::approve("K1")});
  w.refused(w.admin, {ev("programme_closed", "2014-01-31", {{"code", "P"}, {"reason", "period over"}})}, Rejection::kOpenReservations,
            "Lemvig Kommune (665) has 800,00 kr. reserved");
  w.ok(w.programme_admin, {World::pay("K1", "NKS-1")});
  w.ok(w.admin, {ev("programme_closed", "2014-01-31", {{"code", "P"}, {"reason", "period over"}})});
  CHECK(w.balance(Account::available("P", "665")) == 0);
  CHECK(w.balance(Account::pool("P")) == 10000000 - 80000);
  w.refused(w.lemvig, {World::claim("K2", "B1", 1)}, Rejection::kProgrammeClosed);

  // An earmark: 145 / 100 in miniature.
  auto programme = [](const char* code, int64_t total, const char* parent) {
    json f = {{"code", code}, {"name", code}, {"total_ore", total}, {"period_start", "2019-01-01"}, {"period_end", "2022-12-31"},
              {"claim_deadline", "2023-03-31"}, {"rate_basis_points", 10000}, {"rules", json::array()}};
    if (*parent) f["parent_code"] = parent;
    return ev("programme_created", "2019-03-01", f);
  };
  w.ok(w.admin, {programme("S", 14500, ""), programme("S100", 10000, "S")});
  CHECK(w.balance(Account::pool("S")) == 4500);
  w.refused(w.admin, {programme("S200", 4501, "S")}, Rejection::kInsufficientFunds, "exceeds the unallocated pool 45,00 kr.");
  w.ok(w.admin, {ev("programme_closed", "2023-01-01", {{"code", "S100"}, {"reason", "done"}})});
  CHECK(w.balance(Account::pool("S")) == 14500);
  CHECK(w.balance(Account::pool("S100")) == 0);
}
