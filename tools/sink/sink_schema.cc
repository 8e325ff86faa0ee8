#include "tools/sink/sink_schema.h"

#include <map>

namespace grantledger::sink {

namespace {
constexpr bool kNull = true, kNotNull = false;
// Held while the schema is created (pg_advisory_xact_lock): an arbitrary constant, "gl-sink".
constexpr const char* kSchemaLockKey = "7453920471";
}  // namespace

const std::vector<SinkTable>& sink_tables() {
  static const std::vector<SinkTable> tables = {
      {"schema_version",
       {{"version", "integer", kNotNull}, {"created_at", "timestamp with time zone", kNotNull}},
       "version"},
      {"sink_state",
       {{"singleton", "boolean", kNotNull},
        {"origin", "text", kNotNull},
        {"applied_commits", "bigint", kNotNull},
        {"tree_size", "bigint", kNotNull},
        {"tree_root", "text", kNotNull},
        {"last_commit_hash", "text", kNotNull},
        {"updated_at", "timestamp with time zone", kNotNull}},
       "singleton"},
      {"commits",
       {{"sequence", "bigint", kNotNull},
        {"first_event_index", "bigint", kNotNull},
        {"event_count", "integer", kNotNull},
        {"recorded_at", "timestamp with time zone", kNotNull},
        {"recorded_at_ns", "bigint", kNotNull},
        {"commit_hash", "text", kNotNull}},
       "sequence"},
      {"postings",
       {{"event_index", "bigint", kNotNull},
        {"ordinal", "integer", kNotNull},
        {"commit_sequence", "bigint", kNotNull},
        {"effective_date", "date", kNotNull},
        {"event_type", "text", kNotNull},
        {"account", "text", kNotNull},
        {"amount_ore", "bigint", kNotNull}},
       "event_index, ordinal"},
      {"accounts",
       {{"account", "text", kNotNull},
        {"kind", "text", kNotNull},
        {"programme_code", "text", kNull},
        {"entity_code", "text", kNull},
        {"balance_ore", "bigint", kNotNull},
        {"postings", "bigint", kNotNull}},
       "account"},
      {"balances_by_day",
       {{"measure", "text", kNotNull},
        {"effective_date", "date", kNotNull},
        {"amount_ore", "bigint", kNotNull},
        {"count", "bigint", kNotNull}},
       "measure, effective_date"},
      {"entities",
       {{"code", "text", kNotNull},
        {"kind", "text", kNotNull},
        {"name", "text", kNotNull},
        {"parent_code", "text", kNull},
        {"registered_on", "date", kNotNull},
        {"event_index", "bigint", kNotNull}},
       "code"},
      {"programmes",
       {{"code", "text", kNotNull},
        {"name", "text", kNotNull},
        {"parent_code", "text", kNull},
        {"total_ore", "bigint", kNotNull},
        {"theme", "text", kNull},
        {"programme_kind", "text", kNull},
        {"sector_part", "text", kNull},
        {"created_on", "date", kNotNull},
        {"event_index", "bigint", kNotNull}},
       "code"},
      {"course_payments",
       {{"payment_id", "text", kNotNull},
        {"employer_code", "text", kNotNull},
        {"provider_code", "text", kNotNull},
        {"participant", "text", kNotNull},
        {"course_kind", "text", kNotNull},
        {"module", "text", kNotNull},
        {"course_start_date", "date", kNotNull},
        {"payment_date", "date", kNotNull},
        {"amount_ore", "bigint", kNotNull},
        {"effective_date", "date", kNotNull},
        {"event_index", "bigint", kNotNull},
        {"commit_sequence", "bigint", kNotNull}},
       "payment_id"},
      {"claims",
       {{"claim_id", "text", kNotNull},
        {"employer_code", "text", kNotNull},
        {"programme_code", "text", kNotNull},
        {"payment_id", "text", kNotNull},
        {"amount_ore", "bigint", kNotNull},
        {"state", "text", kNotNull},
        {"reason", "text", kNull},
        {"payment_reference", "text", kNull},
        {"claimed_on", "date", kNotNull},
        {"changed_on", "date", kNotNull},
        {"claim_event", "bigint", kNotNull},
        {"change_event", "bigint", kNotNull}},
       "claim_id"},
      {"claim_changes",
       {{"claim_id", "text", kNotNull},
        {"event_index", "bigint", kNotNull},
        {"commit_sequence", "bigint", kNotNull},
        {"effective_date", "date", kNotNull},
        {"state", "text", kNotNull},
        {"text", "text", kNull}},
       "claim_id, event_index"},
  };
  return tables;
}

Status create_schema(PgConnection& conn) {
  PgTransaction tx(conn);
  GL_RETURN_IF_ERROR(tx.begin());
  GL_RETURN_IF_ERROR(conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kSchemaLockKey}));
  // Table and column names are the constants above, never input.
  for (const SinkTable& t : sink_tables()) {
    std::string ddl = std::string("CREATE TABLE IF NOT EXISTS ") + t.name + " (";
    for (const SinkColumn& c : t.columns)
      ddl += std::string(c.name) + " " + c.type + (c.nullable ? "" : " NOT NULL") + ", ";
    ddl += std::string("PRIMARY KEY (") + t.primary_key + "))";
    GL_RETURN_IF_ERROR(conn.exec(ddl));
  }
  GL_RETURN_IF_ERROR(conn.exec(
      "CREATE INDEX IF NOT EXISTS postings_account_date ON postings (account, effective_date)"));
  GL_RETURN_IF_ERROR(
      conn.exec("CREATE INDEX IF NOT EXISTS claim_changes_date ON claim_changes (effective_date)"));
  GL_ASSIGN_OR_RETURN(PgRows versions,
                      conn.query("SELECT version FROM schema_version ORDER BY version"));
  if (versions.rows.empty()) {
    GL_RETURN_IF_ERROR(
        conn.exec("INSERT INTO schema_version (version, created_at) VALUES ($1, now())",
                  {std::to_string(kSchemaVersion)}));
  } else if (versions.rows.size() != 1 ||
             versions.rows[0][0].value_or("") != std::to_string(kSchemaVersion)) {
    return Status::conflict("the database's schema_version is " +
                            versions.rows.back()[0].value_or("NULL") +
                            ", this grantledger writes version " + std::to_string(kSchemaVersion) +
                            " (spec/POSTGRES.md, \"Schema versions\")");
  }
  return tx.commit();
}

std::string SchemaDrift::describe() const {
  if (column.empty()) return "table " + table + ": " + (found.empty() ? "missing" : found);
  return "table " + table + ", column " + column + ": expected " + expected + ", found " + found;
}

Result<std::vector<SchemaDrift>> schema_drift(PgConnection& conn) {
  GL_ASSIGN_OR_RETURN(
      PgRows rows,
      conn.query(
          "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
          "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"));
  std::map<std::string, std::map<std::string, std::pair<std::string, bool>>>
      found;  // table -> column -> (type, nullable)
  for (const auto& r : rows.rows)
    found[r[0].value_or("")][r[1].value_or("")] = {r[2].value_or(""), r[3].value_or("") == "YES"};
  auto describe = [](const std::string& type, bool nullable) {
    return type + (nullable ? " NULL" : " NOT NULL");
  };
  std::vector<SchemaDrift> drift;
  for (const SinkTable& t : sink_tables()) {
    auto table = found.find(t.name);
    if (table == found.end()) {
      drift.push_back({t.name, "", "present", ""});
      continue;
    }
    std::map<std::string, std::pair<std::string, bool>> columns = table->second;
    for (const SinkColumn& c : t.columns) {
      auto col = columns.find(c.name);
      if (col == columns.end()) {
        drift.push_back({t.name, c.name, describe(c.type, c.nullable), "no such column"});
        continue;
      }
      if (col->second.first != c.type || col->second.second != c.nullable)
        drift.push_back({t.name, c.name, describe(c.type, c.nullable),
                         describe(col->second.first, col->second.second)});
      columns.erase(col);
    }
    for (const auto& [name, extra] : columns)
      drift.push_back({t.name, name, "no such column", describe(extra.first, extra.second)});
  }
  return drift;
}

}  // namespace grantledger::sink
