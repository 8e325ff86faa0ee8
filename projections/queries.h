// Balance and history queries over the projections, bitemporal (spec/PROJECTIONS.md).
//
// Every query reads one RocksDB snapshot of projections that are caught up with the log (call
// Builder::catch_up first). Balances "as of" an effective date come from the totals projection:
// per measure, the month sums before the date's month plus the day sums of its month up to the
// date. "As known at" a past commit reads the bucket versions of the last complete epoch before
// it and replays the remaining (< kTotalsEpochEvents) events from the log. Cost: O(measures ×
// (months + 31) + kTotalsEpochEvents), independent of the log's length (spec/PROJECTIONS.md,
// "Cost model").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "projections/as_of.h"
#include "projections/builder.h"
#include "projections/claim_history.h"
#include "projections/journal_key.h"
#include "projections/projection_store.h"

namespace grantledger::projections {

// Resolves --known-at (spec/CLI.md, "balance") to a number of commits: a commit sequence S
// (decimal digits only) means commits 0..S, so S + 1; a UTC time T means every commit whose
// recorded_at_ns <= T (parse_known_at_time_ns). invalid_argument for a sequence past the head, a
// time before the genesis commit, or any other text. Cost: O(log commits) commit reads.
Result<uint64_t> resolve_known_at(Ledger& ledger, const std::string& text);

// The instant a --known-at time names, in ns since the epoch. "YYYY-MM-DDTHH:MM:SSZ" is the start
// of that second, so a commit recorded 1 ns later is not yet known; a fraction of 1..9 digits may
// follow the seconds ("...:SS.123456789Z", as `log` prints recorded_at). "YYYY-MM-DD" is the last
// nanosecond of that UTC day. invalid_argument for any other text.
Result<int64_t> parse_known_at_time_ns(const std::string& text);

// A recipient's money in a programme. allocated = remaining + reserved + paid + returned.
struct RecipientBalance {
  Ore allocated, reserved, paid, returned, remaining;
  // Adds `o` field by field; corruption when a sum leaves the int64 range (and then this is
  // partly added: discard it).
  Status add(const RecipientBalance& o);
};

// A project grant's money (spec/DOMAIN.md, "Project grants"). granted = remaining + reported +
// returned; paid <= reported (reported counts what was paid too).
struct ProjectBalance {
  Ore granted, reported, paid, returned, remaining;
  // Adds `o` field by field; corruption when a sum leaves the int64 range.
  Status add(const ProjectBalance& o);
};

struct ProgrammeBalances {
  std::string code;
  RegistryRecord info;
  Ore pool;                                           // unallocated
  std::map<std::string, Ore> sector_unallocated;      // sector name -> share not yet allocated
  std::map<std::string, RecipientBalance> recipients; // entity code -> balance
  std::map<std::string, ProjectBalance> projects;     // project code -> balance
};

// Sums of one measure (an account or "<account>#returned", projections/totals.h).
struct MeasureTotals {
  Ore sum_ore;
  int64_t count = 0;
};

class Queries {
 public:
  explicit Queries(Ledger& ledger) : ledger_(ledger), store_(ledger) {}

  // Every measure whose name starts with `prefix`, summed as of `as_of`. Measures with no posting
  // as of then are absent.
  Result<std::map<std::string, MeasureTotals>> totals(const std::string& prefix, const AsOf& as_of);
  // The earliest effective date in the log; not_found for a log without events.
  Result<int32_t> first_effective_date();
  // invalid_argument if `as_of` names a date before the log's first effective date.
  Status check_as_of(const AsOf& as_of);

  Result<std::map<std::string, RegistryRecord>> entities();
  Result<std::map<std::string, RegistryRecord>> programmes();
  // Project grants by code: name, provider code (as `parent`), granted amount (as `total_ore`).
  Result<std::map<std::string, RegistryRecord>> projects();
  // One programme's pool, sector shares and recipients, as of `as_of`.
  Result<ProgrammeBalances> programme_balances(const std::string& programme, const AsOf& as_of);
  // An account's balance as of `as_of`.
  Result<Ore> account_balance(const std::string& account, const AsOf& as_of);
  // Every account the balances projection holds (by name), with current balances.
  Result<std::map<std::string, Ore>> balances();
  // Claims per status ("claimed", "approved", ...).
  Result<std::map<std::string, int64_t>> claim_counts();
  // Every claim of employer `entity` (of every employer when empty) as of `as_of`, ordered by
  // employer and claim id (projections/claim_history.h). Cost: one scan of those claims' changes.
  Result<std::vector<ClaimAsOf>> claims(const std::string& entity, const AsOf& as_of);
  struct ProviderTotals {
    int64_t count = 0;
    Ore total_ore;
  };
  Result<std::map<std::string, ProviderTotals>> providers(const AsOf& as_of = {});
  // Journal entries of one account in (effective date, log order), as of `as_of`.
  Result<std::vector<JournalEntry>> journal(const std::string& account, const AsOf& as_of);

  // Every account the ledger has posted to that belongs to entity `code` (its grant accounts in
  // every programme, or only in `programme`; its employer and provider accounts). not_found for
  // an unknown entity or programme.
  Result<std::vector<std::string>> accounts_of_entity(const std::string& code, const std::string& programme);
  // not_found unless some posting touched `account`.
  Status check_account(const std::string& account);

  struct HistoryLine {
    JournalEntry entry;
    std::vector<std::string> counter_accounts;  // the event's postings on the other side
    Ore balance_ore;                            // the account's running balance after this line
  };
  // Every posting to `accounts` as of `as_of`, in (effective date, log order), with running
  // balances per account.
  Result<std::vector<HistoryLine>> history(const std::vector<std::string>& accounts, const AsOf& as_of);

 private:
  Ledger& ledger_;
  ProjectionStore store_;
};

}  // namespace grantledger::projections
