// `grantledger sink verify` (spec/POSTGRES.md, "Verification"): compares what a sink wrote into
// PostgreSQL with the ledger's own read models, and the sink's tables with the schema.
//
// Compared, as of the sink's position (sink_state.applied_commits), which must equal the commits
// the ledger's projections have applied:
//   - sink_state: origin, commit hash, tree size and root at the position;
//   - schema: every table and column of sink_tables() (drift: missing, altered, extra columns);
//   - balances_by_day and postings: each measure's sum and count (the totals projection, as
//     `balance` reads it) as of every date in `as_of_dates` and as of no date; each account's sum
//     of postings as of the same dates; accounts: each balance (the balances projection);
//   - entities, programmes (the registry projection) and claims (claim_history, as `claims`
//     reads it): every row and field;
//   - commits, postings, course_payments and claim_changes: row counts and SHA-256 digests of
//     their rows against the same rows read from the log (each event checked against its leaf
//     hash; claim changes by the claim_history rule, projections/claim_change.h).
// Cost: one scan of the log and of those tables, and one totals query per date.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace grantledger::sink {

struct SinkDifference {
  std::string table, key, expected, found;
  std::string describe() const;  // "table=postings key=digest expected=... found=..."
};

struct VerifyOptions {
  std::string data_dir, dsn;
  std::vector<int32_t> as_of_dates;  // empty: the last day of every year the postings span
};

struct VerifyReport {
  uint64_t applied_commits = 0;
  uint64_t checks = 0;                      // figures compared
  std::vector<SinkDifference> differences;  // empty: the database matches the ledger
};

// Reads both sides and lists every difference (at most kMaxReportedDifferences per table).
// io_error when PostgreSQL cannot be reached; invalid_argument for a bad DSN.
Result<VerifyReport> verify_sink(const VerifyOptions& options);

inline constexpr size_t kMaxReportedDifferences = 50;

}  // namespace grantledger::sink
