#include "tools/sink/sink_names.h"

#include <capnp/schema.h>

#include "ledger/event_json.h"

namespace grantledger::sink {

namespace {
// The enumerant's name in the schema, snake_case; the number for one this build does not know.
template <class E>
std::string enumerant_name(E value) {
  auto enumerants = capnp::Schema::from<E>().getEnumerants();
  auto i = static_cast<uint16_t>(value);
  if (i >= enumerants.size()) return std::to_string(i);
  return camel_to_snake(enumerants[i].getProto().getName().cStr());
}
}  // namespace

std::string entity_kind_name(schema::EntityKind kind) { return enumerant_name(kind); }
std::string course_kind_name(schema::CourseKind kind) { return enumerant_name(kind); }

const char* account_kind_name(Account::Kind kind) {
  switch (kind) {
    case Account::Kind::kFunding:
      return "funding";
    case Account::Kind::kPool:
      return "pool";
    case Account::Kind::kSector:
      return "sector";
    case Account::Kind::kAvailable:
      return "available";
    case Account::Kind::kReserved:
      return "reserved";
    case Account::Kind::kPaid:
      return "paid";
    case Account::Kind::kCourseFees:
      return "course_fees";
    case Account::Kind::kCourseIncome:
      return "course_income";
    case Account::Kind::kProjectAvailable:
      return "project_available";
    case Account::Kind::kProjectReported:
      return "project_reported";
    case Account::Kind::kProjectPaid:
      return "project_paid";
  }
  return "unknown";
}

}  // namespace grantledger::sink
