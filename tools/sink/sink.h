// `grantledger sink postgres` (spec/POSTGRES.md, spec/CLI.md "sink"): follows a ledger's log and
// writes each commit's rows (tools/sink/batch_rows.h) into PostgreSQL.
//
// Exactly once: a batch of commits and the sink's position (sink_state: the ledger's origin, the
// commits applied, the tree size and root they end at, the last commit's hash) are written in one
// PostgreSQL transaction, which reads the position under a row lock first. A sink killed at any
// point leaves the database before or after a whole batch; a re-run (or a second sink at the same
// time) resumes from the stored position, so nothing is written twice.
//
// Identity: before every batch the stored position is checked against the ledger: same origin,
// the stored commit hash at that position, and the same tree size and root. A database filled from
// another ledger, or from a log that was since rewritten, is refused (conflict) and left alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "ledger/status.h"

namespace grantledger::sink {

// Limits of one batch (one PostgreSQL transaction).
inline constexpr uint64_t kMaxCommitsPerSinkBatch = 10000;
inline constexpr uint64_t kMaxEventsPerSinkBatch = 50000;

struct SinkOptions {
  std::string data_dir;
  std::string dsn;
  uint64_t batch_commits = 1000;            // 1 .. kMaxCommitsPerSinkBatch
  bool follow = false;                      // keep following until *stop
  uint32_t poll_ms = 500;                   // --follow: how often to look for new commits
  const std::atomic<bool>* stop = nullptr;  // set (by SIGTERM) to end after the current batch
};

struct SinkProgress {
  uint64_t applied_commits = 0;  // the database's position when the sink ended
  uint64_t commits_written = 0, events_written = 0, batches = 0;
};

// Creates the schema when absent, refuses a drifted schema (conflict naming the drift), then
// applies batches until the log's head (and, with `follow`, keeps polling until *stop).
// invalid_argument for a bad DSN or option; io_error when PostgreSQL cannot be reached or fails;
// conflict for another ledger's database.
Result<SinkProgress> run_sink(const SinkOptions& options);

// Creates role `name` (NOLOGIN) that may read every sink table, now and after future schema
// changes (spec/POSTGRES.md, "Read-only role"). conflict if the role exists.
Status create_readonly_role(const std::string& dsn, const std::string& name);

}  // namespace grantledger::sink
