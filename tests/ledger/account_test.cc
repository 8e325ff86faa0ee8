// Account (ledger/account.h): the names of the chart of accounts, built and parsed in one place.
#include "ledger/account.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <vector>

using namespace grantledger;
using Kind = Account::Kind;

namespace {

constexpr schema::Sector kSectors[] = {schema::Sector::MUNICIPALITIES, schema::Sector::REGIONS,
                                       schema::Sector::STATE};

// One account of every kind for programme `p` and entity `e`.
std::vector<Account> every_kind(const std::string& p, const std::string& e, schema::Sector s) {
  return {Account::funding(p),      Account::pool(p),         Account::sector(p, s),
          Account::available(p, e), Account::reserved(p, e),  Account::paid(p, e),
          Account::course_fees(e),  Account::course_income(e)};
}

}  // namespace

TEST_CASE("account names are exactly the chart's strings (they are stored)", "[ledger][account]") {
  CHECK(Account::funding("LEDER-2012").name() == "funding:LEDER-2012");
  CHECK(Account::pool("LEDER-2012").name() == "grant:LEDER-2012:pool");
  CHECK(Account::sector("LEDER-2012", schema::Sector::MUNICIPALITIES).name() ==
        "grant:LEDER-2012:sector:municipalities");
  CHECK(Account::sector("P", schema::Sector::REGIONS).name() == "grant:P:sector:regions");
  CHECK(Account::sector("P", schema::Sector::STATE).name() == "grant:P:sector:state");
  CHECK(Account::available("LEDER-2012", "851").name() ==
        "grant:LEDER-2012:recipient:851:available");
  CHECK(Account::reserved("P", "665").name() == "grant:P:recipient:665:reserved");
  CHECK(Account::paid("P", "dsb").name() == "grant:P:recipient:dsb:paid");
  CHECK(Account::course_fees("665").name() == "employer:665:course_fees");
  CHECK(Account::course_income("easv").name() == "provider:easv:course_income");
  CHECK(Account::grant_prefix("P") == "grant:P:");
  CHECK(Account::provider_prefix() == "provider:");
}

TEST_CASE("account accessors and floors", "[ledger][account]") {
  const Account a = Account::reserved("P", "665");
  CHECK(a.kind() == Kind::kReserved);
  CHECK(a.programme() == "P");
  CHECK(a.entity() == "665");
  CHECK_FALSE(a.sector().has_value());
  CHECK(a.is_recipient());
  const Account s = Account::sector("P", schema::Sector::STATE);
  CHECK(s.sector() == schema::Sector::STATE);
  CHECK(s.entity().empty());
  const Account f = Account::course_fees("665");
  CHECK(f.programme().empty());
  CHECK(f.entity() == "665");
  CHECK_FALSE(f.is_recipient());
  // Every "grant:" account has a floor of zero; funding, employer and provider accounts none.
  for (const Account& acct : every_kind("P", "665", schema::Sector::STATE)) {
    INFO(acct.name());
    CHECK(acct.has_floor() == acct.name().starts_with("grant:"));
  }
}

TEST_CASE("entity codes may contain ':': the fixed last word ends them", "[ledger][account]") {
  const Account a = Account::paid("P", "A:B:available");
  CHECK(a.name() == "grant:P:recipient:A:B:available:paid");
  auto parsed = Account::parse(a.name());
  REQUIRE(parsed.has_value());
  CHECK(parsed->kind() == Kind::kPaid);
  CHECK(parsed->entity() == "A:B:available");
  auto fees = Account::parse("employer:x:course_fees:course_fees");
  REQUIRE(fees.has_value());
  CHECK(fees->kind() == Kind::kCourseFees);
  CHECK(fees->entity() == "x:course_fees");
  auto income = Account::parse("provider::course_income:course_income");
  REQUIRE(income.has_value());
  CHECK(income->entity() == ":course_income");
}

TEST_CASE("names that are not accounts are refused", "[ledger][account]") {
  const char* bad[] = {
      "",
      "funding:",                                  // no programme
      "funding:A:B",                               // a programme code with ':'
      "grant:",                                    //
      "grant:P",                                   // no account below the programme
      "grant::pool",                               // empty programme
      "grant:P:pool:x",                            // trailing part
      "grant:P:Pool",                              // names are case-sensitive
      "grant:P:sector:",                           // no sector
      "grant:P:sector:employers",                  // unknown sector
      "grant:P:recipient:665",                     // no kind
      "grant:P:recipient::available",              // empty recipient
      "grant:P:recipient:665:returned",            // unknown kind
      "grant:P:recipient:665:available#returned",  // a totals split, not an account
      "grant:P:unknown:665:paid",                  //
      "employer::course_fees",                     // empty employer
      "employer:665",                              //
      "employer:665:course_income",                // the provider's kind on an employer
      "provider:easv:course_fees",                 //
      "provider::course_income",                   //
      "municipality:665",                          // no such form
      " grant:P:pool",                             //
  };
  for (const char* name : bad) {
    INFO("\"" << name << "\"");
    CHECK_FALSE(Account::parse(name).has_value());
  }
  CHECK_FALSE(valid_programme_code(""));
  CHECK_FALSE(valid_programme_code("A:B"));
  CHECK(valid_programme_code("LEDER-2012"));
}

TEST_CASE("sector names round-trip", "[ledger][account]") {
  for (schema::Sector s : kSectors) CHECK(parse_sector_name(sector_name(s)) == s);
  CHECK_FALSE(parse_sector_name("Regions").has_value());
}

TEST_CASE("property: parse(name()) is the account itself, and accounts order as their names",
          "[ledger][account][property]") {
  const uint64_t seed = 20122013;
  std::mt19937_64 rng(seed);
  // Codes from an alphabet with the separators the names use (':' only in entity codes).
  const std::string alphabet = "abcXYZ019-_.#: ";
  auto code = [&](bool colon_allowed) {
    std::string out;
    size_t n = 1 + rng() % 8;
    while (out.size() < n) {
      char c = alphabet[rng() % alphabet.size()];
      if (c == ':' && !colon_allowed) continue;
      out += c;
    }
    return out;
  };
  std::vector<Account> all;
  for (int round = 0; round < 2000; ++round) {
    INFO("seed " << seed << " round " << round);
    const std::string p = code(false), e = code(true);
    for (const Account& a : every_kind(p, e, kSectors[rng() % 3])) {
      INFO(a.name());
      auto parsed = Account::parse(a.name());
      REQUIRE(parsed.has_value());
      CHECK(*parsed == a);
      CHECK(parsed->kind() == a.kind());
      CHECK(parsed->programme() == a.programme());
      CHECK(parsed->entity() == a.entity());
      CHECK(parsed->sector() == a.sector());
      CHECK(parsed->name() == a.name());
      all.push_back(a);
    }
    // A random string either is no account, or is the name of the account it parses to.
    std::string noise = (rng() % 2 ? "grant:" + p + ":" : std::string()) + code(true) + code(true);
    if (auto parsed = Account::parse(noise)) CHECK(parsed->name() == noise);
  }
  // Ordering: a map keyed by Account keeps the order of one keyed by name.
  std::map<Account, int> by_account;
  std::map<std::string, int> by_name;
  for (const Account& a : all) by_account.emplace(a, 0), by_name.emplace(a.name(), 0);
  REQUIRE(by_account.size() == by_name.size());
  auto n = by_name.begin();
  for (const auto& [a, _] : by_account) CHECK(a.name() == (n++)->first);
}
