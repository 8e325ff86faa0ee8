// grantledger export --data DIR --format ledger|csv [--out FILE]
#include <filesystem>
#include <fstream>
#include <iostream>

#include "projections/journal_export.h"
#include "tools/commands.h"
#include "tools/query_target.h"
#include "tools/output_path.h"
#include "tools/query_setup.h"

namespace grantledger::cli {

void add_export(CLI::App& app, Action* action, const QueryEnv* env) {
  auto* cmd = app.add_subcommand("export", "Export every posting as an hledger / ledger-cli journal or as CSV");
  struct Opts {
    std::string format = "ledger", out;
  };
  auto o = std::make_shared<Opts>();
  auto target = QueryTarget::add(cmd, env);
  cmd->add_option("--format", o->format, "ledger (a plain-text journal) or csv")
      ->check(CLI::IsMember({"ledger", "csv"}))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "write to FILE (default: stdout); replaced only when complete");
  cmd->callback([action, o, target] {
    *action = [o, target]() -> Status {
      GL_RETURN_IF_ERROR(target->check());
      auto format = o->format == "csv" ? projections::ExportFormat::kCsv : projections::ExportFormat::kLedger;
      if (!o->out.empty()) GL_RETURN_IF_ERROR(check_output_path("--out", o->out, OutputKind::kFile));
      if (target->remote()) return target->forward();
      GL_ASSIGN_OR_RETURN(auto ledger, target->open(true));
      if (o->out.empty()) return projections::export_postings(*ledger, format, target->out()).status();
      // Written beside the target and renamed, so a reader never sees half a journal.
      std::string tmp = o->out + ".tmp";
      {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        if (!file) return Status::io_error("--out " + o->out + ": cannot write " + tmp);
        GL_RETURN_IF_ERROR(projections::export_postings(*ledger, format, file).status());
        file.flush();
        if (!file) return Status::io_error("--out " + o->out + ": writing failed");
      }
      std::error_code ec;
      std::filesystem::rename(tmp, o->out, ec);
      if (ec) return Status::io_error("--out " + o->out + ": " + ec.message());
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
