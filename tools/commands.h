// The grantledger CLI's subcommands (spec/CLI.md). Each add_* registers one subcommand on `app`
// and, when it is chosen, stores the work to run in *action; main() runs it and maps the
// resulting Status to an exit code in one place (exit_code.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "ledger/status.h"
#include "tools/query_target.h"

namespace grantledger::cli {

using Action = std::function<Status()>;

void add_init(CLI::App& app, Action* action);
void add_keygen(CLI::App& app, Action* action);
void add_append(CLI::App& app, Action* action);
void add_sign(CLI::App& app, Action* action);
void add_log(CLI::App& app, Action* action, const QueryEnv* env);
void add_checkpoint(CLI::App& app, Action* action, const QueryEnv* env);
void add_demo(CLI::App& app, Action* action);
// The audit tool (tools/audit/): audit, prove, verify-proof, export-bundle.
void add_audit(CLI::App& app, Action* action);
void add_prove(CLI::App& app, Action* action, const QueryEnv* env);
void add_verify_proof(CLI::App& app, Action* action);
void add_export_bundle(CLI::App& app, Action* action);
void add_reconcile(CLI::App& app, Action* action, const QueryEnv* env);
void add_balance(CLI::App& app, Action* action, const QueryEnv* env);
void add_history(CLI::App& app, Action* action, const QueryEnv* env);
void add_claims(CLI::App& app, Action* action, const QueryEnv* env);
void add_projections(CLI::App& app, Action* action, const QueryEnv* env);
void add_export(CLI::App& app, Action* action, const QueryEnv* env);
void add_serve(CLI::App& app, Action* action);
void add_submit(CLI::App& app, Action* action);
void add_login(CLI::App& app, Action* action);
void add_witness(CLI::App& app, Action* action);
// `sink postgres` and `sink verify`: PostgreSQL read models (tools/sink/, spec/POSTGRES.md).
void add_sink(CLI::App& app, Action* action);
void add_mirror(CLI::App& app, Action* action);

// The query commands (log, checkpoint, balance, history, claims, export, projections status, prove,
// reconcile history) on `app`, reading through `env`: what `serve` answers queries with.
void add_query_commands(CLI::App& app, Action* action, const QueryEnv* env);

}  // namespace grantledger::cli
