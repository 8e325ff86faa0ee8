// PgConnection: one libpq connection (Debian's libpq) with the few operations the sink needs:
// parameterised statements, COPY FROM STDIN, and explicit transactions. Values never enter SQL
// text: they travel as statement parameters or as COPY data (spec/POSTGRES.md).
//
// Errors: a DSN libpq cannot parse is invalid_argument; a server that cannot be reached or a
// statement that fails is io_error (a retry may help), with libpq's message and the statement.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/status.h"

struct pg_conn;
struct pg_result;

namespace grantledger::sink {

// A statement parameter: text, or SQL NULL.
using PgParam = std::optional<std::string>;

// A result's rows as text (NULL as nullopt).
struct PgRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  uint64_t affected = 0;  // rows an INSERT / UPDATE / DELETE touched
};

class PgConnection {
 public:
  // Connects to `dsn` (a libpq URI "postgresql://..." or "key=value" string).
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& dsn);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with $1..$n bound to `params` (text format) and returns its rows.
  Result<PgRows> query(const std::string& sql, const std::vector<PgParam>& params = {});
  Status exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // COPY `table_and_columns` FROM STDIN (text format) with `data`: lines of tab-separated fields
  // made with copy_field / copy_null. Returns the rows copied.
  Result<uint64_t> copy_in(const std::string& table_and_columns, const std::string& data);
  // An identifier (a role name) quoted for SQL by libpq (PQescapeIdentifier).
  Result<std::string> quote_identifier(const std::string& name);

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

// Appends one field in COPY text format (backslash escapes for \, tab, newline, CR), preceded
// by a tab unless it is the line's first; end_copy_line ends the line.
void copy_field(std::string* line, bool first, const std::string& value);
void copy_null(std::string* line, bool first);
inline void end_copy_line(std::string* data) { data->push_back('\n'); }

// A transaction: BEGIN on begin(), COMMIT on commit(), ROLLBACK when destroyed uncommitted.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}
  ~PgTransaction();
  Status begin();
  Status commit();

 private:
  PgConnection& conn_;
  bool open_ = false;
};

}  // namespace grantledger::sink
