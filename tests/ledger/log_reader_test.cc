// LogReader: reads from a position in order, checks every record against what binds it, and
// sees one snapshot (ledger/log_reader.h).
#include "ledger/log_reader.h"

#include <catch2/catch.hpp>

#include "ledger/postings.h"
#include "tests/ledger_world.h"

namespace grantledger::testing {
namespace {

using Kind = schema::EntityKind;

// A ledger of genesis (2 events) and three commits of one, two and one entity events: commits
// 0..3, events 0..5.
struct ReaderWorld : LedgerWorld {
  Key admin = new_key();
  ReaderWorld() {
    create(admin, "grantledger.test/log-reader");
    append({entity_event("1084", Kind::REGION)});
    append({entity_event("101", Kind::MUNICIPALITY, "1084"), entity_event("851", Kind::MUNICIPALITY, "1084")});
    append({entity_event("665", Kind::MUNICIPALITY, "1084")});
  }
  void append(std::vector<Bytes> events) { REQUIRE(ledger->append({request(admin, std::move(events))}).has_value()); }
  std::unique_ptr<LogReader> reader(LogReader::Options options = {}) {
    auto r = LogReader::open(*ledger, options);
    REQUIRE(r.has_value());
    return std::move(r).value();
  }
  // Tampering below the ledger, as a damaged disk would.
  void put_raw(Cf cf, const Bytes& key, const Bytes& value) {
    REQUIRE(ledger->store().db()->Put(rocksdb::WriteOptions(), ledger->store().cf(cf), key, value).ok());
  }
  void delete_raw(Cf cf, const Bytes& key) {
    REQUIRE(ledger->store().db()->Delete(rocksdb::WriteOptions(), ledger->store().cf(cf), key).ok());
  }
  Bytes stored(Cf cf, const Bytes& key) {
    auto v = ledger->store().get(cf, key);
    REQUIRE(v.has_value());
    return *v;
  }
};

// Reads every remaining commit and event: (sequence, event indexes) pairs, or the first error.
Result<std::vector<std::pair<uint64_t, std::vector<uint64_t>>>> read_all(LogReader& r) {
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> out;
  while (true) {
    GL_ASSIGN_OR_RETURN(const CommitRecord* c, r.next_commit());
    if (!c) return out;
    out.push_back({c->info.sequence, {}});
    while (true) {
      GL_ASSIGN_OR_RETURN(const LogEvent* e, r.next_event());
      if (!e) break;
      out.back().second.push_back(e->index);
    }
  }
}

std::string error_of(LogReader& r) {
  auto all = read_all(r);
  REQUIRE_FALSE(all.has_value());
  CHECK(all.error().code() == StatusCode::kCorruption);
  return all.error().message();
}

TEST_CASE("log reader: reads commits and their events in order from a position", "[ledger][log_reader]") {
  ReaderWorld w;
  auto r = w.reader();
  CHECK(r->head().commit_count == 4);
  CHECK(r->head().tree_size == 6);
  auto all = read_all(*r);
  REQUIRE(all.has_value());
  using Row = std::pair<uint64_t, std::vector<uint64_t>>;
  CHECK(*all == std::vector<Row>{{0, {0, 1}}, {1, {2}}, {2, {3, 4}}, {3, {5}}});

  REQUIRE(r->seek(2).is_ok());
  all = read_all(*r);
  REQUIRE(all.has_value());
  CHECK(*all == std::vector<Row>{{2, {3, 4}}, {3, {5}}});

  // Events not read are read (and checked) before the next commit.
  REQUIRE(r->seek(1).is_ok());
  auto c = r->next_commit();
  REQUIRE(c.has_value());
  CHECK((*c)->info.sequence == 1);
  c = r->next_commit();
  REQUIRE(c.has_value());
  CHECK((*c)->info.sequence == 2);
  auto e = r->next_event();
  REQUIRE(e.has_value());
  CHECK((*e)->index == 3);
  CHECK((*e)->event().getBody().getEntityRegistered().getCode() == "101");

  CHECK(r->seek(5).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("log reader: hands out each event's stored postings when asked", "[ledger][log_reader]") {
  ReaderWorld w;
  const std::vector<Posting> postings = {{"employer:851:course_fees", Ore{100}}, {"provider:easv:course_income", Ore{-100}}};
  w.put_raw(Cf::kPostings, u64_be(3), encode_postings(postings));
  auto r = w.reader({.postings = true});
  REQUIRE(r->seek(2).is_ok());
  REQUIRE(r->next_commit().has_value());
  auto e = r->next_event();
  REQUIRE(e.has_value());
  CHECK((*e)->postings == postings);
  e = r->next_event();
  REQUIRE(e.has_value());
  CHECK((*e)->postings.empty());

  SECTION("postings that do not decode are corruption naming the event") {
    w.put_raw(Cf::kPostings, u64_be(4), Bytes("\x00\x00\x00\x05", 4));
    auto damaged = w.reader({.postings = true});
    CHECK_THAT(error_of(*damaged), Catch::Contains("postings of event 4"));
  }
}

TEST_CASE("log reader: a missing event is corruption naming it", "[ledger][log_reader]") {
  ReaderWorld w;
  w.delete_raw(Cf::kEvents, u64_be(3));
  auto r = w.reader();
  CHECK_THAT(error_of(*r), Catch::Contains("event 3 is missing") && Catch::Contains("commit 2"));
}

TEST_CASE("log reader: a changed event does not match its leaf hash", "[ledger][log_reader]") {
  ReaderWorld w;
  Bytes e = w.stored(Cf::kEvents, u64_be(4));
  e[e.size() - 3] ^= 0x01;
  w.put_raw(Cf::kEvents, u64_be(4), e);
  auto r = w.reader();
  CHECK_THAT(error_of(*r), Catch::Contains("event 4 does not match its leaf hash in commit 2"));
}

TEST_CASE("log reader: a broken chain is corruption naming the commit", "[ledger][log_reader]") {
  ReaderWorld w;
  SECTION("a commit replaced by another one (valid, but not chained)") {
    w.put_raw(Cf::kCommits, u64_be(2), w.stored(Cf::kCommits, u64_be(1)));
    auto r = w.reader();
    CHECK_THAT(error_of(*r), Catch::Contains("commit 2 is out of place"));
  }
  SECTION("a missing commit") {
    w.delete_raw(Cf::kCommits, u64_be(1));
    auto r = w.reader();
    CHECK_THAT(error_of(*r), Catch::Contains("commit 1 is missing"));
    // Seeking past it still needs it: it anchors the chain.
    CHECK_THAT(r->seek(2).message(), Catch::Contains("commit 1 is missing"));
  }
  SECTION("a commit that does not decode") {
    w.put_raw(Cf::kCommits, u64_be(3), "garbage!");
    auto r = w.reader();
    CHECK_THAT(error_of(*r), Catch::Contains("commit 3: "));
  }
  SECTION("a head that names another last commit") {
    Head head = w.ledger->head().value();
    head.last_commit_hash[0] ^= 1;
    w.put_raw(Cf::kMeta, "head", head.encode());
    auto r = w.reader();
    CHECK_THAT(error_of(*r), Catch::Contains("meta/head names another last commit"));
  }
}

TEST_CASE("log reader: sees its snapshot while a later append happens", "[ledger][log_reader]") {
  ReaderWorld w;
  auto r = w.reader();
  REQUIRE(r->seek(3).is_ok());
  w.append({entity_event("860", Kind::MUNICIPALITY, "1084")});
  CHECK(r->head().commit_count == 4);
  auto all = read_all(*r);
  REQUIRE(all.has_value());  // the chain ends in the snapshot's head, not the new one
  CHECK(all->size() == 1);
  auto raw = r->get(StoredFamily::kCommits, u64_be(4));
  REQUIRE(raw.has_value());
  CHECK(!raw->has_value());
  uint64_t events = 0;
  REQUIRE(r->for_each_stored(StoredFamily::kEvents, [&](std::string_view, std::string_view) -> Result<bool> {
    ++events;
    return true;
  }).is_ok());
  CHECK(events == 6);

  auto fresh = w.reader();
  CHECK(fresh->head().commit_count == 5);
  auto now = read_all(*fresh);
  REQUIRE(now.has_value());
  CHECK(now->size() == 5);
}

}  // namespace
}  // namespace grantledger::testing
