// BatchRows: the rows one batch of commits adds to the sink's tables (spec/POSTGRES.md,
// "Tables"), computed with the ledger's own code: the postings the rules stored for each event,
// the totals projection's measures (projections/totals.h, for_each_measure, counted through
// reversal chains), the claim_history projection's rule for claim changes
// (projections/claim_change.h), and the entity, programme and course-payment fields of the events.
//
// REQUIRES: commits are added in log order, each commit's events after it. write() sends
// everything inside the caller's transaction: COPY for the appended rows, set-based upserts for
// balances, and one statement per registry change. Memory: the batch's rows.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/log_reader.h"
#include "projections/claim_history.h"
#include "projections/reversal_chain.h"
#include "tools/sink/pg_connection.h"

namespace grantledger::sink {

class BatchRows {
 public:
  // Earlier events (a reversal's chain) are read from `ledger`.
  explicit BatchRows(Ledger& ledger);

  void add_commit(const CommitRecord& commit);
  Status add_event(const CommitRecord& commit, const LogEvent& event);
  uint64_t events() const { return events_; }

  // Writes the batch. conflict when a row the ledger implies is missing in the database (a
  // claim's course payment, a renamed entity): rows were removed by hand.
  Status write(PgConnection& conn);

 private:
  struct Statement {
    std::string sql;
    std::vector<PgParam> params;
    const char* what;  // for an error: "entity 101"
    std::string key;
  };
  struct Delta {
    int64_t amount_ore = 0, count = 0;
  };
  struct PendingClaim {
    std::optional<projections::ClaimChange> claimed;
    projections::ClaimChange last;
  };

  Ledger& ledger_;
  projections::ReversalChains chains_;
  uint64_t events_ = 0;
  std::string commits_, postings_, course_payments_, claim_changes_;
  std::map<std::string, Delta> accounts_;
  std::map<std::pair<std::string, int32_t>, Delta> days_;
  std::vector<Statement> registry_;
  std::map<std::string, PendingClaim> claims_;
};

}  // namespace grantledger::sink
