// grantledger sink postgres --data DIR --dsn DSN [--follow] [--batch-commits N] [--poll-ms MS]
//                           [--create-readonly-role NAME]
// grantledger sink verify --data DIR --dsn DSN [--as-of YYYY-MM-DD ...]
// PostgreSQL read models for BI (spec/POSTGRES.md; spec/CLI.md, "sink"). The work is in
// tools/sink/; this file parses flags, handles SIGTERM and prints.
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>

#include "ledger/date.h"
#include "tools/commands.h"
#include "tools/sink/sink.h"
#include "tools/sink/sink_verify.h"
#include "tools/stop_signals.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

namespace {

void add_sink_postgres(CLI::App* sink, Action* action) {
  auto* cmd = sink->add_subcommand("postgres",
                                   "Write the ledger's postings, balances, entities, programmes, "
                                   "course payments and claims into PostgreSQL");
  struct Opts {
    std::string data, dsn, readonly_role;
    bool follow = false;
    uint64_t batch_commits = 1000;
    uint32_t poll_ms = 500;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory (read-only)")->required();
  cmd->add_option(
         "--dsn", o->dsn,
         "PostgreSQL connection string: postgresql://USER@HOST/DB or key=value pairs (libpq)")
      ->required();
  cmd->add_flag("--follow", o->follow,
                "keep following the log until SIGTERM or SIGINT (the batch in progress finishes)");
  cmd->add_option("--batch-commits", o->batch_commits, "commits per PostgreSQL transaction")
      ->check(unsigned_number())
      ->check(CLI::Range(uint64_t{1}, sink::kMaxCommitsPerSinkBatch))
      ->capture_default_str();
  cmd->add_option("--poll-ms", o->poll_ms, "--follow: milliseconds between looks for new commits")
      ->check(unsigned_number())
      ->check(CLI::Range(uint32_t{50}, uint32_t{60000}))
      ->capture_default_str();
  cmd->add_option("--create-readonly-role", o->readonly_role,
                  "create this NOLOGIN role with SELECT on every sink table, then exit");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      if (!o->readonly_role.empty()) {
        GL_RETURN_IF_ERROR(sink::create_readonly_role(o->dsn, o->readonly_role));
        std::cout << "created role " << o->readonly_role << " (SELECT on the sink's tables)\n";
        return Status::ok();
      }
      // SIGTERM / SIGINT end the run after the current batch.
      std::atomic<bool> stop{false};
      Result<sink::SinkProgress> progress = Status::io_error("not run");
      {
        StopSignals signals([&stop](int sig) {
          spdlog::info("signal {}: stopping after the current batch", sig);
          stop.store(true);
        });
        progress =
            sink::run_sink({o->data, o->dsn, o->batch_commits, o->follow, o->poll_ms, &stop});
      }
      GL_RETURN_IF_ERROR(progress.status());
      std::cout << "applied_commits=" << progress->applied_commits
                << " commits_written=" << progress->commits_written
                << " events_written=" << progress->events_written
                << " batches=" << progress->batches << "\n";
      return Status::ok();
    };
  });
}

void add_sink_verify(CLI::App* sink, Action* action) {
  auto* cmd = sink->add_subcommand(
      "verify",
      "Compare the PostgreSQL tables with the ledger's own figures (exit 1 on any difference)");
  struct Opts {
    std::string data, dsn;
    std::vector<std::string> as_of;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "ledger data directory (read-only)")->required();
  cmd->add_option("--dsn", o->dsn, "PostgreSQL connection string (as sink postgres)")->required();
  cmd->add_option(
      "--as-of", o->as_of,
      "compare balances as of YYYY-MM-DD (repeatable; default: the last day of every year)");
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      sink::VerifyOptions options{o->data, o->dsn, {}};
      for (const std::string& text : o->as_of) {
        auto date = parse_date(text);
        if (!date) return date.error().with_context("--as-of: ");
        options.as_of_dates.push_back(*date);
      }
      GL_ASSIGN_OR_RETURN(sink::VerifyReport report, sink::verify_sink(options));
      for (const sink::SinkDifference& d : report.differences)
        std::cout << "difference " << d.describe() << "\n";
      if (!report.differences.empty())
        return Status::findings("sink verify: " + std::to_string(report.differences.size()) +
                                " differences between PostgreSQL and the ledger");
      std::cout << "ok applied_commits=" << report.applied_commits << " checks=" << report.checks
                << "\n";
      return Status::ok();
    };
  });
}

}  // namespace

void add_sink(CLI::App& app, Action* action) {
  auto* sink = app.add_subcommand("sink", "PostgreSQL read models for BI tools (spec/POSTGRES.md)");
  sink->require_subcommand(1);
  add_sink_postgres(sink, action);
  add_sink_verify(sink, action);
}

}  // namespace grantledger::cli
