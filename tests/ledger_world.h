// The small real ledger the domain, audit and reconciliation tests build on: events written as
// JSON (spec/JSON.md), signed commits through the real append path, RocksDB in a temp dir.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/jsonl_input.h"
#include "ledger/largest_remainder.h"
#include "ledger/rejection.h"
#include "tests/test_support.h"

namespace grantledger::testing {

using nlohmann::json;
using Key = std::shared_ptr<const PrivateKey>;

inline Key new_key() { return std::make_shared<const PrivateKey>(PrivateKey::generate()); }

// One event as a JSON line: its type, effective date and fields.
inline json ev(const std::string& type, const std::string& date, json fields) {
  json j = {{"type", type}, {"effective_date", date}};
  j.update(fields);
  return j;
}

// The canonical bytes `grantledger append` makes of `e`; the test fails if it is malformed.
inline Bytes event_bytes(const json& e) {
  auto bytes = event_bytes_from_json_line(e.dump());
  INFO(e.dump() << (bytes ? "" : bytes.error().to_string()));
  REQUIRE(bytes.has_value());
  return *bytes;
}

// Regions Nordjylland (1081) and Midtjylland (1082), Lemvig (665) and Aalborg (851) Kommune with
// their populations, and the provider Erhvervsakademi SydVest (easv).
inline std::vector<json> small_registry() {
  return {ev("entity_registered", "2012-01-01", {{"kind", "region"}, {"code", "1081"}, {"name", "Region Nordjylland"}, {"population", 589936}}),
          ev("entity_registered", "2012-01-01", {{"kind", "region"}, {"code", "1082"}, {"name", "Region Midtjylland"}, {"population", 1326340}}),
          ev("entity_registered", "2012-01-01",
             {{"kind", "municipality"}, {"code", "665"}, {"name", "Lemvig Kommune"}, {"parent_code", "1082"}, {"population", 19722}}),
          ev("entity_registered", "2012-01-01",
             {{"kind", "municipality"}, {"code", "851"}, {"name", "Aalborg Kommune"}, {"parent_code", "1081"}, {"population", 217075}}),
          ev("entity_registered", "2012-01-01", {{"kind", "provider"}, {"code", "easv"}, {"name", "Erhvervsakademi SydVest"}})};
}

// The akademi rule of programme P: payments and course starts 2012-09-01 .. 2013-08-31.
inline json akademi_rule() {
  return {{"course_kind", "akademi"}, {"payment_from", "2012-09-01"}, {"payment_to", "2013-08-31"},
          {"course_start_from", "2012-09-01"}, {"course_start_to", "2013-08-31"}};
}

// A ledger in a temp dir, and signed appends to it that must succeed.
struct LedgerWorld {
  TempDir tmp;
  std::string dir = tmp / "ledger";
  std::unique_ptr<Ledger> ledger;
  int idem = 0;

  // Creates the ledger with `admin` as its first key and opens it for writing.
  void create(const Key& admin, const std::string& origin) {
    REQUIRE(Ledger::init(dir, origin, *admin, "admin").has_value());
    auto opened = Ledger::open(dir);
    REQUIRE(opened.has_value());
    ledger = std::move(opened).value();
  }

  static json key(const Key& k, const char* role, const char* scope) {
    json f = {{"public_key", to_hex(k->public_key().raw())}, {"role", role}, {"name", std::string("key ") + role + " " + scope}};
    if (*scope) f["scope_entity"] = scope;
    return ev("key_registered", "2012-01-01", f);
  }
  // An akademi course payment by `employer` at easv, paid 2013-01-05.
  static json payment(const std::string& id, const std::string& employer, int64_t ore) {
    return ev("course_payment_recorded", "2013-01-05",
              {{"payment_id", id}, {"employer_code", employer}, {"provider_code", "easv"}, {"participant", "deltager-" + id},
               {"course_kind", "akademi"}, {"module", "modul 1"}, {"course_start_date", "2013-01-10"}, {"payment_date", "2013-01-05"},
               {"amount_ore", ore}});
  }
  static json claim(const std::string& id, const std::string& payment, int64_t ore, const std::string& date = "2013-02-01") {
    return ev("reimbursement_claimed", date, {{"claim_id", id}, {"programme_code", "P"}, {"payment_id", payment}, {"amount_ore", ore}});
  }
  // `amount` of programme P to the municipalities, split between Lemvig and Aalborg by population
  // (largest remainder).
  static json allocation(int64_t amount) {
    auto split = split_largest_remainder(amount, {19722, 217075}).value();
    return ev("allocation_made", "2013-01-01",
              {{"programme_code", "P"}, {"sector", "municipalities"}, {"amount_ore", amount}, {"method", "population"},
               {"lines", {{{"recipient_code", "665"}, {"weight", 19722}, {"amount_ore", split[0]}},
                          {{"recipient_code", "851"}, {"weight", 217075}, {"amount_ore", split[1]}}}}});
  }
  static json approve(const std::string& id) { return ev("reimbursement_approved", "2013-03-01", {{"claim_id", id}}); }
  static json pay(const std::string& id, const std::string& ref, const std::string& day = "2013-03-10") {
    return ev("reimbursement_paid", day, {{"claim_id", id}, {"payment_reference", ref}});
  }

  CommitRequest req(const Key& signer, const std::vector<json>& events) {
    CommitRequest r;
    r.signer = signer;
    r.idempotency_key = "t" + std::to_string(++idem);
    for (const auto& e : events) r.events.push_back(event_bytes(e));
    return r;
  }
  // Appends one commit; it must be accepted, the books must still balance, and the stored rule
  // state must be the state a replay derives (spec/LOG.md, "Rule state").
  CommitInfo ok(const Key& signer, const std::vector<json>& events) {
    auto res = ledger->append({req(signer, events)});
    INFO((res ? "" : res.error().to_string()));
    REQUIRE(res.has_value());
    check_books();
    return res->at(0);
  }
  void check_books() {
    LedgerState derived;
    REQUIRE(ledger->replay(&derived).is_ok());
    CHECK(derived.trial_balance() == Ore{});
    auto differences = ledger->compare_stored_state(derived);
    REQUIRE(differences.has_value());
    for (const auto& d : *differences) FAIL_CHECK(d.object + ": " + d.reason);
  }
  // Requires rejection by `rule`, a message containing `needle`, and nothing written.
  void refused(const Key& signer, const std::vector<json>& events, Rejection rule, const std::string& needle = "") {
    std::string before = fingerprint(*ledger);
    auto res = ledger->append({req(signer, events)});
    REQUIRE_FALSE(res.has_value());
    INFO(res.error().to_string());
    CHECK(res.error().code() == StatusCode::kRejected);
    std::string tag = "rule " + std::to_string(static_cast<int>(rule)) + " " + rejection_name(rule);
    CHECK(res.error().message().find(tag) != std::string::npos);
    CHECK(res.error().message().find(needle) != std::string::npos);
    CHECK(fingerprint(*ledger) == before);
  }
};

}  // namespace grantledger::testing
