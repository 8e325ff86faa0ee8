// Splitting an amount by weights with the largest-remainder (Hamilton) method.
//
// Each part gets floor(total * w_i / W); the øre left over go one each to the parts with the
// largest remainders, ties to the earlier part. The parts always sum to `total` exactly, and the
// result depends only on the inputs (deterministic). Exact: 128-bit intermediate products.
#pragma once

#include <cstdint>
#include <vector>

#include "ledger/status.h"

namespace grantledger {

inline constexpr size_t kMaxSplitParts = 1024;

// REQUIRES nothing; invalid_argument if total < 0, weights is empty or longer than
// kMaxSplitParts, any weight is <= 0, or the weights' sum overflows int64.
Result<std::vector<int64_t>> split_largest_remainder(int64_t total, const std::vector<int64_t>& weights);

}  // namespace grantledger
