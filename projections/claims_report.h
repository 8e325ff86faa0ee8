// Claims reports: the rows `grantledger claims` prints, built from the claim_history projection
// (spec/PROJECTIONS.md, "Claims reports"; spec/CLI.md, "claims").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "projections/queries.h"

namespace grantledger::projections {

// "claimed" ... "cancelled"; invalid_argument for any other word.
Result<ClaimStatus> parse_claims_state(const std::string& name);

struct ClaimsQuery {
  std::string entity;                // the employer's code; empty: every employer
  std::string programme;             // empty: every programme
  std::optional<ClaimStatus> state;  // only claims in this state; nullopt: every state
  AsOf as_of;
};

struct ClaimsRow {
  ClaimAsOf claim;
  std::string employer_name;  // from the registry
};

struct ClaimsStateTotal {
  ClaimStatus state = ClaimStatus::kClaimed;
  int64_t count = 0;
  Ore amount_ore;
};

struct ClaimsReport {
  std::vector<ClaimsRow> rows;            // ordered by employer code, then claim id
  std::vector<ClaimsStateTotal> totals;  // one per state (kClaimStatuses order), over the rows
  ClaimsStateTotal total;                 // every row
};

// Builds the report. not_found for an unknown entity or programme; invalid_argument for an as-of
// date before the log began. Cost: one scan of the entity's (or every) claim's changes.
Result<ClaimsReport> claims_report(Queries& queries, const ClaimsQuery& query);

}  // namespace grantledger::projections
