#include <catch2/catch.hpp>

#include "ledger/bytes.h"

using namespace grantledger;

TEST_CASE("big-endian keys sort numerically") {
  REQUIRE(u64_be(1) < u64_be(256));
  REQUIRE(get_u64_be(u64_be(0x0102030405060708ull)) == 0x0102030405060708ull);
}

TEST_CASE("base64 round-trips and rejects malformed text") {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) REQUIRE(from_base64(to_base64(s)) == s);
  REQUIRE(to_base64("foobar") == "Zm9vYmFy");
  REQUIRE(to_base64("fo") == "Zm8=");
  REQUIRE_FALSE(from_base64("Zm8").has_value());
  REQUIRE_FALSE(from_base64("Z=m8").has_value());
  REQUIRE_FALSE(from_base64("Zm!=").has_value());
}

TEST_CASE("hex round-trips and rejects malformed text") {
  REQUIRE(to_hex(std::string("\x01\xab", 2)) == "01ab");
  REQUIRE(from_hex("01AB") == std::string("\x01\xab", 2));
  REQUIRE_FALSE(from_hex("abc").has_value());
  REQUIRE_FALSE(from_hex("zz").has_value());
}
