// The sink's position in the log, stored in the one row of sink_state (spec/POSTGRES.md,
// "sink_state"), and its check against a ledger.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/ledger.h"
#include "tools/sink/pg_connection.h"

namespace grantledger::sink {

struct SinkPosition {
  std::string origin;            // the ledger's origin line
  uint64_t applied_commits = 0;  // commits 0 .. applied_commits - 1 are in the database
  uint64_t tree_size = 0;        // events in them
  std::string tree_root;         // hex SHA-256 Merkle root of those events; empty at 0
  std::string last_commit_hash;  // hex hash of commit applied_commits - 1; empty at 0
};

// Inserts the row for `origin` at position 0 when sink_state is empty; conflict when it is empty
// but the tables hold commits (the position was removed by hand).
Status init_position(PgConnection& conn, const std::string& origin);
// Reads the row (FOR UPDATE when `lock`: inside the batch's transaction). conflict when it is
// missing or malformed.
Result<SinkPosition> read_position(PgConnection& conn, bool lock);
Status write_position(PgConnection& conn, const SinkPosition& position);
// The position after `last` (its tree size and root read from `ledger`).
Result<SinkPosition> position_after(Ledger& ledger, const CommitRecord& last);
// conflict unless `position` is a position of `ledger`'s log: the same origin, a commit count
// within the log, and the commit hash, tree size and root the ledger has there.
Status check_position(Ledger& ledger, const SinkPosition& position);

}  // namespace grantledger::sink
