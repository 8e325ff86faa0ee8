// Projections: incremental equals rebuild, crash points converge, bitemporal as-of answers equal a
// replay of the log, roll-ups equal their members.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <sstream>

#include "projections/balance_report.h"
#include "projections/builder.h"
#include "projections/queries.h"
#include "projections/registry.h"
#include "projections/totals.h"
#include "ledger/date.h"
#include "ledger/sha256.h"
#include "tests/test_support.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;
using namespace grantledger::projections;

namespace {

void record_demo(const std::string& dir, uint64_t seed, int payments) {
  std::ostringstream log;
  auto summary = demo::run_demo(dir, {.seed = seed, .course_payments = payments}, log);
  INFO((summary ? log.str() : summary.error().to_string()));
  REQUIRE(summary.has_value());
}

std::unique_ptr<Ledger> open_queries(const std::string& dir) {
  auto ledger = Ledger::open(dir, {.writer = false});
  INFO((ledger ? "" : ledger.error().to_string()));
  REQUIRE(ledger.has_value());
  return std::move(ledger).value();
}

std::map<std::string, std::string> digests(Builder& builder) {
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  std::map<std::string, std::string> out;
  for (const auto& s : *statuses) {
    CHECK(s.lag_commits == 0);
    CHECK(s.error.empty());
    out[s.name] = to_hex(s.digest);
  }
  return out;
}

// One posting as the log says it: the reference the projections are checked against.
struct LoggedPosting {
  std::string account;
  Ore amount;
  int32_t date;
  uint64_t commit;
  uint16_t type;
  int64_t count;  // +1, or -1 for a reversal that undoes its original
};

std::vector<LoggedPosting> logged_postings(Ledger& ledger) {
  std::vector<LoggedPosting> out;
  LedgerState state;
  // A reversal counts against its target: -1 for undoing an original, +1 for undoing a reversal.
  std::map<uint64_t, int64_t> count_of;
  Status s = ledger.replay(&state, [&](const CommitRecord& c, uint64_t index, schema::Event::Reader e, const std::vector<Posting>& postings) {
    auto body = e.getBody();
    int64_t count = body.which() == schema::Event::Body::EVENT_REVERSED ? -count_of.at(body.getEventReversed().getEventIndex()) : 1;
    count_of[index] = count;
    for (const Posting& p : postings)
      out.push_back({p.account, p.amount, e.getEffectiveDate(), c.info.sequence, static_cast<uint16_t>(body.which()), count});
    return Status::ok();
  });
  REQUIRE(s.is_ok());
  return out;
}

std::map<std::string, MeasureTotals> replayed_totals(const std::vector<LoggedPosting>& log, const AsOf& as_of) {
  std::map<std::string, MeasureTotals> out;
  for (const LoggedPosting& p : log) {
    if (!as_of.includes(p.date, p.commit)) continue;
    for_each_measure(Posting{p.account, p.amount}, p.type, p.count, [&](const std::string& m, Ore sum, int64_t count) {
      REQUIRE(add_to_sum(&out[m].sum_ore, sum, m).is_ok());
      out[m].count += count;
    });
  }
  return out;
}

}  // namespace

TEST_CASE("incremental projections equal a rebuild, byte for byte, for several histories", "[projections]") {
  for (uint64_t seed : {1u, 2u, 20122013u}) {
    TempDir tmp;
    record_demo(tmp / "l", seed, 150);
    auto ledger = open_queries(tmp / "l");
    // Reopen equals replay: the stored rule state is the one a replay derives.
    auto differences = ledger->check_state();
    REQUIRE(differences.has_value());
    CHECK(differences->empty());
    Builder builder(*ledger);
    // Incrementally, in uneven steps, as commits arrive.
    Status s = Status::ok();
    for (uint64_t step = 1; s.is_ok(); step = step * 3 + 1) {
      auto before = builder.status();
      REQUIRE(before.has_value());
      if ((*before)[0].lag_commits == 0) break;
      s = builder.catch_up_limited(step);
    }
    REQUIRE(s.is_ok());
    auto incremental = digests(builder);
    REQUIRE(builder.rebuild().is_ok());
    CAPTURE(seed);
    CHECK(digests(builder) == incremental);
  }
}

TEST_CASE("a projection's digest is SHA-256 over its name, position and every key and value, as the spec defines",
          "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 3, 150);
  auto ledger = Ledger::open(tmp / "l");
  REQUIRE(ledger.has_value());
  Builder builder(**ledger);
  REQUIRE(builder.catch_up().is_ok());
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  REQUIRE(statuses->size() == projection_registry().size());
  const uint64_t commits = (**ledger).head().value().commit_count;
  Store& store = (**ledger).store();
  size_t largest = 0;
  for (const ProjectionStatus& s : *statuses) {
    const ProjectionEntry* entry = find_projection(s.name);
    REQUIRE(entry != nullptr);
    // spec/PROJECTIONS.md, "Digest": name, position (u64 BE), then per key in order: key length
    // (u64 BE), key, value length (u64 BE), value; built here in one piece, read from RocksDB directly.
    std::string position;
    CHECK(s.applied_commits == commits);
    REQUIRE(store.db()->Get(rocksdb::ReadOptions(), store.cf(Cf::kProjMeta), applied_position_key(s.name), &position).ok());
    Bytes hashed = s.name + position;
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(entry->cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      hashed += u64_be(it->key().size()) + it->key().ToString() + u64_be(it->value().size()) + it->value().ToString();
    }
    REQUIRE(it->status().ok());
    largest = std::max(largest, hashed.size());
    INFO(s.name);
    CHECK(to_hex(s.digest) == to_hex(Sha256().digest(hashed)));
  }
  CHECK(largest > (64 << 10));  // the digest hashes its entries in runs of 64 KiB: more than one here
}

TEST_CASE("a projection stopped at any commit converges to the same state after reopening", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 5, 60);
  std::map<std::string, std::string> reference;
  uint64_t commits = 0;
  {
    auto ledger = open_queries(tmp / "l");
    Builder builder(*ledger);
    REQUIRE(builder.rebuild().is_ok());
    reference = digests(builder);
    commits = ledger->head()->commit_count;
    REQUIRE(builder.clear().is_ok());
  }
  // A crash after the log's commit and before the projection's batch leaves the projection at
  // an earlier commit; each reopen applies a little more, like a process that keeps dying.
  uint64_t reopens = 0;
  for (uint64_t applied = 0; applied < commits; applied += 7) {
    auto ledger = open_queries(tmp / "l");
    Builder builder(*ledger);
    REQUIRE(builder.catch_up_limited(7).is_ok());
    auto statuses = builder.status();
    REQUIRE(statuses.has_value());
    for (const auto& s : *statuses) CHECK(s.applied_commits == std::min(commits, applied + 7));
    ++reopens;
  }
  CHECK(reopens > 10);
  auto ledger = open_queries(tmp / "l");
  Builder builder(*ledger);
  REQUIRE(builder.catch_up().is_ok());
  CHECK(digests(builder) == reference);
}

TEST_CASE("a malformed totals key where a series' highest bucket is looked up stops the builder, naming it, and writes nothing",
          "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 3, 40);
  auto ledger = open_queries(tmp / "l");
  // The last commit with postings, and one account it posts to (a totals measure).
  const std::vector<LoggedPosting> postings = logged_postings(*ledger);
  REQUIRE(!postings.empty());
  const uint64_t last = postings.back().commit;
  const std::string measure = postings.back().account;
  {
    Builder builder(*ledger, {"totals"});
    REQUIRE(builder.catch_up_limited(last).is_ok());
  }
  // Above every real key of the series (a day bucket's first byte is 0x80 for dates after 1970)
  // and too short to be a totals key: the series' last key, which a fresh builder reads first.
  ProjectionStore store(*ledger);
  ProjectionBatch batch = store.batch();
  batch.put(Cf::kProjTotals, totals_prefix(measure, kGranularityDay) + "\xff\xff\xff", "x");
  REQUIRE(store.write(batch, "test").is_ok());
  Builder builder(*ledger, {"totals"});
  Status s = builder.catch_up();
  REQUIRE(!s.is_ok());
  CHECK_THAT(s.to_string(), Catch::Contains("totals projection: malformed entry for " + measure));
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  REQUIRE(statuses->size() == 1);
  CHECK((*statuses)[0].applied_commits == last);  // the failed batch wrote nothing
}

TEST_CASE("as-of and known-at answers equal a replay of the log up to that point", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 11, 2300);  // > 2 epochs of kTotalsEpochEvents
  auto ledger = open_queries(tmp / "l");
  REQUIRE(Builder(*ledger).catch_up().is_ok());
  Head head = ledger->head().value();
  REQUIRE(head.tree_size > 2 * kTotalsEpochEvents);
  auto log = logged_postings(*ledger);
  int32_t first = INT32_MAX, last = INT32_MIN;
  for (const auto& p : log) first = std::min(first, p.date), last = std::max(last, p.date);

  Queries queries(*ledger);
  std::mt19937_64 rng(42);
  std::vector<AsOf> cases = {{}, {first, std::nullopt}, {last, std::nullopt}, {std::nullopt, 1}, {std::nullopt, head.commit_count}};
  // Commits that straddle an epoch boundary, and the one right after it.
  for (uint64_t seq = 0; seq < head.commit_count; ++seq) {
    auto c = ledger->commit(seq);
    REQUIRE(c.has_value());
    uint64_t a = c->info.first_event_index, b = a + c->info.event_count;
    if (a / kTotalsEpochEvents != (b - 1) / kTotalsEpochEvents || a % kTotalsEpochEvents == 0) {
      cases.push_back({std::nullopt, seq});
      cases.push_back({std::nullopt, seq + 1});
      cases.push_back({last - 200, seq + 1});
    }
  }
  for (int i = 0; i < 60; ++i) {
    AsOf a;
    if (i % 3 != 0) a.effective_date = first + static_cast<int32_t>(rng() % static_cast<uint64_t>(last - first + 40));
    if (i % 2 == 0) a.known_commits = 1 + rng() % head.commit_count;
    cases.push_back(a);
  }
  for (const AsOf& a : cases) {
    CAPTURE(a.effective_date.value_or(-1), a.known_commits.value_or(0));
    auto got = queries.totals("", a);
    REQUIRE(got.has_value());
    auto want = replayed_totals(log, a);
    REQUIRE(got->size() == want.size());
    for (const auto& [m, t] : want) {
      CAPTURE(m);
      REQUIRE(got->count(m) == 1);
      CHECK(got->at(m).sum_ore == t.sum_ore);
      CHECK(got->at(m).count == t.count);
    }
  }
}

TEST_CASE("sector and programme roll-ups equal the sum of their members", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 3, 300);
  auto ledger = open_queries(tmp / "l");
  REQUIRE(Builder(*ledger).catch_up().is_ok());
  Queries queries(*ledger);
  for (const char* as_of : {"", "2013-03-31", "2013-10-01"}) {
    BalanceQuery q;
    q.programme = demo::kLeaderProgramme;
    if (*as_of) q.as_of.effective_date = parse_date(as_of).value();
    q.by = BalanceBy::kSector;
    auto sectors = balance_report(queries, q);
    REQUIRE(sectors.has_value());
    std::map<std::string, const BalanceRow*> by_sector;
    for (const auto& r : sectors->rows) by_sector[r.code] = &r;
    const std::pair<BalanceBy, const char*> members[] = {
        {BalanceBy::kMunicipality, "municipalities"}, {BalanceBy::kRegion, "regions"}, {BalanceBy::kState, "state"}};
    for (const auto& [by, sector] : members) {
      q.by = by;
      auto rows = balance_report(queries, q);
      REQUIRE(rows.has_value());
      REQUIRE(by_sector.count(sector));
      // Sector columns: share_unallocated, then the members' allocated .. remaining.
      for (size_t i = 0; i < rows->columns.size(); ++i) CHECK(by_sector[sector]->values[i + 1] == rows->total.values[i]);
    }
    q.by = BalanceBy::kProgramme;
    auto programme = balance_report(queries, q);
    REQUIRE(programme.has_value());
    REQUIRE(programme->rows.size() == 1);
    // pool + unallocated shares + allocated (to recipients) = what the programme holds.
    const auto& p = programme->rows[0].values;
    CHECK(p[2] == sectors->total.values[1]);  // allocated
    CHECK(p[1] == sectors->total.values[0]);  // unallocated shares
    if (!*as_of) CHECK(p[0] + p[1] + p[2] == 2100000000);
  }
}

TEST_CASE("balance reports refuse unknown names and dates before the log began", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 3, 20);
  auto ledger = open_queries(tmp / "l");
  REQUIRE(Builder(*ledger).catch_up().is_ok());
  Queries queries(*ledger);
  std::string before = fingerprint(*ledger);
  struct Case {
    BalanceQuery query;
    StatusCode code;
    const char* says;
  };
  BalanceQuery unknown_programme{BalanceBy::kMunicipality, "NOPE", "", {}};
  BalanceQuery unknown_entity{BalanceBy::kMunicipality, "", "999", {}};
  BalanceQuery wrong_kind{BalanceBy::kRegion, "", "851", {}};
  BalanceQuery too_early{BalanceBy::kSector, "", "", {parse_date("2011-12-31").value(), std::nullopt}};
  const Case cases[] = {{unknown_programme, StatusCode::kNotFound, "--programme NOPE"},
                        {unknown_entity, StatusCode::kNotFound, "--entity 999"},
                        {wrong_kind, StatusCode::kInvalidArgument, "is not a region"},
                        {too_early, StatusCode::kInvalidArgument, "before the log began"}};
  for (const Case& c : cases) {
    auto r = balance_report(queries, c.query);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == c.code);
    CHECK_THAT(r.error().message(), Catch::Contains(c.says));
  }
  CHECK(queries.check_account("grant:NOPE:pool").code() == StatusCode::kNotFound);
  CHECK(queries.accounts_of_entity("999", "").status().code() == StatusCode::kNotFound);
  CHECK(fingerprint(*ledger) == before);
}

TEST_CASE("resolve_known_at takes a commit sequence or a UTC time", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 3, 20);
  auto ledger = open_queries(tmp / "l");
  Head head = ledger->head().value();
  CHECK(resolve_known_at(*ledger, "0").value() == 1);
  CHECK(resolve_known_at(*ledger, std::to_string(head.commit_count - 1)).value() == head.commit_count);
  CHECK(resolve_known_at(*ledger, std::to_string(head.commit_count)).error().code() == StatusCode::kInvalidArgument);
  CHECK(resolve_known_at(*ledger, "2199-12-31").value() == head.commit_count);
  CHECK(resolve_known_at(*ledger, "2000-01-01").error().code() == StatusCode::kInvalidArgument);
  CHECK(resolve_known_at(*ledger, "yesterday").error().code() == StatusCode::kInvalidArgument);
  // The last commit's own recorded_at (as `log` prints it) knows it; the exact boundaries are in
  // tests/projections/known_at_test.cc.
  auto last = ledger->commit(head.commit_count - 1).value();
  CHECK(resolve_known_at(*ledger, format_timestamp_ns(last.info.recorded_at_ns)).value() == head.commit_count);
}

TEST_CASE("a builder stopped by unreadable postings resumes exactly once they read again", "[projections]") {
  TempDir tmp;
  record_demo(tmp / "l", 9, 60);
  auto ledger = open_queries(tmp / "l");
  Builder builder(*ledger);
  REQUIRE(builder.rebuild().is_ok());
  auto reference = digests(builder);
  REQUIRE(builder.clear().is_ok());
  // Projections at different positions (as after a crash): balances at 0, the others a third in.
  const uint64_t third = ledger->head()->commit_count / 3;
  std::vector<std::string> others = projection_names();
  others.erase(others.begin());  // "balances"
  REQUIRE(Builder(*ledger, others).catch_up_limited(third).is_ok());
  // Damage the postings of an event in the second third, behind the builder's back.
  Store& store = ledger->store();
  std::string key, value;
  uint64_t damaged_commit = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(Cf::kPostings)));
    for (it->SeekToFirst(); it->Valid() && key.empty(); it->Next())
      if (uint64_t c = ledger->commit_of_event(get_u64_be(it->key().ToString())).value(); c >= third + 2) {
        damaged_commit = c;
        key = it->key().ToString();
        value = it->value().ToString();
      }
  }
  REQUIRE(!key.empty());
  REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kPostings), key, "\x01").ok());
  // One pass of at most `damaged_commit` commits: balances applies commits before the damage (its
  // whole share), the others stop at it.
  Status stopped = builder.catch_up_limited(damaged_commit);
  CHECK(stopped.code() == StatusCode::kCorruption);
  CHECK_THAT(stopped.message(), Catch::Contains("postings of event " + std::to_string(get_u64_be(key))));
  // Repaired, the same builder applies every commit exactly once: nothing of the stopped pass
  // lingers in it.
  REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kPostings), key, value).ok());
  REQUIRE(builder.catch_up().is_ok());
  CHECK(digests(builder) == reference);
}

// The builder runs its projections in lanes on separate threads (ThreadSanitizer runs this test):
// a projection that stops in one lane stops alone, and the lanes together equal one rebuild.
TEST_CASE("a projection that stops leaves the others current in every lane", "[projections][concurrency]") {
  TempDir tmp;
  record_demo(tmp / "l", 5, 40);
  auto ledger = open_queries(tmp / "l");
  Builder builder(*ledger);
  REQUIRE(builder.rebuild().is_ok());
  auto reference = digests(builder);
  REQUIRE(builder.clear().is_ok());
  // A damaged balance (3 bytes, not 8) under the first account the log posts to.
  const std::string account = logged_postings(*ledger).at(0).account;
  Store& store = ledger->store();
  REQUIRE(store.db()->Put(rocksdb::WriteOptions(), store.cf(Cf::kProjBalances), account, "bad").ok());
  Status stopped = builder.catch_up();
  CHECK(stopped.code() == StatusCode::kCorruption);
  CHECK_THAT(stopped.message(), Catch::Contains("projection balances") && Catch::Contains(account));
  auto head = ledger->head();
  REQUIRE(head.has_value());
  auto statuses = builder.status();
  REQUIRE(statuses.has_value());
  REQUIRE(statuses->size() == reference.size());
  for (const ProjectionStatus& s : *statuses) {
    INFO(s.name);
    if (s.name == "balances") {
      CHECK(s.lag_commits == head->commit_count);
      CHECK_THAT(s.error, Catch::Contains(account));
    } else {
      CHECK(s.lag_commits == 0);
      CHECK(s.error.empty());
      CHECK(to_hex(s.digest) == reference.at(s.name));
    }
  }
  // Repaired by a rebuild: every lane again equals the reference.
  REQUIRE(builder.rebuild().is_ok());
  CHECK(digests(builder) == reference);
}
