#include "ledger/canonical.h"

#include <cstring>

namespace grantledger {

namespace {
// Keeps the aligned copy and the segment table alive as long as the reader.
struct OwningReader : capnp::SegmentArrayMessageReader {
  OwningReader(kj::Array<capnp::word> words, std::unique_ptr<kj::ArrayPtr<const capnp::word>[]> segs)
      : capnp::SegmentArrayMessageReader(kj::arrayPtr(segs.get(), 1)),
        words_(std::move(words)),
        segs_(std::move(segs)) {}
  kj::Array<capnp::word> words_;
  std::unique_ptr<kj::ArrayPtr<const capnp::word>[]> segs_;
};
}  // namespace

Result<DecodedMessage> DecodedMessage::decode(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return Status::corruption("not a canonical message: length " + std::to_string(bytes.size()) +
                              " is not a positive multiple of 8");
  size_t n = bytes.size() / sizeof(capnp::word);
  auto words = kj::heapArray<capnp::word>(n);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  std::unique_ptr<kj::ArrayPtr<const capnp::word>[]> segs(new kj::ArrayPtr<const capnp::word>[1]);
  segs[0] = kj::ArrayPtr<const capnp::word>(words.begin(), n);
  DecodedMessage out;
  try {
    auto reader = std::make_shared<OwningReader>(std::move(words), std::move(segs));
    // isCanonical() walks the whole message, so every later access is in bounds.
    if (!reader->isCanonical()) return Status::corruption("message is not in canonical form");
    out.reader_ = std::move(reader);
  } catch (const kj::Exception& e) {
    return Status::corruption(std::string("message does not decode: ") + e.getDescription().cStr());
  }
  return out;
}

}  // namespace grantledger
