// `sink postgres` and `sink verify` against a real PostgreSQL 15 (tests/sink/postgres_server.h)
// and the real CLI: figures equal the ledger's, kill -9 at random points converges exactly once,
// re-runs are idempotent, schema drift and foreign ledgers are refused and named, bad DSNs fail
// clearly (spec/POSTGRES.md; spec/CLI.md, "sink").
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "tests/cli_support.h"
#include "tests/robustness/child_process.h"
#include "tests/sink/postgres_server.h"

namespace grantledger::testing {

namespace {

// A demo ledger (spec/CLI.md, "demo") in `tmp`/name.
std::string demo_ledger(const TempDir& tmp, const std::string& name, int course_payments,
                        int seed = 7) {
  std::string dir = tmp / name;
  CliResult r = run_cli(tmp, {"demo", "--data", dir, "--seed", std::to_string(seed),
                              "--course-payments", std::to_string(course_payments)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return dir;
}

std::string sql_value(const PostgresServer& pg, const std::string& sql) {
  std::string out;
  INFO(sql);
  REQUIRE(pg.psql(sql, &out) == 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Every sink table's row count, one line: "nothing written" compares it before and after.
std::string row_counts(const PostgresServer& pg) {
  return sql_value(
      pg,
      "SELECT (SELECT count(*) FROM commits) || ' ' || (SELECT count(*) FROM postings) || ' ' || "
      "(SELECT count(*) FROM accounts) || ' ' || "
      "(SELECT count(*) FROM balances_by_day) || ' ' || (SELECT count(*) FROM entities) || ' ' || "
      "(SELECT count(*) FROM programmes) "
      "|| ' ' || (SELECT count(*) FROM course_payments) || ' ' || (SELECT count(*) FROM claims) || "
      "' ' || "
      "(SELECT count(*) FROM claim_changes) || ' ' || (SELECT applied_commits FROM sink_state)");
}

// The number of commits in the log (`log --format json` prints one line per commit).
uint64_t log_commits(const TempDir& tmp, const std::string& dir) {
  CliResult r = run_cli(tmp, {"log", "--data", dir, "--format", "json", "--limit", "100000"});
  REQUIRE(r.exit_code == 0);
  return static_cast<uint64_t>(std::count(r.out.begin(), r.out.end(), '\n'));
}

}  // namespace

TEST_CASE(
    "sink postgres: the demo's figures in PostgreSQL equal the ledger's as of several dates, and "
    "sink verify agrees",
    "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 40);
  CliResult sink =
      run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(), "--batch-commits", "7"});
  INFO(sink.err);
  REQUIRE(sink.exit_code == 0);
  CHECK(sink.out.find("applied_commits=" + std::to_string(log_commits(tmp, dir))) !=
        std::string::npos);

  CliResult verify =
      run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn(), "--as-of", "2012-12-31",
                    "--as-of", "2016-06-30", "--as-of", "2020-12-31", "--as-of", "2024-12-31"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("ok applied_commits=") != std::string::npos);

  // Double entry holds per event, and the example query of spec/POSTGRES.md ("balances per
  // sector as of a date") gives what `balance --by sector --as-of` prints.
  CHECK(sql_value(pg,
                  "SELECT count(*) FROM (SELECT event_index FROM postings GROUP BY event_index "
                  "HAVING sum(amount_ore) <> 0) x") == "0");
  for (const std::string date : {"2013-06-30", "2020-12-31", "2025-12-31"}) {
    CliResult balance = run_cli(
        tmp, {"balance", "--data", dir, "--by", "sector", "--as-of", date, "--format", "json"});
    REQUIRE(balance.exit_code == 0);
    std::string expected;
    const nlohmann::json report = nlohmann::json::parse(balance.out);
    for (const auto& row : report.at("rows"))
      expected += row.at("code").get<std::string>() + "|" +
                  std::to_string(row.at("remaining_ore").get<int64_t>()) + "|" +
                  std::to_string(row.at("reserved_ore").get<int64_t>()) + "|" +
                  std::to_string(row.at("paid_ore").get<int64_t>()) + "\n";
    std::string found;
    REQUIRE(
        pg.psql("SELECT CASE e.kind WHEN 'municipality' THEN 'municipalities' WHEN 'region' THEN "
                "'regions' "
                "WHEN 'state_institution' THEN 'state' END AS sector, "
                "coalesce(sum(p.amount_ore) FILTER (WHERE a.kind = 'available'), 0), "
                "coalesce(sum(p.amount_ore) FILTER (WHERE a.kind = 'reserved'), 0), "
                "coalesce(sum(p.amount_ore) FILTER (WHERE a.kind = 'paid'), 0) "
                "FROM postings p JOIN accounts a ON a.account = p.account JOIN entities e ON "
                "e.code = a.entity_code "
                "WHERE a.kind IN ('available', 'reserved', 'paid') AND p.effective_date <= DATE '" +
                    date + "' GROUP BY 1 ORDER BY 1",
                &found) == 0);
    INFO("as of " << date);
    CHECK(found == expected);
  }
}

TEST_CASE("sink postgres: a re-run writes nothing and a commit appended later is added once",
          "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 10);
  REQUIRE(run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
  const std::string before = row_counts(pg);
  CliResult again = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.find("commits_written=0") != std::string::npos);
  CHECK(row_counts(pg) == before);

  std::ofstream(tmp / "e.jsonl")
      << R"({"type":"entity_registered","effective_date":"2024-01-01","kind":"provider","code":"sink-prov","name":"Sink Provider"})"
      << "\n";
  REQUIRE(run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input",
                        tmp / "e.jsonl"})
              .exit_code == 0);
  CliResult more = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()});
  REQUIRE(more.exit_code == 0);
  CHECK(more.out.find("commits_written=1") != std::string::npos);
  CHECK(sql_value(pg, "SELECT name || '|' || kind FROM entities WHERE code = 'sink-prov'") ==
        "Sink Provider|provider");
  CHECK(run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
}

TEST_CASE("sink postgres: kill -9 at random points, then a re-run converges with nothing doubled",
          "[postgres][sink][crash]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 60);
  const uint64_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  int killed = 0;
  std::string positions;  // where each killed run left the database
  for (int round = 0; round < 8; ++round) {
    ChildProcess child(
        {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(), "--batch-commits", "1"},
        tmp / "sink.out", tmp / "sink.err");
    ChildOutcome outcome =
        child.kill_after(std::uniform_int_distribution<int64_t>(5'000, 300'000)(rng));
    INFO(outcome.describe());
    REQUIRE((outcome.killed || outcome.exit_code == 0));
    if (outcome.killed) ++killed;
    // Whatever the point, the rows and the position agree: commits 0 .. applied - 1, each once.
    std::string out;
    if (pg.psql("SELECT (SELECT applied_commits FROM sink_state) || ' ' || count(*) || ' ' || "
                "coalesce(max(sequence) + 1, 0) FROM commits",
                &out) == 0 &&
        !out.empty()) {
      std::istringstream in(out);
      uint64_t applied = 0, rows = 0, next = 0;
      in >> applied >> rows >> next;
      INFO("after round " << round << ": " << out);
      CHECK(applied == rows);
      CHECK(rows == next);
      positions += std::to_string(applied) + " ";
    }
  }
  INFO("killed " << killed << " of 8 runs, positions " << positions);
  CliResult final_run = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()});
  INFO(final_run.err);
  REQUIRE(final_run.exit_code == 0);
  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(sql_value(pg, "SELECT count(*) FROM commits") == std::to_string(log_commits(tmp, dir)));
  CHECK(sql_value(pg, "SELECT applied_commits FROM sink_state") ==
        std::to_string(log_commits(tmp, dir)));
}

TEST_CASE("sink postgres: two sinks at once on one database take turns and write every commit once",
          "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 30);
  ChildProcess first({"sink", "postgres", "--data", dir, "--dsn", pg.dsn(), "--batch-commits", "1"},
                     tmp / "1.out", tmp / "1.err");
  ChildProcess second(
      {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(), "--batch-commits", "1"}, tmp / "2.out",
      tmp / "2.err");
  ChildOutcome a = first.wait(), b = second.wait();
  INFO(a.describe() << b.describe());
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  const uint64_t commits = log_commits(tmp, dir);
  CHECK(sql_value(pg, "SELECT count(*) FROM commits") == std::to_string(commits));
  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE(
    "sink verify: a table altered by hand is named (exit 1), and sink postgres refuses to write "
    "into it (exit 2)",
    "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 5);
  REQUIRE(run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
  REQUIRE(run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);

  SECTION("a column's type changed") {
    REQUIRE(pg.psql("ALTER TABLE postings ALTER COLUMN amount_ore TYPE numeric") == 0);
    CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
    CHECK(verify.exit_code == 1);
    CHECK(verify.out.find(
              "table=postings key=amount_ore expected=bigint NOT NULL found=numeric NOT NULL") !=
          std::string::npos);
  }
  SECTION("a column added") {
    REQUIRE(pg.psql("ALTER TABLE claims ADD COLUMN note text") == 0);
    CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
    CHECK(verify.exit_code == 1);
    CHECK(verify.out.find("table=claims key=note expected=no such column found=text NULL") !=
          std::string::npos);
  }
  SECTION("a column dropped") {
    REQUIRE(pg.psql("ALTER TABLE entities DROP COLUMN parent_code") == 0);
    CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
    CHECK(verify.exit_code == 1);
    CHECK(
        verify.out.find("table=entities key=parent_code expected=text NULL found=no such column") !=
        std::string::npos);
  }
  const std::string before = row_counts(pg);
  std::ofstream(tmp / "e.jsonl")
      << R"({"type":"entity_registered","effective_date":"2024-01-01","kind":"provider","code":"p2","name":"P2"})"
      << "\n";
  REQUIRE(run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input",
                        tmp / "e.jsonl"})
              .exit_code == 0);
  CliResult sink = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()});
  CHECK(sink.exit_code == 2);
  CHECK(sink.err.find("the sink's tables were altered") != std::string::npos);
  CHECK(row_counts(pg) == before);
}

TEST_CASE(
    "sink verify: a figure changed by hand is named with its table, key, expected and found value",
    "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 5);
  REQUIRE(run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
  const std::string account =
      sql_value(pg, "SELECT account FROM accounts WHERE kind = 'pool' ORDER BY account LIMIT 1");
  const std::string balance =
      sql_value(pg, "SELECT balance_ore FROM accounts WHERE account = '" + account + "'");
  REQUIRE(pg.psql("UPDATE accounts SET balance_ore = balance_ore + 1 WHERE account = '" + account +
                  "'") == 0);
  REQUIRE(pg.psql("UPDATE claims SET state = 'approved' WHERE claim_id = (SELECT min(claim_id) "
                  "FROM claims)") == 0);
  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
  INFO(verify.out);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("table=accounts key=" + account + ".balance_ore expected=" + balance +
                        " found=" + std::to_string(std::stoll(balance) + 1)) != std::string::npos);
  CHECK(verify.out.find("table=claims key=") != std::string::npos);
}

TEST_CASE(
    "sink postgres: a database filled from another ledger, or a rewritten log, is refused and left "
    "as it was",
    "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string a = demo_ledger(tmp, "a", 5, 7);
  const std::string b = demo_ledger(tmp, "b", 5, 8);
  REQUIRE(run_cli(tmp, {"sink", "postgres", "--data", a, "--dsn", pg.dsn()}).exit_code == 0);
  const std::string before = row_counts(pg);
  CliResult other = run_cli(tmp, {"sink", "postgres", "--data", b, "--dsn", pg.dsn()});
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("another ledger") != std::string::npos);
  CHECK(row_counts(pg) == before);
  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", b, "--dsn", pg.dsn()});
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("table=sink_state key=origin") != std::string::npos);

  // Same origin, another history at the stored position (as a rewritten log would show).
  REQUIRE(pg.psql("UPDATE sink_state SET last_commit_hash = repeat('0', 64)") == 0);
  const std::string rewritten = row_counts(pg);
  CliResult refused = run_cli(tmp, {"sink", "postgres", "--data", a, "--dsn", pg.dsn()});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("has hash") != std::string::npos);
  CHECK(row_counts(pg) == rewritten);

  // The position removed by hand: the sink cannot know where it stopped, and writes nothing.
  REQUIRE(pg.psql("DELETE FROM sink_state") == 0);
  const std::string commits = sql_value(pg, "SELECT count(*) FROM commits");
  CliResult lost = run_cli(tmp, {"sink", "postgres", "--data", a, "--dsn", pg.dsn()});
  CHECK(lost.exit_code == 2);
  CHECK(lost.err.find("sink_state has no row but the sink's tables hold commits") !=
        std::string::npos);
  CHECK(sql_value(pg, "SELECT count(*) FROM commits") == commits);
  CHECK(sql_value(pg, "SELECT count(*) FROM sink_state") == "0");
}

TEST_CASE("sink postgres: a bad DSN (exit 2) or an unreachable server (exit 4) gives a clear error",
          "[postgres][sink]") {
  TempDir tmp;
  const std::string dir = demo_ledger(tmp, "ledger", 2);
  CliResult bad = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", "postgresql://[oops"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--dsn: not a PostgreSQL connection string") != std::string::npos);
  CliResult unknown_key = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", "colour=blue"});
  CHECK(unknown_key.exit_code == 2);
  CliResult unreachable = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn",
                                        "postgresql:///db?host=" + tmp.path() + "/no-server"});
  CHECK(unreachable.exit_code == 4);
  CHECK(unreachable.err.find("PostgreSQL: cannot connect") != std::string::npos);
  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn",
                                   "postgresql:///db?host=" + tmp.path() + "/no-server"});
  CHECK(verify.exit_code == 4);
}

TEST_CASE(
    "sink postgres: bad flags are refused (exit 2) before anything is written, and sink verify on "
    "an empty database names the missing tables",
    "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 2);
  const std::string no_tables =
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'";
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"--batch-commits", "0"},
                                             {"--batch-commits", "10001"},
                                             {"--batch-commits", "-1"},
                                             {"--poll-ms", "1"}}) {
    std::vector<std::string> args = {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()};
    args.insert(args.end(), flags.begin(), flags.end());
    CliResult r = run_cli(tmp, args);
    INFO(flags[0] << " " << flags[1] << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(flags[0]) != std::string::npos);
  }
  CliResult no_ledger =
      run_cli(tmp, {"sink", "postgres", "--data", tmp / "absent", "--dsn", pg.dsn()});
  CHECK(no_ledger.exit_code == 2);
  CHECK(sql_value(pg, no_tables) == "0");

  CliResult verify = run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()});
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("table=postings key=(table) expected=present found=missing") !=
        std::string::npos);
  CHECK(verify.out.find("table=sink_state key=(table) expected=present found=missing") !=
        std::string::npos);
}

TEST_CASE("sink postgres --follow: picks up new commits, and SIGTERM ends it with exit 0",
          "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 3);
  const uint64_t commits = log_commits(tmp, dir);
  ChildProcess child(
      {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(), "--follow", "--poll-ms", "50"},
      tmp / "f.out", tmp / "f.err");
  auto wait_for = [&](uint64_t applied) {
    for (int i = 0; i < 600;
         ++i) {  // polls, not a timing assertion: up to a minute on a loaded machine
      std::string out;
      if (pg.psql("SELECT applied_commits FROM sink_state", &out) == 0 &&
          out.starts_with(std::to_string(applied) + "\n"))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  REQUIRE(wait_for(commits));
  std::ofstream(tmp / "e.jsonl")
      << R"({"type":"entity_registered","effective_date":"2024-01-01","kind":"provider","code":"p3","name":"P3"})"
      << "\n";
  REQUIRE(run_cli(tmp, {"append", "--data", dir, "--key", dir + "/keys/admin.pem", "--input",
                        tmp / "e.jsonl"})
              .exit_code == 0);
  REQUIRE(wait_for(commits + 1));
  ::kill(child.pid(), SIGTERM);
  ChildOutcome outcome = child.wait();
  INFO(outcome.describe());
  CHECK(outcome.exit_code == 0);
  CHECK(run_cli(tmp, {"sink", "verify", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
}

TEST_CASE("sink postgres --create-readonly-role: the role reads every sink table and writes none",
          "[postgres][sink]") {
  TempDir tmp;
  PostgresServer pg;
  const std::string dir = demo_ledger(tmp, "ledger", 3);
  REQUIRE(run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn()}).exit_code == 0);
  CliResult role = run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(),
                                 "--create-readonly-role", "bi_reader"});
  INFO(role.err);
  REQUIRE(role.exit_code == 0);
  std::string out;
  CHECK(pg.psql("SET ROLE bi_reader; SELECT count(*) > 0 FROM postings;", &out) == 0);
  CHECK(out == "t\n");
  CHECK(pg.psql("SET ROLE bi_reader; DELETE FROM postings;", &out) != 0);
  CHECK(out.find("permission denied") != std::string::npos);
  CHECK(run_cli(tmp, {"sink", "postgres", "--data", dir, "--dsn", pg.dsn(),
                      "--create-readonly-role", "bi_reader"})
            .exit_code == 2);
}

}  // namespace grantledger::testing
