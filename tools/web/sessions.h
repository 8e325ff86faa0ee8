// Signing in to the web page without passwords (spec/WEB.md, "Signing in"): `grantledger login`
// makes a signed request (RFC 9421, spec/AUTH.md) and receives a one-time sign-in token; opening
// the link with it starts a session bound to that key. Both live in the service's memory only
// (a restart signs everyone out) and are stored by their SHA-256, so a lookup's timing says
// nothing about a secret. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ledger/status.h"

namespace grantledger::web {

// Limits (spec/WEB.md).
inline constexpr int64_t kSignInTokenSeconds = 120;   // a link must be opened within two minutes
inline constexpr int64_t kSessionSeconds = 30 * 60;   // then the session lasts 30 minutes
inline constexpr size_t kMaxOpenSessions = 10000;     // tokens and sessions each

class SessionStore {
 public:
  // A new one-time token (64 hex digits) for the key `key_id_hex`. io_error when there is no
  // randomness or kMaxOpenSessions unexpired tokens exist.
  Result<std::string> issue_token(const std::string& key_id_hex, int64_t now_s);
  // Uses up `token` and starts a session for its key: the session ID (64 hex digits). nullopt for
  // an unknown, used or expired token (the three are not told apart).
  std::optional<std::string> redeem(const std::string& token, int64_t now_s);
  // The key a live session belongs to; nullopt for an unknown or expired session.
  std::optional<std::string> key_of(const std::string& session, int64_t now_s);
  // Ends a session (sign out, or its key was revoked). Unknown sessions are ignored.
  void end(const std::string& session);

 private:
  struct Entry {
    std::string key_id_hex;
    int64_t expires_s = 0;
  };
  void drop_expired(std::map<std::string, Entry>* entries, int64_t now_s);
  std::mutex mu_;
  std::map<std::string, Entry> tokens_;    // SHA-256 hex of the token -> entry
  std::map<std::string, Entry> sessions_;  // SHA-256 hex of the session ID -> entry
};

}  // namespace grantledger::web
