#include "tools/reconcile/ledger_view_json.h"

#include "ledger/canonical.h"
#include "ledger/date.h"

namespace grantledger::reconcile {

namespace {

using nlohmann::json;

Status bad(const std::string& where, const std::string& why) {
  return Status::io_error("the service's reconciliation view: " + where + ": " + why);
}

// Reads field `name` of object `j` as T, refusing a missing field or one of another JSON type
// (a negative number for an unsigned field, a float for an integer).
template <typename T>
Status field(const json& j, const std::string& where, const char* name, T* out) {
  auto it = j.find(name);
  if (it == j.end()) return bad(where, std::string("no field ") + name);
  bool fits;
  if constexpr (std::is_same_v<T, std::string>) {
    fits = it->is_string();
  } else if constexpr (std::is_same_v<T, bool>) {
    fits = it->is_boolean();
  } else if constexpr (std::is_unsigned_v<T>) {
    fits = it->is_number_unsigned() && it->template get<uint64_t>() <= std::numeric_limits<T>::max();
  } else {
    fits = it->is_number_integer() && (it->is_number_unsigned() ? it->template get<uint64_t>() <= INT64_MAX : true);
  }
  if (!fits) return bad(where, std::string("field ") + name + " has the wrong type");
  *out = it->template get<T>();
  return Status::ok();
}

Status date_field(const json& j, const std::string& where, const char* name, int32_t* out) {
  std::string text;
  GL_RETURN_IF_ERROR(field(j, where, name, &text));
  auto d = parse_date(text);
  if (!d) return bad(where, std::string("field ") + name + ": " + d.error().message());
  *out = *d;
  return Status::ok();
}

Status hex_field(const json& j, const std::string& where, const char* name, Bytes* out) {
  std::string text;
  GL_RETURN_IF_ERROR(field(j, where, name, &text));
  auto bytes = from_hex(text);
  if (!bytes) return bad(where, std::string("field ") + name + " is not hex");
  *out = std::move(*bytes);
  return Status::ok();
}

Result<Disbursement> disbursement_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return bad(where, "not an object");
  Disbursement d;
  int64_t amount_ore = 0;
  GL_RETURN_IF_ERROR(field(j, where, "event_index", &d.event_index));
  GL_RETURN_IF_ERROR(field(j, where, "commit_sequence", &d.commit_sequence));
  GL_RETURN_IF_ERROR(date_field(j, where, "date", &d.date));
  GL_RETURN_IF_ERROR(field(j, where, "claim_id", &d.claim_id));
  GL_RETURN_IF_ERROR(field(j, where, "payment_reference", &d.payment_reference));
  GL_RETURN_IF_ERROR(field(j, where, "programme", &d.programme));
  GL_RETURN_IF_ERROR(field(j, where, "course_payment_id", &d.course_payment_id));
  GL_RETURN_IF_ERROR(field(j, where, "amount_ore", &amount_ore));
  GL_RETURN_IF_ERROR(field(j, where, "payee_code", &d.payee_code));
  GL_RETURN_IF_ERROR(field(j, where, "payee_name", &d.payee_name));
  GL_RETURN_IF_ERROR(field(j, where, "payee_current_name", &d.payee_current_name));
  GL_RETURN_IF_ERROR(field(j, where, "live", &d.live));
  GL_RETURN_IF_ERROR(field(j, where, "reversed_by", &d.reversed_by));
  d.amount = Ore{amount_ore};
  return d;
}

Result<RecordedRun> run_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return bad(where, "not an object");
  uint64_t event_index = 0, commit_sequence = 0;
  int64_t recorded_at_ns = 0;
  Bytes signer, event;
  GL_RETURN_IF_ERROR(field(j, where, "event_index", &event_index));
  GL_RETURN_IF_ERROR(field(j, where, "commit_sequence", &commit_sequence));
  GL_RETURN_IF_ERROR(field(j, where, "recorded_at_ns", &recorded_at_ns));
  GL_RETURN_IF_ERROR(hex_field(j, where, "signer_key_id", &signer));
  GL_RETURN_IF_ERROR(hex_field(j, where, "event", &event));
  if (signer.size() != 32) return bad(where, "signer_key_id is not 32 bytes");
  // The run's fields are read from its event, as from the log: one decoder for both.
  auto message = DecodedMessage::decode(event);
  if (!message) return bad(where, "event: " + message.error().message());
  auto body = message->root<schema::Event>().getBody();
  if (body.which() != schema::Event::Body::RECONCILIATION_RECORDED) return bad(where, "event is not reconciliation_recorded");
  if (body.getReconciliationRecorded().getStatementSha256().size() != 32)
    return bad(where, "event: a reconciliation without a 32-byte statement hash");
  RecordedRun run = decode_run(body.getReconciliationRecorded());
  run.event_index = event_index;
  run.commit_sequence = commit_sequence;
  run.recorded_at_ns = recorded_at_ns;
  run.signer_key_id = to_hash32(signer);
  run.event_bytes = std::move(event);
  return run;
}

}  // namespace

json ledger_view_to_json(const LedgerView& view) {
  json disbursements = json::array();
  for (const Disbursement& d : view.disbursements)
    disbursements.push_back({{"event_index", d.event_index},
                             {"commit_sequence", d.commit_sequence},
                             {"date", format_date(d.date)},
                             {"claim_id", d.claim_id},
                             {"payment_reference", d.payment_reference},
                             {"programme", d.programme},
                             {"course_payment_id", d.course_payment_id},
                             {"amount_ore", d.amount.value},
                             {"payee_code", d.payee_code},
                             {"payee_name", d.payee_name},
                             {"payee_current_name", d.payee_current_name},
                             {"live", d.live},
                             {"reversed_by", d.reversed_by}});
  json runs = json::array();
  for (const RecordedRun& r : view.runs)
    runs.push_back({{"event_index", r.event_index},
                    {"commit_sequence", r.commit_sequence},
                    {"recorded_at_ns", r.recorded_at_ns},
                    {"signer_key_id", to_hex(r.signer_key_id)},
                    {"event", to_hex(r.event_bytes)}});
  return {{"view_version", kLedgerViewVersion},
          {"tree_size", view.tree_size},
          {"entities", view.entity_names},
          {"disbursements", std::move(disbursements)},
          {"runs", std::move(runs)}};
}

Result<LedgerView> ledger_view_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("the answer", "not a JSON object");
  uint64_t version = 0;
  GL_RETURN_IF_ERROR(field(j, "the answer", "view_version", &version));
  if (version != kLedgerViewVersion) return bad("view_version", std::to_string(version) + " is not supported");
  LedgerView view;
  GL_RETURN_IF_ERROR(field(j, "the answer", "tree_size", &view.tree_size));
  auto entities = j.find("entities");
  if (entities == j.end() || !entities->is_object()) return bad("entities", "not an object");
  for (const auto& [code, name] : entities->items()) {
    if (!name.is_string()) return bad("entities." + code, "not a string");
    view.entity_names[code] = name.get<std::string>();
  }
  auto disbursements = j.find("disbursements");
  if (disbursements == j.end() || !disbursements->is_array()) return bad("disbursements", "not an array");
  for (size_t i = 0; i < disbursements->size(); ++i) {
    GL_ASSIGN_OR_RETURN(Disbursement d, disbursement_from_json((*disbursements)[i], "disbursements[" + std::to_string(i) + "]"));
    view.disbursements.push_back(std::move(d));
  }
  auto runs = j.find("runs");
  if (runs == j.end() || !runs->is_array()) return bad("runs", "not an array");
  for (size_t i = 0; i < runs->size(); ++i) {
    GL_ASSIGN_OR_RETURN(RecordedRun r, run_from_json((*runs)[i], "runs[" + std::to_string(i) + "]"));
    view.runs.push_back(std::move(r));
  }
  return view;
}

}  // namespace grantledger::reconcile
