#include "ledger/origin.h"

#include <openssl/rand.h>

#include "ledger/bytes.h"

namespace grantledger {

Result<std::string> random_origin(std::string_view label) {
  for (char c : label) GL_ASSERT((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  unsigned char rnd[8];
  if (RAND_bytes(rnd, sizeof rnd) != 1) return Status::io_error("no randomness for the origin");
  return std::string(kDefaultOriginPrefix) + std::string(label) +
         to_hex(std::string_view(reinterpret_cast<const char*>(rnd), sizeof rnd));
}

}  // namespace grantledger
