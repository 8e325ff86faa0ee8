#include "tools/sink/sink.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/log_reader.h"
#include "tools/sink/batch_rows.h"
#include "tools/sink/pg_connection.h"
#include "tools/sink/sink_position.h"
#include "tools/sink/sink_schema.h"

namespace grantledger::sink {

namespace {

// Applies the next batch after the database's position. Returns the commits applied (0 when the
// database is at the ledger's head).
Result<uint64_t> apply_batch(PgConnection& conn, Ledger& ledger, const SinkOptions& options,
                             SinkProgress* progress) {
  PgTransaction tx(conn);
  GL_RETURN_IF_ERROR(tx.begin());
  GL_ASSIGN_OR_RETURN(SinkPosition position, read_position(conn, /*lock=*/true));
  GL_RETURN_IF_ERROR(check_position(ledger, position));
  GL_ASSIGN_OR_RETURN(Head head, ledger.head());
  progress->applied_commits = position.applied_commits;
  if (position.applied_commits >= head.commit_count)
    return uint64_t{0};  // rolls back: nothing written

  GL_ASSIGN_OR_RETURN(auto reader, LogReader::open(ledger, LogReader::Options{.postings = true}));
  GL_RETURN_IF_ERROR(reader->seek(position.applied_commits));
  BatchRows rows(ledger);
  uint64_t commits = 0;
  std::optional<CommitRecord> last;
  while (commits < options.batch_commits && rows.events() < kMaxEventsPerSinkBatch) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* commit, reader->next_commit());
    if (commit == nullptr) break;
    rows.add_commit(*commit);
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* event, reader->next_event());
      if (event == nullptr) break;
      GL_RETURN_IF_ERROR(rows.add_event(*commit, *event));
    }
    last = *commit;
    ++commits;
  }
  if (commits == 0) return uint64_t{0};
  GL_RETURN_IF_ERROR(rows.write(conn));
  GL_ASSIGN_OR_RETURN(SinkPosition next, position_after(ledger, *last));
  GL_RETURN_IF_ERROR(write_position(conn, next));
  GL_RETURN_IF_ERROR(tx.commit());
  progress->applied_commits = next.applied_commits;
  progress->commits_written += commits;
  progress->events_written += rows.events();
  progress->batches += 1;
  spdlog::info("sink batch commits={}..{} events={} applied_commits={}",
               last->info.sequence + 1 - commits, last->info.sequence, rows.events(),
               next.applied_commits);
  return commits;
}

bool stopping(const SinkOptions& o) { return o.stop != nullptr && o.stop->load(); }

}  // namespace

Result<SinkProgress> run_sink(const SinkOptions& options) {
  if (options.data_dir.empty()) return Status::invalid_argument("--data: required");
  if (options.batch_commits < 1 || options.batch_commits > kMaxCommitsPerSinkBatch)
    return Status::invalid_argument("--batch-commits: must be 1.." +
                                    std::to_string(kMaxCommitsPerSinkBatch));
  GL_ASSIGN_OR_RETURN(auto ledger, Ledger::open(options.data_dir, {.read_only = true}));
  GL_ASSIGN_OR_RETURN(auto conn, PgConnection::connect(options.dsn));
  GL_RETURN_IF_ERROR(create_schema(*conn));
  GL_ASSIGN_OR_RETURN(std::vector<SchemaDrift> drift, schema_drift(*conn));
  if (!drift.empty())
    return Status::conflict(
        "the sink's tables were altered (" + drift.front().describe() +
        (drift.size() > 1 ? ", and " + std::to_string(drift.size() - 1) + " more" : "") +
        "); `grantledger sink verify` lists every difference (spec/POSTGRES.md, \"Schema drift\")");
  GL_RETURN_IF_ERROR(init_position(*conn, ledger->origin()));
  SinkProgress progress;
  while (!stopping(options)) {
    GL_ASSIGN_OR_RETURN(uint64_t applied, apply_batch(*conn, *ledger, options, &progress));
    if (applied > 0) continue;
    if (!options.follow) break;
    // Caught up: wait, then look again through a new read-only open (which sees the commits made
    // durable since).
    for (uint32_t waited = 0; waited < options.poll_ms && !stopping(options); waited += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stopping(options)) break;
    ledger.reset();
    GL_ASSIGN_OR_RETURN(ledger, Ledger::open(options.data_dir, {.read_only = true}));
  }
  return progress;
}

Status create_readonly_role(const std::string& dsn, const std::string& name) {
  if (name.empty()) return Status::invalid_argument("--create-readonly-role: empty role name");
  GL_ASSIGN_OR_RETURN(auto conn, PgConnection::connect(dsn));
  GL_RETURN_IF_ERROR(create_schema(*conn));
  GL_ASSIGN_OR_RETURN(PgRows exists,
                      conn->query("SELECT 1 FROM pg_roles WHERE rolname = $1", {name}));
  if (!exists.rows.empty())
    return Status::conflict("--create-readonly-role: role " + name + " already exists");
  GL_ASSIGN_OR_RETURN(PgRows schema, conn->query("SELECT current_schema()"));
  if (schema.rows.empty() || !schema.rows[0][0])
    return Status::io_error("PostgreSQL: no current schema");
  // Identifiers cannot be statement parameters; libpq quotes them (PQescapeIdentifier).
  GL_ASSIGN_OR_RETURN(std::string role, conn->quote_identifier(name));
  GL_ASSIGN_OR_RETURN(std::string schema_name, conn->quote_identifier(*schema.rows[0][0]));
  PgTransaction tx(*conn);
  GL_RETURN_IF_ERROR(tx.begin());
  GL_RETURN_IF_ERROR(conn->exec("CREATE ROLE " + role + " NOLOGIN"));
  GL_RETURN_IF_ERROR(conn->exec("GRANT USAGE ON SCHEMA " + schema_name + " TO " + role));
  GL_RETURN_IF_ERROR(
      conn->exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema_name + " TO " + role));
  GL_RETURN_IF_ERROR(conn->exec("ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema_name +
                                " GRANT SELECT ON TABLES TO " + role));
  return tx.commit();
}

}  // namespace grantledger::sink
