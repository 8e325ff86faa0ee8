// AsOf: the two times a query reads the books at (spec/PROJECTIONS.md; spec/CLI.md, "balance"):
// what was effective on or before a day, as the ledger knew it after a number of commits.
#pragma once

#include <cstdint>
#include <optional>

namespace grantledger::projections {

struct AsOf {
  std::optional<int32_t> effective_date;  // postings effective on or before this day
  std::optional<uint64_t> known_commits;  // only commits with sequence < known_commits
  bool includes(int32_t date, uint64_t commit_sequence) const {
    return (!effective_date || date <= *effective_date) && (!known_commits || commit_sequence < *known_commits);
  }
};

}  // namespace grantledger::projections
