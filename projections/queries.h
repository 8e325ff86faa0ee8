// Balance and history queries over the projections, bitemporal (spec/PROJECTIONS.md).
//
// Every query reads one RocksDB snapshot. An as-of query sums the journal: postings effective on
// or before `effective_date`, from commits the ledger had recorded by `known_commits` ("what did
// the books say about 31 March, as known on 5 April"). Cost: one prefix scan per programme over its
// recipients' journal entries up to the date: O(postings of those accounts), no replay of the log.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "projections/builder.h"
#include "projections/journal_key.h"

namespace grantledger::projections {

struct AsOf {
  std::optional<int32_t> effective_date;  // postings effective on or before this day
  std::optional<uint64_t> known_commits;  // only commits with sequence < known_commits
  bool includes(int32_t date, uint64_t commit_sequence) const {
    return (!effective_date || date <= *effective_date) && (!known_commits || commit_sequence < *known_commits);
  }
};

// Parses --known-at: a commit sequence number ("1234") or a UTC time ("2013-04-05" = end of that
// day, or "2013-04-05T12:00:00Z"): the commits the ledger had recorded by then.
Result<uint64_t> resolve_known_at(Ledger& ledger, const std::string& text);

// A recipient's money in a programme. allocated = remaining + reserved + paid + returned.
struct RecipientBalance {
  int64_t allocated = 0, reserved = 0, paid = 0, returned = 0, remaining = 0;
  RecipientBalance& operator+=(const RecipientBalance& o);
};

struct ProgrammeBalances {
  std::string code;
  RegistryRecord info;
  int64_t pool = 0;                                   // unallocated
  std::map<std::string, int64_t> sector_unallocated;  // sector -> share not yet allocated
  std::map<std::string, RecipientBalance> recipients; // entity code -> balance
};

class Queries {
 public:
  explicit Queries(Ledger& ledger) : ledger_(ledger) {}

  Result<std::map<std::string, RegistryRecord>> entities();
  Result<std::map<std::string, RegistryRecord>> programmes();
  // One programme's pool, sector shares and recipients, as of `as_of`.
  Result<ProgrammeBalances> programme_balances(const std::string& programme, const AsOf& as_of);
  // An account's balance as of `as_of`.
  Result<int64_t> account_balance(const std::string& account, const AsOf& as_of);
  // Every account the balances projection holds, with current balances.
  Result<std::map<std::string, int64_t>> balances();
  // Claims per status ("claimed", "approved", ...).
  Result<std::map<std::string, int64_t>> claim_counts();
  struct ProviderTotals {
    int64_t count = 0, total_ore = 0;
  };
  Result<std::map<std::string, ProviderTotals>> providers();
  // Journal entries of one account in (effective date, log order), as of `as_of`.
  Result<std::vector<JournalEntry>> journal(const std::string& account, const AsOf& as_of);

 private:
  Ledger& ledger_;
};

}  // namespace grantledger::projections
