// The PostgreSQL schema the sink writes (spec/POSTGRES.md, "Tables"): one list of tables and
// columns, from which the DDL is made and against which `sink verify` checks for drift.
#pragma once

#include <string>
#include <vector>

#include "ledger/status.h"
#include "tools/sink/pg_connection.h"

namespace grantledger::sink {

// spec/POSTGRES.md, "Schema versions". Bump it, and write the migration there, when a table or
// column changes.
inline constexpr int kSchemaVersion = 1;

struct SinkColumn {
  const char* name;
  const char* type;  // as information_schema.columns.data_type spells it
  bool nullable;
};

struct SinkTable {
  const char* name;
  std::vector<SinkColumn> columns;
  const char* primary_key;  // column list
};

// Every table of the schema, in the order spec/POSTGRES.md lists them.
const std::vector<SinkTable>& sink_tables();

// Creates the tables, indexes and the schema_version row when absent (in the connection's current
// schema), in one transaction under an advisory lock, so two sinks starting at once create it once.
// conflict when the database holds another schema_version.
Status create_schema(PgConnection& conn);

// One way the database's tables differ from sink_tables(): "table postings: column amount_ore has
// type numeric, expected bigint", "table claims: missing", "table claims: extra column note".
struct SchemaDrift {
  std::string table, column, expected, found;
  std::string describe() const;
};
// The drift of the current schema's tables from sink_tables() (none when equal). Extra tables are
// not drift (a BI user may add their own); extra columns in the sink's tables are.
Result<std::vector<SchemaDrift>> schema_drift(PgConnection& conn);

}  // namespace grantledger::sink
