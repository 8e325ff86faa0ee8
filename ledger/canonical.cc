#include "ledger/canonical.h"

#include <capnp/schema.h>

#include "ledger/message_words.h"
#include "ledger/schema_walk.h"
#include "spec/events.capnp.h"

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

capnp::StructSchema schema_of(DecodedMessage::Kind kind) {
  switch (kind) {
    case DecodedMessage::Kind::kEvent: return capnp::Schema::from<schema::Event>().asStruct();
    case DecodedMessage::Kind::kCommit: return capnp::Schema::from<schema::Commit>().asStruct();
    case DecodedMessage::Kind::kSubmissionFile: return capnp::Schema::from<schema::SubmissionFile>().asStruct();
  }
  KJ_UNREACHABLE;
}

// One plan per root kind, built on first use (thread-safe) and immutable afterwards.
void walk_planned(DecodedMessage::Kind kind, capnp::AnyPointer::Reader root, uint64_t* elements_left) {
  static const SchemaWalk event(schema_of(DecodedMessage::Kind::kEvent));
  static const SchemaWalk commit(schema_of(DecodedMessage::Kind::kCommit));
  static const SchemaWalk submission_file(schema_of(DecodedMessage::Kind::kSubmissionFile));
  const SchemaWalk& walk = kind == DecodedMessage::Kind::kEvent    ? event
                           : kind == DecodedMessage::Kind::kCommit ? commit
                                                                   : submission_file;
  walk.walk(root, elements_left);
}

void walk_reflected(DecodedMessage::Kind kind, capnp::AnyPointer::Reader root, uint64_t* elements_left) {
  walk_by_reflection(schema_of(kind), root, elements_left);
}

}  // namespace

Result<DecodedMessage> DecodedMessage::decode(std::string_view bytes, Kind kind) {
  return decode_with(bytes, kind, walk_planned);
}

Result<DecodedMessage> DecodedMessage::decode_by_reflection(std::string_view bytes, Kind kind) {
  return decode_with(bytes, kind, walk_reflected);
}

Result<DecodedMessage> DecodedMessage::decode_with(std::string_view bytes, Kind kind, Walk walk) {
  GL_ASSIGN_OR_RETURN(kj::Array<capnp::word> words, message_words(bytes));
  std::unique_ptr<kj::ArrayPtr<const capnp::word>[]> segs(new kj::ArrayPtr<const capnp::word>[1]);
  segs[0] = single_segment(words);
  DecodedMessage out;
  GL_RETURN_IF_ERROR(reading_message([&]() -> Status {
    auto reader = std::make_shared<OwningReader>(std::move(words), std::move(segs));
    // isCanonical() walks the whole message, so every later access is in bounds.
    if (!reader->isCanonical()) return Status::corruption("message is not in canonical form");
    // spec/LOG.md, "Canonical bytes": lists may hold no more elements in all than the message has bits.
    uint64_t elements_left = uint64_t{8} * bytes.size();
    walk(kind, reader->getRoot<capnp::AnyPointer>(), &elements_left);
    out.reader_ = std::move(reader);
    return Status::ok();
  }));
  return out;
}

}  // namespace grantledger
