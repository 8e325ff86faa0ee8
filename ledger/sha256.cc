#include "ledger/sha256.h"

#include <openssl/evp.h>

#include "ledger/status.h"

namespace grantledger {

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  GL_ASSERT(md_ != nullptr && ctx_ != nullptr);
  reset();
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

void Sha256::reset() { GL_ASSERT(EVP_DigestInit_ex(ctx_, md_, nullptr) == 1); }

void Sha256::update(std::string_view data) {
  GL_ASSERT(EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1);
}

Hash32 Sha256::finish() {
  Hash32 out;
  unsigned int len = 0;
  GL_ASSERT(EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1 && len == 32);
  reset();
  return out;
}

Hash32 Sha256::digest(std::string_view data) {
  update(data);
  return finish();
}

}  // namespace grantledger
