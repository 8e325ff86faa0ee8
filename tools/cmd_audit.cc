// grantledger audit (--data DIR | --bundle DIR) [--format text|json] [--report FILE] [--threads N]
//                   [--log-key LOG.pub.pem] [--checkpoint KEPT.txt ...] [--no-projections]
//                   [--witness NAME+KEYID+KEY ... [--quorum N]]
// A full independent replay (spec/AUDIT.md). Exit 0 clean, 1 findings, 2 could not run.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "ledger/acknowledged_head.h"
#include "ledger/input_file.h"
#include "tools/audit/audit.h"
#include "tools/audit/bundle.h"
#include "tools/commands.h"
#include "tools/output_path.h"
#include "tools/unsigned_flag.h"
#include "tools/witness/witness_policy.h"

namespace grantledger::cli {

namespace {

// The audit either completes (clean or findings), finds the database too damaged to open (exit 3,
// spec/LOG.md "Damage"), or could not run: every other failure is exit 2.
Status could_not_run(const Status& s) {
  if (s.is_ok() || s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
      s.code() == StatusCode::kCorruption)
    return s;
  return Status::invalid_argument("the audit could not run: " + s.to_string());
}

}  // namespace

void add_audit(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("audit", "Replay and verify a ledger or an audit bundle completely (exit 0 clean, 1 findings, 2 could not run)");
  struct Opts {
    std::string data, bundle, format = "text", report, log_key;
    std::vector<std::string> kept, witnesses;
    std::optional<size_t> quorum;
    int threads = 2;
    bool no_projections = false;
  };
  auto o = std::make_shared<Opts>();
  auto* data = cmd->add_option("--data", o->data, "ledger data directory (opened read-only)");
  auto* bundle = cmd->add_option("--bundle", o->bundle, "an audit bundle directory (grantledger export-bundle)");
  data->excludes(bundle);
  cmd->add_option("--format", o->format, "report format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--report", o->report, "write the report to FILE (stdout gets the result line)");
  cmd->add_option("--threads", o->threads, "1 or 2")->check(CLI::Range(1, 2))->capture_default_str();
  cmd->add_option("--log-key", o->log_key, "the log's public key as the auditor holds it (PEM); default: the source's");
  cmd->add_option("--checkpoint", o->kept, "a checkpoint kept from earlier: the log must extend it (repeatable)");
  cmd->add_flag("--no-projections", o->no_projections, "skip recomputing the projections");
  cmd->add_option("--witness", o->witnesses, "a witness's verifier key NAME+KEYID+KEY: each --checkpoint must carry its cosignature (repeatable)");
  cmd->add_option("--quorum", o->quorum, "each --checkpoint needs cosignatures of this many --witness keys (default: all)")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1}, size_t{64}));
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      if (o->data.empty() && o->bundle.empty()) return Status::invalid_argument("audit: give --data DIR or --bundle DIR");
      GL_ASSIGN_OR_RETURN(witness::WitnessPolicy policy, witness::witness_policy(o->witnesses, o->quorum));
      if (policy.quorum > 0 && o->kept.empty())
        return Status::invalid_argument("--witness / --quorum: give the witnessed checkpoint(s) with --checkpoint KEPT.txt");
      if (!o->report.empty()) GL_RETURN_IF_ERROR(check_output_path("--report", o->report, OutputKind::kFile));
      std::optional<PublicKey> pinned;
      if (!o->log_key.empty()) {
        auto key = PublicKey::load(o->log_key);
        if (!key) return Status::invalid_argument("--log-key " + o->log_key + ": " + key.error().message());
        pinned = *key;
      }
      audit::AuditOptions options;
      options.threads = o->threads;
      options.check_projections = !o->no_projections;
      for (const auto& path : o->kept) {
        GL_ASSIGN_OR_RETURN(std::string note, read_input_file(path, "--checkpoint", 64 * 1024));
        // A kept checkpoint is trusted only with its witnesses' cosignatures, checked before the audit runs.
        GL_RETURN_IF_ERROR(witness::check_witnessed(policy, {note}, "--checkpoint " + path));
        options.kept_checkpoints.push_back(std::move(note));
      }
      const auto start = std::chrono::steady_clock::now();
      options.progress = [start](uint64_t done, uint64_t total) {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (s >= 1.0) std::cerr << "audit: progress events=" << done << "/" << total << " elapsed_s=" << static_cast<int>(s) << "\n";
      };
      // Read before the database, so a writer's later acknowledgement cannot look newer than it.
      std::vector<std::string> acknowledged_notes;
      if (!o->data.empty()) {
        auto notes = AcknowledgedHead::read_notes(o->data);
        if (!notes) return could_not_run(notes.error());
        acknowledged_notes = std::move(notes).value();
      }
      auto source = o->data.empty() ? audit::open_bundle_source(o->bundle, pinned) : audit::open_ledger_source(o->data, pinned);
      if (!source) return could_not_run(source.error());
      if (!o->data.empty()) {
        // The checkpoint the writer last acknowledged is kept like an auditor's: the log must
        // extend it (spec/LOG.md, "Damage"), or the audit finds `consistency`.
        // A note that does not verify with the key the audit trusts is reported through the
        // checkpoint findings of the log itself; only a verified one is held against the log.
        auto acked = AcknowledgedHead::choose(acknowledged_notes, o->data, (*source)->log_key());
        // Beside a writer, a read-only open can see the database just before a flush it raced
        // with (ledger/ledger.cc, Ledger::open): a fresh view, before the gap is called a finding.
        for (int attempt = 0; acked && *acked && (*source)->head().tree_size < (*acked)->checkpoint.tree_size && attempt < 5;
             ++attempt) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
          source = audit::open_ledger_source(o->data, pinned);
          if (!source) return could_not_run(source.error());
        }
        if (!acked) spdlog::warn("{}", acked.error().message());
        if (acked && *acked) options.kept_checkpoints.push_back((*acked)->note);
      }
      auto report = audit::run_audit(**source, options);
      if (!report) return could_not_run(report.error());
      std::string text = o->format == "json" ? audit::render_json(*report).dump(2) + "\n" : audit::render_text(*report);
      if (o->report.empty()) {
        std::cout << text;
      } else {
        std::ofstream f(o->report, std::ios::binary | std::ios::trunc);
        f << text;
        f.close();
        if (!f) return Status::invalid_argument("cannot write the report to " + o->report);
        std::cout << "result: " << (report->clean() ? "clean" : "findings") << " findings="
                  << report->findings.size() + report->findings_suppressed << " report=" << o->report << "\n";
      }
      if (report->clean()) return Status::ok();
      return Status::findings("audit: " + std::to_string(report->findings.size() + report->findings_suppressed) +
                              " findings (see the report)");
    };
  });
}

}  // namespace grantledger::cli
