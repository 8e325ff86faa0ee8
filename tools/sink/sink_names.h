// How the sink's text columns spell enumerations (spec/POSTGRES.md, "Tables"): the schema's
// enumerant names in snake_case ("state_institution", "amu"), and account kinds as the chart of
// accounts' last words ("available", "course_income").
#pragma once

#include <string>

#include "ledger/account.h"
#include "spec/events.capnp.h"

namespace grantledger::sink {

std::string entity_kind_name(schema::EntityKind kind);
std::string course_kind_name(schema::CourseKind kind);
const char* account_kind_name(Account::Kind kind);

}  // namespace grantledger::sink
