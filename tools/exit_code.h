// Exit codes (spec/CLI.md, "Exit codes"; README). One mapping for every subcommand.
#pragma once

#include "ledger/status.h"

namespace grantledger::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;    // audit / reconcile found discrepancies
inline constexpr int kExitBadInput = 2;    // bad input, unknown name, rule rejection, conflict
inline constexpr int kExitCorruption = 3;  // stored data fails a hash, signature or decode check
inline constexpr int kExitIOError = 4;     // the file system or database failed; may be retried

inline int exit_code_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
    case StatusCode::kAlreadyExists: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
    case StatusCode::kRejected: return kExitBadInput;
    case StatusCode::kCorruption: return kExitCorruption;
    case StatusCode::kIOError: return kExitIOError;
    case StatusCode::kFindings: return kExitFindings;
  }
  return kExitIOError;
}

}  // namespace grantledger::cli
