// ingest_bench: ingest at the machine's limits, beside a SQLite build of the same ledger (issue 16),
// not a test.
//
//   ingest_bench [--events N] [--dir PATH] [--only limits|grantledger|sqlite|audit|queries|rebuild]... [--reuse-demo]
//                [--catch-up-after]
//                [--block-cache-mib N] [--state-cache-entries N]
//
// Prints, in one run:
//   1. the machine's limits: raw synced RocksDB WriteBatch writes (1,000 one-key records of 256
//      bytes per batch, sync=true) in records/s; RFC 6962 leaf + node hashing with one reused
//      Sha256 (ledger/merkle.h) in events/s; Ed25519 verification (ledger/ed25519.h) per event
//      when one signature covers a 1,000-event commit;
//   2. grantledger's ingest: a workload of N events (default 100,000; bench/ingest_workload.h) in
//      JSON-lines files, one signer each, appended the way `grantledger append --data --batch 1000`
//      does, file by file, through the library: read_events_jsonl -> sign_events -> Ledger::append
//      (durable, signed commits) -> projections::Builder::catch_up (projections current);
//   3. the same files through the same parsing and signing into a SQLite build of the same ledger
//      (bench/ingest_sqlite.h), one transaction per commit;
//   4. on the ledger grantledger ingested: the full audit (`grantledger audit --data`: every hash,
//      signature, rule, index and projection, 2 threads) and the projection rebuild
//      (`grantledger projections rebuild`), in events/s of the whole log; and the latency of two
//      queries as a finance officer runs them (whole `grantledger balance` processes, the binary
//      beside this one; median of 5): balances by municipality now, and as of 2020-12-31;
// with the ratio, and each result as a fraction of the limits. The ledger starts as a small demo
// ledger (tools/demo: entities, keys, the 2019 earmark and its allocations), made before timing.
// --catch-up-after makes grantledger's projections catch up from the log after each append instead
// of following its writer (projections/append_feed.h), as `append` did before. --only runs just the
// named parts (for profiling one of them); --reuse-demo keeps the demo ledger
// PATH/demo of an earlier run (so a profile of one part holds no demo writes). The ledger is opened
// as `append` opens it; --block-cache-mib and --state-cache-entries set what `append`'s flags of
// the same names set.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "bench/ingest_sqlite.h"
#include "bench/ingest_workload.h"
#include "ledger/account.h"
#include "ledger/date.h"
#include "ledger/jsonl_input.h"
#include "tools/audit/audit.h"
#include "tools/audit/audit_source.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "projections/append_feed.h"
#include "projections/builder.h"
#include "tools/demo/reference_data.h"
#include "tools/demo/scenario.h"
#include "tools/signing.h"

using namespace grantledger;
using Clock = std::chrono::steady_clock;

namespace {

// As `append --batch 1000`.
constexpr size_t kEventsPerCommit = 1000;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

[[noreturn]] void fail(const Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.to_string().c_str());
  std::exit(1);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct Limits {
  double rocksdb_records_per_s = 0;
  double hash_events_per_s = 0;
  double verify_us_per_event = 0;  // at 1,000 events per signature
};

Limits measure_limits(const std::string& dir) {
  Limits l;
  {  // Raw synced RocksDB batches.
    std::filesystem::remove_all(dir);
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
    if (!s.ok()) fail(Status::io_error(s.ToString()), "rocksdb limit");
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const std::string value(256, 'v');
    const int batches = 200;
    auto t0 = Clock::now();
    uint64_t key = 0;
    for (int b = 0; b < batches; ++b) {
      rocksdb::WriteBatch batch;
      for (int i = 0; i < 1000; ++i, ++key) {
        char k[8];
        for (int j = 0; j < 8; ++j) k[j] = static_cast<char>(key >> (56 - 8 * j));
        (void)batch.Put(rocksdb::Slice(k, 8), value);
      }
      s = db->Write(sync, &batch);
      if (!s.ok()) fail(Status::io_error(s.ToString()), "rocksdb limit");
    }
    l.rocksdb_records_per_s = static_cast<double>(key) / seconds_since(t0);
    db.reset();
    std::filesystem::remove_all(dir);
  }
  {  // Leaf + node hashing with one reused context.
    Sha256 sha;
    const std::string event(256, 'e');
    const int n = 1000000;
    Hash32 acc{};
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      Hash32 leaf = merkle_leaf_hash(sha, event);
      acc = merkle_node_hash(sha, acc, leaf);
    }
    l.hash_events_per_s = n / seconds_since(t0);
    (void)acc;  // the calls update `sha`, an OpenSSL context in another library: they are not elided
  }
  {  // Ed25519 verification.
    PrivateKey key = PrivateKey::generate();
    const std::string message(200, 'm');
    Bytes signature = key.sign(message);
    const int n = 2000;
    int good = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) good += key.public_key().verify(message, signature);
    if (good != n) fail(Status::corruption("verify"), "ed25519 limit");
    l.verify_us_per_event = seconds_since(t0) * 1e6 / n / 1000;
  }
  return l;
}

// What the ingest of one engine reached.
struct Ingest {
  size_t events = 0;
  size_t commits = 0;
  double seconds = 0;
  double read_s = 0, sign_s = 0, append_s = 0, project_s = 0;  // the phases, summed over the files
  size_t fed_files = 0;  // files whose projections were fed by the writer (not caught up from the log)
  double per_s() const { return static_cast<double>(events) / seconds; }
};

Ingest ingest_grantledger(const std::string& dir, const bench::Workload& w, const LedgerOptions& options, bool catch_up_after) {
  auto opened = Ledger::open(dir, options);
  if (!opened) fail(opened.error(), "open");
  Ledger& ledger = **opened;
  std::map<std::string, PrivateKey> keys;
  for (const auto& f : w.files)
    if (!keys.count(f.key_path)) {
      auto k = PrivateKey::load(f.key_path);
      if (!k) fail(k.error(), "key");
      keys.emplace(f.key_path, std::move(k).value());
    }
  Ingest out;
  auto t0 = Clock::now();
  for (const auto& f : w.files) {
    // As `grantledger append --data DIR --key KEY --input FILE` (tools/cmd_append.cc).
    auto t = Clock::now();
    auto events = read_events_jsonl(f.jsonl_path);
    if (!events) fail(events.error(), "read");
    out.read_s += seconds_since(t), t = Clock::now();
    auto submissions = cli::sign_events(*events, kEventsPerCommit, keys.at(f.key_path), ledger.origin(), "", now_utc_ns());
    if (!submissions) fail(submissions.error(), "sign");
    out.sign_s += seconds_since(t), t = Clock::now();
    // The projections follow the writer on their own thread (projections/append_feed.h).
    std::optional<projections::AppendFeed> feed;
    if (!catch_up_after) feed.emplace(ledger);
    auto infos = ledger.append(cli::requests_for(std::move(submissions).value(), *events), feed ? feed->observer() : StagedObserver());
    if (!infos) fail(infos.error(), f.jsonl_path.c_str());
    out.append_s += seconds_since(t), t = Clock::now();
    Status projected = feed ? feed->finish(true) : projections::Builder(ledger).catch_up();
    if (!projected.is_ok()) fail(projected, "projections");
    out.project_s += seconds_since(t);
    out.fed_files += feed && feed->wrote_fed();
    out.events += events->size();
    out.commits += infos->size();
  }
  out.seconds = seconds_since(t0);
  return out;
}

bench::SqliteSeed sqlite_seed(const std::string& demo_dir, const bench::Workload& w) {
  bench::SqliteSeed seed;
  auto opened = Ledger::open(demo_dir);
  if (!opened) fail(opened.error(), "open demo");
  Ledger& ledger = **opened;
  Head head = ledger.head().value();
  for (uint64_t i = 0; i < head.tree_size; ++i) seed.events.push_back(ledger.event(i).value());
  std::set<std::string> key_paths;
  for (const auto& f : w.files) key_paths.insert(f.key_path);
  for (const auto& path : key_paths) {
    auto k = PrivateKey::load(path);
    if (!k) fail(k.error(), "key");
    const KeyState* state = ledger.state().key(k->key_id());
    if (!state) fail(Status::not_found(path), "key not registered");
    seed.keys.push_back({k->public_key().raw(), state->role, state->scope_entity});
  }
  for (const auto& r : demo::csv_rows(demo::municipalities_csv())) {
    seed.entities.push_back({r[0], "employer"});
    for (const Account& a : {Account::available(demo::kSickLeaveEarmark, r[0]), Account::reserved(demo::kSickLeaveEarmark, r[0]),
                             Account::paid(demo::kSickLeaveEarmark, r[0]), Account::course_fees(r[0])})
      seed.balances_ore[a.name()] = ledger.state().balance(a).value;
  }
  for (const auto& r : demo::csv_rows(demo::providers_csv())) {
    seed.entities.push_back({r[0], "provider"});
    Account a = Account::course_income(r[0]);
    seed.balances_ore[a.name()] = ledger.state().balance(a).value;
  }
  return seed;
}

Ingest ingest_sqlite(const std::string& path, const std::string& origin, const bench::SqliteSeed& seed, const bench::Workload& w) {
  auto log_key = std::make_shared<const PrivateKey>(PrivateKey::generate());
  auto created = bench::SqliteLedger::create(path, origin, log_key, seed);
  if (!created) fail(created.error(), "sqlite");
  bench::SqliteLedger& db = **created;
  std::map<std::string, PrivateKey> keys;
  for (const auto& f : w.files)
    if (!keys.count(f.key_path)) keys.emplace(f.key_path, PrivateKey::load(f.key_path).value());
  Ingest out;
  auto t0 = Clock::now();
  for (const auto& f : w.files) {
    auto t = Clock::now();
    auto events = read_events_jsonl(f.jsonl_path);
    if (!events) fail(events.error(), "read");
    out.read_s += seconds_since(t), t = Clock::now();
    auto submissions = cli::sign_events(*events, kEventsPerCommit, keys.at(f.key_path), origin, "", now_utc_ns());
    if (!submissions) fail(submissions.error(), "sign");
    out.sign_s += seconds_since(t), t = Clock::now();
    for (const Submission& s : *submissions) {
      Status st = db.append(s, now_utc_ns());
      if (!st.is_ok()) fail(st, f.jsonl_path.c_str());
      out.events += s.events.size();
      out.commits++;
    }
    out.append_s += seconds_since(t);
  }
  out.seconds = seconds_since(t0);
  return out;
}

uint64_t bytes_under(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

// On the whole log grantledger ingested (PATH/grantledger: demo + workload): the full audit, the
// queries (`cli`: the CLI's path; empty: none) and the projection rebuild.
void audit_and_rebuild(const std::string& dir, const LedgerOptions& ledger_options, const Limits& limits, bool audit, bool rebuild,
                       const std::string& cli) {
  const std::string gl_dir = dir + "/grantledger";
  if ((audit || rebuild || !cli.empty()) && std::filesystem::exists(gl_dir)) {
    uint64_t tree_size = 0;
    {
      auto ledger = Ledger::open(gl_dir, {.read_only = true});
      if (!ledger) fail(ledger.error(), "open");
      tree_size = (*ledger)->head().value().tree_size;
    }
    std::printf("\non the ledger grantledger ingested (%llu events):\n", static_cast<unsigned long long>(tree_size));
    if (audit) {
      auto t = Clock::now();
      auto source = audit::open_ledger_source(gl_dir, std::nullopt);
      if (!source) fail(source.error(), "audit source");
      auto report = audit::run_audit(**source, {.threads = 2});
      if (!report) fail(report.error(), "audit");
      const double s = seconds_since(t);
      if (!report->clean()) fail(Status::corruption("the audit has findings"), "audit");
      std::printf("  audit (2 threads, projections recomputed): %.2f s = %.0f events/s, clean", s, static_cast<double>(tree_size) / s);
      if (limits.hash_events_per_s > 0)
        std::printf("; %.3f of SHA-256, %.4f of Ed25519", static_cast<double>(tree_size) / s / limits.hash_events_per_s,
                    static_cast<double>(tree_size) / s * limits.verify_us_per_event / 1e6);
      std::printf("\n");
    }
    if (!cli.empty()) {
      for (const char* as_of : {"", " --as-of 2020-12-31"}) {
        const std::string command = cli + " balance --data " + gl_dir + " --by municipality --format json" + as_of + " > /dev/null";
        std::vector<double> ms;
        for (int i = 0; i < 5; ++i) {
          auto t = Clock::now();
          if (std::system(command.c_str()) != 0) fail(Status::io_error(command), "query");
          ms.push_back(seconds_since(t) * 1e3);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("  query `balance --by municipality%s` (whole process): %.1f ms median of 5\n", as_of, ms[2]);
      }
    }
    if (rebuild) {
      auto ledger = Ledger::open(gl_dir, ledger_options);
      if (!ledger) fail(ledger.error(), "open");
      auto t = Clock::now();
      Status rebuilt = projections::Builder(**ledger).rebuild();
      if (!rebuilt.is_ok()) fail(rebuilt, "rebuild");
      const double s = seconds_since(t);
      std::printf("  projection rebuild: %.2f s = %.0f events/s", s, static_cast<double>(tree_size) / s);
      if (limits.rocksdb_records_per_s > 0) std::printf("; %.3f of RocksDB", static_cast<double>(tree_size) / s / limits.rocksdb_records_per_s);
      std::printf("\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t events = 100000;
  std::string dir = (std::filesystem::temp_directory_path() / "grantledger-ingest-bench").string();
  std::set<std::string> only;
  bool reuse = false, catch_up_after = false;
  LedgerOptions ledger_options;  // as `append` opens it, unless the two flags below say otherwise
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) events = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only.insert(argv[++i]);
    else if (!std::strcmp(argv[i], "--reuse-demo")) reuse = true;
    else if (!std::strcmp(argv[i], "--catch-up-after")) catch_up_after = true;
    else if (!std::strcmp(argv[i], "--block-cache-mib") && i + 1 < argc) ledger_options.block_cache_mib = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--state-cache-entries") && i + 1 < argc) ledger_options.state_cache_entries = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: ingest_bench [--events N] [--dir PATH] [--only limits|grantledger|sqlite|audit|queries|rebuild]... [--reuse-demo] [--catch-up-after]\n"
                   "                    [--block-cache-mib N] [--state-cache-entries N]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  // The CLI built beside this bench (queries); empty when it is not there.
  std::string cli = (std::filesystem::path(argv[0]).parent_path() / "grantledger").string();
  if (!std::filesystem::exists(cli)) cli.clear();
  auto runs = [&](const char* part) { return only.empty() || only.count(part); };
  std::printf("load average at start: %s\n", load_average().c_str());
  Limits limits;
  if (runs("limits")) {
    limits = measure_limits(dir + "/limits-rocksdb");
    std::printf("\nlimits of this machine:\n");
    std::printf("  RocksDB synced WriteBatch, 1,000 one-key records (256 B) per batch: %.0f records/s\n", limits.rocksdb_records_per_s);
    std::printf("  SHA-256 leaf + node hashing (RFC 6962, reused context, 256-byte events): %.0f events/s\n", limits.hash_events_per_s);
    std::printf("  Ed25519 verification, one per 1,000-event commit: %.3f us/event (%.0f events/s)\n", limits.verify_us_per_event,
                1e6 / limits.verify_us_per_event);
  }
  if (!runs("grantledger") && !runs("sqlite")) {
    audit_and_rebuild(dir, ledger_options, limits, runs("audit"), runs("rebuild"), runs("queries") ? cli : "");
    return 0;
  }

  // The demo ledger and the workload, before any timing.
  const std::string demo_dir = dir + "/demo", work_dir = dir + "/workload", gl_dir = dir + "/grantledger",
                    sqlite_path = dir + "/sqlite.db";
  std::filesystem::remove_all(work_dir);
  if (!reuse || !std::filesystem::exists(demo_dir)) {
    std::filesystem::remove_all(demo_dir);
    std::ostringstream demo_log;
    auto demo = demo::run_demo(demo_dir, {.seed = 20122013, .course_payments = 100}, demo_log);
    if (!demo) fail(demo.error(), "demo");
    // Its projections too, so the timed catch-ups apply only the workload's commits.
    auto ledger = Ledger::open(demo_dir);
    if (!ledger) fail(ledger.error(), "open demo");
    Status projected = projections::Builder(**ledger).catch_up();
    if (!projected.is_ok()) fail(projected, "demo projections");
  }
  uint64_t base_tree_size = 0;
  std::string origin;
  std::map<std::string, int64_t> available;
  {
    auto ledger = Ledger::open(demo_dir);
    if (!ledger) fail(ledger.error(), "open demo");
    base_tree_size = (*ledger)->head().value().tree_size;
    origin = (*ledger)->origin();
    for (const auto& r : demo::csv_rows(demo::municipalities_csv())) {
      Ore a = (*ledger)->state().balance(Account::available(demo::kSickLeaveEarmark, r[0]));
      if (a.value > 0) available[r[0]] = a.value;
    }
  }
  auto workload = bench::write_workload(demo_dir, base_tree_size, work_dir, events, 16, available);
  if (!workload) fail(workload.error(), "workload");
  const bench::Workload& w = *workload;
  uint64_t jsonl_bytes = 0;
  for (const auto& f : w.files) jsonl_bytes += std::filesystem::file_size(f.jsonl_path);
  std::printf("\nworkload: %zu events in %zu JSON-lines files (%.1f MB), %zu signers, on a demo ledger of %llu events:\n"
              "  %zu course payments, %zu claims, %zu approvals, %zu rejections, %zu payouts, %zu reversals\n",
              w.events, w.files.size(), static_cast<double>(jsonl_bytes) / 1e6, w.signers,
              static_cast<unsigned long long>(base_tree_size), w.payments, w.claims, w.approvals, w.rejections, w.payouts, w.reversals);

  Ingest gl, sq;
  if (runs("grantledger")) {
    std::filesystem::remove_all(gl_dir);
    std::filesystem::copy(demo_dir, gl_dir, std::filesystem::copy_options::recursive);
    const uint64_t before = bytes_under(gl_dir);
    gl = ingest_grantledger(gl_dir, w, ledger_options, catch_up_after);
    std::printf("\ngrantledger: %zu events in %zu commits in %.2f s = %.0f events/s (durable, signed, projected), %.0f bytes on disk/event\n",
                gl.events, gl.commits, gl.seconds, gl.per_s(), static_cast<double>(bytes_under(gl_dir) - before) / static_cast<double>(gl.events));
  }
  if (runs("sqlite")) {
    std::filesystem::remove(sqlite_path);
    std::filesystem::remove(sqlite_path + "-wal");
    std::filesystem::remove(sqlite_path + "-shm");
    bench::SqliteSeed seed = sqlite_seed(demo_dir, w);
    sq = ingest_sqlite(sqlite_path, origin, seed, w);
    std::printf("SQLite:      %zu events in %zu commits in %.2f s = %.0f events/s (WAL, synchronous=FULL, one transaction per commit)\n",
                sq.events, sq.commits, sq.seconds, sq.per_s());
  }
  for (const auto& [name, r] : {std::pair<const char*, const Ingest*>{"grantledger", &gl}, {"SQLite", &sq}})
    if (r->events)
      std::printf("  %-11s phases: read JSONL %.2f s, sign %.2f s, append %.2f s, projections %.2f s\n", name, r->read_s, r->sign_s,
                  r->append_s, r->project_s);
  if (gl.events)
    std::printf("  grantledger's projections were fed by its writer for %zu of %zu files (the rest caught up from the log)\n",
                gl.fed_files, w.files.size());
  if (gl.events && sq.events) std::printf("ratio grantledger / SQLite: %.2fx\n", gl.per_s() / sq.per_s());
  if (limits.rocksdb_records_per_s > 0) {
    std::printf("\nas a fraction of the limits (records/s, hashing events/s, verification events/s):\n");
    for (const auto& [name, r] : {std::pair<const char*, const Ingest*>{"grantledger", &gl}, {"SQLite", &sq}}) {
      if (!r->events) continue;
      std::printf("  %-11s %.3f of RocksDB, %.3f of SHA-256, %.4f of Ed25519\n", name, r->per_s() / limits.rocksdb_records_per_s,
                  r->per_s() / limits.hash_events_per_s, r->per_s() * limits.verify_us_per_event / 1e6);
    }
  }
  audit_and_rebuild(dir, ledger_options, limits, runs("audit"), runs("rebuild"), runs("queries") ? cli : "");
  std::printf("\nload average at end: %s\n", load_average().c_str());
  return 0;
}
