// Replay protection for signed requests (spec/AUTH.md, "Nonces and replay").
//
// Remembers each admitted (keyid, nonce) pair until its signature has expired, and refuses the
// pair a second time. It never evicts a pair whose signature is still valid, because that would
// reopen the replay window: when kMaxNonceCacheEntries live pairs are held, new requests are
// refused with kNonceCacheFull until some expire.
//
// Sizing: a pair lives at most kMaxSignatureLifetimeSeconds + kMaxClockSkewSeconds (330 s), so
// the limit sustains 65536 / 330 s, about 200 requests per second at the longest lifetime; an
// entry costs about 350 bytes (two copies of a ~130-byte key plus set and heap overhead), so a
// full cache holds about 23 MB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tools/server/auth_status.h"
#include "tools/server/http_signature.h"

namespace grantledger::server {

inline constexpr size_t kMaxNonceCacheEntries = 65536;

// Thread-safe: every member function takes one mutex. Costs O(log n) per admit(), amortized.
class NonceCache {
 public:
  // REQUIRES (asserted): max_entries > 0.
  explicit NonceCache(size_t max_entries = kMaxNonceCacheEntries);

  // Admits a verified signature's (keyid, nonce) at time now_s (Unix seconds) and remembers it.
  // Refuses with kExpired when expires_s <= now_s, kReplayed when the pair is held, and
  // kNonceCacheFull when max_entries live pairs are held. Pairs are dropped once
  // expires_s + kMaxClockSkewSeconds <= now_s: the skew margin keeps a pair through a small
  // step back of the server's clock.
  AuthStatus admit(const VerifiedSignature& signature, int64_t now_s);

  // Pairs held, expired ones included until the next admit() drops them.
  size_t size() const;

 private:
  void drop_expired(int64_t now_s);  // REQUIRES: mu_ held

  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> held_;  // keyid + " " + nonce
  // (drop time, key), earliest first.
  using Entry = std::pair<int64_t, std::string>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> by_expiry_;
};

}  // namespace grantledger::server
