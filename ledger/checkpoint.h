// Signed checkpoints: a C2SP tlog-checkpoint body wrapped as a C2SP signed-note.
//
// Body (spec/LOG.md, "Checkpoints"):
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n
// Note: body, an empty line, then one signature line per signer:
//   "\u2014 " <key name> " " base64(key ID (4 bytes) || Ed25519 signature (64 bytes)) "\n"
// The Ed25519 signature is over the body bytes exactly, so `openssl pkeyutl -verify -rawin`
// with the log's public PEM verifies it. Key ID = SHA-256(key name || "\n" || 0x01 || raw
// public key)[0:4], as the signed-note spec derives it for Ed25519.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/bytes.h"
#include "ledger/ed25519.h"
#include "ledger/status.h"

namespace grantledger {

struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  Hash32 root{};

  // The exact bytes that are signed.
  std::string body() const;
};

// The signed-note key ID of an Ed25519 key named `key_name`.
uint32_t note_key_id(const std::string& key_name, const PublicKey& key);
// The note verifier key string "<name>+<hex key id>+<base64(0x01 || public key)>".
std::string note_verifier_key(const std::string& key_name, const PublicKey& key);

// Returns the signed note: body, blank line, signature line. The key name is the origin.
std::string sign_checkpoint(const Checkpoint& checkpoint, const PrivateKey& log_key);

// Parses a signed note and verifies the signature line of `key` named `checkpoint.origin`.
// corruption if the note is malformed or the signature is missing or does not verify.
Result<Checkpoint> verify_checkpoint(const std::string& note, const PublicKey& log_key);

}  // namespace grantledger
