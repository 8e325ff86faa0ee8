// grantledger serve --data DIR --listen HOST:PORT (--tls-cert C --tls-key K | --insecure-http)
//   [--max-body-bytes N] [--connections N] [--request-timeout S] [--witness URL=VKEY ...] [--read-only]
// The ledger as a network service (spec/SERVER.md). Prints "listening URL" on stdout once it
// accepts connections; SIGTERM or SIGINT stops it: no new requests, the ones in flight finish
// (each submission acknowledged and durable, or refused), exit 0.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "tools/commands.h"
#include "tools/serve_until_signal.h"
#include "tools/server/service.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

void add_query_commands(CLI::App& app, Action* action, const QueryEnv* env) {
  add_log(app, action, env);
  add_checkpoint(app, action, env);
  add_balance(app, action, env);
  add_history(app, action, env);
  add_claims(app, action, env);
  add_export(app, action, env);
  add_projections(app, action, env);
  add_prove(app, action, env);
  add_reconcile(app, action, env);
}

namespace {

// Runs one query command on the service's ledger: the CLI's own parser and code, so the answer is
// what the CLI prints for the same flags.
Status run_query(const server::QueryCall& call, Ledger& ledger, std::ostream& out) {
  QueryEnv env{&ledger, &out};
  CLI::App app;
  app.require_subcommand(1);
  Action action;
  add_query_commands(app, &action, &env);
  std::vector<std::string> args = call.command;
  for (const auto& [k, v] : call.params) args.push_back("--" + k + "=" + v);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector's arguments from its back
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return Status::invalid_argument(e.what());
  }
  if (!action) return Status::invalid_argument("no query was given");
  return action();
}

}  // namespace

void add_serve(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("serve", "Serve the ledger over HTTPS: signed submissions with receipts, and every query");
  auto o = std::make_shared<server::ServeOptions>();
  cmd->add_option("--data", o->data, "ledger data directory (the service holds its writer)")->required();
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "the server's certificate chain (PEM)");
  cmd->add_option("--tls-key", o->tls_key, "the certificate's private key (PEM)");
  cmd->add_flag("--insecure-http", o->insecure_http, "plain HTTP, only on a loopback address (tests)");
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "largest request body")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--connections", o->connections, "requests served at once; further connections wait")
      ->check(unsigned_number())
      ->check(CLI::Range(size_t{1}, size_t{1024}))
      ->capture_default_str();
  cmd->add_option("--request-timeout", o->request_timeout_seconds, "seconds to read or write one request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_flag("--read-only", o->read_only, "serve a copy (a mirror's): reads only, submissions refused (spec/MIRROR.md)");
  cmd->add_option("--witness", o->witnesses, "collect cosignatures from a C2SP witness: URL=NAME+KEYID+KEY (repeatable)");
  cmd->add_option("--witness-tls-ca", o->witness_tls_ca, "CA file (PEM) for https witnesses; default: the system's");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      // The signals are taken by one thread (sigwait), so every other thread must block them,
      // including the service's, which inherit this mask.
      block_stop_signals();
      // One line per request; -v adds the time each submission spent decoding, appending and proving.
      spdlog::set_level(spdlog::get_level() == spdlog::level::info ? spdlog::level::debug : spdlog::level::info);
      GL_ASSIGN_OR_RETURN(auto service, server::Service::open(*o, run_query));
      std::cout << "listening " << service->url() << std::endl;
      Status s = serve_until_signal([&service] { return service->run(); }, [&service] { service->stop(); });
      service.reset();  // the writer drains and closes the ledger
      spdlog::info("stopped");
      return s;
    };
  });
}

}  // namespace grantledger::cli
