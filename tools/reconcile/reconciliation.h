// A reconciliation run end to end (spec/RECONCILIATION.md): read and check the statement, take
// the run lock, read the ledger from one snapshot, match, and record the run as a signed
// reconciliation_recorded event, idempotently. `grantledger reconcile` is a thin shell on this.
#pragma once

#include <functional>
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

// Where a run reads the ledger and records itself: the ledger in a directory (DirectoryTarget
// below) or a service (tools/remote_reconcile.h; spec/RECONCILIATION.md, "Against a server").
// Matching, the recorded event, the idempotency key and the report do not depend on which: they
// are reconcile_and_record's, for both.
class ReconcileTarget {
 public:
  virtual ~ReconcileTarget() = default;
  // What reconciliation needs from the ledger, read from one snapshot.
  virtual Result<LedgerView> read_view() = 0;
  // Appends `event` (canonical reconciliation_recorded bytes) as one commit with
  // `idempotency_key`, signed by the run's key; durable before it returns. The commit is
  // `replayed` for an idempotent retry. `label` names the event in a rejection.
  virtual Result<CommitInfo> record(Bytes event, const std::string& idempotency_key, const std::string& label) = 0;
};

// The ledger in `ledger` (opened read-write by the caller), recording signed by `signer`.
class LedgerTarget : public ReconcileTarget {
 public:
  LedgerTarget(Ledger& ledger, std::shared_ptr<const PrivateKey> signer) : ledger_(ledger), signer_(std::move(signer)) {}
  Result<LedgerView> read_view() override;
  Result<CommitInfo> record(Bytes event, const std::string& idempotency_key, const std::string& label) override;

 private:
  Ledger& ledger_;
  std::shared_ptr<const PrivateKey> signer_;
};

// Reconciles `statement` against what `target` reads and records the run there. If an identical
// run (same statement, window, tolerance and result) is already in the log, writes nothing and
// says so in the report. Rejected (rule 3) when the run's key is not an active reconciler key;
// nothing is written then.
Result<Report> reconcile_and_record(ReconcileTarget& target, const Statement& statement, const MatchOptions& options);
// The same on `ledger` (opened read-write), recorded signed by `signer` (a reconciler key).
Result<Report> reconcile_and_record(Ledger& ledger, const Statement& statement, const MatchOptions& options,
                                    std::shared_ptr<const PrivateKey> signer);

struct ReconcileRequest {
  std::string data_dir;  // the ledger of run_reconciliation(request); unused with a Connect
  std::string statement_path;
  std::optional<StatementFormat> format;
  CsvOptions csv;
  MatchOptions match;
  std::string key_path;
  std::string report_path;  // empty: no JSON report file
  int open_wait_ms = kDefaultOpenWaitMs;
};

// The target a run records to, given the run's key (loaded and checked). Called after every
// input checks out and before the report file is created; it must not read or write the ledger
// yet (read_view and record do).
using Connect = std::function<Result<std::unique_ptr<ReconcileTarget>>(std::shared_ptr<const PrivateKey> key)>;

// The whole run as the CLI does it, against `connect`'s target. Every input is checked before the
// ledger is touched; the JSON report is written (atomically, by rename) only after the run is
// recorded. Returns the report whether or not it found discrepancies (Report::clean()).
Result<Report> run_reconciliation(const ReconcileRequest& request, const Connect& connect);
// The same against the ledger in request.data_dir: the run lock (DIR/reconcile.lock) is taken
// before the report file is created, and the ledger is opened read-write (waiting at most
// request.open_wait_ms while another process holds it) when the run reads it.
Result<Report> run_reconciliation(const ReconcileRequest& request);

// Every recorded reconciliation in the log, oldest first (read-only open; safe beside a writer
// process).
Result<std::vector<RecordedRun>> reconciliation_history(Ledger& ledger);

// The idempotency key of a run: "reconcile/<statement sha256>/<from>/<to>/<16 hex of the
// event's hash>", so only an identical result is an idempotent retry.
std::string run_idempotency_key(const Report& report, const Bytes& event_bytes);

}  // namespace grantledger::reconcile
