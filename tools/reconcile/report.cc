#include "tools/reconcile/report.h"

#include <capnp/message.h>

#include <iomanip>
#include <unordered_map>

#include "ledger/canonical.h"
#include "ledger/date.h"

namespace grantledger::reconcile {

namespace {

using nlohmann::json;

constexpr size_t kSummaryItemsPerClass = 50;  // stdout stays readable; --report has them all

std::string kr(int64_t ore) { return format_kroner_da(Ore{ore}); }

// Whether an item's disbursement is its own (counted in the ledger totals). A duplicate
// statement entry names the payout it duplicates, which another item already counts.
bool owns_disbursement(const MatchItem& i) {
  return i.disbursement.has_value() && i.kind != MatchClass::kDuplicateInStatement;
}

// Counts item `i` into `c`. The ledger side sums stored payouts: beyond the int64 range is
// corruption. The statement side cannot leave it: kMaxStatementEntries entries of at most
// kMaxAmountOre each (check_statement_amount).
Status add(ClassTotal& c, const MatchItem& i) {
  ++c.count;
  if (owns_disbursement(i))
    GL_RETURN_IF_ERROR(add_to_sum(&c.ledger_ore, i.disbursement->amount.value, "the payouts in the reconciliation"));
  if (i.entry) {
    bool overflow = __builtin_add_overflow(c.statement_ore, i.entry->amount.value, &c.statement_ore);
    GL_ASSERT(!overflow);
  }
  return Status::ok();
}

Status add(ClassTotals& t, const MatchItem& i) { return add(t[static_cast<size_t>(i.kind)], i); }

json class_json(const ClassTotal& c) {
  return {{"count", c.count},
          {"ledger_ore", c.ledger_ore},
          {"ledger_kr", format_kroner_plain(Ore{c.ledger_ore})},
          {"statement_ore", c.statement_ore},
          {"statement_kr", format_kroner_plain(Ore{c.statement_ore})}};
}

json totals_json(const ClassTotals& t, bool skip_empty) {
  json out = json::object();
  for (size_t k = 0; k < t.size(); ++k)
    if (!skip_empty || t[k].count > 0) out[class_name(static_cast<MatchClass>(k))] = class_json(t[k]);
  return out;
}

json run_json(const RecordedRun& r) {
  return {{"event_index", r.event_index},
          {"commit_sequence", r.commit_sequence},
          {"recorded_at", format_timestamp_ns(r.recorded_at_ns)},
          {"window_from", format_date(r.window_from)},
          {"window_to", format_date(r.window_to)}};
}

std::string describe_ledger(const Disbursement& d) {
  return "event " + std::to_string(d.event_index) + " (commit " + std::to_string(d.commit_sequence) + ") " +
         format_date(d.date) + " claim " + d.claim_id + " ref " + d.payment_reference + " " + kr(d.amount.value) + " to " +
         d.payee_name + " (" + d.payee_code + ")";
}

std::string describe_entry(const StatementEntry& e) {
  std::string refs;
  for (const auto& r : e.references) refs += (refs.empty() ? "" : ",") + r;
  return e.location + " " + format_date(e.value_date) + " ref " + (refs.empty() ? "-" : refs) + " " + kr(e.amount.value) +
         " to " + (e.payee_name.empty() ? e.payee_id : e.payee_name);
}

}  // namespace

bool Report::clean() const {
  for (size_t k = 1; k < totals.size(); ++k)
    if (totals[k].count > 0) return false;
  return true;
}

uint64_t Report::statement_entries() const {
  uint64_t n = 0;
  for (const auto& i : match.items) n += i.entry.has_value();
  return n;
}

uint64_t Report::disbursements() const {
  uint64_t n = 0;
  for (const auto& i : match.items) n += owns_disbursement(i);
  return n;
}

Result<Report> build_report(const Statement& statement, const LedgerView& view, MatchResult match, const MatchOptions& options) {
  Report r;
  r.statement_name = statement.name;
  r.statement_sha256 = statement.sha256;
  r.format = statement.format;
  r.options = options;
  r.ledger_tree_size = view.tree_size;
  r.statement_entries_total = statement.entries.size();
  r.statement_entries_skipped = statement.skipped_entries;
  r.match = std::move(match);

  // A statement-only item belongs to the entity its creditor id or name names, if any.
  std::unordered_map<std::string, std::string> code_by_name;
  for (const auto& [code, name] : view.entity_names) code_by_name.emplace(normalise_name(name), code);
  for (const MatchItem& i : r.match.items) {
    GL_RETURN_IF_ERROR(add(r.totals, i));
    GL_RETURN_IF_ERROR(add(r.overall, i));
    std::string recipient;
    if (i.disbursement) {
      recipient = i.disbursement->payee_code;
    } else if (view.entity_names.count(i.entry->payee_id)) {
      recipient = i.entry->payee_id;
    } else if (auto it = code_by_name.find(normalise_name(i.entry->payee_name)); it != code_by_name.end()) {
      recipient = it->second;
    } else {
      recipient = "?" + i.entry->payee_name;
    }
    GL_RETURN_IF_ERROR(add(r.per_recipient[recipient], i));
  }
  Bytes self = reconciliation_event(r);
  for (const RecordedRun& run : view.runs)
    if (run.statement_sha256 == r.statement_sha256 && run.window_from <= options.window_to &&
        run.window_to >= options.window_from && run.event_bytes != self)
      r.overlapping_runs.push_back(run);
  return r;
}

Bytes reconciliation_event(const Report& r) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setEffectiveDate(r.options.window_to);
  auto rec = e.initBody().initReconciliationRecorded();
  rec.setStatementSha256(capnp::Data::Reader(r.statement_sha256.data(), r.statement_sha256.size()));
  rec.setFormat(r.format == StatementFormat::kCamt053 ? schema::StatementFormat::CAMT053 : schema::StatementFormat::CSV);
  rec.setWindowFrom(r.options.window_from);
  rec.setWindowTo(r.options.window_to);
  rec.setToleranceDays(r.options.tolerance_days);
  rec.setStatementEntries(r.statement_entries());
  rec.setDisbursements(r.disbursements());
  auto classes = rec.initClasses(static_cast<unsigned>(r.totals.size()));
  for (unsigned k = 0; k < r.totals.size(); ++k) {
    classes[k].setKind(static_cast<schema::ReconciliationClass>(k));
    classes[k].setCount(r.totals[k].count);
    classes[k].setLedgerTotalOre(r.totals[k].ledger_ore);
    classes[k].setStatementTotalOre(r.totals[k].statement_ore);
  }
  rec.setStatementName(r.statement_name.substr(0, 256));
  return canonical_bytes(e.asReader());
}

json report_to_json(const Report& r) {
  json items = json::array();
  for (const MatchItem& i : r.match.items) {
    json item = {{"class", class_name(i.kind)}};
    if (i.disbursement) {
      const Disbursement& d = *i.disbursement;
      item["ledger"] = {{"event_index", d.event_index},     {"commit_sequence", d.commit_sequence},
                        {"date", format_date(d.date)},      {"claim_id", d.claim_id},
                        {"payment_reference", d.payment_reference}, {"programme", d.programme},
                        {"amount_ore", d.amount.value},     {"amount_kr", format_kroner_plain(d.amount)},
                        {"payee_code", d.payee_code},       {"payee_name", d.payee_name}};
    }
    if (i.entry) {
      const StatementEntry& e = *i.entry;
      item["statement"] = {{"line_id", e.line_id},
                           {"location", e.location},
                           {"booking_date", format_date(e.booking_date)},
                           {"value_date", format_date(e.value_date)},
                           {"amount_ore", e.amount.value},
                           {"amount_kr", format_kroner_plain(e.amount)},
                           {"references", e.references},
                           {"payee_name", e.payee_name},
                           {"payee_id", e.payee_id}};
    }
    if (!i.matched_by.empty()) item["matched_by"] = i.matched_by;
    if (!i.differences.empty()) item["differences"] = i.differences;
    if (!i.note.empty()) item["note"] = i.note;
    items.push_back(std::move(item));
  }
  json per_recipient = json::object();
  for (const auto& [who, totals] : r.per_recipient) per_recipient[who] = totals_json(totals, true);
  json overlapping = json::array();
  for (const RecordedRun& run : r.overlapping_runs) overlapping.push_back(run_json(run));
  return {{"report_version", 1},
          {"statement",
           {{"name", r.statement_name},
            {"sha256", to_hex(r.statement_sha256)},
            {"format", format_name(r.format)},
            {"booked_debits", r.statement_entries_total},
            {"skipped_entries", r.statement_entries_skipped}}},
          {"window",
           {{"from", format_date(r.options.window_from)},
            {"to", format_date(r.options.window_to)},
            {"tolerance_days", r.options.tolerance_days}}},
          {"ledger_tree_size", r.ledger_tree_size},
          {"recorded",
           {{"event_index", r.recorded_event_index},
            {"commit_sequence", r.recorded_commit_sequence},
            {"already_recorded", r.already_recorded}}},
          {"clean", r.clean()},
          {"counts",
           {{"disbursements", r.disbursements()},
            {"disbursements_in_window", r.match.disbursements_in_window},
            {"statement_entries", r.statement_entries()},
            {"statement_entries_in_window", r.match.entries_in_window},
            {"statement_entries_outside_window", r.match.entries_outside_window}}},
          {"totals", totals_json(r.totals, false)},
          {"overall",
           {{"ledger_ore", r.overall.ledger_ore},
            {"ledger_kr", format_kroner_plain(Ore{r.overall.ledger_ore})},
            {"statement_ore", r.overall.statement_ore},
            {"statement_kr", format_kroner_plain(Ore{r.overall.statement_ore})}}},
          {"per_recipient", per_recipient},
          {"overlapping_runs", overlapping},
          {"items", items}};
}

void print_summary(const Report& r, std::ostream& out) {
  out << "reconciliation of " << r.statement_name << " (" << format_name(r.format) << ", sha256 "
      << to_hex(r.statement_sha256).substr(0, 16) << "...) for " << format_date(r.options.window_from) << ".."
      << format_date(r.options.window_to) << ", date tolerance " << r.options.tolerance_days << " days, ledger tree size "
      << r.ledger_tree_size << "\n";
  out << "ledger: " << r.disbursements() << " disbursements, " << kr(r.overall.ledger_ore) << "; statement: " << r.statement_entries()
      << " entries, " << kr(r.overall.statement_ore) << " (" << r.match.entries_outside_window << " dated outside the window, "
      << r.statement_entries_skipped << " credits or unbooked skipped)\n\n";
  out << std::left << std::setw(24) << "class" << std::right << std::setw(8) << "count" << std::setw(22) << "ledger"
      << std::setw(22) << "statement" << "\n";
  for (size_t k = 0; k < r.totals.size(); ++k)
    out << std::left << std::setw(24) << class_name(static_cast<MatchClass>(k)) << std::right << std::setw(8)
        << r.totals[k].count << std::setw(22) << kr(r.totals[k].ledger_ore) << std::setw(22) << kr(r.totals[k].statement_ore)
        << "\n";
  out << std::left << std::setw(24) << "overall" << std::right << std::setw(8) << "" << std::setw(22) << kr(r.overall.ledger_ore)
      << std::setw(22) << kr(r.overall.statement_ore) << "\n" << std::left;

  if (!r.clean()) {
    out << "\nfindings:\n";
    std::array<size_t, kReconciliationClassCount> shown{};
    for (const MatchItem& i : r.match.items) {
      if (i.kind == MatchClass::kMatched) continue;
      size_t k = static_cast<size_t>(i.kind);
      if (shown[k]++ == kSummaryItemsPerClass) {
        out << "  " << class_name(i.kind) << ": ... " << r.totals[k].count - kSummaryItemsPerClass
            << " more in the JSON report\n";
      }
      if (shown[k] > kSummaryItemsPerClass) continue;
      out << "  " << class_name(i.kind) << ":";
      if (i.disbursement) out << " ledger " << describe_ledger(*i.disbursement);
      if (i.disbursement && i.entry) out << " <->";
      if (i.entry) out << " statement " << describe_entry(*i.entry);
      if (!i.note.empty()) out << " (" << i.note << ")";
      out << "\n";
    }
    out << "\nfindings per recipient:\n";
    for (const auto& [who, totals] : r.per_recipient)
      for (size_t k = 1; k < totals.size(); ++k)
        if (totals[k].count > 0)
          out << "  " << who << " " << class_name(static_cast<MatchClass>(k)) << " " << totals[k].count << " ledger "
              << kr(totals[k].ledger_ore) << " statement " << kr(totals[k].statement_ore) << "\n";
  }
  for (const RecordedRun& run : r.overlapping_runs)
    out << "\nNOTE: this statement was already reconciled for the overlapping window " << format_date(run.window_from)
        << ".." << format_date(run.window_to) << " (event " << run.event_index << ", commit " << run.commit_sequence
        << "); entries in the overlap are in both runs: do not add their totals\n";
  out << "\n"
      << (r.already_recorded ? "already recorded: event " : "recorded: event ") << r.recorded_event_index << " in commit "
      << r.recorded_commit_sequence << (r.already_recorded ? " (nothing new written)" : "") << "\n";
  uint64_t findings = 0;
  for (size_t k = 1; k < r.totals.size(); ++k) findings += r.totals[k].count;
  out << "result: " << (r.clean() ? std::string("clean") : std::to_string(findings) + " discrepancies") << "\n";
}

}  // namespace grantledger::reconcile
