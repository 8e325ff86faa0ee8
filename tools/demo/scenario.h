// The demo scenario: the 2012-2013 leaders' education scheme and the 2019 sick-leave programme,
// recorded through the same JSON mapping, signed append path and rules as every user
// submission (no back door). spec/DOMAIN.md, "The demo scenario", describes every choice.
//
// Deterministic: the same seed records the same events in the same commits, in the same order;
// only keys, signatures, recorded times and the origin differ between runs in different directories.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "ledger/ledger.h"
#include "ledger/status.h"

namespace grantledger::demo {

struct DemoOptions {
  uint64_t seed = 20122013;
  int course_payments = 3000;  // in the 2012-2013 scheme
};

struct DemoSummary {
  bool already_recorded = false;  // the directory held the demo: nothing new was written
  int refused_at_append = 0;      // deliberately bad submissions the rules refused (nothing written)
};

inline constexpr const char* kLeaderProgramme = "LEDER-2012";
inline constexpr const char* kSickLeaveProgramme = "SYGEFRAVAER-2019";
inline constexpr const char* kSickLeaveEarmark = "SYGEFRAVAER-2019-SAERLIG";
inline constexpr const char* kProjectProgramme = "LEDER-2012-UDVIKLING";
// The body that runs the 2019 programmes (spec/DOMAIN.md, "Programme owners").
inline constexpr const char* kSickLeaveOwner = "medarbejder_og_kompetencestyrelsen";

// The eight development projects of 2012-2013: code, provider, grant in kroner and the share of it
// spent, in per cent (our choices: the seeds give no amounts; spec/DOMAIN.md, "The demo scenario").
struct DemoProject {
  const char* code;
  const char* provider;
  int64_t grant_kr;
  int spent_percent;
};
inline constexpr DemoProject kDemoProjects[] = {
    {"UDV-KEA", "kea", 600000, 100},
    {"UDV-EAL", "eal", 500000, 92},
    {"UDV-EAAA", "eaaa", 550000, 97},
    {"UDV-EASV", "easv", 450000, 85},
    {"UDV-VEU-FYN", "veu_fyn", 400000, 100},
    {"UDV-VEU-MIDTOEST", "veu_midtoest", 400000, 88},
    {"UDV-VEU-TREKANT", "veu_trekantsomraadet", 400000, 95},
    {"UDV-VEU-OEST", "veu_oest_og_oeerne", 400000, 90},
};

// The 17 initiatives of the 2019-2022 leadership and competence agreement (spec/DOMAIN.md,
// "Initiatives", "The demo scenario"): code, name, theme, kind and owning body. Names the seeds do
// not give say so; themes, and owners beyond those the seeds name, are our choices. The sick-leave
// initiative is kSickLeaveProgramme, whose 145 mio. kr. are its money; the others start with a
// zero pool. Each sector-wise initiative has three parts, CODE-STAT, CODE-REGIONER, CODE-KOMMUNER.
struct DemoInitiative {
  const char* code;
  const char* name;
  const char* theme;  // as JSON spells it
  const char* kind;
  const char* owner;
};
inline constexpr const char* kMunicipalBody = "kl";               // KL, the municipalities' body
inline constexpr const char* kRegionalBody = "danske_regioner";   // Danske Regioner
inline constexpr DemoInitiative kDemoInitiatives[] = {
    {"LKA-PARTNERSKAB", "Nationalt partnerskab om ledelse og kompetencer (med Finansministeriet)", "leadership", "cross_public", kSickLeaveOwner},
    {"LKA-KOMPETENCERAAD", "Tværoffentligt kompetenceråd", "competences", "cross_public", kSickLeaveOwner},
    {kSickLeaveProgramme, "Fælles offentlig indsats mod sygefravær (lederreformen 2019)", "workplaces", "cross_public", kSickLeaveOwner},
    {"LKA-DIREKTIONSFORLOEB", "Direktionsforløb på tværs af den offentlige sektor", "leadership", "cross_public", kSickLeaveOwner},
    {"LKA-ROTATION", "Rotationsforløb for ledere og medarbejdere", "competences", "cross_public", kSickLeaveOwner},
    {"LKA-LEDEREVALUERING", "Evalueringsværktøj til offentlig ledelse", "leadership", "cross_public", kSickLeaveOwner},
    {"LKA-TALENT", "Forløb for talentfulde lederaspiranter og nye ledere", "leadership", "cross_public", kSickLeaveOwner},
    {"LKA-MKS-8", "Ottende tværoffentlige initiativ i Medarbejder- og Kompetencestyrelsen (med Finansministeriet; navnet står ikke i kilderne)",
     "competences", "cross_public", kSickLeaveOwner},
    {"LKA-MOTIVATION", "Motivationsundersøgelse", "workplaces", "cross_public", "finansministeriet"},
    {"LKA-LEDERUDDANNELSER", "Eftersyn af offentlige lederuddannelser", "leadership", "cross_public", "uddannelses_og_forskningsministeriet"},
    {"LKA-SIM", "Tværoffentligt initiativ i Social- og Indenrigsministeriet (navnet står ikke i kilderne)", "workplaces", "cross_public",
     "social_og_indenrigsministeriet"},
    {"LKA-BM", "Tværoffentligt initiativ i Beskæftigelsesministeriet (navnet står ikke i kilderne)", "workplaces", "cross_public",
     "beskaeftigelsesministeriet"},
    {"LKA-LEDELSESKOMMISSIONEN", "Opfølgning på Ledelseskommissionens anbefalinger", "leadership", "sector_wise", kSickLeaveOwner},
    {"LKA-SAMARBEJDSSYSTEMET", "Serviceeftersyn af samarbejdssystemet (Samarbejdssekretariatet)", "workplaces", "sector_wise", kSickLeaveOwner},
    {"LKA-SEKTOR-3", "Tredje sektorvise initiativ (navnet står ikke i kilderne)", "competences", "sector_wise", kSickLeaveOwner},
    {"LKA-SEKTOR-4", "Fjerde sektorvise initiativ (navnet står ikke i kilderne)", "competences", "sector_wise", kSickLeaveOwner},
    {"LKA-STATSLIG-LEDERUDVIKLING", "Styrket lederudvikling i staten", "leadership", "state_only", kSickLeaveOwner},
};

// Creates the demo ledger in `dir` if `dir` is absent or empty (keys in DIR/keys/), then records
// the scenario; on a ledger the demo created, records what is missing, or nothing when the
// scenario is complete (already_recorded). invalid_argument, with nothing written, for any other
// directory (tools/demo/demo_ledger.h). Progress and the deliberate refusals go to `log`.
Result<DemoSummary> run_demo(const std::string& dir, const DemoOptions& options, std::ostream& log);

// The balances table the demo ends with: per sector and for a few named recipients.
void print_demo_balances(const LedgerState& state, std::ostream& out);

}  // namespace grantledger::demo
