// grantledger reconcile (--data DIR | --server URL [--tls-ca CA.pem]) --statement FILE [--format camt053|csv] --from DATE --to DATE
//                       --key RECONCILER.pem [--report FILE.json] [--date-tolerance DAYS] [--csv-* ...]
// grantledger reconcile history --data DIR [--format table|json]
// spec/RECONCILIATION.md; the work is in tools/reconcile/.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ledger/date.h"
#include "projections/builder.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/output_path.h"
#include "tools/reconcile/reconciliation.h"
#include "tools/remote_reconcile.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

namespace {

using reconcile::MatchClass;

Status print_history(Ledger& ledger, bool as_json, std::ostream& out) {
  GL_ASSIGN_OR_RETURN(std::vector<reconcile::RecordedRun> runs, reconcile::reconciliation_history(ledger));
  for (const auto& run : runs) {
    nlohmann::json classes = nlohmann::json::object();
    for (size_t k = 0; k < run.classes.size(); ++k) {
      const auto& c = run.classes[k];
      classes[reconcile::class_name(static_cast<MatchClass>(k))] = {
          {"count", c.count}, {"ledger_ore", c.ledger_ore}, {"statement_ore", c.statement_ore}};
    }
    if (as_json) {
      out << nlohmann::json{{"event_index", run.event_index},
                                  {"commit_sequence", run.commit_sequence},
                                  {"recorded_at", format_timestamp_ns(run.recorded_at_ns)},
                                  {"signer_key_id", to_hex(run.signer_key_id)},
                                  {"statement_name", run.statement_name},
                                  {"statement_sha256", to_hex(run.statement_sha256)},
                                  {"format", reconcile::format_name(run.format)},
                                  {"window_from", format_date(run.window_from)},
                                  {"window_to", format_date(run.window_to)},
                                  {"tolerance_days", run.tolerance_days},
                                  {"statement_entries", run.statement_entries},
                                  {"disbursements", run.disbursements},
                                  {"classes", classes}}
                       .dump()
                << "\n";
      continue;
    }
    uint64_t findings = 0;
    std::string found;
    for (size_t k = 1; k < run.classes.size(); ++k) {
      findings += run.classes[k].count;
      if (run.classes[k].count > 0)
        found += std::string(" ") + reconcile::class_name(static_cast<MatchClass>(k)) + "=" + std::to_string(run.classes[k].count);
    }
    out << "#" << run.event_index << " commit " << run.commit_sequence << " " << format_timestamp_ns(run.recorded_at_ns)
              << " signer " << to_hex(run.signer_key_id).substr(0, 16) << " " << run.statement_name << " ("
              << reconcile::format_name(run.format) << ", sha256 " << to_hex(run.statement_sha256).substr(0, 16) << ") "
              << format_date(run.window_from) << ".." << format_date(run.window_to) << " tolerance " << run.tolerance_days
              << "d entries=" << run.statement_entries << " disbursements=" << run.disbursements
              << " matched=" << run.classes[0].count << " (" << format_kroner_da(Ore{run.classes[0].ledger_ore}) << ")"
              << (findings == 0 ? " clean" : found) << "\n";
  }
  if (!as_json) out << runs.size() << " reconciliation runs\n";
  return Status::ok();
}

}  // namespace

void add_reconcile(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("reconcile", "Reconcile ledger payouts against a bank or payment statement, and record the run");
  cmd->require_subcommand(0, 1);
  struct Opts {
    std::string data, server, tls_ca, statement, format, from, to, key, report;
    uint32_t tolerance = 0;
    int wait_seconds = reconcile::kDefaultOpenWaitMs / 1000;
    reconcile::CsvOptions csv;
    std::string delimiter = ";", decimal = ",";
    std::string history_format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory");
  cmd->add_option("--server", o->server, "reconcile against a grantledger service instead (https://HOST:PORT); --key signs the requests and the run");
  cmd->add_option("--tls-ca", o->tls_ca, "with --server: the CA certificate (PEM) to trust (default: the system's)");
  cmd->add_option("--statement", o->statement, "the statement: camt.053 XML or CSV (spec/RECONCILIATION.md)");
  cmd->add_option("--format", o->format, "camt053 or csv (default: by extension, .xml or .csv)")
      ->check(CLI::IsMember({"camt053", "csv"}));
  cmd->add_option("--from", o->from, "first day of the window, YYYY-MM-DD");
  cmd->add_option("--to", o->to, "last day of the window, YYYY-MM-DD");
  cmd->add_option("--key", o->key, "a reconciler key (PEM, mode 0600) that signs the recorded run");
  cmd->add_option("--report", o->report, "write the full JSON report here (atomically)");
  cmd->add_option("--date-tolerance", o->tolerance, "days a payout and its statement entry may differ")
      ->check(unsigned_number())
      ->check(CLI::Range(0u, reconcile::kMaxToleranceDays))
      ->capture_default_str();
  cmd->add_option("--wait", o->wait_seconds, "seconds to wait while another process has the ledger open (then exit 2; not with --server)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  cmd->add_option("--csv-delimiter", o->delimiter, "CSV field separator")->capture_default_str();
  cmd->add_option("--csv-decimal", o->decimal, "CSV decimal separator: ',' (-1.234,56) or '.' (-1,234.56)")
      ->check(CLI::IsMember({",", "."}))
      ->capture_default_str();
  cmd->add_option("--csv-date-column", o->csv.date_column, "CSV header of the booking date")->capture_default_str();
  cmd->add_option("--csv-value-date-column", o->csv.value_date_column, "CSV header of the value date (optional)");
  cmd->add_option("--csv-amount-column", o->csv.amount_column, "CSV header of the amount (debits negative)")->capture_default_str();
  cmd->add_option("--csv-currency-column", o->csv.currency_column, "CSV header of the currency (used if present)")->capture_default_str();
  cmd->add_option("--csv-reference-column", o->csv.reference_column, "CSV header of the payment reference")->capture_default_str();
  cmd->add_option("--csv-payee-column", o->csv.payee_column, "CSV header of the payee (creditor) name")->capture_default_str();
  cmd->add_option("--csv-payee-id-column", o->csv.payee_id_column, "CSV header of the payee id, e.g. entity code (optional)");
  cmd->add_option("--csv-id-column", o->csv.id_column, "CSV header of the line id (used if present; else the line number)")
      ->capture_default_str();

  auto* history = cmd->add_subcommand("history", "List the reconciliation runs recorded in the log");
  auto history_target = QueryTarget::add(history, env);
  history->add_option("--format", o->history_format, "table, or json (one object per run per line)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  cmd->callback([action, o, history, history_target] {
    if (history->parsed()) {
      *action = [o, history_target]() -> Status {
        GL_RETURN_IF_ERROR(history_target->check());
        if (history_target->remote()) return history_target->forward();
        GL_ASSIGN_OR_RETURN(auto ledger, history_target->open(false));
        return print_history(*ledger, o->history_format == "json", history_target->out());
      };
      return;
    }
    *action = [o]() -> Status {
      if (!o->data.empty() && !o->server.empty()) return Status::invalid_argument("give either --data DIR or --server URL, not both");
      if (!o->tls_ca.empty() && o->server.empty()) return Status::invalid_argument("--tls-ca goes with --server");
      std::string missing = o->data.empty() && o->server.empty() ? "--data (or --server)" : "";
      for (auto [flag, value] : {std::pair<const char*, const std::string*>{"--statement", &o->statement}, {"--from", &o->from},
                                 {"--to", &o->to}, {"--key", &o->key}})
        if (value->empty()) missing += std::string(missing.empty() ? "" : ", ") + flag;
      if (!missing.empty()) return Status::invalid_argument("reconcile: required: " + missing);
      if (o->delimiter.size() != 1) return Status::invalid_argument("--csv-delimiter: one character");
      if (!o->report.empty()) GL_RETURN_IF_ERROR(check_output_path("--report", o->report, OutputKind::kFile));
      reconcile::ReconcileRequest r;
      r.data_dir = o->data;
      r.statement_path = o->statement;
      if (!o->format.empty())
        r.format = o->format == "camt053" ? reconcile::StatementFormat::kCamt053 : reconcile::StatementFormat::kCsv;
      r.csv = o->csv;
      r.csv.delimiter = o->delimiter[0];
      r.csv.decimal = o->decimal[0];
      auto from = parse_date(o->from);
      if (!from) return from.error().with_context("--from: ");
      auto to = parse_date(o->to);
      if (!to) return to.error().with_context("--to: ");
      r.match = {*from, *to, o->tolerance};
      r.key_path = o->key;
      r.report_path = o->report;
      r.open_wait_ms = o->wait_seconds * 1000;
      // Against a service, the run reads its view and records itself there; the matching, the
      // event, the summary and the report are the same code as against a directory.
      const server::ClientOptions service{o->server, o->tls_ca};
      GL_ASSIGN_OR_RETURN(reconcile::Report report,
                          o->server.empty() ? reconcile::run_reconciliation(r)
                                            : reconcile::run_reconciliation(r, [&service](std::shared_ptr<const PrivateKey> key) {
                                                return ServiceTarget::create(service, std::move(key));
                                              }));
      reconcile::print_summary(report, std::cout);
      // A service keeps its own projections current.
      if (o->server.empty() && !report.already_recorded) {
        // The writer keeps the projections current (spec/LOG.md, "Readers beside the writer"): the
        // recorded run is durable, so a projection that cannot follow is reported, not a failed run.
        auto ledger = Ledger::open(o->data, {.writer = false});
        Status projected = ledger ? projections::Builder(**ledger).catch_up() : ledger.error();
        if (!projected.is_ok()) spdlog::error("projections stopped: {}", projected.to_string());
      }
      if (report.clean()) return Status::ok();
      uint64_t findings = 0;
      for (size_t k = 1; k < report.totals.size(); ++k) findings += report.totals[k].count;
      return Status::findings("reconcile: " + std::to_string(findings) + " discrepancies between the ledger and " +
                              report.statement_name + (o->report.empty() ? "" : " (details in " + o->report + ")"));
    };
  });
}

}  // namespace grantledger::cli
