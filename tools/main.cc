// grantledger: the command-line interface. Data goes to stdout, logs and errors to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "tools/commands.h"
#include "tools/exit_code.h"

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("grantledger");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"grantledger: a signed, append-only ledger for public grants and participant payments"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log progress (info level) to stderr");
  grantledger::cli::Action action;
  grantledger::cli::add_init(app, &action);
  grantledger::cli::add_keygen(app, &action);
  grantledger::cli::add_append(app, &action);
  grantledger::cli::add_log(app, &action);
  grantledger::cli::add_checkpoint(app, &action);
  grantledger::cli::add_demo(app, &action);
  grantledger::cli::add_audit(app, &action);
  grantledger::cli::add_prove(app, &action);
  grantledger::cli::add_verify_proof(app, &action);
  grantledger::cli::add_export_bundle(app, &action);
  grantledger::cli::add_reconcile(app, &action);
  grantledger::cli::add_balance(app, &action);
  grantledger::cli::add_history(app, &action);
  grantledger::cli::add_projections(app, &action);
  grantledger::cli::add_export(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : grantledger::cli::kExitBadInput;
  }
  if (verbose) spdlog::set_level(spdlog::level::info);
  grantledger::Status s = action();
  if (s.code() == grantledger::StatusCode::kAlreadyExists || s.code() == grantledger::StatusCode::kFindings) {
    std::cerr << "grantledger: " << s.message() << "\n";
  } else if (!s.is_ok()) {
    std::cerr << "grantledger: error: " << s.to_string() << "\n";
  }
  return grantledger::cli::exit_code_for(s);
}
