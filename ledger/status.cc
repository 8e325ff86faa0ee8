#include "ledger/status.h"

#include <cstdio>

namespace grantledger {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kRejected: return "rejected";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kFindings: return "findings";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "grantledger: internal invariant failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace grantledger
