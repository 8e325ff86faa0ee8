// The demo scenario: recorded through the signed append path, balanced after every commit,
// deterministic, and idempotent when run again.
#include <catch2/catch.hpp>

#include <sstream>

#include "ledger/event_json.h"
#include "tests/test_support.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

constexpr int kPayments = 300;  // small: the full 3,000 run is the README's main command

// Every event as JSON, with what legitimately differs between runs (public keys) blanked.
std::vector<std::string> comparable_events(Ledger& ledger) {
  std::vector<std::string> out;
  LedgerState state;
  Status s = ledger.replay(&state, [&](const CommitRecord&, uint64_t, schema::Event::Reader e, const std::vector<Posting>&) {
    auto j = event_to_json(e);
    if (j["type"] == "key_registered") j["public_key"] = "";
    if (j["type"] == "key_registered" && j["role"] == "admin" && j["effective_date"] != "2012-01-01") j["effective_date"] = "";
    if (j["type"] == "key_registered" && j["role"] == "log") j["effective_date"] = "";
    out.push_back(j.dump());
    return Status::ok();
  });
  REQUIRE(s.is_ok());
  return out;
}

}  // namespace

TEST_CASE("the demo balances after every commit and records what the scenario says", "[demo]") {
  TempDir tmp;
  std::ostringstream log;
  auto summary = demo::run_demo(tmp / "demo", {.seed = 7, .course_payments = kPayments}, log);
  INFO((summary ? log.str() : summary.error().to_string()));
  REQUIRE(summary.has_value());
  CHECK(summary->refused_at_append == 7);
  CHECK(log.str().find("rule 25 personal_identifier") != std::string::npos);
  CHECK(log.str().find("rule 42 not_programme_owner") != std::string::npos);
  CHECK(log.str().find("rule 47 exceeds_project_grant") != std::string::npos);
  CHECK(log.str().find("rule 50 sector_part_exists") != std::string::npos);
  CHECK(log.str().find("rule 51 outside_sector_part") != std::string::npos);

  auto ledger = Ledger::open(tmp / "demo", {.read_only = true});
  REQUIRE(ledger.has_value());
  LedgerState state;
  int commits = 0;
  Status s = (*ledger)->replay(&state, {}, [&](const CommitRecord& c) {
    ++commits;
    if (state.trial_balance() != Ore{}) return Status::corruption("trial balance not zero after commit " + std::to_string(c.info.sequence));
    return Status::ok();
  });
  REQUIRE(s.is_ok());
  CHECK(commits > 100);
  // The rule state the writer stored, commit by commit, is the state the replay derives.
  auto differences = (*ledger)->compare_stored_state(state);
  REQUIRE(differences.has_value());
  for (const auto& d : *differences) FAIL_CHECK(d.object + ": " + d.reason);

  // The pool split 14.4 / 2.8 / 3.8 mio. kr., to the øre, and every recipient allocated.
  const ProgrammeState* p = state.programme(demo::kLeaderProgramme);
  REQUIRE(p != nullptr);
  CHECK(p->total_ore == Ore{2100000000});
  CHECK(p->recipients.size() == 98 + 5 + 4);
  int64_t municipal = 0, regional = 0, national = 0;
  for (const auto& code : p->recipients) {
    int64_t allocated = state.balance(Account::available(demo::kLeaderProgramme, code)).value +
                        state.balance(Account::reserved(demo::kLeaderProgramme, code)).value +
                        state.balance(Account::paid(demo::kLeaderProgramme, code)).value;
    switch (state.entity(code)->kind) {
      case schema::EntityKind::MUNICIPALITY: municipal += allocated; break;
      case schema::EntityKind::REGION: regional += allocated; break;
      default: national += allocated;
    }
  }
  CHECK(municipal == 1440000000);
  CHECK(regional == 280000000);
  CHECK(national == 380000000);
  CHECK(state.balance(Account::available(demo::kLeaderProgramme, "dsb")).value +
            state.balance(Account::paid(demo::kLeaderProgramme, "dsb")).value ==
        95000000);

  // Claims reached every outcome; the ineligible ones carry the rule as their reason.
  std::map<ClaimStatus, int> by_status;
  for (const auto& [_, c] : state.claims()) ++by_status[c.status];
  CHECK(by_status[ClaimStatus::kPaid] > 0);
  CHECK(by_status[ClaimStatus::kRejected] > 0);
  CHECK(by_status[ClaimStatus::kCancelled] >= 5);
  CHECK(by_status[ClaimStatus::kClaimed] == 0);
  CHECK(by_status[ClaimStatus::kApproved] == 0);

  // The earmark: 100 of the 145 mio. kr.
  CHECK(state.balance(Account::pool(demo::kSickLeaveProgramme)).value == 4500000000);
  CHECK(state.programme(demo::kSickLeaveEarmark)->parent_code == demo::kSickLeaveProgramme);
  CHECK(state.programme(demo::kSickLeaveProgramme)->owner == demo::kSickLeaveOwner);
  CHECK(state.programme(demo::kLeaderProgramme)->owner.empty());

  // The eight development projects: 3.7 mio. kr. granted, 3,468,000 kr. reported and paid, the
  // rest back in the pool; every project closed.
  int64_t paid = 0;
  for (const demo::DemoProject& d : demo::kDemoProjects) {
    const ProjectState* j = state.project(d.code);
    REQUIRE(j != nullptr);
    CHECK(j->closed);
    CHECK(j->provider == d.provider);
    CHECK(state.balance(Account::project_available(demo::kProjectProgramme, d.code)).value == 0);
    CHECK(state.balance(Account::project_reported(demo::kProjectProgramme, d.code)).value == 0);
    paid += state.balance(Account::project_paid(demo::kProjectProgramme, d.code)).value;
  }
  CHECK(paid == 346800000);
  CHECK(state.balance(Account::pool(demo::kProjectProgramme)).value == 23200000);

  // The 17 initiatives of the 2019-2022 agreement: 12 cross-public, 4 sector-wise with a part per
  // sector run by that sector's body, 1 state-only; the sick-leave one holds the 145 mio. kr., the
  // rest a zero pool.
  std::map<schema::ProgrammeKind, int> kinds;
  std::map<schema::Theme, int> themes;
  for (const demo::DemoInitiative& i : demo::kDemoInitiatives) {
    const ProgrammeState* x = state.programme(i.code);
    REQUIRE(x != nullptr);
    CHECK(x->owner == i.owner);
    CHECK(x->sector == schema::SectorPart::NONE);
    ++kinds[x->kind];
    ++themes[x->theme];
    CHECK(x->total_ore == (std::string(i.code) == demo::kSickLeaveProgramme ? Ore{14500000000} : Ore{}));
    if (x->kind != schema::ProgrammeKind::SECTOR_WISE) continue;
    const std::pair<const char*, std::pair<schema::SectorPart, const char*>> parts[] = {
        {"-STAT", {schema::SectorPart::STATE, demo::kSickLeaveOwner}},
        {"-REGIONER", {schema::SectorPart::REGIONS, demo::kRegionalBody}},
        {"-KOMMUNER", {schema::SectorPart::MUNICIPALITIES, demo::kMunicipalBody}}};
    for (const auto& [suffix, want] : parts) {
      const ProgrammeState* part = state.programme(std::string(i.code) + suffix);
      REQUIRE(part != nullptr);
      CHECK(part->parent_code == i.code);
      CHECK(part->sector == want.first);
      CHECK(part->owner == want.second);
      CHECK(part->theme == x->theme);
    }
  }
  CHECK(kinds[schema::ProgrammeKind::CROSS_PUBLIC] == 12);
  CHECK(kinds[schema::ProgrammeKind::SECTOR_WISE] == 4);
  CHECK(kinds[schema::ProgrammeKind::STATE_ONLY] == 1);
  CHECK(themes[schema::Theme::LEADERSHIP] + themes[schema::Theme::COMPETENCES] + themes[schema::Theme::WORKPLACES] == 17);
  CHECK(state.programme(demo::kSickLeaveEarmark)->kind == schema::ProgrammeKind::NONE);
}

TEST_CASE("two demo runs record identical events, and a rerun writes nothing", "[demo]") {
  TempDir tmp;
  std::ostringstream log;
  REQUIRE(demo::run_demo(tmp / "a", {.seed = 11, .course_payments = kPayments}, log).has_value());
  REQUIRE(demo::run_demo(tmp / "b", {.seed = 11, .course_payments = kPayments}, log).has_value());
  auto a = Ledger::open(tmp / "a", {.read_only = true});
  auto b = Ledger::open(tmp / "b", {.read_only = true});
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  auto ea = comparable_events(**a), eb = comparable_events(**b);
  REQUIRE(ea.size() == eb.size());
  for (size_t i = 0; i < ea.size(); ++i) REQUIRE(ea[i] == eb[i]);
  LedgerState sa, sb;
  REQUIRE((*a)->replay(&sa).is_ok());
  REQUIRE((*b)->replay(&sb).is_ok());
  CHECK(sa.balances() == sb.balances());

  std::string before = fingerprint(**a);
  a->reset();
  auto again = demo::run_demo(tmp / "a", {.seed = 11, .course_payments = kPayments}, log);
  REQUIRE(again.has_value());
  CHECK(again->already_recorded);
  auto reopened = Ledger::open(tmp / "a", {.read_only = true});
  CHECK(fingerprint(**reopened) == before);
}
