// The log key of the demo ledger the seed corpora of proof_json_fuzz and checkpoint_fuzz were
// taken from (tests/fuzz/README.md), so seeds verify and the fuzzer starts past the signature.
#pragma once

#include <cstdlib>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"

namespace grantledger::fuzz {

// Raw Ed25519 public key, hex; `openssl pkey -pubin -in keys/log.pub.pem -outform DER | tail -c 32`.
inline constexpr const char* kDemoLogPublicKeyHex = "b3630e30df5bc86118dd764820cc873be2b30f2349dcf222e526b2e077920436";

inline const PublicKey& demo_log_key() {
  static const PublicKey key = [] {
    auto raw = from_hex(kDemoLogPublicKeyHex);
    if (!raw) std::abort();
    auto k = PublicKey::from_raw(*raw);
    if (!k) std::abort();
    return k.value();
  }();
  return key;
}

}  // namespace grantledger::fuzz
