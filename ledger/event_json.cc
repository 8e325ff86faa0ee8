#include "ledger/event_json.h"

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <limits>
#include <map>

#include "ledger/bytes.h"
#include "ledger/date.h"

namespace grantledger {

namespace {

using nlohmann::json;
using CType = capnp::schema::Type;

// Annotation IDs from spec/events.capnp.
constexpr uint64_t kDateAnnotation = 0xb1e3c3f7a3d1a001ull;
constexpr uint64_t kOreAnnotation = 0xb1e3c3f7a3d1a002ull;
constexpr uint64_t kOptionalAnnotation = 0xb1e3c3f7a3d1a003ull;

bool has_annotation(capnp::StructSchema::Field field, uint64_t id) {
  for (auto a : field.getProto().getAnnotations())
    if (a.getId() == id) return true;
  return false;
}

std::string field_name(capnp::StructSchema::Field field) {
  return camel_to_snake(field.getProto().getName().cStr());
}

// What the mapping needs of one field, worked out once per struct type (reflection over the
// schema and the snake_case names are not redone for every field of every event).
struct FieldInfo {
  capnp::StructSchema::Field field;
  std::string name;  // as JSON spells it
  bool is_group, is_date, is_ore, is_optional;
};

struct StructInfo {
  std::vector<FieldInfo> fields;        // non-union fields, in schema order
  std::vector<FieldInfo> union_fields;  // union members, in schema order
  const FieldInfo* find(std::string_view name) const {
    for (const auto& f : fields)
      if (f.name == name) return &f;
    return nullptr;
  }
};

struct EnumInfo {
  std::vector<std::pair<std::string, capnp::EnumSchema::Enumerant>> values;  // JSON name, enumerant
  std::string allowed;                                                        // "a, b, c"
};

// Every struct and enum reachable from Event, indexed by schema ID. Built once, then only read.
class SchemaIndex {
 public:
  SchemaIndex() { add(capnp::Schema::from<schema::Event>()); }
  const StructInfo& of(capnp::StructSchema s) const { return structs_.at(s.getProto().getId()); }
  const EnumInfo& of(capnp::EnumSchema e) const { return enums_.at(e.getProto().getId()); }

 private:
  FieldInfo info(capnp::StructSchema::Field f) {
    return {f, field_name(f), f.getProto().isGroup(), has_annotation(f, kDateAnnotation), has_annotation(f, kOreAnnotation),
            has_annotation(f, kOptionalAnnotation)};
  }
  void add(capnp::Type t) {
    if (t.isList()) return add(t.asList().getElementType());
    if (t.isEnum()) {
      auto e = t.asEnum();
      if (enums_.count(e.getProto().getId())) return;
      EnumInfo& info = enums_[e.getProto().getId()];
      for (auto v : e.getEnumerants()) {
        info.values.emplace_back(camel_to_snake(v.getProto().getName().cStr()), v);
        info.allowed += (info.allowed.empty() ? "" : ", ") + info.values.back().first;
      }
    }
    if (t.isStruct()) add(t.asStruct());
  }
  void add(capnp::StructSchema s) {
    if (structs_.count(s.getProto().getId())) return;
    StructInfo& out = structs_[s.getProto().getId()];
    for (auto f : s.getNonUnionFields()) out.fields.push_back(info(f));
    for (auto f : s.getUnionFields()) out.union_fields.push_back(info(f));
    for (auto f : s.getFields()) add(f.getType());  // std::map: `out` stays valid
  }
  std::map<uint64_t, StructInfo> structs_;
  std::map<uint64_t, EnumInfo> enums_;
};

const SchemaIndex& schema_index() {
  static const SchemaIndex index;  // immutable after this thread-safe initialisation
  return index;
}

std::string json_kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a fractional number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

Status field_error(const std::string& path, const std::string& why) {
  return Status::invalid_argument("field " + path + ": " + why);
}

// Reads an integer JSON value within [lo, hi].
Result<int64_t> json_int(const json& v, const std::string& path, int64_t lo, int64_t hi,
                         const char* unit) {
  auto range = [&] { return " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")"; };
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) return field_error(path, std::string("out of range for ") + unit + range());
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < lo || i > hi) return field_error(path, std::string("out of range for ") + unit + range());
    return i;
  }
  if (v.is_number_float())
    return field_error(path, std::string("expected an integer ") + unit + ", got " + v.dump() +
                                 " (a fraction, or a number outside int64)");
  return field_error(path, std::string("expected an integer ") + unit + ", got " + json_kind(v));
}

Status set_struct(const json& obj, capnp::DynamicStruct::Builder out, const std::string& prefix);

Result<capnp::DynamicEnum> parse_enum(const json& v, capnp::EnumSchema schema, const std::string& path) {
  if (!v.is_string()) return field_error(path, "expected a string, got " + json_kind(v));
  const EnumInfo& info = schema_index().of(schema);
  const std::string& given = v.get_ref<const std::string&>();
  for (const auto& [name, e] : info.values)
    if (name == given) return capnp::DynamicEnum(e);
  return field_error(path, "unknown value \"" + given + "\" (one of: " + info.allowed + ")");
}

// Sets one scalar-or-text value (not struct, not list) of `type` at `path`.
template <typename Setter>
Status set_value(const json& v, capnp::Type type, const FieldInfo* field, const std::string& path, Setter&& set) {
  bool is_date = field && field->is_date;
  switch (type.which()) {
    case CType::BOOL:
      if (!v.is_boolean()) return field_error(path, "expected true or false, got " + json_kind(v));
      set(capnp::DynamicValue::Reader(v.get<bool>()));
      return Status::ok();
    case CType::INT8: case CType::INT16: case CType::INT32: case CType::INT64:
    case CType::UINT8: case CType::UINT16: case CType::UINT32: case CType::UINT64: {
      if (is_date) {
        if (!v.is_string()) return field_error(path, "expected a date \"YYYY-MM-DD\", got " + json_kind(v));
        auto d = parse_date(v.get_ref<const std::string&>());
        if (!d) return field_error(path, d.error().message());
        set(capnp::DynamicValue::Reader(static_cast<int32_t>(*d)));
        return Status::ok();
      }
      int64_t lo = 0, hi = std::numeric_limits<int64_t>::max();
      switch (type.which()) {
        case CType::INT8: lo = INT8_MIN; hi = INT8_MAX; break;
        case CType::INT16: lo = INT16_MIN; hi = INT16_MAX; break;
        case CType::INT32: lo = INT32_MIN; hi = INT32_MAX; break;
        case CType::INT64: lo = INT64_MIN; break;
        case CType::UINT8: hi = UINT8_MAX; break;
        case CType::UINT16: hi = UINT16_MAX; break;
        case CType::UINT32: hi = UINT32_MAX; break;
        default: break;  // UINT64 is limited to int64's range in JSON
      }
      bool is_ore = field && field->is_ore;
      GL_ASSIGN_OR_RETURN(int64_t i, json_int(v, path, lo, hi, is_ore ? "amount in øre" : "number"));
      if (type.which() == CType::UINT64 || type.which() == CType::UINT32 ||
          type.which() == CType::UINT16 || type.which() == CType::UINT8)
        set(capnp::DynamicValue::Reader(static_cast<uint64_t>(i)));
      else
        set(capnp::DynamicValue::Reader(i));
      return Status::ok();
    }
    case CType::TEXT: {
      if (!v.is_string()) return field_error(path, "expected a string, got " + json_kind(v));
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() > kMaxTextBytes)
        return field_error(path, "longer than " + std::to_string(kMaxTextBytes) + " bytes");
      if (s.find('\0') != std::string::npos) return field_error(path, "contains a NUL character");
      set(capnp::DynamicValue::Reader(capnp::Text::Reader(s.data(), s.size())));
      return Status::ok();
    }
    case CType::DATA: {
      if (!v.is_string()) return field_error(path, "expected a hex string, got " + json_kind(v));
      auto bytes = from_hex(v.get<std::string>());
      if (!bytes) return field_error(path, "not a hex string");
      if (bytes->size() > kMaxTextBytes) return field_error(path, "too long");
      set(capnp::DynamicValue::Reader(capnp::Data::Reader(
          reinterpret_cast<const capnp::byte*>(bytes->data()), bytes->size())));
      return Status::ok();
    }
    case CType::ENUM: {
      GL_ASSIGN_OR_RETURN(capnp::DynamicEnum e, parse_enum(v, type.asEnum(), path));
      set(capnp::DynamicValue::Reader(e));
      return Status::ok();
    }
    default:
      return field_error(path, "has a type the JSON mapping does not support");
  }
}

Status set_field(const json& v, capnp::DynamicStruct::Builder out, const FieldInfo& info, const std::string& path) {
  capnp::StructSchema::Field field = info.field;
  capnp::Type type = field.getType();
  if (type.isStruct()) {
    if (!v.is_object()) return field_error(path, "expected an object, got " + json_kind(v));
    return set_struct(v, out.init(field).as<capnp::DynamicStruct>(), path + ".");
  }
  if (type.isList()) {
    if (!v.is_array()) return field_error(path, "expected an array, got " + json_kind(v));
    if (v.size() > kMaxListItems)
      return field_error(path, "more than " + std::to_string(kMaxListItems) + " items");
    auto list = out.init(field, static_cast<unsigned>(v.size())).as<capnp::DynamicList>();
    capnp::Type elem = type.asList().getElementType();
    for (unsigned i = 0; i < v.size(); ++i) {
      std::string item_path = path + "[" + std::to_string(i) + "]";
      if (elem.isStruct()) {
        if (!v[i].is_object()) return field_error(item_path, "expected an object, got " + json_kind(v[i]));
        GL_RETURN_IF_ERROR(set_struct(v[i], list[i].as<capnp::DynamicStruct>(), item_path + "."));
      } else {
        GL_RETURN_IF_ERROR(set_value(v[i], elem, nullptr, item_path,
                                     [&](capnp::DynamicValue::Reader r) { list.set(i, r); }));
      }
    }
    return Status::ok();
  }
  return set_value(v, type, &info, path, [&](capnp::DynamicValue::Reader r) { out.set(field, r); });
}

// Sets every non-union, non-group field of `out` (described by `info`) from `obj`.
Status set_fields(const json& obj, capnp::DynamicStruct::Builder out, const StructInfo& info, const std::string& prefix) {
  for (const FieldInfo& f : info.fields) {
    if (f.is_group) continue;  // the event body union, handled by the caller
    auto it = obj.find(f.name);
    if (it == obj.end()) {
      if (f.is_optional) continue;
      return field_error(prefix + f.name, "missing");
    }
    GL_RETURN_IF_ERROR(set_field(*it, out, f, prefix + f.name));
  }
  return Status::ok();
}

// Sets every non-union field of `out` from `obj`, which must hold no other keys.
Status set_struct(const json& obj, capnp::DynamicStruct::Builder out, const std::string& prefix) {
  const StructInfo& info = schema_index().of(out.getSchema());
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const FieldInfo* f = info.find(it.key());
    if (!f || f->is_group) return field_error(prefix + it.key(), "unknown field");
  }
  return set_fields(obj, out, info, prefix);
}

json value_to_json(capnp::DynamicValue::Reader v, capnp::Type type, bool is_date);

json struct_to_json(capnp::DynamicStruct::Reader s, json out = json::object()) {
  for (auto f : s.getSchema().getNonUnionFields()) {
    if (f.getProto().isGroup()) continue;
    bool optional = has_annotation(f, kOptionalAnnotation);
    capnp::DynamicValue::Reader v = s.get(f);
    json j = value_to_json(v, f.getType(), has_annotation(f, kDateAnnotation));
    if (optional && (j == json("") || j == json(0) || j == json(false) || j == json::array())) continue;
    // An optional enum at its first value ("none") is absent too (spec/JSON.md).
    if (optional && f.getType().isEnum() && v.as<capnp::DynamicEnum>().getRaw() == 0) continue;
    out[field_name(f)] = std::move(j);
  }
  return out;
}

json value_to_json(capnp::DynamicValue::Reader v, capnp::Type type, bool is_date) {
  switch (type.which()) {
    case CType::BOOL: return v.as<bool>();
    case CType::INT8: case CType::INT16: case CType::INT32: case CType::INT64:
      if (is_date) return format_date(static_cast<int32_t>(v.as<int64_t>()));
      return v.as<int64_t>();
    case CType::UINT8: case CType::UINT16: case CType::UINT32: case CType::UINT64:
      return v.as<uint64_t>();
    case CType::TEXT: return std::string(v.as<capnp::Text>().cStr());
    case CType::DATA: {
      auto d = v.as<capnp::Data>();
      return to_hex(std::string_view(reinterpret_cast<const char*>(d.begin()), d.size()));
    }
    case CType::ENUM: {
      auto e = v.as<capnp::DynamicEnum>();
      KJ_IF_MAYBE(known, e.getEnumerant()) { return camel_to_snake(known->getProto().getName().cStr()); }
      return static_cast<uint64_t>(e.getRaw());
    }
    case CType::STRUCT: return struct_to_json(v.as<capnp::DynamicStruct>());
    case CType::LIST: {
      json arr = json::array();
      capnp::Type elem = type.asList().getElementType();
      for (auto item : v.as<capnp::DynamicList>()) arr.push_back(value_to_json(item, elem, false));
      return arr;
    }
    default: return nullptr;
  }
}

capnp::StructSchema body_schema() {
  auto event = capnp::Schema::from<schema::Event>();
  return event.getFieldByName("body").getType().asStruct();
}

}  // namespace

std::string camel_to_snake(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> event_type_names() {
  std::vector<std::string> names;
  for (auto f : body_schema().getUnionFields()) names.push_back(field_name(f));
  return names;
}

Status event_from_json(const json& obj, schema::Event::Builder event) {
  if (!obj.is_object()) return Status::invalid_argument("expected a JSON object, got " + json_kind(obj));
  auto type_it = obj.find("type");
  if (type_it == obj.end()) return field_error("type", "missing");
  if (!type_it->is_string()) return field_error("type", "expected a string, got " + json_kind(*type_it));
  const std::string& type = type_it->get_ref<const std::string&>();

  capnp::DynamicStruct::Builder dyn = capnp::toDynamic(event);
  const SchemaIndex& index = schema_index();
  const StructInfo& event_info = index.of(dyn.getSchema());
  const StructInfo& body_info = index.of(body_schema());
  const FieldInfo* chosen = nullptr;
  for (const auto& f : body_info.union_fields)
    if (f.name == type) chosen = &f;
  if (chosen == nullptr) {
    std::string all;
    for (const auto& f : body_info.union_fields) all += (all.empty() ? "" : ", ") + f.name;
    return field_error("type", "unknown event type \"" + type + "\" (one of: " + all + ")");
  }
  // Top level: "type" plus Event's own fields plus the member's fields, all in one object.
  auto body_builder = dyn.get("body").as<capnp::DynamicStruct>();
  auto member_builder = body_builder.init(chosen->field).as<capnp::DynamicStruct>();
  const StructInfo& member_info = index.of(member_builder.getSchema());
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "type") continue;
    const FieldInfo* m = member_info.find(it.key());
    if (m && !m->is_group) continue;
    const FieldInfo* f = m ? nullptr : event_info.find(it.key());
    if (!f || f->is_group) return field_error(it.key(), "unknown field");
  }
  GL_RETURN_IF_ERROR(set_fields(obj, dyn, event_info, ""));
  return set_fields(obj, member_builder, member_info, "");
}

json event_to_json(schema::Event::Reader event) {
  capnp::DynamicStruct::Reader dyn = event;
  json out = json::object();
  out["type"] = event_type_name(event);
  out = struct_to_json(dyn, std::move(out));
  auto body = dyn.get("body").as<capnp::DynamicStruct>();
  KJ_IF_MAYBE(f, body.which()) { out = struct_to_json(body.get(*f).as<capnp::DynamicStruct>(), std::move(out)); }
  return out;
}

std::string event_type_name(schema::Event::Reader event) {
  capnp::DynamicStruct::Reader dyn = event;
  auto body = dyn.get("body").as<capnp::DynamicStruct>();
  KJ_IF_MAYBE(f, body.which()) { return field_name(*f); }
  return "unknown(" + std::to_string(static_cast<unsigned>(event.getBody().which())) + ")";
}

}  // namespace grantledger
