// Stored Cap'n Proto bytes as the aligned words a reader needs, and the exceptions Cap'n Proto
// raises on malformed bytes as corruption: the prelude every decoder of stored bytes shares.
//
// Stored canonical bytes are one segment without a segment table (spec/LOG.md, "Canonical bytes").
#pragma once

#include <capnp/common.h>
#include <capnp/message.h>
#include <kj/array.h>
#include <kj/exception.h>

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace grantledger {

// A copy of `bytes` in aligned words; corruption when their length is not a positive multiple of 8.
Result<kj::Array<capnp::word>> message_words(std::string_view bytes);

// One segment of `words`, as capnp::SegmentArrayMessageReader takes it (`words` must outlive it).
inline kj::ArrayPtr<const capnp::word> single_segment(const kj::Array<capnp::word>& words) {
  return kj::ArrayPtr<const capnp::word>(words.begin(), words.size());
}

// `read()` (returning a Status), with a kj::Exception it raises returned as corruption.
template <typename Read>
Status reading_message(Read&& read) {
  try {
    return read();
  } catch (const kj::Exception& e) {
    return Status::corruption(std::string("message does not decode: ") + e.getDescription().cStr());
  }
}

// `read(root)` (returning a Status) over the one-segment message `bytes`, whose root is a `Root`.
// capnp bounds-checks every read, but the message is not checked for canonical form (as
// DecodedMessage::decode checks it): for bytes checked before, or read for a few fields. Corruption
// when the length is wrong or capnp raises.
template <typename Root, typename Read>
Status read_message_root(std::string_view bytes, Read&& read) {
  GL_ASSIGN_OR_RETURN(const kj::Array<capnp::word> words, message_words(bytes));
  return reading_message([&]() -> Status {
    const kj::ArrayPtr<const capnp::word> segment = single_segment(words);
    capnp::SegmentArrayMessageReader message(kj::arrayPtr(&segment, 1));
    return read(message.getRoot<Root>());
  });
}

}  // namespace grantledger
