// kill -9 at random points during `append` and `reconcile` (issue 14): the real CLI as a child
// process, SIGKILL after a seeded random delay, then the ledger is reopened. It must audit clean,
// every commit that was acknowledged (the CLI printed it and exited 0, or a killed run had
// flushed it to stdout) must still be in the log with the same hash, and a retry with the same
// idempotency key must return the acknowledged commit, or write it once if it never was.
//
// CI runs 240 kill points in total (GL_CRASH_POINTS: a third each during appends of one commit,
// appends of several commits, and reconcile); long runs raise it, e.g.
//   GL_CRASH_POINTS=5000 build/grantledger_tests "[crash]"
// and GL_CRASH_SEED=S repeats the delays and batch sizes of a run (its seed is printed). The
// process's timing is not reproducible, so a repeated seed kills at the same offsets, not
// necessarily at the same instruction.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

#include "tests/reconcile/reconcile_world.h"
#include "tests/robustness/child_process.h"
#include "tests/robustness/run_budget.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// Kill points per ledger: a chain of kills on one ledger (each reopening what the previous one
// left, WAL recovery included) before a fresh ledger starts, so long runs do not grow one log.
constexpr uint64_t kPointsPerLedger = 60;

// A commit as the CLI acknowledged it or the log lists it.
struct CommitSeen {
  uint64_t sequence = 0;
  std::string hash;
  bool operator==(const CommitSeen&) const = default;
};

// `committed ...` / `already recorded ...` lines of an append's stdout (complete lines only).
struct AppendLine {
  bool replayed = false;
  CommitSeen commit;
};
std::vector<AppendLine> append_lines(const std::string& out) {
  static const std::regex line(
      R"((committed|already recorded) seq=(\d+) events=\d+\.\.\d+ recorded_at=\S+ hash=([0-9a-f]{64}))");
  std::vector<AppendLine> lines;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l)) {
    if (in.eof()) break;  // no newline: a line cut short by the kill
    std::smatch m;
    if (std::regex_match(l, m, line))
      lines.push_back({m[1] == "already recorded", {std::stoull(m[2]), m[3]}});
  }
  return lines;
}

// `grantledger log --format json`: idempotency key -> commits with that key (more than one is a
// duplicate write), and sequence -> hash.
struct LogView {
  std::map<std::string, std::vector<CommitSeen>> by_key;
  std::map<uint64_t, std::string> hash_of;
};
LogView read_log(const TempDir& tmp, const std::string& dir) {
  auto r = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"});
  INFO("log: exit " << r.exit_code << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  LogView v;
  std::istringstream in(r.out);
  std::string l;
  while (std::getline(in, l)) {
    auto j = nlohmann::json::parse(l);
    CommitSeen c{j.at("sequence").get<uint64_t>(), j.at("commit_hash").get<std::string>()};
    v.by_key[j.at("idempotency_key").get<std::string>()].push_back(c);
    v.hash_of[c.sequence] = c.hash;
  }
  return v;
}

// Everything acknowledged so far is in the log with its hash, and no key was written twice.
void check_acknowledged(const LogView& log, const std::map<std::string, CommitSeen>& acknowledged) {
  for (const auto& [key, seen] : acknowledged) {
    INFO("acknowledged commit seq=" << seen.sequence << " hash=" << seen.hash << " idempotency key "
                                    << key);
    auto it = log.by_key.find(key);
    REQUIRE(it != log.by_key.end());
    REQUIRE(it->second.size() == 1);
    CHECK(it->second.front() == seen);
  }
  for (const auto& [key, commits] : log.by_key) {
    INFO("idempotency key '" << key << "'");
    if (!key.empty()) CHECK(commits.size() == 1);
  }
}

// The full audit also recomputes every projection in a scratch database, which costs several
// times an audit without (more on a loaded machine): it runs at every fourth kill point and at
// the end of every ledger, `audit --no-projections` at the others.
bool full_audit(uint64_t kill_point) { return kill_point % 4 == 3; }

// After a kill: `audit --data DIR` (exit 0, clean) and the log, side by side (both open
// read-only).
LogView audit_and_log(const TempDir& tmp, const std::string& dir, bool with_projections = true) {
  std::vector<std::string> args{"audit", "--data", dir};
  if (!with_projections) args.push_back("--no-projections");
  ChildProcess audit(args, tmp / "audit.out", tmp / "audit.err");
  LogView log = read_log(tmp, dir);
  ChildOutcome a = audit.wait();
  INFO("audit: " << a.describe());
  REQUIRE(a.exit_code == 0);
  return log;
}

// Runs `f`, adding its wall time to `*seconds`.
template <typename F>
auto timed(double* seconds, F&& f) {
  struct Add {
    double* seconds;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    ~Add() {
      *seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } add{seconds};
  return f();
}

// What the kill points found: killed before the commit was durable (the retry wrote it), after
// (the retry found it), or the run had already ended on its own; and where the time went.
struct Tally {
  uint64_t before_durable = 0, after_durable = 0, completed = 0;
  double killed_runs_s = 0, checks_s = 0, retries_s = 0;

  // A kill point: a run that ended on its own, or a killed one retried now (`retry` returns
  // whether the retry found the commit already recorded) or at the end of the ledger (`defer`).
  template <typename Retry, typename Defer>
  void count(const ChildOutcome& o, bool retry_now, Retry&& retry, Defer&& defer) {
    if (!o.killed) {
      ++completed;
    } else if (retry_now) {
      settle(retry);
    } else {
      defer();
    }
  }
  template <typename Retry>
  void settle(Retry&& retry) {
    (timed(&retries_s, retry) ? after_durable : before_durable) += 1;
  }
  void print(const std::string& what) const {
    std::cerr << what << ": killed before durable " << before_durable << ", killed after durable "
              << after_durable << ", completed before the kill " << completed
              << "; seconds in killed runs " << killed_runs_s << ", audit and log " << checks_s
              << ", retries " << retries_s << "\n";
  }
};

// One append: its input file, idempotency key and batch size, so a retry repeats it exactly.
struct AppendJob {
  std::string key, input;
  size_t events = 0, batch = 0;
  size_t commits() const { return (events + batch - 1) / batch; }
  std::string commit_key(size_t i) const {
    return commits() == 1 ? key : key + "/" + std::to_string(i + 1);
  }
};

struct AppendChain {
  TempDir tmp;
  std::string dir = tmp / "ledger", admin = tmp / "admin.pem";
  std::map<std::string, CommitSeen> acknowledged;  // by commit idempotency key
  int next_job = 0;
  int next_code = 0;

  AppendChain() {
    REQUIRE(run_cli(tmp, {"keygen", "--out", tmp / "admin"}).exit_code == 0);
    auto init =
        run_cli(tmp, {"init", "--data", dir, "--admin-key", admin, "--origin", "test.local/crash"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }

  // `events` new providers, in commits of at most `batch`.
  AppendJob job(size_t events, size_t batch) {
    AppendJob j{"job-" + std::to_string(++next_job),
                tmp / ("job-" + std::to_string(next_job) + ".jsonl"), events, batch};
    std::ofstream f(j.input);
    for (size_t i = 0; i < events; ++i) {
      std::string code = "p" + std::to_string(++next_code);
      f << nlohmann::json{{"type", "entity_registered"},
                          {"effective_date", "2012-01-01"},
                          {"kind", "provider"},
                          {"code", code},
                          {"name", "Kursusudbyder " + code}}
               .dump()
        << "\n";
    }
    return j;
  }
  std::vector<std::string> args(const AppendJob& j) const {
    return {"append",
            "--data",
            dir,
            "--key",
            admin,
            "--input",
            j.input,
            "--batch",
            std::to_string(j.batch),
            "--idempotency-key",
            j.key};
  }
  // Records the lines of a run that exited 0 (or that a killed run flushed) as acknowledged.
  void acknowledge(const AppendJob& j, const std::vector<AppendLine>& lines) {
    for (size_t i = 0; i < lines.size(); ++i) {
      auto [it, fresh] = acknowledged.emplace(j.commit_key(i), lines[i].commit);
      INFO("commit " << j.commit_key(i) << " acknowledged as seq=" << it->second.sequence
                     << " hash=" << it->second.hash << ", now as seq=" << lines[i].commit.sequence
                     << " hash=" << lines[i].commit.hash);
      CHECK(it->second == lines[i].commit);
    }
  }
  // Runs `j` to its end: it must succeed and print one line per commit.
  std::vector<AppendLine> run(const AppendJob& j) {
    ChildProcess child(args(j), tmp / "run.out", tmp / "run.err");
    ChildOutcome o = child.wait();
    INFO(o.describe());
    REQUIRE(o.exit_code == 0);
    auto lines = append_lines(o.out);
    REQUIRE(lines.size() == j.commits());
    acknowledge(j, lines);
    return lines;
  }
  // The retry after a kill: the acknowledged commits again, or all commits written at once.
  // Returns whether the killed run had made them durable.
  bool retry(const AppendJob& j) {
    bool was_acknowledged = acknowledged.count(j.commit_key(0)) > 0;
    auto lines = run(j);
    bool replayed = lines.front().replayed;
    for (const auto& l : lines) CHECK(l.replayed == replayed);  // all or nothing
    if (was_acknowledged) CHECK(replayed);
    return replayed;
  }
};

struct ReconcileChain {
  ReconcileWorld w{false};
  std::map<int, std::pair<uint64_t, uint64_t>> acknowledged;  // trial -> (event index, commit)
  std::map<int, std::string> acknowledged_hash;               // trial -> commit hash
  ReconcileChain() { w.close(); }

  // A clean December statement; the credit line (skipped by the matcher) makes its bytes, and so
  // the recorded event, differ per trial.
  std::string statement(int trial) {
    auto lines = w.clean_lines();
    lines.push_back({"CREDIT-" + std::to_string(trial), "2013-12-06", 1000 + trial,
                     "INDBETALING-" + std::to_string(trial), "Statens Administration"});
    return trial % 2 ? w.write_csv("s" + std::to_string(trial) + ".csv", lines)
                     : w.write_camt("s" + std::to_string(trial) + ".xml", lines);
  }
  std::string report(int trial) const { return w.tmp / ("r" + std::to_string(trial) + ".json"); }
  std::vector<std::string> args(int trial) {
    return {"reconcile",      "--data",     w.dir,  "--statement", statement(trial),
            "--from",         "2013-12-01", "--to", "2013-12-31",  "--key",
            w.reconciler_pem, "--wait",     "5",    "--report",    report(trial)};
  }
  // `recorded: event N in commit S` or `already recorded: ...`; nullopt if absent.
  static std::optional<std::tuple<bool, uint64_t, uint64_t>> recorded(const std::string& out) {
    static const std::regex line(R"((already recorded|recorded): event (\d+) in commit (\d+))");
    std::smatch m;
    if (!std::regex_search(out, m, line) || out.find('\n', m.position(0)) == std::string::npos)
      return std::nullopt;
    return std::make_tuple(m[1] == "already recorded", std::stoull(m[2]), std::stoull(m[3]));
  }
  void acknowledge(int trial, uint64_t event, uint64_t commit) {
    auto [it, fresh] = acknowledged.emplace(trial, std::make_pair(event, commit));
    INFO("trial " << trial << " acknowledged as event " << it->second.first << " in commit "
                  << it->second.second << ", now as event " << event << " in commit " << commit);
    CHECK(it->second == std::make_pair(event, commit));
  }
  // Runs trial `t` to its end (exit 0, clean) and records it; returns whether it was replayed.
  bool run(int t) {
    ChildProcess child(args(t), w.tmp / "run.out", w.tmp / "run.err");
    ChildOutcome o = child.wait();
    INFO(o.describe());
    REQUIRE(o.exit_code == 0);
    auto rec = recorded(o.out);
    REQUIRE(rec.has_value());
    bool was_acknowledged = acknowledged.count(t) > 0;
    if (was_acknowledged) CHECK(std::get<0>(*rec));
    acknowledge(t, std::get<1>(*rec), std::get<2>(*rec));
    REQUIRE(nlohmann::json::accept(read_file(report(t))));
    return std::get<0>(*rec);
  }
  // Every acknowledged run is still its commit, with the hash it had when first seen.
  void check(const LogView& log) {
    for (const auto& [t, pos] : acknowledged) {
      INFO("reconciliation trial " << t << " acknowledged in commit " << pos.second);
      auto it = log.hash_of.find(pos.second);
      REQUIRE(it != log.hash_of.end());
      auto [h, fresh] = acknowledged_hash.emplace(t, it->second);
      CHECK(h->second == it->second);
    }
    for (const auto& [key, commits] : log.by_key) {
      INFO("idempotency key '" << key << "'");
      if (key.rfind("reconcile/", 0) == 0) CHECK(commits.size() == 1);
    }
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A kill delay for a run that takes about `run_s` when left alone: half of them uniform over
// [0, 1.3 run_s], half over [0.6, 1.1] run_s, where the commit becomes durable and is
// acknowledged (a short window: uniform delays alone rarely land in it).
int64_t kill_delay_us(std::mt19937_64& rng, double run_s) {
  const bool late = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
  const double f = late ? std::uniform_real_distribution<double>(0.6, 1.1)(rng)
                        : std::uniform_real_distribution<double>(0, 1.3)(rng);
  return static_cast<int64_t>(f * run_s * 1e6);
}

// Kill points per append test and per reconcile test: a third of GL_CRASH_POINTS each.
uint64_t points_per_test(const RunBudget& b) { return std::max<uint64_t>(1, b.count / 3); }

// `points` appends, each killed after a random delay: of one commit, or (`several_commits`) of
// 2..200 events in commits of random size that must be durable together.
void crash_during_append(const std::string& name, bool several_commits, uint64_t seed_offset) {
  const RunBudget budget =
      run_budget(name, "GL_CRASH_POINTS", kCiCrashPoints, "GL_CRASH_SEED", kCiSeed);
  const uint64_t points = points_per_test(budget);
  std::mt19937_64 rng(budget.seed + seed_offset);
  Tally tally;
  uint64_t done = 0;
  while (done < points) {
    AppendChain chain;
    // Calibration: how long a whole append takes here (ASan, a slow disk and a busy machine all
    // stretch it).
    std::vector<double> runs;
    for (int i = 0; i < 3; ++i) {
      AppendJob j = chain.job(200, several_commits ? 50 : 200);
      ChildProcess child(chain.args(j), chain.tmp / "cal.out", chain.tmp / "cal.err");
      ChildOutcome o = child.wait();
      INFO(o.describe());
      REQUIRE(o.exit_code == 0);
      chain.acknowledge(j, append_lines(o.out));
      runs.push_back(o.elapsed_s);
    }
    const double run_s = median(runs);
    std::vector<AppendJob> deferred;  // retried at the end of the chain, after more kills
    for (uint64_t k = 0; k < kPointsPerLedger && done < points; ++k, ++done) {
      const size_t events =
          std::uniform_int_distribution<size_t>(several_commits ? 2 : 1, 200)(rng);
      const size_t batch =
          several_commits ? std::uniform_int_distribution<size_t>(1, events / 2)(rng) : events;
      const int64_t delay_us = kill_delay_us(rng, run_s);
      const bool retry_now = std::uniform_int_distribution<int>(0, 1)(rng) == 0;
      AppendJob j = chain.job(events, batch);
      INFO("seed " << budget.seed << ", kill point " << done << ": " << j.key << " (" << events
                   << " events, batch " << j.batch << ") killed after " << delay_us
                   << " us; ledger " << chain.dir);
      ChildProcess child(chain.args(j), chain.tmp / "kill.out", chain.tmp / "kill.err");
      ChildOutcome o = timed(&tally.killed_runs_s, [&] { return child.kill_after(delay_us); });
      INFO(o.describe());
      REQUIRE((o.killed || o.exit_code == 0));
      auto lines = append_lines(o.out);
      if (!o.killed) REQUIRE(lines.size() == j.commits());
      chain.acknowledge(j, lines);

      check_acknowledged(timed(&tally.checks_s,
                               [&] { return audit_and_log(chain.tmp, chain.dir, full_audit(k)); }),
                         chain.acknowledged);
      tally.count(
          o, retry_now, [&] { return chain.retry(j); }, [&] { deferred.push_back(j); });
    }
    for (const AppendJob& j : deferred) {
      INFO("seed " << budget.seed << ": deferred retry of " << j.key << " on " << chain.dir);
      tally.settle([&] { return chain.retry(j); });
    }
    LogView log = audit_and_log(chain.tmp, chain.dir);
    check_acknowledged(log, chain.acknowledged);
    // Every commit but genesis is one the test acknowledged: nothing half-written or doubled.
    CHECK(log.hash_of.size() == chain.acknowledged.size() + 1);
  }
  tally.print(name);
  // The kills must land on both sides of the durable write, or the test tested little.
  if (points >= 50) {
    CHECK(tally.before_durable > 0);
    CHECK(tally.after_durable > 0);
  }
}

}  // namespace

TEST_CASE("crash: kill -9 at random points during append of one commit", "[robustness][crash]") {
  crash_during_append("crash during append", false, 0);
}

TEST_CASE("crash: kill -9 at random points during append of several commits",
          "[robustness][crash]") {
  crash_during_append("crash during append --batch", true, 1);
}

TEST_CASE("crash: kill -9 at random points during reconcile", "[robustness][crash]") {
  const RunBudget budget = run_budget("crash during reconcile", "GL_CRASH_POINTS", kCiCrashPoints,
                                      "GL_CRASH_SEED", kCiSeed);
  const uint64_t points = points_per_test(budget);
  std::mt19937_64 rng(budget.seed + 2);
  Tally tally;
  uint64_t done = 0;
  int trial = 0;
  while (done < points) {
    ReconcileChain chain;
    std::vector<double> runs;
    for (int i = 0; i < 3; ++i) {
      auto start = std::chrono::steady_clock::now();
      chain.run(++trial);
      runs.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const double run_s = median(runs);
    std::vector<int> deferred;
    for (uint64_t k = 0; k < kPointsPerLedger && done < points; ++k, ++done) {
      const int t = ++trial;
      const int64_t delay_us = kill_delay_us(rng, run_s);
      const bool retry_now = std::uniform_int_distribution<int>(0, 1)(rng) == 0;
      INFO("seed " << budget.seed << ", kill point " << done << ": reconciliation trial " << t
                   << " killed after " << delay_us << " us; ledger " << chain.w.dir);
      ChildProcess child(chain.args(t), chain.w.tmp / "kill.out", chain.w.tmp / "kill.err");
      ChildOutcome o = timed(&tally.killed_runs_s, [&] { return child.kill_after(delay_us); });
      INFO(o.describe());
      REQUIRE((o.killed || o.exit_code == 0));
      if (auto rec = ReconcileChain::recorded(o.out))
        chain.acknowledge(t, std::get<1>(*rec), std::get<2>(*rec));
      if (!o.killed) REQUIRE(chain.acknowledged.count(t) == 1);
      // The report is renamed into place when complete: absent or whole, never half.
      if (std::filesystem::exists(chain.report(t)))
        CHECK(nlohmann::json::accept(read_file(chain.report(t))));

      chain.check(timed(&tally.checks_s,
                        [&] { return audit_and_log(chain.w.tmp, chain.w.dir, full_audit(k)); }));
      tally.count(
          o, retry_now, [&] { return chain.run(t); }, [&] { deferred.push_back(t); });
    }
    for (int t : deferred) {
      INFO("seed " << budget.seed << ": deferred retry of reconciliation trial " << t << " on "
                   << chain.w.dir);
      tally.settle([&] { return chain.run(t); });
    }
    LogView log = audit_and_log(chain.w.tmp, chain.w.dir);
    chain.check(log);
    // Every trial of this ledger is recorded exactly once.
    size_t recorded = 0;
    for (const auto& [key, commits] : log.by_key)
      recorded += key.rfind("reconcile/", 0) == 0 ? commits.size() : 0;
    CHECK(recorded == chain.acknowledged.size());
  }
  tally.print("crash during reconcile");
  if (points >= 50) {
    CHECK(tally.before_durable > 0);
    CHECK(tally.after_durable > 0);
  }
}
