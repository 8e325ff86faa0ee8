// Why a request's authentication was refused (spec/AUTH.md, "Verification and refusals"), as
// a value.
//
// The service answers every refusal with HTTP 401 (nonce_cache_full: 503) and writes the reason's
// name and the message, so a client can tell a clock problem from a key problem. The numbers are
// stable: reports and tests name them.
#pragma once

#include <string>
#include <utility>

namespace grantledger::server {

enum class AuthFailure {
  kNone = 0,
  kMissing = 1,         // Signature-Input, Signature or Content-Digest absent
  kMalformed = 2,       // a header breaks its syntax or the profile (params, components, alg)
  kExpired = 3,         // expires <= now
  kNotYetValid = 4,     // created > now + kMaxClockSkewSeconds
  kUnknownKey = 5,      // no public key is registered under keyid
  kBadSignature = 6,    // the Ed25519 signature does not verify over the signature base
  kDigestMismatch = 7,  // Content-Digest's sha-256 is not SHA-256 of the body received
  kReplayed = 8,        // this (keyid, nonce) was accepted before and has not expired
  kNonceCacheFull = 9,  // the replay cache is at its limit: retry later (not the client's fault)
};

// "missing", "malformed", ... as spec/AUTH.md names them.
const char* auth_failure_name(AuthFailure failure);

class [[nodiscard]] AuthStatus {
 public:
  AuthStatus() = default;
  AuthStatus(AuthFailure failure, std::string message)
      : failure_(failure), message_(std::move(message)) {}
  static AuthStatus ok() { return AuthStatus(); }

  bool is_ok() const { return failure_ == AuthFailure::kNone; }
  AuthFailure failure() const { return failure_; }
  const std::string& message() const { return message_; }
  // "expired: expires=1700000300 is not after now=1700000400".
  std::string to_string() const;

 private:
  AuthFailure failure_ = AuthFailure::kNone;
  std::string message_;
};

}  // namespace grantledger::server
