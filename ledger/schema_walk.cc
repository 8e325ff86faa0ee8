#include "ledger/schema_walk.h"

#include <capnp/dynamic.h>
#include <capnp/layout.h>

#include <deque>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/utf8.h"

namespace grantledger {

namespace {

void check_text(capnp::Text::Reader t) {
  KJ_REQUIRE(valid_utf8(std::string_view(t.cStr(), t.size())), "text is not UTF-8");
}

// Every real element takes at least one bit of the message, so a message of B bytes holds at most
// 8 B of them; a list of zero-sized elements (which takes no bytes and which no field of ours has)
// claiming more is refused, so a few bytes cannot make a reader visit millions of elements.
void take_elements(uint64_t size, uint64_t* elements_left) {
  KJ_REQUIRE(size <= *elements_left, "a list holds more elements than the message has bits");
  *elements_left -= size;
}

// ---- The reference: reflection, field by field ----------------------------------------------------

void walk_value(capnp::DynamicValue::Reader value, int depth, uint64_t* elements_left);

void walk_struct(capnp::DynamicStruct::Reader s, int depth, uint64_t* elements_left) {
  KJ_REQUIRE(depth < kMaxWalkDepth, "message nests too deeply");
  for (auto field : s.getSchema().getNonUnionFields()) walk_value(s.get(field), depth + 1, elements_left);
  KJ_IF_MAYBE(active, s.which()) { walk_value(s.get(*active), depth + 1, elements_left); }
}

void walk_value(capnp::DynamicValue::Reader value, int depth, uint64_t* elements_left) {
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: check_text(value.as<capnp::Text>()); break;
    case capnp::DynamicValue::DATA: value.as<capnp::Data>(); break;
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      take_elements(list.size(), elements_left);
      for (auto element : list) walk_value(element, depth + 1, elements_left);
      break;
    }
    case capnp::DynamicValue::STRUCT: walk_struct(value.as<capnp::DynamicStruct>(), depth, elements_left); break;
    default: break;
  }
}

// ---- The plan ---------------------------------------------------------------------------------------
//
// It reads exactly what the reflection above reads, with the same capnp::_ readers DynamicStruct
// and DynamicList use underneath (PointerReader::getBlob / getStruct / getList with the element
// size capnp's dynamic.c++ elementSizeFor() gives, ListReader::getStructElement /
// getPointerElement, StructReader::getDataField for a discriminant), in the same order and at the
// same depths, minus the reads that cannot fail: data fields and elements of primitive lists.

using capnp::ElementSize;
using capnp::_::ListReader;
using capnp::_::PointerReader;
using capnp::_::StructReader;

struct StructPlan;

// What one pointer (a field, or a list's element) must read as.
struct PointerPlan {
  enum class Kind : uint8_t { kNothing, kText, kData, kStruct, kList };
  Kind kind = Kind::kNothing;
  const StructPlan* structure = nullptr;  // kStruct
  ElementSize element_size = ElementSize::VOID;  // kList: the size its elements are read with
  // kList: the elements' plan; null for elements with nothing to read (numbers, enums, Void).
  // kStruct here means struct elements, read in place (ListReader::getStructElement).
  const PointerPlan* element = nullptr;
};

// One field of a struct: a pointer slot, or a group (which reads the same struct's sections).
struct FieldPlan {
  uint32_t pointer_slot = 0;
  PointerPlan pointer;
  const StructPlan* group = nullptr;
};

struct StructPlan {
  std::vector<FieldPlan> fields;  // the non-union fields that read anything, in schema order
  bool has_union = false;
  uint32_t discriminant_offset = 0;  // in 16-bit units of the data section
  std::vector<FieldPlan> members;  // the union's members, indexed by discriminant
};

void walk_planned(const StructPlan& plan, StructReader s, int depth, uint64_t* elements_left);

void walk_pointer(const PointerPlan& plan, PointerReader p, int depth, uint64_t* elements_left) {
  switch (plan.kind) {
    case PointerPlan::Kind::kNothing: break;
    case PointerPlan::Kind::kText: check_text(p.getBlob<capnp::Text>(nullptr, 0)); break;
    case PointerPlan::Kind::kData: p.getBlob<capnp::Data>(nullptr, 0); break;
    case PointerPlan::Kind::kStruct: walk_planned(*plan.structure, p.getStruct(nullptr), depth, elements_left); break;
    case PointerPlan::Kind::kList: {
      const ListReader list = p.getList(plan.element_size, nullptr);
      const uint32_t size = list.size();
      take_elements(size, elements_left);
      const PointerPlan* element = plan.element;
      if (element == nullptr) break;
      if (element->kind == PointerPlan::Kind::kStruct) {
        for (uint32_t i = 0; i < size; ++i)
          walk_planned(*element->structure, list.getStructElement(i), depth + 1, elements_left);
      } else {
        for (uint32_t i = 0; i < size; ++i) walk_pointer(*element, list.getPointerElement(i), depth + 1, elements_left);
      }
      break;
    }
  }
}

void walk_field(const FieldPlan& field, StructReader s, int depth, uint64_t* elements_left) {
  if (field.group != nullptr) {
    walk_planned(*field.group, s, depth, elements_left);
  } else if (field.pointer.kind != PointerPlan::Kind::kNothing) {
    walk_pointer(field.pointer, s.getPointerField(field.pointer_slot), depth, elements_left);
  }
}

void walk_planned(const StructPlan& plan, StructReader s, int depth, uint64_t* elements_left) {
  KJ_REQUIRE(depth < kMaxWalkDepth, "message nests too deeply");
  for (const FieldPlan& field : plan.fields) walk_field(field, s, depth + 1, elements_left);
  if (plan.has_union) {
    // Beyond the data section the discriminant reads as 0, as in DynamicStruct::Reader::which().
    const uint16_t discriminant = s.getDataField<uint16_t>(plan.discriminant_offset);
    if (discriminant < plan.members.size()) walk_field(plan.members[discriminant], s, depth + 1, elements_left);
  }
}

// capnp's dynamic.c++ elementSizeFor(): the element size DynamicList reads a list with.
bool element_size_for(capnp::schema::Type::Which type, ElementSize* out) {
  using T = capnp::schema::Type;
  switch (type) {
    case T::VOID: *out = ElementSize::VOID; return true;
    case T::BOOL: *out = ElementSize::BIT; return true;
    case T::INT8:
    case T::UINT8: *out = ElementSize::BYTE; return true;
    case T::INT16:
    case T::UINT16:
    case T::ENUM: *out = ElementSize::TWO_BYTES; return true;
    case T::INT32:
    case T::UINT32:
    case T::FLOAT32: *out = ElementSize::FOUR_BYTES; return true;
    case T::INT64:
    case T::UINT64:
    case T::FLOAT64: *out = ElementSize::EIGHT_BYTES; return true;
    case T::TEXT:
    case T::DATA:
    case T::LIST: *out = ElementSize::POINTER; return true;
    case T::STRUCT: *out = ElementSize::INLINE_COMPOSITE; return true;
    default: return false;  // interfaces, AnyPointer: not planned
  }
}

}  // namespace

struct SchemaWalk::Plan {
  // Owners of every node; deques keep the addresses the nodes point at stable.
  std::deque<StructPlan> structs;
  std::deque<PointerPlan> elements;
  std::vector<std::pair<capnp::StructSchema, const StructPlan*>> by_schema;
  bool complete = true;  // false: a shape the plan does not cover
  const StructPlan* root = nullptr;

  const StructPlan* plan_struct(capnp::StructSchema schema) {
    for (const auto& [known, plan] : by_schema)
      if (known == schema) return plan;  // also ends recursion in recursive schemas
    StructPlan& plan = structs.emplace_back();
    by_schema.emplace_back(schema, &plan);
    for (auto field : schema.getNonUnionFields()) {
      FieldPlan f = plan_field(field);
      if (f.group != nullptr || f.pointer.kind != PointerPlan::Kind::kNothing) plan.fields.push_back(f);
    }
    const auto proto = schema.getProto().getStruct();
    if (proto.getDiscriminantCount() != 0) {
      plan.has_union = true;
      plan.discriminant_offset = proto.getDiscriminantOffset();
      // StructSchema::getFieldByDiscriminant(d) is getUnionFields()[d].
      for (auto field : schema.getUnionFields()) plan.members.push_back(plan_field(field));
    }
    return &plan;
  }

  FieldPlan plan_field(capnp::StructSchema::Field field) {
    FieldPlan out;
    const auto proto = field.getProto();
    if (proto.isGroup()) {
      out.group = plan_struct(field.getType().asStruct());
      return out;
    }
    const capnp::Type type = field.getType();
    if (type.isText() || type.isData() || type.isList() || type.isStruct() || type.isAnyPointer() ||
        type.isInterface()) {
      // A default other than null would be read where the pointer is null: not planned.
      if (proto.getSlot().getHadExplicitDefault()) complete = false;
      out.pointer_slot = proto.getSlot().getOffset();
    }
    out.pointer = plan_type(type);
    return out;
  }

  // The plan of a value of `type` read through a pointer; kNothing for data types.
  PointerPlan plan_type(capnp::Type type) {
    PointerPlan out;
    using T = capnp::schema::Type;
    switch (type.which()) {
      case T::TEXT: out.kind = PointerPlan::Kind::kText; break;
      case T::DATA: out.kind = PointerPlan::Kind::kData; break;
      case T::STRUCT:
        out.kind = PointerPlan::Kind::kStruct;
        out.structure = plan_struct(type.asStruct());
        break;
      case T::LIST: {
        out.kind = PointerPlan::Kind::kList;
        const capnp::Type element = type.asList().getElementType();
        if (!element_size_for(element.which(), &out.element_size)) {
          complete = false;
          break;
        }
        PointerPlan element_plan = plan_type(element);
        if (element_plan.kind != PointerPlan::Kind::kNothing) out.element = &elements.emplace_back(element_plan);
        break;
      }
      case T::ANY_POINTER:
      case T::INTERFACE: complete = false; break;
      case T::VOID:
      case T::BOOL:
      case T::INT8:
      case T::INT16:
      case T::INT32:
      case T::INT64:
      case T::UINT8:
      case T::UINT16:
      case T::UINT32:
      case T::UINT64:
      case T::FLOAT32:
      case T::FLOAT64:
      case T::ENUM: break;
      default: complete = false; break;  // a type newer than this code
    }
    return out;
  }
};

SchemaWalk::SchemaWalk(capnp::StructSchema schema) : schema_(schema) {
  auto plan = std::make_unique<Plan>();
  plan->root = plan->plan_struct(schema);
  plan_ = std::move(plan);
}

SchemaWalk::~SchemaWalk() = default;

bool SchemaWalk::planned() const { return plan_->complete; }

void SchemaWalk::walk(capnp::AnyPointer::Reader root, uint64_t* elements_left) const {
  if (!plan_->complete) return walk_by_reflection(schema_, root, elements_left);
  // As AnyPointer::Reader::getAs<DynamicStruct>() reads the root.
  const PointerReader pointer = capnp::_::PointerHelpers<capnp::AnyPointer>::getInternalReader(root);
  walk_planned(*plan_->root, pointer.getStruct(nullptr), 0, elements_left);
}

void walk_by_reflection(capnp::StructSchema schema, capnp::AnyPointer::Reader root, uint64_t* elements_left) {
  walk_struct(root.getAs<capnp::DynamicStruct>(schema), 0, elements_left);
}

}  // namespace grantledger
