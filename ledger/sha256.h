// SHA-256 through OpenSSL's EVP interface.
//
// The digest is fetched once per Sha256 object and the EVP_MD_CTX reused: with OpenSSL 3 the
// one-shot SHA256() call is about 3x slower (it fetches the algorithm on every call). A Sha256
// object is not thread-safe; give each thread its own.
#pragma once

#include <memory>
#include <string_view>

#include "ledger/bytes.h"

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace grantledger {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Incremental use: reset(), update()..., finish().
  void reset();
  void update(std::string_view data);
  void update(uint8_t byte) { update(std::string_view(reinterpret_cast<const char*>(&byte), 1)); }
  Hash32 finish();

  // One call: SHA-256(data).
  Hash32 digest(std::string_view data);

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace grantledger
