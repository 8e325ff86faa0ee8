// grantledger: the command-line interface. Data goes to stdout, logs and errors to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "tools/commands.h"
#include "tools/exit_code.h"

int main(int argc, char** argv) {
  // A peer that closes its connection (a TLS client or server, or a reader of our stdout) makes a
  // write fail with EPIPE, which the code handles; it must not kill the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("grantledger");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"grantledger: a signed, append-only ledger for public grants and participant payments"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log progress (info level) to stderr");
  grantledger::cli::Action action;
  const grantledger::cli::QueryEnv env;  // queries open --data, or ask --server, and print to stdout
  grantledger::cli::add_init(app, &action);
  grantledger::cli::add_keygen(app, &action);
  grantledger::cli::add_append(app, &action);
  grantledger::cli::add_sign(app, &action);
  grantledger::cli::add_log(app, &action, &env);
  grantledger::cli::add_checkpoint(app, &action, &env);
  grantledger::cli::add_demo(app, &action);
  grantledger::cli::add_audit(app, &action);
  grantledger::cli::add_prove(app, &action, &env);
  grantledger::cli::add_verify_proof(app, &action);
  grantledger::cli::add_export_bundle(app, &action);
  grantledger::cli::add_reconcile(app, &action, &env);
  grantledger::cli::add_balance(app, &action, &env);
  grantledger::cli::add_history(app, &action, &env);
  grantledger::cli::add_claims(app, &action, &env);
  grantledger::cli::add_projections(app, &action, &env);
  grantledger::cli::add_export(app, &action, &env);
  grantledger::cli::add_serve(app, &action);
  grantledger::cli::add_submit(app, &action);
  grantledger::cli::add_login(app, &action);
  grantledger::cli::add_witness(app, &action);
  grantledger::cli::add_sink(app, &action);
  grantledger::cli::add_mirror(app, &action);
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
