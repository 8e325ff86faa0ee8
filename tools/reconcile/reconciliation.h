// A reconciliation run end to end (spec/RECONCILIATION.md): read and check the statement, take
// the run lock, read the ledger from one snapshot, match, and record the run as a signed
// reconciliation_recorded event, idempotently. `grantledger reconcile` is a thin shell on this.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ed25519.h"
#include "ledger/ledger.h"
#include "tools/reconcile/csv_statement.h"
#include "tools/reconcile/ledger_view.h"
#include "tools/reconcile/matcher.h"
#include "tools/reconcile/report.h"
#include "tools/reconcile/statement.h"

namespace grantledger::reconcile {

inline constexpr uint32_t kMaxToleranceDays = 31;
// How long a run waits for a ledger another process has open read-write (an append) before it
// gives up with exit 2. Bounded: a nightly job never hangs.
inline constexpr int kDefaultOpenWaitMs = 30000;

// Reads and checks a statement file. `format` nullopt: by extension (.xml camt053, .csv/.txt csv).
Result<Statement> load_statement(const std::string& path, std::optional<StatementFormat> format, const CsvOptions& csv);

// Reconciles `statement` against `ledger` (opened read-write) and records the run signed by
// `signer` (a reconciler key). If an identical run (same statement, window, tolerance and
// result) is already in the log, writes nothing and says so in the report. Rejected (rule 3)
// when `signer` is not an active reconciler key; nothing is written then.
Result<Report> reconcile_and_record(Ledger& ledger, const Statement& statement, const MatchOptions& options,
                                    std::shared_ptr<const PrivateKey> signer);

struct ReconcileRequest {
  std::string data_dir;
  std::string statement_path;
  std::optional<StatementFormat> format;
  CsvOptions csv;
  MatchOptions match;
  std::string key_path;
  std::string report_path;  // empty: no JSON report file
  int open_wait_ms = kDefaultOpenWaitMs;
};

// The whole run as the CLI does it. Every input is checked before the ledger is touched; the
// JSON report is written (atomically, by rename) only after the run is recorded.
// Returns the report whether or not it found discrepancies (Report::clean()).
Result<Report> run_reconciliation(const ReconcileRequest& request);

// Every recorded reconciliation in the log, oldest first (read-only open; safe beside a writer
// process).
Result<std::vector<RecordedRun>> reconciliation_history(Ledger& ledger);

// The idempotency key of a run: "reconcile/<statement sha256>/<from>/<to>/<16 hex of the
// event's hash>", so only an identical result is an idempotent retry.
std::string run_idempotency_key(const Report& report, const Bytes& event_bytes);

}  // namespace grantledger::reconcile
