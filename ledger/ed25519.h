// Ed25519 keys (RFC 8032) through OpenSSL's EVP interface, stored as PEM files.
//
// Private keys are PKCS#8 PEM written with mode 0600; loading refuses a private key file that
// the group or others can read. Public keys are SubjectPublicKeyInfo PEM, the form
// `openssl pkey -pubout` writes and `openssl pkeyutl -verify -pubin` reads.
// A key's ID is SHA-256 of its raw 32-byte public key (spec/LOG.md, "Keys and roles").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace grantledger {

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

// SHA-256 of a raw public key.
Hash32 key_id_of(std::string_view raw_public_key);

class PublicKey {
 public:
  // REQUIRES nothing; fails with invalid_argument unless raw is 32 bytes.
  static Result<PublicKey> from_raw(std::string_view raw);
  static Result<PublicKey> from_pem(std::string_view pem);
  static Result<PublicKey> load(const std::string& path);

  const Bytes& raw() const { return raw_; }
  const Hash32& key_id() const { return key_id_; }
  std::string to_pem() const;
  // True iff `signature` is a valid Ed25519 signature of `message` by this key.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  PublicKey(PkeyPtr key, Bytes raw);
  std::shared_ptr<EVP_PKEY> key_;
  Bytes raw_;
  Hash32 key_id_;
};

class PrivateKey {
 public:
  static PrivateKey generate();
  // Fails with invalid_argument if the file is missing, unreadable, not an Ed25519 key, or
  // readable by group or others (mode & 077).
  static Result<PrivateKey> load(const std::string& path);
  static Result<PrivateKey> from_pem(std::string_view pem);

  // Writes `<base>.pem` (mode 0600, created exclusively: never overwrites) and `<base>.pub.pem`.
  Status save(const std::string& base) const;

  const PublicKey& public_key() const { return public_; }
  const Hash32& key_id() const { return public_.key_id(); }
  std::string to_pem() const;
  // A 64-byte Ed25519 signature of message.
  Bytes sign(std::string_view message) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey pub);
  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_;
};

}  // namespace grantledger
