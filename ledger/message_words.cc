#include "ledger/message_words.h"

#include <cstring>

namespace grantledger {

Result<kj::Array<capnp::word>> message_words(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return Status::corruption("message does not decode: its length " + std::to_string(bytes.size()) +
                              " is not a positive multiple of 8");
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  return words;
}

}  // namespace grantledger
