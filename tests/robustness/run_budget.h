// How much a robustness run does, and its seed: bounded so the whole [robustness] suite stays
// under about two minutes on two cores in CI, raised by environment variables for long runs
// (bench/RESULTS.md, "Crash and corruption suite"):
//   GL_CRASH_POINTS=N    kill points in total over the kill -9 tests (CI: 240)
//   GL_CRASH_SEED=S      seed of the kill delays and batch sizes (CI: 14)
//   GL_DAMAGE_POINTS=N   bit flips per file kind and ledger state in the damage tests, and half as
//                      many truncations (CI: 8)
//   GL_DAMAGE_SEED=S     seed of the flipped bits and truncation points (CI: 14)
// Every test prints the seed and the count it runs with.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

namespace grantledger::testing {

inline uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::stoull(v);
}

struct RunBudget {
  uint64_t count;
  uint64_t seed;
};

// Reads `count_var` and `seed_var`, and prints what the test will run with.
inline RunBudget run_budget(const std::string& test, const char* count_var, uint64_t ci_count,
                            const char* seed_var, uint64_t ci_seed) {
  RunBudget b{env_u64(count_var, ci_count), env_u64(seed_var, ci_seed)};
  std::cerr << test << ": " << count_var << "=" << b.count << " " << seed_var << "=" << b.seed
            << "\n";
  return b;
}

inline constexpr uint64_t kCiCrashPoints = 240;
inline constexpr uint64_t kCiDamagePoints = 8;
inline constexpr uint64_t kCiSeed = 14;  // issue 14

}  // namespace grantledger::testing
