// The planned walk of a decoded message (ledger/schema_walk.h) accepts and refuses exactly what the
// reflection walk it replaced does: over the fuzz corpora and reproducers, the demo ledger's events
// and commits, submission files, and thousands of damaged copies of them (seeded, seed printed).
#include <catch2/catch.hpp>

#include <capnp/schema.capnp.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>

#include "ledger/canonical.h"
#include "ledger/ed25519.h"
#include "ledger/log_reader.h"
#include "ledger/schema_walk.h"
#include "ledger/submission.h"
#include "tests/cli_support.h"
#include "tests/test_support.h"
#include "tools/demo/scenario.h"

using namespace grantledger;
using namespace grantledger::testing;
namespace fs = std::filesystem;

namespace {

using Kind = DecodedMessage::Kind;
constexpr Kind kKinds[] = {Kind::kEvent, Kind::kCommit, Kind::kSubmissionFile};

// How the two decodes of one input came out, over many inputs.
struct Tally {
  int accepted = 0;
  int refused_by_walk = 0;  // canonical, refused by the walk (the part the two walks differ in)
  int refused_before = 0;   // refused by the length or canonical-form check both share
};

// Both decodes of `bytes` as `kind` agree: both accept, or both refuse as corruption.
void check_same(std::string_view bytes, Kind kind, Tally* tally) {
  auto planned = DecodedMessage::decode(bytes, kind);
  auto reflected = DecodedMessage::decode_by_reflection(bytes, kind);
  INFO("kind " << static_cast<int>(kind) << ", " << bytes.size() << " bytes: " << to_hex(bytes));
  REQUIRE(planned.has_value() == reflected.has_value());
  if (planned) {
    ++tally->accepted;
    return;
  }
  CHECK(planned.error().code() == StatusCode::kCorruption);
  CHECK(reflected.error().code() == StatusCode::kCorruption);
  if (reflected.error().message().find("does not decode") != std::string::npos)
    ++tally->refused_by_walk;
  else
    ++tally->refused_before;
}

std::vector<std::string> fuzz_files() {
  std::vector<std::string> out;
  const fs::path fuzz = fs::path(GL_TEST_DATA_DIR).parent_path() / "fuzz";
  for (const char* dir : {"corpus", "crashes"})
    for (const auto& f : fs::recursive_directory_iterator(fuzz / dir))
      if (f.is_regular_file()) out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct DemoMessages {
  std::vector<Bytes> events;
  std::vector<Bytes> commits;
  std::vector<Bytes> submission_files;
};

// The canonical bytes of a small demo ledger's events and commits, and submission files of its events.
DemoMessages demo_messages() {
  TempDir tmp;
  std::ostringstream log;
  auto summary = demo::run_demo(tmp / "l", {.seed = 7, .course_payments = 40}, log);
  INFO((summary ? log.str() : summary.error().to_string()));
  REQUIRE(summary.has_value());
  auto ledger = Ledger::open(tmp / "l", {.writer = false});
  REQUIRE(ledger.has_value());
  auto reader = LogReader::open(**ledger);
  REQUIRE(reader.has_value());
  DemoMessages out;
  while (true) {
    auto commit = (*reader)->next_commit();
    REQUIRE(commit.has_value());
    if (*commit == nullptr) break;
    out.commits.push_back((*commit)->bytes);
    while (true) {
      auto event = (*reader)->next_event();
      REQUIRE(event.has_value());
      if (*event == nullptr) break;
      out.events.push_back((*event)->bytes);
    }
  }
  const PrivateKey key = PrivateKey::generate();
  for (size_t first = 0; first < out.events.size(); first += 97) {
    std::vector<Submission> submissions;
    for (size_t i = first; i < std::min(first + 97, out.events.size()); i += 13) {
      std::vector<Bytes> events(out.events.begin() + static_cast<long>(i),
                                out.events.begin() + static_cast<long>(std::min(i + 13, out.events.size())));
      auto s = sign_submission("grantledger.test/walk", std::move(events), key, "walk-" + std::to_string(i), 1);
      REQUIRE(s.has_value());
      submissions.push_back(std::move(*s));
    }
    out.submission_files.push_back(encode_submission_file(submissions));
  }
  return out;
}

// One random damage: a bit flipped, a byte replaced, a word copied over another, or the tail cut.
std::string damaged(const std::string& bytes, std::mt19937_64& rng) {
  std::string m = bytes;
  const size_t words = m.size() / 8;
  switch (rng() % 5) {
    case 0: m[rng() % m.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
    case 1: m[rng() % m.size()] = static_cast<char>(rng()); break;
    case 2:
      if (words > 1) m.replace(8 * (rng() % words), 8, m, 8 * (rng() % words), 8);
      break;
    case 3:
      if (words > 1) m.resize(8 * (1 + rng() % (words - 1)));
      break;
    case 4: m[rng() % m.size()] = static_cast<char>(rng() % 4 == 0 ? 0 : 0x80 | rng() % 0x40); break;
  }
  return m;
}

// {planned, reflected}: whether each walk accepts `bytes` as a message of `schema`; nullopt when the
// bytes are not a canonical message (decode refuses those before walking).
std::optional<std::pair<bool, bool>> walks(const SchemaWalk& walk, capnp::StructSchema schema, std::string_view bytes) {
  if (bytes.empty() || bytes.size() % 8 != 0) return std::nullopt;
  auto words = kj::heapArray<capnp::word>(bytes.size() / 8);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  kj::ArrayPtr<const capnp::word> segments[] = {words};
  capnp::SegmentArrayMessageReader reader(segments);
  try {
    if (!reader.isCanonical()) return std::nullopt;
  } catch (const kj::Exception&) {
    return std::nullopt;  // isCanonical() throws on some malformed pointers
  }
  auto accepts = [&](auto&& walk_once) {
    uint64_t elements_left = 8 * bytes.size();
    try {
      walk_once(reader.getRoot<capnp::AnyPointer>(), &elements_left);
      return true;
    } catch (const kj::Exception&) {
      return false;
    }
  };
  return std::pair{accepts([&](auto root, uint64_t* left) { walk.walk(root, left); }),
                   accepts([&](auto root, uint64_t* left) { walk_by_reflection(schema, root, left); })};
}

// capnp's own schema::Type, as canonical bytes: `levels` lists of lists around an Int32.
std::string nested_list_type(int levels) {
  capnp::MallocMessageBuilder message;
  auto type = message.initRoot<capnp::schema::Type>();
  for (int i = 0; i < levels; ++i) type = type.initList().initElementType();
  type.setInt32();
  return canonical_bytes(message.getRoot<capnp::schema::Type>().asReader());
}

}  // namespace

TEST_CASE("schema walk: the plan covers every shape of the ledger's three roots", "[ledger][canonical]") {
  CHECK(SchemaWalk(capnp::Schema::from<schema::Event>().asStruct()).planned());
  CHECK(SchemaWalk(capnp::Schema::from<schema::Commit>().asStruct()).planned());
  CHECK(SchemaWalk(capnp::Schema::from<schema::SubmissionFile>().asStruct()).planned());
  // capnp's own Node reaches AnyPointer fields (default values): the walk reflects there.
  CHECK(!SchemaWalk(capnp::Schema::from<capnp::schema::Node>().asStruct()).planned());
}

TEST_CASE("schema walk: every fuzz corpus and reproducer file decodes alike both ways", "[ledger][canonical][fuzz]") {
  const auto files = fuzz_files();
  REQUIRE(files.size() >= 30);
  Tally tally;
  for (const auto& path : files) {
    INFO(path);
    const std::string bytes = read_file(path);
    for (Kind kind : kKinds) check_same(bytes, kind, &tally);
  }
  CHECK(tally.accepted >= 20);
  CHECK(tally.refused_by_walk >= 5);
}

TEST_CASE("schema walk: the demo ledger's messages and thousands of damaged copies decode alike both ways", "[ledger][canonical]") {
  const DemoMessages demo = demo_messages();
  REQUIRE(demo.events.size() > 100);
  REQUIRE(demo.commits.size() > 5);
  REQUIRE(!demo.submission_files.empty());
  Tally tally;
  // Every message as every root kind: the other kinds read its pointers as the wrong types.
  for (const auto* set : {&demo.events, &demo.commits, &demo.submission_files})
    for (const Bytes& bytes : *set)
      for (Kind kind : kKinds) check_same(bytes, kind, &tally);
  CHECK(tally.accepted >= static_cast<int>(demo.events.size() + demo.commits.size() + demo.submission_files.size()));

  const uint64_t seed = std::random_device()();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  Tally damage;
  for (int i = 0; i < 6000; ++i) {
    const auto& set = i % 3 == 0 ? demo.events : i % 3 == 1 ? demo.commits : demo.submission_files;
    std::string bytes = damaged(set[rng() % set.size()], rng);
    if (rng() % 4 == 0) bytes = damaged(bytes, rng);
    check_same(bytes, kKinds[i % 3], &damage);
    if (rng() % 8 == 0) check_same(bytes, kKinds[rng() % 3], &damage);
  }
  INFO("accepted " << damage.accepted << ", refused by the walk " << damage.refused_by_walk
                   << ", refused before it " << damage.refused_before);
  CHECK(damage.accepted >= 100);
  CHECK(damage.refused_by_walk >= 100);
  CHECK(damage.refused_before >= 100);
}

TEST_CASE("schema walk: a recursive schema with groups in unions walks alike both ways, to the depth limit", "[ledger][canonical]") {
  // capnp::schema::Type has shapes the ledger's schema has not: recursion (through a group's
  // struct field and through Brand's lists), unions inside groups, Void union members.
  const capnp::StructSchema schema = capnp::Schema::from<capnp::schema::Type>().asStruct();
  const SchemaWalk walk(schema);
  REQUIRE(walk.planned());
  std::vector<std::string> messages;
  for (capnp::StructSchema root : {capnp::Schema::from<schema::Event>().asStruct(),
                                   capnp::Schema::from<schema::KeyRegistered>().asStruct(),
                                   capnp::Schema::from<schema::ProgrammeCreated>().asStruct(),
                                   capnp::Schema::from<schema::CommitBody>().asStruct(),
                                   capnp::Schema::from<schema::SubmissionFile>().asStruct()})
    for (auto field : root.getFields())
      if (field.getProto().isSlot()) messages.push_back(canonical_bytes(field.getProto().getSlot().getType()));
  for (int levels : {1, 5, 14, 15, 16, 17, 40}) messages.push_back(nested_list_type(levels));

  int accepted = 0, refused = 0;
  for (const auto& bytes : messages) {
    auto r = walks(walk, schema, bytes);
    REQUIRE(r.has_value());
    CHECK(r->first == r->second);
    r->first ? ++accepted : ++refused;
  }
  // Each list level is a struct and a group: 15 levels stay within kMaxWalkDepth, 16 do not.
  CHECK(walks(walk, schema, nested_list_type(15)) == std::pair{true, true});
  CHECK(walks(walk, schema, nested_list_type(16)) == std::pair{false, false});
  CHECK(refused >= 3);

  const uint64_t seed = std::random_device()();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  int damaged_walked = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string bytes = damaged(messages[rng() % messages.size()], rng);
    auto r = walks(walk, schema, bytes);
    if (!r) continue;
    INFO(to_hex(bytes));
    REQUIRE(r->first == r->second);
    ++damaged_walked;
  }
  CHECK(damaged_walked >= 300);
}
