// The stored form of the rule state (spec/LOG.md, "Rule state"): one entry of the `state`
// column family per object, key = table tag || object key, value = a RecordWriter record.
//
//   tag  table                 key                                   value
//   'k'  keys                  key ID (32 bytes)                     KeyState
//   'e'  entities              entity code                           EntityState
//   'p'  programmes            programme code                        ProgrammeState
//   'c'  course payments       payment id                            CoursePaymentState
//   'l'  claims                claim id                              ClaimState
//   'b'  balances              account name                          i64 øre
//   'u'  participant totals    u32 len || programme || participant   i64 øre
//   'r'  payment references    reference                             claim id (u32 len || bytes)
//   'x'  effects               event index (u64 BE)                  EffectState
//   'n'  counters              name ("active_admins")                i64
//   'j'  projects              project code                          ProjectState
//
// Encodings are deterministic (sets and lists in order), so a state derived by replay and the
// stored one compare byte for byte (the audit's "state" finding).
#pragma once

#include <string>
#include <utility>

#include "ledger/state_types.h"
#include "ledger/record_codec.h"

namespace grantledger::state_codec {

// Object keys.
void append_key(Bytes* out, const Hash32& k);
void append_key(Bytes* out, const std::string& k);
void append_key(Bytes* out, uint64_t k);
void append_key(Bytes* out, const std::pair<std::string, std::string>& k);

// Values.
void encode(RecordWriter* w, const KeyState& v);
void encode(RecordWriter* w, const EntityState& v);
void encode(RecordWriter* w, const ProgrammeState& v);
void encode(RecordWriter* w, const CoursePaymentState& v);
void encode(RecordWriter* w, const ClaimState& v);
void encode(RecordWriter* w, const EffectState& v);
void encode(RecordWriter* w, const ProjectState& v);
void encode(RecordWriter* w, int64_t v);
void encode(RecordWriter* w, Ore v);  // as an i64, like the int64_t it replaced
void encode(RecordWriter* w, const std::string& v);

// Each leaves r->ok() false on a malformed record or a value out of range (an unknown enum).
void decode(RecordReader* r, KeyState* v);
void decode(RecordReader* r, EntityState* v);
void decode(RecordReader* r, ProgrammeState* v);
void decode(RecordReader* r, CoursePaymentState* v);
void decode(RecordReader* r, ClaimState* v);
void decode(RecordReader* r, EffectState* v);
void decode(RecordReader* r, ProjectState* v);
void decode(RecordReader* r, int64_t* v);
void decode(RecordReader* r, Ore* v);
void decode(RecordReader* r, std::string* v);

// A stored key for a person: "claim K1", "balance grant:LEDER-2012:pool", "effect of event 17".
std::string describe_key(std::string_view stored_key);

}  // namespace grantledger::state_codec
