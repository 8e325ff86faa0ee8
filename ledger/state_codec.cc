#include "ledger/state_codec.h"

namespace grantledger::state_codec {

namespace {

// An enum stored as its ordinal; out of range (a damaged or foreign record) fails the reader.
template <typename E>
E enum_from(RecordReader* r, uint32_t value, E max) {
  if (value > static_cast<uint32_t>(max)) r->fail();
  return static_cast<E>(value);
}

// An amount as stored: an i64. INT64_MIN has no opposite (Ore's unary minus requires one) and no
// rule ever stores it (spec/DOMAIN.md, "Amount limits"): a record holding it is damaged, and
// reading it fails here (corruption naming the entry) instead of stopping a rule later.
Ore read_ore(RecordReader* r) {
  const int64_t v = r->i64();
  if (v == INT64_MIN) r->fail();
  return Ore{v};
}

void encode_postings(RecordWriter* w, const std::vector<Posting>& ps) {
  w->u32(static_cast<uint32_t>(ps.size()));
  for (const Posting& p : ps) {
    w->str(p.account);
    w->i64(p.amount.value);
  }
}

void decode_postings(RecordReader* r, std::vector<Posting>* ps) {
  uint32_t n = r->u32();
  for (uint32_t i = 0; i < n && r->ok(); ++i) {
    Posting p;
    p.account = r->str();
    p.amount = read_ore(r);
    ps->push_back(std::move(p));
  }
}

// A set of strings in order: u32 count, then each string. A decoded set with a repeated or
// unordered string is not one we wrote.
void encode_strings(RecordWriter* w, const std::set<std::string>& v) {
  w->u32(static_cast<uint32_t>(v.size()));
  for (const auto& s : v) w->str(s);
}

void decode_strings(RecordReader* r, std::set<std::string>* v) {
  uint32_t n = r->u32();
  for (uint32_t i = 0; i < n && r->ok(); ++i) v->insert(r->str());
}

}  // namespace

void append_key(Bytes* out, const Hash32& k) { *out += as_view(k); }
void append_key(Bytes* out, const std::string& k) { *out += k; }
void append_key(Bytes* out, uint64_t k) { put_u64_be(out, k); }
void append_key(Bytes* out, const std::pair<std::string, std::string>& k) {
  RecordWriter w;
  w.str(k.first);
  w.raw(k.second);
  *out += w.take();
}

void encode(RecordWriter* w, const KeyState& v) {
  w->str(v.public_key);
  w->u8(static_cast<uint8_t>(v.role));
  w->str(v.name);
  w->str(v.scope_entity);
  w->u64(v.registered_seq);
  w->boolean(v.revoked_seq.has_value());
  w->u64(v.revoked_seq.value_or(0));
  // Added later: written only when not empty, so older entries keep their bytes.
  if (!v.acts_for.empty()) encode_strings(w, v.acts_for);
}

void decode(RecordReader* r, KeyState* v) {
  v->public_key = r->str();
  v->role = enum_from(r, r->u8(), schema::Role::AUDITOR);
  v->name = r->str();
  v->scope_entity = r->str();
  v->registered_seq = r->u64();
  bool revoked = r->boolean();
  uint64_t seq = r->u64();
  v->revoked_seq = revoked ? std::optional<uint64_t>(seq) : std::nullopt;
  if (r->ok() && !r->at_end()) decode_strings(r, &v->acts_for);
}

void encode(RecordWriter* w, const EntityState& v) {
  w->u8(static_cast<uint8_t>(v.kind));
  w->str(v.name);
  w->str(v.parent_code);
  w->i64(v.population);
  w->boolean(v.closed);
}

void decode(RecordReader* r, EntityState* v) {
  v->kind = enum_from(r, r->u8(), schema::EntityKind::EMPLOYER);
  v->name = r->str();
  v->parent_code = r->str();
  v->population = r->i64();
  v->closed = r->boolean();
}

void encode(RecordWriter* w, const ProgrammeState& v) {
  w->str(v.name);
  w->i64(v.total_ore.value);
  w->i32(v.period_start);
  w->i32(v.period_end);
  w->u32(static_cast<uint32_t>(v.rules.size()));
  for (const auto& rule : v.rules) {
    w->u8(static_cast<uint8_t>(rule.kind));
    w->i32(rule.payment_from);
    w->i32(rule.payment_to);
    w->i32(rule.course_start_from);
    w->i32(rule.course_start_to);
  }
  w->i32(v.claim_deadline);
  w->u32(v.rate_basis_points);
  w->i64(v.cap_per_participant_ore.value);
  w->str(v.parent_code);
  w->boolean(v.closed);
  encode_strings(w, v.recipients);
  if (!v.owner.empty()) w->str(v.owner);  // added later: only when set
  if (v.kind != schema::ProgrammeKind::NONE) {  // added later: only for initiatives, which have owners
    GL_ASSERT(!v.owner.empty());
    w->u8(static_cast<uint8_t>(v.theme));
    w->u8(static_cast<uint8_t>(v.kind));
    w->u8(static_cast<uint8_t>(v.sector));
  }
}

void decode(RecordReader* r, ProgrammeState* v) {
  v->name = r->str();
  v->total_ore = read_ore(r);
  v->period_start = r->i32();
  v->period_end = r->i32();
  uint32_t rules = r->u32();
  for (uint32_t i = 0; i < rules && r->ok(); ++i) {
    EligibilityRuleState rule;
    rule.kind = enum_from(r, r->u8(), schema::CourseKind::OTHER);
    rule.payment_from = r->i32();
    rule.payment_to = r->i32();
    rule.course_start_from = r->i32();
    rule.course_start_to = r->i32();
    v->rules.push_back(rule);
  }
  v->claim_deadline = r->i32();
  v->rate_basis_points = r->u32();
  v->cap_per_participant_ore = read_ore(r);
  v->parent_code = r->str();
  v->closed = r->boolean();
  decode_strings(r, &v->recipients);
  if (r->ok() && !r->at_end()) {
    v->owner = r->str();
    if (v->owner.empty()) r->fail();  // never written empty
  }
  if (r->ok() && !r->at_end()) {
    v->theme = enum_from(r, r->u8(), schema::Theme::WORKPLACES);
    v->kind = enum_from(r, r->u8(), schema::ProgrammeKind::STATE_ONLY);
    v->sector = enum_from(r, r->u8(), schema::SectorPart::STATE);
    // Written only for an initiative, with an owner.
    if (v->theme == schema::Theme::NONE || v->kind == schema::ProgrammeKind::NONE || v->owner.empty()) r->fail();
  }
}

void encode(RecordWriter* w, const CoursePaymentState& v) {
  w->str(v.employer);
  w->str(v.provider);
  w->str(v.participant);
  w->str(v.module);
  w->u8(static_cast<uint8_t>(v.kind));
  w->i32(v.course_start);
  w->i32(v.payment_date);
  w->i64(v.amount_ore.value);
  w->i64(v.claimed_ore.value);
  w->boolean(v.reversed);
}

void decode(RecordReader* r, CoursePaymentState* v) {
  v->employer = r->str();
  v->provider = r->str();
  v->participant = r->str();
  v->module = r->str();
  v->kind = enum_from(r, r->u8(), schema::CourseKind::OTHER);
  v->course_start = r->i32();
  v->payment_date = r->i32();
  v->amount_ore = read_ore(r);
  v->claimed_ore = read_ore(r);
  v->reversed = r->boolean();
}

void encode(RecordWriter* w, const ClaimState& v) {
  w->str(v.programme);
  w->str(v.payment_id);
  w->str(v.employer);
  w->str(v.participant);
  w->str(v.payment_reference);
  w->i64(v.amount_ore.value);
  w->u8(static_cast<uint8_t>(v.status));
  w->raw(as_view(v.claimant_key_id));
  w->u64(v.event_index);
}

void decode(RecordReader* r, ClaimState* v) {
  v->programme = r->str();
  v->payment_id = r->str();
  v->employer = r->str();
  v->participant = r->str();
  v->payment_reference = r->str();
  v->amount_ore = read_ore(r);
  v->status = enum_from(r, r->u8(), ClaimStatus::kCancelled);
  std::string key_id = r->raw(32);
  if (r->ok()) v->claimant_key_id = to_hash32(key_id);
  v->event_index = r->u64();
}

void encode(RecordWriter* w, const EffectState& v) {
  w->u16(static_cast<uint16_t>(v.type));
  encode_postings(w, v.postings);
  w->str(v.id);
  w->boolean(v.target.has_value());
  w->u64(v.target.value_or(0));
  w->boolean(v.reversed);
}

void decode(RecordReader* r, EffectState* v) {
  v->type = enum_from(r, r->u16(), schema::Event::Body::Which::RECONCILIATION_RECORDED);
  decode_postings(r, &v->postings);
  v->id = r->str();
  bool has_target = r->boolean();
  uint64_t target = r->u64();
  v->target = has_target ? std::optional<uint64_t>(target) : std::nullopt;
  v->reversed = r->boolean();
}

void encode(RecordWriter* w, const ProjectState& v) {
  w->str(v.programme);
  w->str(v.provider);
  w->str(v.name);
  w->i32(v.period_start);
  w->i32(v.period_end);
  w->i64(v.granted_ore.value);
  w->boolean(v.closed);
}

void decode(RecordReader* r, ProjectState* v) {
  v->programme = r->str();
  v->provider = r->str();
  v->name = r->str();
  v->period_start = r->i32();
  v->period_end = r->i32();
  v->granted_ore = read_ore(r);
  v->closed = r->boolean();
}

void encode(RecordWriter* w, int64_t v) { w->i64(v); }
void decode(RecordReader* r, int64_t* v) { *v = r->i64(); }
void encode(RecordWriter* w, Ore v) { w->i64(v.value); }
void decode(RecordReader* r, Ore* v) { *v = read_ore(r); }
void encode(RecordWriter* w, const std::string& v) { w->str(v); }
void decode(RecordReader* r, std::string* v) { *v = r->str(); }

std::string describe_key(std::string_view key) {
  if (key.empty()) return "state entry with an empty key";
  const std::string_view k = key.substr(1);
  auto printable = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f) {
        out.push_back(static_cast<char>(c));
      } else {
        static const char* hex = "0123456789abcdef";
        out += "\\x";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
    return out;
  };
  switch (key[0]) {
    case 'k': return "key " + to_hex(k).substr(0, 16);
    case 'e': return "entity " + printable(k);
    case 'p': return "programme " + printable(k);
    case 'c': return "course payment " + printable(k);
    case 'l': return "claim " + printable(k);
    case 'b': return "balance " + printable(k);
    case 'u': {
      RecordReader r(k);
      std::string programme = r.str();
      if (!r.ok()) break;
      return "participant total " + printable(programme) + "/" + printable(k.substr(4 + programme.size()));
    }
    case 'r': return "payment reference " + printable(k);
    case 'x': return k.size() == 8 ? "effect of event " + std::to_string(get_u64_be(k)) : "effect " + printable(k);
    case 'n': return "counter " + printable(k);
    case 'j': return "project " + printable(k);
  }
  return "state entry " + printable(key);
}

}  // namespace grantledger::state_codec
