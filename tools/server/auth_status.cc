#include "tools/server/auth_status.h"

#include <cstddef>
#include <iterator>

namespace grantledger::server {

const char* auth_failure_name(AuthFailure failure) {
  // Indexed by the enum's stable numbers.
  static constexpr const char* kNames[] = {
      "ok",          "missing",       "malformed",       "expired",  "not_yet_valid",
      "unknown_key", "bad_signature", "digest_mismatch", "replayed", "nonce_cache_full",
  };
  auto i = static_cast<size_t>(failure);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

std::string AuthStatus::to_string() const {
  if (is_ok()) return "ok";
  return std::string(auth_failure_name(failure_)) + ": " + message_;
}

}  // namespace grantledger::server
