// Canonical Cap'n Proto bytes (the only bytes the ledger hashes or signs) and checked decoding.
//
// spec/LOG.md, "Canonical bytes": capnp::canonicalize() output, a single segment with no
// segment table. Decoding accepts only canonical bytes; Cap'n Proto's kj::Exception on
// malformed input is caught here, once, and returned as corruption.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <memory>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace grantledger {

// Data fields as byte views, and byte views as Data fields (no copy; the view must outlive it).
inline std::string_view view(capnp::Data::Reader d) { return {reinterpret_cast<const char*>(d.begin()), d.size()}; }
inline capnp::Data::Reader data_of(std::string_view b) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size());
}

template <typename Reader>
Bytes canonical_bytes(Reader reader) {
  kj::Array<capnp::word> words = capnp::canonicalize(reader);
  return Bytes(reinterpret_cast<const char*>(words.begin()), words.size() * sizeof(capnp::word));
}

// An owned, validated message. Movable; readers obtained from it live as long as it does.
class DecodedMessage {
 public:
  // The schema a message's root must follow.
  enum class Kind { kEvent, kCommit, kSubmissionFile };
  // corruption if `bytes` are not a canonical Cap'n Proto message whose root is a valid `kind`:
  // every pointer the schema reaches (the active union member, lists, nested structs) must read as
  // its type, and every Text must be NUL-terminated UTF-8. After this, no read of the message throws.
  // Cost: a copy of `bytes`, capnp's isCanonical() walk and one read of each pointer the schema
  // reaches, following a plan of the schema built once (ledger/schema_walk.h).
  static Result<DecodedMessage> decode(std::string_view bytes, Kind kind = Kind::kEvent);
  // decode() with the walk made through capnp's reflection: the same messages accepted and refused,
  // several times slower. The reference tests compare decode() with; not for production reads.
  static Result<DecodedMessage> decode_by_reflection(std::string_view bytes, Kind kind = Kind::kEvent);

  template <typename T>
  typename T::Reader root() const {
    return reader_->getRoot<T>();
  }

 private:
  // Reads everything the schema of `kind` reaches from `root`; throws kj::Exception on anything malformed.
  using Walk = void (*)(Kind kind, capnp::AnyPointer::Reader root, uint64_t* elements_left);
  static Result<DecodedMessage> decode_with(std::string_view bytes, Kind kind, Walk walk);

  std::shared_ptr<capnp::MessageReader> reader_;
};

}  // namespace grantledger
