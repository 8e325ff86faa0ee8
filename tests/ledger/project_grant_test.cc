// Programme owners and project grants to providers (spec/DOMAIN.md, "Programme owners" and
// "Project grants"), through the real append path. Every refusal asserts the rule and that nothing
// was written; every acceptance, that the stored rule state is what a replay derives.
#include <catch2/catch.hpp>

#include "ledger/rejection.h"
#include "tests/ledger_world.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// The small registry, two ministries, programmes OWNED (run by the agency "mks") and FREE (no
// owner), each with 100,000.00 kr.; a key for the agency, one for the finance ministry, one that
// acts for no body, and the provider's finance officer.
struct OwnerWorld : LedgerWorld {
  Key admin = new_key(), agency = new_key(), ministry = new_key(), unscoped = new_key(), provider = new_key(),
      lemvig = new_key();

  static json programme(const char* code, const char* owner) {
    json f = {{"code", code}, {"name", std::string("Programme ") + code}, {"total_ore", 10000000}, {"period_start", "2012-01-01"},
              {"period_end", "2013-12-31"}, {"claim_deadline", "2013-12-31"}, {"rate_basis_points", 10000},
              {"rules", {akademi_rule()}}};
    if (*owner) f["owner_code"] = owner;
    return ev("programme_created", "2012-09-01", f);
  }
  static json admin_key(const Key& k, const char* name, std::vector<std::string> acts_for) {
    json f = {{"public_key", to_hex(k->public_key().raw())}, {"role", "programme_administrator"}, {"name", name}};
    if (!acts_for.empty()) f["acts_for"] = acts_for;
    return ev("key_registered", "2012-01-01", f);
  }
  static json share(const char* programme, int64_t ore) {
    return ev("sector_share_allocated", "2013-01-01", {{"programme_code", programme}, {"sector", "municipalities"}, {"amount_ore", ore}});
  }
  static json grant(const char* project, const char* programme, int64_t ore) {
    return ev("project_granted", "2012-09-01",
              {{"project_code", project}, {"programme_code", programme}, {"provider_code", "easv"}, {"name", "Udviklingsprojekt"},
               {"period_start", "2012-09-01"}, {"period_end", "2013-08-31"}, {"amount_ore", ore}});
  }
  static json report(const char* project, const char* date, int64_t ore) {
    return ev("project_expenditure_reported", date, {{"project_code", project}, {"report_id", std::string("R-") + date}, {"amount_ore", ore}});
  }
  static json paid(const char* project, const char* reference, int64_t ore) {
    return ev("project_paid", "2013-09-15", {{"project_code", project}, {"payment_reference", reference}, {"amount_ore", ore}});
  }
  static json closed(const char* project) {
    return ev("project_closed", "2013-10-31", {{"project_code", project}, {"reason", "project completed"}});
  }

  OwnerWorld() {
    create(admin, "test.local/owners");
    std::vector<json> setup = small_registry();
    setup.push_back(ev("entity_registered", "2012-01-01", {{"kind", "state_institution"}, {"code", "mks"}, {"name", "Medarbejder- og Kompetencestyrelsen"}}));
    setup.push_back(ev("entity_registered", "2012-01-01", {{"kind", "state_institution"}, {"code", "fm"}, {"name", "Finansministeriet"}}));
    setup.push_back(admin_key(agency, "agency", {"mks"}));
    setup.push_back(admin_key(ministry, "ministry", {"fm"}));
    setup.push_back(admin_key(unscoped, "unscoped", {}));
    setup.push_back(key(provider, "finance_officer", "easv"));
    setup.push_back(key(lemvig, "finance_officer", "665"));
    setup.push_back(programme("OWNED", "mks"));
    setup.push_back(programme("FREE", ""));
    ok(admin, setup);
  }
  int64_t balance(const Account& account) { return ledger->state().balance(account).value; }
};

}  // namespace

TEST_CASE("a programme with an owner is run only by keys acting for its owner", "[domain][owner]") {
  OwnerWorld w;
  CHECK(w.ledger->state().programme("OWNED")->owner == "mks");
  CHECK(w.ledger->state().programme("FREE")->owner.empty());
  w.refused(w.ministry, {OwnerWorld::share("OWNED", 1000)}, Rejection::kNotProgrammeOwner,
            "key ministry acts for Finansministeriet (fm); programme OWNED is run by Medarbejder- og Kompetencestyrelsen (mks)");
  w.refused(w.unscoped, {OwnerWorld::share("OWNED", 1000)}, Rejection::kNotProgrammeOwner, "acts for no body");
  w.ok(w.agency, {OwnerWorld::share("OWNED", 1000)});
  // Without an owner, as every programme of an existing ledger: any programme administrator.
  w.ok(w.ministry, {OwnerWorld::share("FREE", 1000)});
  w.ok(w.unscoped, {OwnerWorld::share("FREE", 1000)});
  w.ok(w.agency, {OwnerWorld::share("FREE", 1000)});
}

TEST_CASE("the owner scope covers allocations, decisions, payouts and their reversals", "[domain][owner]") {
  OwnerWorld w;
  w.ok(w.agency, {OwnerWorld::share("OWNED", 6000000)});
  json alloc = LedgerWorld::allocation(6000000);
  alloc["programme_code"] = "OWNED";
  w.refused(w.ministry, {alloc}, Rejection::kNotProgrammeOwner, "programme OWNED");
  const CommitInfo allocated = w.ok(w.agency, {alloc});
  json claim = LedgerWorld::claim("K1", "B1", 100000);
  claim["programme_code"] = "OWNED";
  w.ok(w.lemvig, {LedgerWorld::payment("B1", "665", 100000), claim});
  w.refused(w.ministry, {LedgerWorld::approve("K1")}, Rejection::kNotProgrammeOwner, "programme OWNED");
  w.refused(w.ministry, {ev("reimbursement_rejected", "2013-03-01", {{"claim_id", "K1"}, {"reason", "no"}})}, Rejection::kNotProgrammeOwner);
  w.refused(w.ministry, {ev("reimbursement_cancelled", "2013-03-01", {{"claim_id", "K1"}, {"reason", "no"}})}, Rejection::kNotProgrammeOwner);
  w.ok(w.agency, {LedgerWorld::approve("K1")});
  w.refused(w.ministry, {LedgerWorld::pay("K1", "REF-1")}, Rejection::kNotProgrammeOwner);
  const CommitInfo paid = w.ok(w.agency, {LedgerWorld::pay("K1", "REF-1")});
  w.refused(w.ministry, {ev("event_reversed", "2013-04-01", {{"event_index", paid.first_event_index}, {"reason", "wrong account"}})},
            Rejection::kNotProgrammeOwner);
  w.refused(w.ministry, {ev("event_reversed", "2013-04-01", {{"event_index", allocated.first_event_index}, {"reason", "error"}})},
            Rejection::kNotProgrammeOwner);
  w.ok(w.agency, {ev("event_reversed", "2013-04-01", {{"event_index", paid.first_event_index}, {"reason", "wrong account"}})});
}

TEST_CASE("owners and acts_for are checked when they are recorded", "[domain][owner]") {
  OwnerWorld w;
  w.refused(w.admin, {OwnerWorld::programme("X", "nobody")}, Rejection::kEntityNotFound, "owner_code \"nobody\"");
  w.refused(w.admin, {OwnerWorld::admin_key(new_key(), "k", {"nobody"})}, Rejection::kEntityNotFound, "acts_for: \"nobody\"");
  w.refused(w.admin, {OwnerWorld::admin_key(new_key(), "k", {"mks", "mks"})}, Rejection::kInvalidValue, "listed twice");
  json officer = LedgerWorld::key(new_key(), "finance_officer", "665");
  officer["acts_for"] = {"mks"};
  w.refused(w.admin, {officer}, Rejection::kBadKeyScope, "only programme_administrator keys have acts_for");
  w.ok(w.admin, {ev("entity_closed", "2013-01-01", {{"code", "fm"}, {"reason", "merged"}})});
  w.refused(w.admin, {OwnerWorld::programme("X", "fm")}, Rejection::kEntityClosed, "owner Finansministeriet (fm) is closed");
}

TEST_CASE("a project grant is reported, paid and closed, the rest returns to the pool", "[domain][project]") {
  OwnerWorld w;
  w.ok(w.agency, {OwnerWorld::grant("J1", "OWNED", 5000000)});
  CHECK(w.balance(Account::pool("OWNED")) == 5000000);
  CHECK(w.balance(Account::project_available("OWNED", "J1")) == 5000000);
  const ProjectState* j = w.ledger->state().project("J1");
  REQUIRE(j != nullptr);
  CHECK(j->provider == "easv");
  CHECK(j->granted_ore == Ore{5000000});
  w.ok(w.provider, {OwnerWorld::report("J1", "2012-09-01", 2000000), OwnerWorld::report("J1", "2013-08-31", 2500000)});
  CHECK(w.balance(Account::project_reported("OWNED", "J1")) == 4500000);
  w.ok(w.agency, {OwnerWorld::paid("J1", "UDV-1", 4000000)});
  w.refused(w.agency, {OwnerWorld::closed("J1")}, Rejection::kOpenReservations, "5.000,00 kr. reported and not paid");
  w.refused(w.admin, {ev("programme_closed", "2013-10-01", {{"code", "OWNED"}, {"reason", "end"}})}, Rejection::kOpenReservations,
            "1 open project(s)");
  w.ok(w.agency, {OwnerWorld::paid("J1", "UDV-2", 500000)});
  CHECK(w.balance(Account::project_paid("OWNED", "J1")) == 4500000);
  w.ok(w.agency, {OwnerWorld::closed("J1")});
  CHECK(w.balance(Account::project_available("OWNED", "J1")) == 0);
  CHECK(w.balance(Account::pool("OWNED")) == 5500000);  // 5,000,000 left + 500,000 not spent
  CHECK(w.ledger->state().project("J1")->closed);
  w.refused(w.provider, {OwnerWorld::report("J1", "2013-08-31", 1)}, Rejection::kProjectClosed, "project J1 is closed");
  w.ok(w.admin, {ev("programme_closed", "2013-11-01", {{"code", "OWNED"}, {"reason", "end"}})});
}

TEST_CASE("project grants refuse what the rules forbid, and write nothing", "[domain][project]") {
  OwnerWorld w;
  w.refused(w.ministry, {OwnerWorld::grant("J1", "OWNED", 1000)}, Rejection::kNotProgrammeOwner, "programme OWNED");
  w.refused(w.agency, {OwnerWorld::grant("J1", "OWNED", 10000001)}, Rejection::kInsufficientFunds, "exceeds the unallocated pool");
  json not_provider = OwnerWorld::grant("J1", "OWNED", 1000);
  not_provider["provider_code"] = "665";
  w.refused(w.agency, {not_provider}, Rejection::kWrongRecipient, "provider_code 665");
  json bad_code = OwnerWorld::grant("J:1", "OWNED", 1000);
  w.refused(w.agency, {bad_code}, Rejection::kInvalidValue, "project_code");
  json backwards = OwnerWorld::grant("J1", "OWNED", 1000);
  backwards["period_end"] = "2012-08-31";
  w.refused(w.agency, {backwards}, Rejection::kInvalidValue, "period_start");
  w.refused(w.agency, {OwnerWorld::grant("J1", "NOPE", 1000)}, Rejection::kProgrammeNotFound);
  w.refused(w.provider, {OwnerWorld::grant("J1", "FREE", 1000)}, Rejection::kRoleNotAllowed);
  w.ok(w.agency, {OwnerWorld::grant("J1", "OWNED", 1000000)});
  w.refused(w.agency, {OwnerWorld::grant("J1", "FREE", 1000)}, Rejection::kProjectAlreadyExists, "project J1");

  w.refused(w.provider, {OwnerWorld::report("J2", "2013-01-01", 1)}, Rejection::kProjectNotFound, "project J2");
  w.refused(w.provider, {OwnerWorld::report("J1", "2012-08-31", 1)}, Rejection::kOutsideProjectPeriod, "2012-08-31 is outside");
  w.refused(w.provider, {OwnerWorld::report("J1", "2013-09-01", 1)}, Rejection::kOutsideProjectPeriod, "2013-09-01 is outside");
  w.refused(w.provider, {OwnerWorld::report("J1", "2013-01-01", 1000001)}, Rejection::kExceedsProjectGrant, "10.000,00 kr.");
  w.refused(w.lemvig, {OwnerWorld::report("J1", "2013-01-01", 1)}, Rejection::kOutOfScope, "not for Erhvervsakademi SydVest (easv)");
  w.refused(w.provider, {OwnerWorld::report("J1", "2013-01-01", 0)}, Rejection::kInvalidValue, "amount_ore");
  w.ok(w.provider, {OwnerWorld::report("J1", "2013-01-01", 600000)});
  // At the limit: what is left of the grant, and no more.
  w.refused(w.provider, {OwnerWorld::report("J1", "2013-02-01", 400001)}, Rejection::kExceedsProjectGrant, "4.000,00 kr. of 10.000,00 kr.");
  w.ok(w.provider, {OwnerWorld::report("J1", "2013-02-01", 400000)});

  w.refused(w.agency, {OwnerWorld::paid("J1", "P1", 1000001)}, Rejection::kExceedsReported, "10.000,00 kr.");
  w.refused(w.ministry, {OwnerWorld::paid("J1", "P1", 1)}, Rejection::kNotProgrammeOwner);
  w.refused(w.agency, {OwnerWorld::paid("J1", "", 1)}, Rejection::kInvalidValue, "payment_reference");
  w.ok(w.agency, {OwnerWorld::paid("J1", "P1", 100)});
  w.refused(w.agency, {OwnerWorld::paid("J1", "P1", 100)}, Rejection::kDuplicatePaymentReference, "was used for project J1");
  w.refused(w.ministry, {OwnerWorld::closed("J1")}, Rejection::kNotProgrammeOwner);
  json no_reason = OwnerWorld::closed("J1");
  no_reason["reason"] = "";
  w.ok(w.agency, {OwnerWorld::paid("J1", "P2", 999900)});
  w.refused(w.agency, {no_reason}, Rejection::kInvalidValue, "reason");
  // A project payment is no reversible event.
  const CommitInfo closing = w.ok(w.agency, {OwnerWorld::closed("J1")});
  w.refused(w.agency, {ev("event_reversed", "2013-11-01", {{"event_index", closing.first_event_index}, {"reason", "error"}})},
            Rejection::kNotReversible);
}

TEST_CASE("project state and balances replay equal in a reopened ledger", "[domain][project]") {
  OwnerWorld w;
  w.ok(w.agency, {OwnerWorld::grant("J1", "OWNED", 1000000)});
  w.ok(w.provider, {OwnerWorld::report("J1", "2013-01-01", 300000)});
  w.ledger.reset();
  auto reopened = Ledger::open(w.dir);
  REQUIRE(reopened.has_value());
  w.ledger = std::move(reopened).value();
  CHECK(w.ledger->state().project("J1")->granted_ore == Ore{1000000});
  CHECK(w.balance(Account::project_reported("OWNED", "J1")) == 300000);
  w.ok(w.agency, {OwnerWorld::paid("J1", "P1", 300000)});
  w.check_books();
}
