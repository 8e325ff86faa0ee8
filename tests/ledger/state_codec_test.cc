// The stored form of the rule state's money (ledger/state_codec.h): Ore is stored as the i64 it
// replaced, byte for byte, and the one i64 that has no opposite is refused as damage.
#include "ledger/state_codec.h"

#include <catch2/catch.hpp>
#include <climits>

using namespace grantledger;

namespace {

template <typename T>
bool decodes(const Bytes& bytes, T* out) {
  RecordReader r(bytes);
  state_codec::decode(&r, out);
  return r.finish("test").is_ok();
}

}  // namespace

TEST_CASE("state codec: a balance is stored as its i64, and read back", "[ledger][state][money]") {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'000'000'000'000}, INT64_MAX,
                    INT64_MIN + 1}) {
    INFO(v);
    RecordWriter as_ore, as_i64;
    state_codec::encode(&as_ore, Ore{v});
    state_codec::encode(&as_i64, v);
    CHECK(as_ore.bytes() == as_i64.bytes());
    Ore back;
    REQUIRE(decodes(as_ore.bytes(), &back));
    CHECK(back == Ore{v});
  }
}

TEST_CASE("state codec: a stored amount of INT64_MIN is damage, not a figure",
          "[ledger][state][money]") {
  RecordWriter balance;
  state_codec::encode(&balance, int64_t{INT64_MIN});
  Ore b;
  CHECK_FALSE(decodes(balance.bytes(), &b));

  ClaimState claim;
  claim.programme = "P";
  claim.amount_ore = Ore{INT64_MIN};
  RecordWriter w;
  state_codec::encode(&w, claim);
  ClaimState back;
  CHECK_FALSE(decodes(w.bytes(), &back));
  claim.amount_ore = Ore{80000};
  RecordWriter ok;
  state_codec::encode(&ok, claim);
  REQUIRE(decodes(ok.bytes(), &back));
  CHECK(back.amount_ore == Ore{80000});
}

TEST_CASE("state codec: a key's bodies and a programme's owner are stored only when set", "[ledger][state][owner]") {
  KeyState key{Bytes(32, 'k'), schema::Role::PROGRAMME_ADMINISTRATOR, "agency", "", {}, 3, std::nullopt};
  RecordWriter without;
  state_codec::encode(&without, key);
  // The bytes a key had before the field existed: nothing after "revoked in commit".
  CHECK(without.bytes().size() == 4 + 32 + 1 + 4 + 6 + 4 + 0 + 8 + 1 + 8);
  key.acts_for = {"fm", "mks"};
  RecordWriter with;
  state_codec::encode(&with, key);
  CHECK(with.bytes().substr(0, without.bytes().size()) == without.bytes());
  KeyState back;
  REQUIRE(decodes(with.bytes(), &back));
  CHECK(back.acts_for == key.acts_for);
  KeyState old;
  REQUIRE(decodes(without.bytes(), &old));
  CHECK(old.acts_for.empty());

  ProgrammeState p;
  p.name = "P";
  RecordWriter no_owner, owned;
  state_codec::encode(&no_owner, p);
  p.owner = "mks";
  state_codec::encode(&owned, p);
  CHECK(owned.bytes().size() == no_owner.bytes().size() + 4 + 3);
  ProgrammeState p_back;
  REQUIRE(decodes(owned.bytes(), &p_back));
  CHECK(p_back.owner == "mks");
  // An owner stored empty is not what the writer writes: damage.
  Bytes empty_owner = no_owner.bytes() + Bytes(4, '\0');
  CHECK_FALSE(decodes(empty_owner, &p_back));

  ProjectState j{"P", "easv", "Udviklingsprojekt", 100, 200, Ore{5000000}, true};
  RecordWriter jw;
  state_codec::encode(&jw, j);
  ProjectState j_back;
  REQUIRE(decodes(jw.bytes(), &j_back));
  CHECK(j_back.provider == "easv");
  CHECK(j_back.granted_ore == Ore{5000000});
  CHECK(j_back.closed);
}

TEST_CASE("state codec: a programme's initiative fields are stored only for an initiative", "[ledger][state][initiative]") {
  ProgrammeState p;
  p.name = "P";
  p.owner = "mks";
  RecordWriter owned;
  state_codec::encode(&owned, p);  // the bytes an owned programme had before the fields existed
  p.theme = schema::Theme::WORKPLACES;
  p.kind = schema::ProgrammeKind::SECTOR_WISE;
  p.sector = schema::SectorPart::REGIONS;
  RecordWriter initiative;
  state_codec::encode(&initiative, p);
  CHECK(initiative.bytes() == owned.bytes() + Bytes("\x03\x02\x02"));
  ProgrammeState back;
  REQUIRE(decodes(initiative.bytes(), &back));
  CHECK(back.theme == schema::Theme::WORKPLACES);
  CHECK(back.kind == schema::ProgrammeKind::SECTOR_WISE);
  CHECK(back.sector == schema::SectorPart::REGIONS);
  ProgrammeState old;
  REQUIRE(decodes(owned.bytes(), &old));
  CHECK(old.kind == schema::ProgrammeKind::NONE);
  // Never written: a kind of none, an enum out of range, or fields without an owner.
  CHECK_FALSE(decodes(owned.bytes() + Bytes("\x03\x00\x00", 3), &back));
  CHECK_FALSE(decodes(owned.bytes() + Bytes("\x03\x04\x00", 3), &back));
  ProgrammeState no_owner;
  no_owner.name = "P";
  RecordWriter bare;
  state_codec::encode(&bare, no_owner);
  CHECK_FALSE(decodes(bare.bytes() + Bytes("\x03\x03\x00", 3), &back));
}
