#include "tools/reconcile/reconciliation.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "ledger/canonical.h"
#include "ledger/date.h"
#include "ledger/log_reader.h"
#include "ledger/sha256.h"
#include "tools/reconcile/camt053.h"
#include "tools/reconcile/run_lock.h"

namespace grantledger::reconcile {

namespace {

// A file written beside its final path and renamed into place: readers see the old file or
// the whole new one. Created up front so an unwritable path fails before anything is recorded.
class AtomicFile {
 public:
  static Result<std::unique_ptr<AtomicFile>> create(const std::string& path) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::invalid_argument("--report " + path + ": cannot write " + tmp + ": " + std::strerror(errno));
    return std::unique_ptr<AtomicFile>(new AtomicFile(path, tmp, fd));
  }
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  Status commit(const std::string& content) {
    size_t done = 0;
    while (done < content.size()) {
      ssize_t n = ::write(fd_, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::io_error("write " + tmp_ + ": " + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd_) != 0) return Status::io_error("fsync " + tmp_ + ": " + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) return Status::io_error("rename " + tmp_ + ": " + std::strerror(errno));
    committed_ = true;
    return Status::ok();
  }

 private:
  AtomicFile(std::string path, std::string tmp, int fd) : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  std::string path_, tmp_;
  int fd_;
  bool committed_ = false;
};

// Opens the ledger read-write, waiting (bounded) while another process holds it.
Result<std::unique_ptr<Ledger>> open_ledger(const std::string& dir, int wait_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto ledger = Ledger::open(dir);
    if (ledger || ledger.error().code() != StatusCode::kConflict || std::chrono::steady_clock::now() >= deadline)
      return ledger;
    spdlog::info("reconcile waiting dir={} reason=ledger_in_use", dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The ledger in a directory: the run lock held from connecting to the end of the run, the
// ledger opened read-write when the run first reads it (spec/RECONCILIATION.md, "Lock and
// concurrency").
class DirectoryTarget : public ReconcileTarget {
 public:
  DirectoryTarget(std::unique_ptr<RunLock> lock, std::string dir, int wait_ms, std::shared_ptr<const PrivateKey> signer)
      : lock_(std::move(lock)), dir_(std::move(dir)), wait_ms_(wait_ms), signer_(std::move(signer)) {}

  Result<LedgerView> read_view() override {
    if (!ledger_) {
      GL_ASSIGN_OR_RETURN(ledger_, open_ledger(dir_, wait_ms_));
      target_ = std::make_unique<LedgerTarget>(*ledger_, signer_);
    }
    return target_->read_view();
  }
  Result<CommitInfo> record(Bytes event, const std::string& idempotency_key, const std::string& label) override {
    GL_ASSERT(target_ != nullptr);  // reconcile_and_record reads before it records
    return target_->record(std::move(event), idempotency_key, label);
  }

 private:
  std::unique_ptr<RunLock> lock_;
  std::string dir_;
  int wait_ms_;
  std::shared_ptr<const PrivateKey> signer_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<LedgerTarget> target_;
};

}  // namespace

Result<Statement> load_statement(const std::string& path, std::optional<StatementFormat> format, const CsvOptions& csv) {
  std::string name = std::filesystem::path(path).filename().string();
  if (!format) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".xml") {
      format = StatementFormat::kCamt053;
    } else if (ext == ".csv" || ext == ".txt") {
      format = StatementFormat::kCsv;
    } else {
      return Status::invalid_argument(path + ": cannot tell the format from the extension; give --format camt053|csv");
    }
  }
  GL_ASSIGN_OR_RETURN(Bytes bytes, read_statement_file(path));
  if (*format == StatementFormat::kCamt053) return parse_camt053_statement(bytes, name);
  return parse_csv_statement(bytes, name, csv);
}

std::string run_idempotency_key(const Report& report, const Bytes& event_bytes) {
  return "reconcile/" + to_hex(report.statement_sha256) + "/" + format_date(report.options.window_from) + "/" +
         format_date(report.options.window_to) + "/" + to_hex(Sha256().digest(event_bytes)).substr(0, 16);
}

Result<LedgerView> LedgerTarget::read_view() { return read_ledger_view(ledger_); }

Result<CommitInfo> LedgerTarget::record(Bytes event, const std::string& idempotency_key, const std::string& label) {
  CommitRequest request;
  request.signer = signer_;
  request.idempotency_key = idempotency_key;
  request.events.push_back(std::move(event));
  request.event_labels.push_back(label);
  GL_ASSIGN_OR_RETURN(std::vector<CommitInfo> infos, ledger_.append({std::move(request)}));
  return infos.at(0);
}

Result<Report> reconcile_and_record(ReconcileTarget& target, const Statement& statement, const MatchOptions& options) {
  if (options.window_from > options.window_to)
    return Status::invalid_argument("--from " + format_date(options.window_from) + " is after --to " + format_date(options.window_to));
  if (options.tolerance_days > kMaxToleranceDays)
    return Status::invalid_argument("--date-tolerance: at most " + std::to_string(kMaxToleranceDays) + " days");
  auto t0 = std::chrono::steady_clock::now();
  GL_ASSIGN_OR_RETURN(LedgerView view, target.read_view());
  auto t1 = std::chrono::steady_clock::now();
  GL_ASSIGN_OR_RETURN(Report report, build_report(statement, view, match(view.disbursements, statement.entries, options), options));
  auto t2 = std::chrono::steady_clock::now();
  spdlog::info("reconcile read_ledger_ms={} match_ms={} disbursements={} entries={}",
               std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count(),
               std::chrono::duration_cast<std::chrono::milliseconds>(t2 - t1).count(), view.disbursements.size(),
               statement.entries.size());

  Bytes event = reconciliation_event(report);
  for (const RecordedRun& run : view.runs) {
    if (run.event_bytes != event) continue;
    // The same statement, window and result is in the log already: nothing new to record.
    report.already_recorded = true;
    report.recorded_event_index = run.event_index;
    report.recorded_commit_sequence = run.commit_sequence;
    return report;
  }
  const std::string key = run_idempotency_key(report, event);
  GL_ASSIGN_OR_RETURN(CommitInfo info, target.record(std::move(event), key, "reconciliation of " + statement.name));
  report.already_recorded = info.replayed;
  report.recorded_event_index = info.first_event_index;
  report.recorded_commit_sequence = info.sequence;
  return report;
}

Result<Report> reconcile_and_record(Ledger& ledger, const Statement& statement, const MatchOptions& options,
                                    std::shared_ptr<const PrivateKey> signer) {
  LedgerTarget target(ledger, std::move(signer));
  return reconcile_and_record(target, statement, options);
}

Result<Report> run_reconciliation(const ReconcileRequest& r, const Connect& connect) {
  // Every input first: nothing is locked, opened or written until they all check out.
  if (r.match.window_from > r.match.window_to)
    return Status::invalid_argument("--from " + format_date(r.match.window_from) + " is after --to " + format_date(r.match.window_to));
  GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(r.key_path));
  GL_ASSIGN_OR_RETURN(Statement statement, load_statement(r.statement_path, r.format, r.csv));
  GL_ASSIGN_OR_RETURN(std::unique_ptr<ReconcileTarget> target, connect(std::make_shared<const PrivateKey>(std::move(key))));
  std::unique_ptr<AtomicFile> report_file;
  if (!r.report_path.empty()) {
    GL_ASSIGN_OR_RETURN(report_file, AtomicFile::create(r.report_path));
  }
  GL_ASSIGN_OR_RETURN(Report report, reconcile_and_record(*target, statement, r.match));
  if (report_file) GL_RETURN_IF_ERROR(report_file->commit(report_to_json(report).dump(2) + "\n"));
  return report;
}

Result<Report> run_reconciliation(const ReconcileRequest& r) {
  return run_reconciliation(r, [&r](std::shared_ptr<const PrivateKey> key) -> Result<std::unique_ptr<ReconcileTarget>> {
    GL_ASSIGN_OR_RETURN(std::unique_ptr<RunLock> lock, RunLock::acquire(r.data_dir));
    return std::unique_ptr<ReconcileTarget>(new DirectoryTarget(std::move(lock), r.data_dir, r.open_wait_ms, std::move(key)));
  });
}

Result<std::vector<RecordedRun>> reconciliation_history(Ledger& ledger) {
  // One snapshot; every event checked against its commit's leaf hash, every commit against the chain.
  GL_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, LogReader::open(ledger));
  std::vector<RecordedRun> runs;
  while (true) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* commit, reader->next_commit());
    if (!commit) break;
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* e, reader->next_event());
      if (!e) break;
      auto event = e->event();
      if (event.getBody().which() != schema::Event::Body::RECONCILIATION_RECORDED) continue;
      auto rec = event.getBody().getReconciliationRecorded();
      if (rec.getStatementSha256().size() != 32)
        return Status::corruption("event " + std::to_string(e->index) + ": reconciliation without a 32-byte statement hash");
      RecordedRun run = decode_run(rec);
      run.event_index = e->index;
      run.commit_sequence = commit->info.sequence;
      run.recorded_at_ns = commit->info.recorded_at_ns;
      run.signer_key_id = commit->info.signer_key_id;
      run.event_bytes = e->bytes;
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

}  // namespace grantledger::reconcile
