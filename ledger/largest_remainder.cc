#include "ledger/largest_remainder.h"

#include <algorithm>
#include <numeric>

namespace grantledger {

Result<std::vector<int64_t>> split_largest_remainder(int64_t total, const std::vector<int64_t>& weights) {
  if (total < 0) return Status::invalid_argument("cannot split a negative amount");
  if (weights.empty()) return Status::invalid_argument("a split needs at least one weight");
  if (weights.size() > kMaxSplitParts)
    return Status::invalid_argument("a split has at most " + std::to_string(kMaxSplitParts) + " parts");
  int64_t sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0)
      return Status::invalid_argument("weight " + std::to_string(i + 1) + " is " + std::to_string(weights[i]) +
                                      "; every weight must be positive");
    if (__builtin_add_overflow(sum, weights[i], &sum)) return Status::invalid_argument("the weights' sum overflows");
  }
  std::vector<int64_t> parts(weights.size());
  std::vector<std::pair<__int128, size_t>> remainders(weights.size());
  int64_t assigned = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    __int128 quota = static_cast<__int128>(total) * weights[i];
    parts[i] = static_cast<int64_t>(quota / sum);
    remainders[i] = {quota % sum, i};
    assigned += parts[i];
  }
  // Largest remainder first; equal remainders in input order.
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  int64_t left = total - assigned;
  GL_ASSERT(left >= 0 && left < static_cast<int64_t>(weights.size()));
  for (int64_t k = 0; k < left; ++k) ++parts[remainders[static_cast<size_t>(k)].second];
  return parts;
}

}  // namespace grantledger
