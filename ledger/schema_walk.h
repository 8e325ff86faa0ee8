// The walk DecodedMessage::decode makes over a canonical message (spec/LOG.md, "Canonical bytes"):
// it reads everything the root's schema reaches, so that no later read of the message throws.
#pragma once

#include <capnp/any.h>
#include <capnp/schema.h>

#include <cstdint>
#include <memory>

namespace grantledger {

// How deeply a walk follows structs, groups and list elements; the schema nests far less.
constexpr int kMaxWalkDepth = 32;

// Reads everything `schema` reaches from `root`: every pointer field of every struct, group and
// active union member (the union's discriminant picks the member; an unknown one reads nothing),
// every list element. Throws kj::Exception on anything malformed: a pointer that does not read as
// its type, Text that is not NUL-terminated UTF-8, nesting deeper than kMaxWalkDepth, or lists
// whose sizes (every list's, also lists of primitives) add up to more than `*elements_left`, which
// each list's size is taken from.
// REQUIRES: `root`'s message isCanonical(), so every read is in bounds.
// Cost: one read of each pointer the schema reaches; data fields (numbers, enums) are not read.
//
// Construction builds a flat plan of `schema` once (proportional to the schema's size); walking
// follows the plan with capnp's low-level readers. A shape the plan does not cover (interface or
// AnyPointer fields, pointer fields with explicit defaults) makes walk() use walk_by_reflection().
// Immutable after construction: one SchemaWalk serves any number of threads.
class SchemaWalk {
 public:
  explicit SchemaWalk(capnp::StructSchema schema);
  ~SchemaWalk();
  SchemaWalk(const SchemaWalk&) = delete;
  SchemaWalk& operator=(const SchemaWalk&) = delete;

  void walk(capnp::AnyPointer::Reader root, uint64_t* elements_left) const;

  // False when the schema has a shape the plan does not cover (walk() then reflects).
  bool planned() const;

 private:
  struct Plan;
  capnp::StructSchema schema_;
  std::unique_ptr<const Plan> plan_;
};

// The same walk through capnp's reflection (capnp::DynamicStruct), field by field: the reference
// SchemaWalk is tested against, and its fallback. Several times slower.
void walk_by_reflection(capnp::StructSchema schema, capnp::AnyPointer::Reader root, uint64_t* elements_left);

}  // namespace grantledger
