// The prelude every decoder of stored bytes shares (ledger/message_words.h): a length that is not
// whole words, and an exception Cap'n Proto raises on bytes whose pointers leave the message, are
// returned as corruption, never thrown.
#include <catch2/catch.hpp>

#include <string>

#include "ledger/message_words.h"
#include "spec/events.capnp.h"

using namespace grantledger;

TEST_CASE("stored bytes: whole words are copied, anything else is corruption", "[ledger][decode]") {
  for (const size_t length : {size_t{0}, size_t{7}, size_t{9}}) {
    const auto words = message_words(std::string(length, 'x'));
    REQUIRE_FALSE(words);
    CHECK(words.error().code() == StatusCode::kCorruption);
    CHECK(words.error().message() ==
          "message does not decode: its length " + std::to_string(length) + " is not a positive multiple of 8");
  }
  const std::string bytes = "0123456789abcdef";
  const auto words = message_words(bytes);
  REQUIRE(words);
  REQUIRE(words->size() == 2);
  CHECK(std::string(reinterpret_cast<const char*>(words->begin()), 16) == bytes);
  CHECK(single_segment(*words).size() == 2);
}

TEST_CASE("stored bytes: a pointer that leaves the message is corruption, other answers pass through", "[ledger][decode]") {
  // One word: a struct pointer whose target (offset 4, one data word) lies beyond the segment.
  const std::string bytes("\x10\x00\x00\x00\x01\x00\x00\x00", 8);
  bool reached = false;
  const Status read = read_message_root<schema::Commit>(bytes, [&](schema::Commit::Reader commit) -> Status {
    const uint64_t sequence = commit.getBody().getSequence();
    reached = true;
    return sequence == 0 ? Status::ok() : Status::not_found("unexpected");
  });
  CHECK_FALSE(reached);
  CHECK(read.code() == StatusCode::kCorruption);
  CHECK_THAT(read.message(), Catch::StartsWith("message does not decode: "));
  CHECK_THAT(read_message_root<schema::Commit>(std::string(7, 'x'), [](schema::Commit::Reader) { return Status::ok(); }).message(),
             Catch::Contains("its length 7 is not a positive multiple of 8"));

  CHECK(reading_message([] { return Status::not_found("the commit does not hold the event"); }).code() == StatusCode::kNotFound);
  CHECK(reading_message([] { return Status::ok(); }).is_ok());
}
