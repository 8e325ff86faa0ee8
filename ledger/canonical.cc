#include "ledger/canonical.h"

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <cstring>

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
// Nesting limit of the walk below; the schema nests far less.
constexpr int kMaxDepth = 32;

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and code points beyond Unicode are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

void walk_value(capnp::DynamicValue::Reader value, int depth, uint64_t* elements_left);

// Reads everything the schema reaches in `s`; throws kj::Exception (or returns false through the
// text check) on anything malformed. `elements_left`: how many more list elements the message may
// hold. Every real element takes at least one bit of the message, so a message of B bytes holds at
// most 8 B of them; a list of zero-sized elements (which takes no bytes and which no field of ours
// has) claiming more is refused, so a few bytes cannot make a reader visit millions of elements.
void walk_struct(capnp::DynamicStruct::Reader s, int depth, uint64_t* elements_left) {
  KJ_REQUIRE(depth < kMaxDepth, "message nests too deeply");
  for (auto field : s.getSchema().getNonUnionFields()) walk_value(s.get(field), depth + 1, elements_left);
  KJ_IF_MAYBE(active, s.which()) { walk_value(s.get(*active), depth + 1, elements_left); }
}

void walk_value(capnp::DynamicValue::Reader value, int depth, uint64_t* elements_left) {
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: {
      capnp::Text::Reader t = value.as<capnp::Text>();
      KJ_REQUIRE(valid_utf8(std::string_view(t.cStr(), t.size())), "text is not UTF-8");
      break;
    }
    case capnp::DynamicValue::DATA: value.as<capnp::Data>(); break;
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      KJ_REQUIRE(list.size() <= *elements_left, "a list holds more elements than the message has bits");
      *elements_left -= list.size();
      for (auto element : list) walk_value(element, depth + 1, elements_left);
      break;
    }
    case capnp::DynamicValue::STRUCT: walk_struct(value.as<capnp::DynamicStruct>(), depth, elements_left); break;
    default: break;
  }
}

}  // namespace

Result<DecodedMessage> DecodedMessage::decode(std::string_view bytes, Kind kind) {
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
    capnp::StructSchema schema = kind == Kind::kEvent    ? capnp::Schema::from<schema::Event>().asStruct()
                                 : kind == Kind::kCommit ? capnp::Schema::from<schema::Commit>().asStruct()
                                                         : capnp::Schema::from<schema::SubmissionFile>().asStruct();
    uint64_t elements_left = uint64_t{8} * bytes.size();
    walk_struct(reader->getRoot<capnp::DynamicStruct>(schema), 0, &elements_left);
    out.reader_ = std::move(reader);
  } catch (const kj::Exception& e) {
    return Status::corruption(std::string("message does not decode: ") + e.getDescription().cStr());
  }
  return out;
}

}  // namespace grantledger
