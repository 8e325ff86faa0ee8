// Replay protection: spec/AUTH.md, "Nonces and replay".
#include "tools/server/nonce_cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace grantledger::server;

namespace {

constexpr int64_t kNow = 1700000000;

VerifiedSignature sig(const std::string& keyid, const std::string& nonce,
                      int64_t expires = kNow + 300) {
  return {keyid, kNow, expires, nonce};
}

AuthFailure admit(NonceCache& cache, const VerifiedSignature& s, int64_t now = kNow) {
  AuthStatus st = cache.admit(s, now);
  UNSCOPED_INFO(st.to_string());
  return st.failure();
}

}  // namespace

TEST_CASE("a (keyid, nonce) pair is admitted once until it expires",
          "[http_signature][nonce_cache]") {
  NonceCache cache;
  const std::string alice(64, 'a'), bob(64, 'b');
  CHECK(admit(cache, sig(alice, "nonce-0000000001")) == AuthFailure::kNone);
  CHECK(admit(cache, sig(alice, "nonce-0000000001")) == AuthFailure::kReplayed);
  // A replay later in the window, or with other times claimed, is the same pair.
  CHECK(admit(cache, sig(alice, "nonce-0000000001", kNow + 100), kNow + 99) ==
        AuthFailure::kReplayed);
  // Nonces are scoped to a key.
  CHECK(admit(cache, sig(bob, "nonce-0000000001")) == AuthFailure::kNone);
  CHECK(admit(cache, sig(alice, "nonce-0000000002")) == AuthFailure::kNone);
  CHECK(cache.size() == 3);

  // Held through the skew margin after expiry, dropped after it.
  const int64_t drop_at = kNow + 300 + kMaxClockSkewSeconds;
  CHECK(admit(cache, sig(alice, "nonce-0000000001", drop_at + 300), drop_at - 1) ==
        AuthFailure::kReplayed);
  CHECK(admit(cache, sig(alice, "nonce-0000000001", drop_at + 300), drop_at) == AuthFailure::kNone);
  CHECK(cache.size() == 1);
}

TEST_CASE("an expired signature is not admitted", "[http_signature][nonce_cache]") {
  NonceCache cache;
  CHECK(admit(cache, sig(std::string(64, 'a'), "nonce-0000000001", kNow), kNow) ==
        AuthFailure::kExpired);
  CHECK(cache.size() == 0);
}

TEST_CASE("a full cache refuses new pairs and evicts none", "[http_signature][nonce_cache]") {
  NonceCache cache(3);
  const std::string k(64, 'c');
  CHECK(admit(cache, sig(k, "nonce-000000000a", kNow + 10)) == AuthFailure::kNone);
  CHECK(admit(cache, sig(k, "nonce-000000000b", kNow + 300)) == AuthFailure::kNone);
  CHECK(admit(cache, sig(k, "nonce-000000000c", kNow + 300)) == AuthFailure::kNone);
  CHECK(admit(cache, sig(k, "nonce-000000000d", kNow + 300)) == AuthFailure::kNonceCacheFull);
  // Full is no reason to forget: the held pairs are still refused as replays.
  CHECK(admit(cache, sig(k, "nonce-000000000a", kNow + 10)) == AuthFailure::kReplayed);
  CHECK(cache.size() == 3);
  // Once the first pair is dropped there is room again.
  const int64_t later = kNow + 10 + kMaxClockSkewSeconds;
  CHECK(admit(cache, sig(k, "nonce-000000000d", kNow + 300), later) == AuthFailure::kNone);
  CHECK(admit(cache, sig(k, "nonce-000000000e", kNow + 300), later) ==
        AuthFailure::kNonceCacheFull);
}

TEST_CASE("concurrent replays of one nonce: exactly one is admitted",
          "[http_signature][nonce_cache][concurrency]") {
  NonceCache cache;
  constexpr int kThreads = 8;
  constexpr int kNonces = 200;
  std::atomic<int> admitted{0}, replayed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < kNonces; ++n) {
        AuthStatus st = cache.admit(
            sig(std::string(64, 'd'), "nonce-" + std::to_string(100000000000 + n)), kNow);
        (st.is_ok() ? admitted : replayed)++;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(admitted == kNonces);
  CHECK(replayed == (kThreads - 1) * kNonces);
  CHECK(cache.size() == kNonces);
}
