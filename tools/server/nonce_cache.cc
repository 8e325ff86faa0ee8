#include "tools/server/nonce_cache.h"

#include "ledger/status.h"

namespace grantledger::server {

NonceCache::NonceCache(size_t max_entries) : max_entries_(max_entries) {
  GL_ASSERT(max_entries > 0);
}

void NonceCache::drop_expired(int64_t now_s) {
  while (!by_expiry_.empty() && by_expiry_.top().first <= now_s) {
    held_.erase(by_expiry_.top().second);
    by_expiry_.pop();
  }
}

AuthStatus NonceCache::admit(const VerifiedSignature& signature, int64_t now_s) {
  if (signature.expires_s <= now_s) {
    return {AuthFailure::kExpired, "expires=" + std::to_string(signature.expires_s) +
                                       " is not after now=" + std::to_string(now_s)};
  }
  // A nonce has no space in it (spec/AUTH.md), so the joined key is unambiguous.
  std::string key = signature.keyid + " " + signature.nonce;
  std::lock_guard<std::mutex> lock(mu_);
  drop_expired(now_s);
  if (held_.count(key) != 0) {
    return {AuthFailure::kReplayed,
            "nonce " + signature.nonce + " of keyid=" + signature.keyid + " was used before"};
  }
  if (held_.size() >= max_entries_) {
    return {AuthFailure::kNonceCacheFull, "the replay cache holds " + std::to_string(max_entries_) +
                                              " unexpired nonces; retry after a few seconds"};
  }
  held_.insert(key);
  by_expiry_.emplace(signature.expires_s + kMaxClockSkewSeconds, std::move(key));
  GL_ASSERT(held_.size() == by_expiry_.size());
  return AuthStatus::ok();
}

size_t NonceCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

}  // namespace grantledger::server
