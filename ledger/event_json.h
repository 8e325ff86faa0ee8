// The JSON mapping of events (spec/JSON.md), derived from the schema by reflection, so every
// event type and field added to spec/events.capnp is accepted, validated and printed the same
// way without code of its own.
//
// One event is one flat JSON object: "type" (the union member in snake_case), "effective_date",
// then the event's own fields in snake_case. Strict: a missing required field, an unknown field,
// a wrong JSON type, an integer outside its range or a malformed date is an error naming the
// field. Annotated fields: $date Int32 <-> "YYYY-MM-DD"; $ore Int64 <-> integer øre;
// $optional fields may be omitted (they are then empty / zero, and are omitted when printed).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "spec/events.capnp.h"

namespace grantledger {

// Limits on what one event may carry (spec/JSON.md, "Limits").
inline constexpr size_t kMaxTextBytes = 4096;
inline constexpr size_t kMaxListItems = 1024;

// Fills `event` from a JSON object. On error `event` is partly filled and must be discarded.
Status event_from_json(const nlohmann::json& object, schema::Event::Builder event);
nlohmann::json event_to_json(schema::Event::Reader event);

// The event's type name as JSON spells it, e.g. "key_registered".
std::string event_type_name(schema::Event::Reader event);
// Every event type name, in schema order.
std::vector<std::string> event_type_names();

std::string camel_to_snake(std::string_view camel);

}  // namespace grantledger
