// Initiatives of the 2019-2022 agreement (spec/DOMAIN.md, "Initiatives"): theme, kind and owner,
// zero pools funded later (programme_funded), sector-wise initiatives split into parts run by
// their sectors (rules 49-51), through the real append path. Every refusal asserts the rule and
// that nothing was written; every acceptance, that the stored rule state is what a replay derives.
#include <catch2/catch.hpp>

#include "ledger/rejection.h"
#include "tests/ledger_world.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// The small registry, the agency "mks" and the sectors' bodies "kl" and "dr", a programme
// administrator key acting for each, and the sector-wise initiative SW (theme leadership, owned
// by mks, zero pool) with its three parts SW-STAT (mks), SW-REGIONER (dr) and SW-KOMMUNER (kl).
struct InitiativeWorld : LedgerWorld {
  Key admin = new_key(), agency = new_key(), kl = new_key(), dr = new_key();

  static json initiative(const std::string& code, const char* theme, const char* kind, const char* owner, const char* parent = "",
                         const char* sector = "", int64_t total_ore = 0) {
    json f = {{"code", code}, {"name", "Initiativ " + code}, {"total_ore", total_ore}, {"period_start", "2019-03-01"},
              {"period_end", "2022-12-31"}, {"claim_deadline", "2023-03-31"}, {"rate_basis_points", 10000}, {"rules", json::array()}};
    if (*owner) f["owner_code"] = owner;
    if (*theme) f["theme"] = theme;
    if (*kind) f["kind"] = kind;
    if (*parent) f["parent_code"] = parent;
    if (*sector) f["sector"] = sector;
    return ev("programme_created", "2019-03-01", f);
  }
  static json part(const char* suffix, const char* sector, const char* owner) {
    return initiative(std::string("SW") + suffix, "leadership", "sector_wise", owner, "SW", sector);
  }
  static json funded(const std::string& code, int64_t ore, const char* reason = "Finansloven 2020") {
    return ev("programme_funded", "2020-01-01", {{"code", code}, {"amount_ore", ore}, {"reason", reason}});
  }
  static json share(const std::string& programme, const char* sector, int64_t ore) {
    return ev("sector_share_allocated", "2020-01-02", {{"programme_code", programme}, {"sector", sector}, {"amount_ore", ore}});
  }
  static json admin_key(const Key& k, const char* name, const char* acts_for) {
    return ev("key_registered", "2012-01-01",
              {{"public_key", to_hex(k->public_key().raw())}, {"role", "programme_administrator"}, {"name", name}, {"acts_for", {acts_for}}});
  }

  InitiativeWorld() {
    create(admin, "test.local/initiatives");
    std::vector<json> setup = small_registry();
    setup.push_back(ev("entity_registered", "2012-01-01", {{"kind", "state_institution"}, {"code", "mks"}, {"name", "Medarbejder- og Kompetencestyrelsen"}}));
    setup.push_back(ev("entity_registered", "2012-01-01", {{"kind", "employer"}, {"code", "kl"}, {"name", "KL"}}));
    setup.push_back(ev("entity_registered", "2012-01-01", {{"kind", "employer"}, {"code", "dr"}, {"name", "Danske Regioner"}}));
    setup.push_back(admin_key(agency, "agency", "mks"));
    setup.push_back(admin_key(kl, "kl", "kl"));
    setup.push_back(admin_key(dr, "dr", "dr"));
    setup.push_back(initiative("SW", "leadership", "sector_wise", "mks"));
    setup.push_back(part("-STAT", "state", "mks"));
    setup.push_back(part("-REGIONER", "regions", "dr"));
    setup.push_back(part("-KOMMUNER", "municipalities", "kl"));
    ok(admin, setup);
  }
  int64_t balance(const Account& account) { return ledger->state().balance(account).value; }
};

}  // namespace

TEST_CASE("an initiative is recorded with theme, kind, owner and a zero pool, and funded later", "[domain][initiative][programme]") {
  InitiativeWorld w;
  w.ok(w.admin, {InitiativeWorld::initiative("X", "workplaces", "cross_public", "mks")});
  const ProgrammeState* x = w.ledger->state().programme("X");
  REQUIRE(x != nullptr);
  CHECK(x->theme == schema::Theme::WORKPLACES);
  CHECK(x->kind == schema::ProgrammeKind::CROSS_PUBLIC);
  CHECK(x->sector == schema::SectorPart::NONE);
  CHECK(x->total_ore == Ore{});
  CHECK(w.balance(Account::pool("X")) == 0);
  LedgerState replayed;  // a zero pool posts nothing: no balance entry for the account
  REQUIRE(w.ledger->replay(&replayed).is_ok());
  CHECK(replayed.balances().count(Account::pool("X").name()) == 0);
  // An empty pool funds nothing until money is added.
  w.refused(w.agency, {InitiativeWorld::share("X", "state", 1)}, Rejection::kInsufficientFunds, "unallocated pool 0,00 kr.");
  w.ok(w.admin, {InitiativeWorld::funded("X", 500000000)});
  CHECK(w.ledger->state().programme("X")->total_ore == Ore{500000000});
  CHECK(w.balance(Account::pool("X")) == 500000000);
  CHECK(w.balance(Account::funding("X")) == -500000000);
  w.ok(w.agency, {InitiativeWorld::share("X", "state", 100000000)});
  w.ok(w.admin, {InitiativeWorld::funded("X", 1)});
  CHECK(w.ledger->state().programme("X")->total_ore == Ore{500000001});
}

TEST_CASE("a programme that is no initiative still needs a positive total", "[domain][initiative][programme]") {
  InitiativeWorld w;
  json plain = InitiativeWorld::initiative("PLAIN", "", "", "mks");
  w.refused(w.admin, {plain}, Rejection::kInvalidValue, "total_ore: must be positive");
  plain["total_ore"] = 100;
  w.ok(w.admin, {plain});
  CHECK(w.ledger->state().programme("PLAIN")->kind == schema::ProgrammeKind::NONE);
}

TEST_CASE("money is added to a programme only by the rules of programme_funded", "[domain][initiative][programme]") {
  InitiativeWorld w;
  w.refused(w.admin, {InitiativeWorld::funded("NOPE", 100)}, Rejection::kProgrammeNotFound, "programme NOPE");
  w.refused(w.admin, {InitiativeWorld::funded("SW", 0)}, Rejection::kInvalidValue, "amount_ore: must be positive");
  w.refused(w.admin, {InitiativeWorld::funded("SW", 100, "")}, Rejection::kInvalidValue, "reason");
  w.refused(w.admin, {InitiativeWorld::funded("SW", kMaxAmountOre + 1)}, Rejection::kAmountLimit, "amount_ore");
  w.refused(w.agency, {InitiativeWorld::funded("SW", 100)}, Rejection::kRoleNotAllowed);
  // A part's money comes from its initiative's pool, which must hold it.
  w.refused(w.admin, {InitiativeWorld::funded("SW-KOMMUNER", 100)}, Rejection::kInsufficientFunds, "unallocated pool 0,00 kr. of programme SW");
  w.ok(w.admin, {InitiativeWorld::funded("SW", 1000000), InitiativeWorld::funded("SW-KOMMUNER", 600000)});
  CHECK(w.balance(Account::pool("SW")) == 400000);
  CHECK(w.balance(Account::pool("SW-KOMMUNER")) == 600000);
  CHECK(w.ledger->state().programme("SW")->total_ore == Ore{1000000});
  CHECK(w.ledger->state().programme("SW-KOMMUNER")->total_ore == Ore{600000});
  w.ok(w.admin, {ev("programme_closed", "2023-01-01", {{"code", "SW-STAT"}, {"reason", "done"}})});
  w.refused(w.admin, {InitiativeWorld::funded("SW-STAT", 100)}, Rejection::kProgrammeClosed, "SW-STAT");
  // Funding is not reversible.
  const CommitInfo f = w.ok(w.admin, {InitiativeWorld::funded("SW", 5)});
  w.refused(w.agency, {ev("event_reversed", "2020-02-01", {{"event_index", f.first_event_index}, {"reason", "error"}})},
            Rejection::kNotReversible);
}

TEST_CASE("a sector-wise initiative's parts are run by their sectors, and money stays in its sector", "[domain][initiative][owner]") {
  InitiativeWorld w;
  CHECK(w.ledger->state().programme("SW-KOMMUNER")->sector == schema::SectorPart::MUNICIPALITIES);
  CHECK(w.ledger->state().programme("SW-KOMMUNER")->owner == "kl");
  w.ok(w.admin, {InitiativeWorld::funded("SW", 3000000), InitiativeWorld::funded("SW-KOMMUNER", 1000000),
                 InitiativeWorld::funded("SW-REGIONER", 1000000), InitiativeWorld::funded("SW-STAT", 500000)});
  // Run by that sector: the owner scope (42).
  w.refused(w.kl, {InitiativeWorld::share("SW-REGIONER", "regions", 1000)}, Rejection::kNotProgrammeOwner,
            "programme SW-REGIONER is run by Danske Regioner (dr)");
  w.refused(w.dr, {InitiativeWorld::share("SW-KOMMUNER", "municipalities", 1000)}, Rejection::kNotProgrammeOwner, "run by KL (kl)");
  // Money moves to a sector only in that sector's part (51).
  w.refused(w.kl, {InitiativeWorld::share("SW-KOMMUNER", "regions", 1000)}, Rejection::kOutsideSectorPart,
            "regions money of sector-wise initiative SW-KOMMUNER moves only in the part the regions run; SW-KOMMUNER is run by municipalities");
  w.refused(w.agency, {InitiativeWorld::share("SW-STAT", "municipalities", 1000)}, Rejection::kOutsideSectorPart);
  w.refused(w.agency, {InitiativeWorld::share("SW", "state", 1000)}, Rejection::kOutsideSectorPart, "initiative SW moves only");
  json alloc = LedgerWorld::allocation(1000);
  alloc["programme_code"] = "SW-STAT";
  w.refused(w.agency, {alloc}, Rejection::kOutsideSectorPart, "SW-STAT");
  w.ok(w.kl, {InitiativeWorld::share("SW-KOMMUNER", "municipalities", 1000)});
  alloc["programme_code"] = "SW-KOMMUNER";
  w.ok(w.kl, {alloc});
  w.ok(w.dr, {InitiativeWorld::share("SW-REGIONER", "regions", 1000)});
  w.ok(w.agency, {InitiativeWorld::share("SW-STAT", "state", 1000)});
  CHECK(w.balance(Account::available("SW-KOMMUNER", "665")) + w.balance(Account::available("SW-KOMMUNER", "851")) == 1000);
}

TEST_CASE("an initiative's theme, kind, sector and parent must fit (49, 50)", "[domain][initiative][programme]") {
  InitiativeWorld w;
  w.ok(w.admin, {InitiativeWorld::initiative("CP", "competences", "cross_public", "mks"),
                 InitiativeWorld::initiative("PLAIN", "", "", "", "", "", 100000)});
  using IW = InitiativeWorld;
  w.refused(w.admin, {IW::initiative("X", "leadership", "", "mks")}, Rejection::kBadInitiative, "theme and kind are given together");
  w.refused(w.admin, {IW::initiative("X", "", "state_only", "mks")}, Rejection::kBadInitiative, "theme none, kind state_only");
  w.refused(w.admin, {IW::initiative("X", "leadership", "state_only", "")}, Rejection::kBadInitiative, "names no owner_code");
  w.refused(w.admin, {IW::initiative("X", "leadership", "cross_public", "mks", "", "state")}, Rejection::kBadInitiative,
            "only a sector-wise initiative's part names a sector");
  w.refused(w.admin, {IW::initiative("X", "", "", "", "", "state", 100)}, Rejection::kBadInitiative, "names a sector");
  w.refused(w.admin, {IW::initiative("X", "leadership", "sector_wise", "mks", "", "state")}, Rejection::kBadInitiative,
            "names no sector-wise initiative as parent_code");
  w.refused(w.admin, {IW::initiative("X", "competences", "sector_wise", "mks", "CP", "state")}, Rejection::kBadInitiative, "under CP");
  w.refused(w.admin, {IW::initiative("X", "leadership", "sector_wise", "mks", "PLAIN", "state")}, Rejection::kBadInitiative, "under PLAIN");
  w.refused(w.admin, {IW::initiative("X", "leadership", "sector_wise", "mks", "SW")}, Rejection::kBadInitiative, "only a sector part");
  w.refused(w.admin, {IW::initiative("X", "leadership", "sector_wise", "mks", "SW-STAT", "state")}, Rejection::kBadInitiative, "under SW-STAT");
  w.refused(w.admin, {IW::initiative("X", "workplaces", "sector_wise", "mks", "SW", "state")}, Rejection::kBadInitiative,
            "sector part X has theme workplaces; its initiative SW has leadership");
  w.refused(w.admin, {IW::initiative("X", "leadership", "sector_wise", "mks", "SW", "state")}, Rejection::kSectorPartExists,
            "initiative SW already has a part run by state");
  w.refused(w.admin, {IW::initiative("X", "leadership", "cross_public", "nobody")}, Rejection::kEntityNotFound, "owner_code \"nobody\"");
  // An earmark under an initiative that is no initiative itself, as the sick-leave earmark.
  w.ok(w.admin, {IW::funded("CP", 1000), IW::initiative("CP-EARMARK", "", "", "mks", "CP", "", 400)});
  CHECK(w.balance(Account::pool("CP")) == 600);
}
