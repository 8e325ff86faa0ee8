#include "tools/sink/pg_connection.h"

#include <libpq-fe.h>

namespace grantledger::sink {

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The first line of a statement, for an error message.
std::string statement_head(const std::string& sql) {
  std::string head = sql.substr(0, sql.find('\n'));
  return head.size() > 80 ? head.substr(0, 80) + "..." : head;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& dsn) {
  if (dsn.empty())
    return Status::invalid_argument("--dsn: empty (expected postgresql://... or key=value pairs)");
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &parse_error);
  if (options == nullptr) {
    std::string why = trimmed(parse_error ? parse_error : "out of memory");
    PQfreemem(parse_error);
    return Status::invalid_argument("--dsn: not a PostgreSQL connection string: " + why);
  }
  PQconninfoFree(options);
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (conn == nullptr) return Status::io_error("PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::io_error("PostgreSQL: cannot connect (--dsn): " + why);
  }
  std::unique_ptr<PgConnection> out(new PgConnection(conn));
  // Notices (e.g. "relation already exists, skipping") are not for the user's terminal.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  GL_RETURN_IF_ERROR(out->exec("SET client_min_messages = warning"));
  return out;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<PgRows> PgConnection::query(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  ResultPtr r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, 0));
  if (!r) return Status::io_error("PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Status::io_error("PostgreSQL: " + trimmed(PQresultErrorMessage(r.get())) +
                            " (in: " + statement_head(sql) + ")");
  PgRows out;
  int columns = PQnfields(r.get()), rows = PQntuples(r.get());
  for (int c = 0; c < columns; ++c) out.columns.push_back(PQfname(r.get(), c));
  out.rows.reserve(rows);
  for (int i = 0; i < rows; ++i) {
    std::vector<std::optional<std::string>> row;
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r.get(), i, c))
        row.emplace_back();
      else
        row.emplace_back(std::string(PQgetvalue(r.get(), i, c), PQgetlength(r.get(), i, c)));
    }
    out.rows.push_back(std::move(row));
  }
  const char* affected = PQcmdTuples(r.get());
  if (affected && *affected) out.affected = std::stoull(affected);
  return out;
}

Status PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  GL_ASSIGN_OR_RETURN(PgRows ignored, query(sql, params));
  (void)ignored;
  return Status::ok();
}

Result<uint64_t> PgConnection::copy_in(const std::string& table_and_columns,
                                       const std::string& data) {
  std::string sql = "COPY " + table_and_columns + " FROM STDIN";
  ResultPtr r(PQexec(conn_, sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN)
    return Status::io_error("PostgreSQL: " + trimmed(PQerrorMessage(conn_)) + " (in: " + sql + ")");
  if (!data.empty() && PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1)
    return Status::io_error("PostgreSQL: COPY data: " + trimmed(PQerrorMessage(conn_)));
  if (PQputCopyEnd(conn_, nullptr) != 1)
    return Status::io_error("PostgreSQL: COPY end: " + trimmed(PQerrorMessage(conn_)));
  uint64_t copied = 0;
  Status status = Status::ok();
  while (ResultPtr end{PQgetResult(conn_)}) {
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
      if (status.is_ok())
        status = Status::io_error("PostgreSQL: " + trimmed(PQresultErrorMessage(end.get())) +
                                  " (in: " + sql + ")");
    } else if (const char* n = PQcmdTuples(end.get()); n && *n) {
      copied = std::stoull(n);
    }
  }
  GL_RETURN_IF_ERROR(status);
  return copied;
}

Result<std::string> PgConnection::quote_identifier(const std::string& name) {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr)
    return Status::invalid_argument("not a valid SQL identifier: " +
                                    trimmed(PQerrorMessage(conn_)));
  std::string out = quoted;
  PQfreemem(quoted);
  return out;
}

void copy_field(std::string* line, bool first, const std::string& value) {
  if (!first) line->push_back('\t');
  for (char c : value) {
    switch (c) {
      case '\\':
        line->append("\\\\");
        break;
      case '\t':
        line->append("\\t");
        break;
      case '\n':
        line->append("\\n");
        break;
      case '\r':
        line->append("\\r");
        break;
      default:
        line->push_back(c);
    }
  }
}

void copy_null(std::string* line, bool first) {
  if (!first) line->push_back('\t');
  line->append("\\N");
}

PgTransaction::~PgTransaction() {
  if (open_)
    conn_.exec("ROLLBACK").ignore_error();  // the batch is discarded; the error was returned
}

Status PgTransaction::begin() {
  GL_RETURN_IF_ERROR(conn_.exec("BEGIN ISOLATION LEVEL READ COMMITTED"));
  open_ = true;
  return Status::ok();
}

Status PgTransaction::commit() {
  open_ = false;
  return conn_.exec("COMMIT");
}

}  // namespace grantledger::sink
