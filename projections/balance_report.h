// Balance reports: the rows `grantledger balance` prints, built from the queries
// (spec/PROJECTIONS.md, "Balance reports"; spec/CLI.md, "balance").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "projections/queries.h"

namespace grantledger::projections {

enum class BalanceBy { kMunicipality, kRegion, kState, kSector, kProgramme, kProvider, kProject };
// "municipality" ... "provider", "project"; invalid_argument for any other name.
Result<BalanceBy> parse_balance_by(const std::string& name);
const char* balance_by_name(BalanceBy by);

// --group for --by programme: one row per theme or per kind of the 2019-2022 initiatives
// (spec/DOMAIN.md, "Initiatives"); kNone: one row per programme.
enum class BalanceGroup { kNone, kTheme, kKind };
// "theme", "kind"; invalid_argument for any other name.
Result<BalanceGroup> parse_balance_group(const std::string& name);

struct BalanceQuery {
  BalanceBy by = BalanceBy::kSector;
  std::string programme;  // empty: every programme
  std::string entity;     // empty: every row; else only this entity's row
  AsOf as_of;
  BalanceGroup group = BalanceGroup::kNone;  // only with kProgramme
};

struct BalanceColumn {
  std::string name;  // "allocated", "course_payments", ...
  bool money = true; // øre amount; else a count
};

struct BalanceRow {
  std::string code, name;
  std::vector<int64_t> values;  // one per column
};

struct BalanceReport {
  std::vector<BalanceColumn> columns;
  std::vector<BalanceRow> rows;  // ordered by code
  BalanceRow total;              // code "TOTAL": the column sums
};

// Builds the report. not_found for an unknown programme or entity; invalid_argument for an
// entity of another kind than the rows, a group with another --by than programme, or an as-of
// date before the log began. Grouped, a programme counts in the group of its own theme or kind,
// or else of its nearest parent that has one (an earmark belongs to its initiative); programmes
// of no initiative form the group "none". The TOTAL row equals the ungrouped one.
Result<BalanceReport> balance_report(Queries& queries, const BalanceQuery& query);

}  // namespace grantledger::projections
