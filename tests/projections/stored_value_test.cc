// Damaged stored values are corruption naming the family and key, never an abort
// (ledger/stored_value.h; spec/LOG.md, "Reads check what they present").
#include <catch2/catch.hpp>

#include "projections/builder.h"
#include "projections/queries.h"
#include "tests/ledger_world.h"

namespace grantledger::testing {
namespace {

using Kind = schema::EntityKind;

struct StoredWorld : LedgerWorld {
  Key admin = new_key();
  StoredWorld() {
    create(admin, "grantledger.test/stored-values");
    REQUIRE(ledger->append({request(admin, {entity_event("1084", Kind::REGION)}, "idem-1")}).has_value());
    REQUIRE(projections::Builder(*ledger).catch_up().is_ok());
  }
  void put_raw(Cf cf, std::string_view key, std::string_view value) {
    REQUIRE(ledger->store().db()->Put(rocksdb::WriteOptions(), ledger->store().cf(cf), rocksdb::Slice(key.data(), key.size()),
                                      rocksdb::Slice(value.data(), value.size())).ok());
  }
};

void expect_corruption(const Status& s, const std::string& needle) {
  INFO(s.to_string());
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK_THAT(s.message(), Catch::Contains(needle));
}

TEST_CASE("stored values: a projection position of the wrong length is corruption naming it", "[projections][stored]") {
  StoredWorld w;
  w.put_raw(Cf::kProjMeta, "applied/balances", "12345");
  expect_corruption(projections::applied_commits(*w.ledger).status(), "proj_meta applied/balances: stored value is 5 bytes, not 8");
  projections::Builder builder(*w.ledger);
  expect_corruption(builder.status().status(), "proj_meta applied/balances");
  expect_corruption(builder.catch_up(), "proj_meta applied/balances");
  // A rebuild repairs it.
  REQUIRE(builder.rebuild().is_ok());
  CHECK(projections::applied_commits(*w.ledger).has_value());
}

TEST_CASE("stored values: a registry record of the wrong shape is corruption naming its key", "[projections][stored]") {
  StoredWorld w;
  projections::Queries q(*w.ledger);
  REQUIRE(q.entities().has_value());
  for (const char* record : {R"({"kind":"region","name":"x"})", R"({"kind":1,"name":7})", R"([1,2])", "not json"}) {
    INFO(record);
    w.put_raw(Cf::kProjRegistry, "entity/1084", record);
    expect_corruption(q.entities().status(), "malformed entry entity/1084");
  }
}

TEST_CASE("stored values: a projection key beyond the key space stops a rebuild with corruption", "[projections][stored]") {
  StoredWorld w;
  w.put_raw(Cf::kProjBalances, "\xff\x01", "x");
  expect_corruption(projections::Builder(*w.ledger).rebuild(), "projection balances: stored key \\xff\\x01");
}

TEST_CASE("stored values: commit index and idempotency entries of the wrong length are corruption", "[ledger][stored]") {
  StoredWorld w;
  SECTION("commit index") {
    w.put_raw(Cf::kCommitIndex, u64_be(2), "abc");
    expect_corruption(w.ledger->commit_of_event(2).status(), "commit_index 2: stored value is 3 bytes, not 8");
  }
  SECTION("idempotency") {
    w.put_raw(Cf::kIdempotency, "idem-1", "short");
    auto retried = w.ledger->append({request(w.admin, {entity_event("1084", Kind::REGION)}, "idem-1")});
    REQUIRE_FALSE(retried.has_value());
    expect_corruption(retried.error(), "idempotency idem-1: stored value is 5 bytes, not 40");
  }
}

}  // namespace
}  // namespace grantledger::testing
