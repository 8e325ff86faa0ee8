// `grantledger witness serve` as a real process on 127.0.0.1, fed add-checkpoint requests built
// from a real demo ledger (spec/WITNESS.md): what it cosigns, what it refuses, and that its memory
// survives a restart.
#include <catch2/catch.hpp>

#include <fstream>

#include "ledger/checkpoint.h"
#include "tests/witness/witness_world.h"
#include "tools/witness/cosignature.h"
#include "tools/witness/witness.h"
#include "tools/witness/witness_store.h"

namespace grantledger::testing {
namespace {

using witness::parse_verifier_key;

// A demo ledger, opened read-only by the test for checkpoints and proofs, and the tree sizes of
// three of its commits (checkpoints exist at commit boundaries only).
struct LedgerFixture {
  TempDir tmp;
  std::string dir = tmp / "l";
  std::unique_ptr<Ledger> ledger;
  uint64_t s1 = 0, s2 = 0, s3 = 0;

  LedgerFixture() {
    auto demo = run_cli(tmp, {"demo", "--data", dir, "--seed", "7", "--course-payments", "3"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    auto opened = Ledger::open(dir, LedgerOptions{.read_only = true});
    REQUIRE(opened);
    ledger = std::move(opened).value();
    auto commits = ledger->commits(0, 1000);
    REQUIRE(commits);
    REQUIRE(commits->size() >= 5);
    auto end = [&](size_t i) { return (*commits)[i].info.first_event_index + (*commits)[i].info.event_count; };
    s1 = end(0), s2 = end(2), s3 = end(commits->size() - 1);
  }
  std::string log_flag() const { return ledger->origin() + "=" + dir + "/keys/log.pub.pem"; }
  std::string note(uint64_t size) const { return *ledger->checkpoint(size); }
  std::vector<Hash32> proof(uint64_t from, uint64_t to) const { return *ledger->consistency_proof(from, to); }
  // A checkpoint of this log at `size`, signed by its real key, whose root is not the log's.
  std::string forged_note(uint64_t size) const {
    auto key = PrivateKey::load(dir + "/keys/log.pem");
    REQUIRE(key);
    Checkpoint cp{ledger->origin(), size, Hash32{}};
    cp.root[0] = 7;
    return sign_checkpoint(cp, *key);
  }
};

void check_cosigned(const httplib::Result& r, const std::string& note, const std::string& vkey) {
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  auto key = parse_verifier_key(vkey, {witness::kSigTypeCosignatureV1});
  REQUIRE(key);
  auto verified = witness::verify_cosignatures(note + r->body, {*key});
  REQUIRE(verified);
  CHECK(verified->size() == 1);
}

void check_status(const httplib::Result& r, int status) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == status);
}

TEST_CASE("witness serve: cosigns consistent checkpoints, answers 409 with its size, refuses rollbacks and forks, across a restart",
          "[witness]") {
  LedgerFixture l;
  WitnessProcess w(l.tmp, "w1", {l.log_flag()});
  w.start();
  REQUIRE(w.vkey.rfind(w.name + "+", 0) == 0);

  // First contact: old size 0, no proof.
  check_cosigned(w.add(0, {}, l.note(l.s1)), l.note(l.s1), w.vkey);
  // A stale old size: 409 with the size it holds, as text/x.tlog.size.
  auto stale = w.add(0, {}, l.note(l.s2));
  REQUIRE(stale);
  CHECK(stale->status == 409);
  CHECK(stale->body == std::to_string(l.s1) + "\n");
  CHECK(stale->get_header_value("Content-Type") == "text/x.tlog.size");
  // From the size it holds, with the consistency proof: cosigned.
  check_cosigned(w.add(l.s1, l.proof(l.s1, l.s2), l.note(l.s2)), l.note(l.s2), w.vkey);
  // The same checkpoint again (old = size, no proof): cosigned again.
  check_cosigned(w.add(l.s2, {}, l.note(l.s2)), l.note(l.s2), w.vkey);

  // A rollback: an older checkpoint is never cosigned, from any old size.
  check_status(w.add(l.s2, {}, l.note(l.s1)), 400);  // old size above the checkpoint's
  auto rollback = w.add(l.s1, {}, l.note(l.s1));
  check_status(rollback, 409);
  CHECK(rollback->body == std::to_string(l.s2) + "\n");
  // A fork: a log-signed checkpoint at a larger size whose root is not consistent.
  check_status(w.add(l.s2, l.proof(l.s2, l.s3), l.forged_note(l.s3)), 422);
  // The same size with another root.
  check_status(w.add(l.s2, {}, l.forged_note(l.s2)), 422);
  // A proof that does not verify, and a proof from size 0.
  std::vector<Hash32> bad = l.proof(l.s2, l.s3);
  bad.back()[0] ^= 1;
  check_status(w.add(l.s2, bad, l.note(l.s3)), 422);

  // Restart: the witness remembers s2 and still refuses the fork.
  CHECK(w.stop().exit_code == 0);
  w.start();
  auto remembered = w.add(0, {}, l.note(l.s3));
  check_status(remembered, 409);
  CHECK(remembered->body == std::to_string(l.s2) + "\n");
  check_status(w.add(l.s2, l.proof(l.s2, l.s3), l.forged_note(l.s3)), 422);
  check_status(w.add(l.s2, {}, l.note(l.s1)), 400);
  check_cosigned(w.add(l.s2, l.proof(l.s2, l.s3), l.note(l.s3)), l.note(l.s3), w.vkey);

  // Its state on disk: the note it cosigned last, with the log's signature and its cosignature;
  // and the monitoring route serves it.
  const std::string hash = witness::WitnessStore::origin_hash(l.ledger->origin());
  const std::string stored = read_file(w.data + "/logs/" + hash);
  CHECK(stored.rfind(l.note(l.s3), 0) == 0);
  auto key = parse_verifier_key(w.vkey, {witness::kSigTypeCosignatureV1});
  REQUIRE(key);
  CHECK(witness::verify_cosignatures(stored, {*key})->size() == 1);
  httplib::Client c(w.url);
  auto monitored = c.Get("/" + hash + "/checkpoint");
  REQUIRE(monitored);
  CHECK(monitored->status == 200);
  CHECK(monitored->body == stored);
  check_status(c.Get("/" + std::string(64, '0') + "/checkpoint"), 404);
}

TEST_CASE("witness serve: refuses a bad log signature (403), an unknown origin (404) and malformed bodies (400), storing nothing",
          "[witness]") {
  LedgerFixture l;
  WitnessProcess w(l.tmp, "w1", {l.log_flag()});
  w.start();
  const std::string note = l.note(l.s1);
  // The log's signature line with one byte of the signature changed: the trusted key's line fails.
  std::string tampered = note;
  const size_t sig_at = tampered.rfind(' ') + 10;
  tampered[sig_at] = tampered[sig_at] == 'A' ? 'B' : 'A';
  check_status(w.add(0, {}, tampered), 403);
  // Signed by another key under the log's name: not a trusted key's line, so no signature at all.
  Checkpoint cp{l.ledger->origin(), l.s1, *l.ledger->root(l.s1)};
  check_status(w.add(0, {}, sign_checkpoint(cp, PrivateKey::generate())), 403);
  // Another origin.
  Checkpoint other{"example.com/other-log", l.s1, cp.root};
  check_status(w.add(0, {}, sign_checkpoint(other, PrivateKey::generate())), 404);
  // Malformed bodies.
  check_status(w.add("old 1\n"), 400);
  check_status(w.add("nonsense"), 400);
  check_status(w.add("old 01\n\n" + note), 400);
  check_status(w.add(0, {}, "not a note\n"), 400);
  // A proof from size 0 is refused (422), like a size-0 checkpoint that is not the empty tree.
  check_status(w.add(0, l.proof(l.s1, l.s2), l.note(l.s2)), 422);
  Checkpoint empty{l.ledger->origin(), 0, cp.root};
  auto log_key = PrivateKey::load(l.dir + "/keys/log.pem");
  REQUIRE(log_key);
  check_status(w.add(0, {}, sign_checkpoint(empty, *log_key)), 422);
  // Nothing was stored: the next first contact is cosigned from size 0.
  CHECK(read_file(w.data + "/logs/" + witness::WitnessStore::origin_hash(l.ledger->origin())).empty());
  check_cosigned(w.add(0, {}, note), note, w.vkey);
}

TEST_CASE("witness serve: the cosignature verifies with the openssl command line over the exact signed bytes", "[witness]") {
  LedgerFixture l;
  WitnessProcess w(l.tmp, "w1", {l.log_flag()});
  w.start();
  const std::string note = l.note(l.s2);
  auto r = w.add(0, {}, note);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  // "— <name> <base64(key ID || timestamp || signature)>\n"
  const std::string line = r->body;
  REQUIRE(line.rfind("\xE2\x80\x94 " + w.name + " ", 0) == 0);
  auto blob = from_base64(line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2));
  REQUIRE(blob);
  REQUIRE(blob->size() == 4 + 8 + 64);
  const uint64_t t = get_u64_be(blob->substr(4));
  const std::string body = note.substr(0, note.find("\n\n") + 1);
  {
    std::ofstream(l.tmp / "msg", std::ios::binary) << "cosignature/v1\ntime " << t << "\n" << body;
    std::ofstream(l.tmp / "sig", std::ios::binary) << blob->substr(12);
    std::ofstream(l.tmp / "kid", std::ios::binary) << blob->substr(0, 4);
  }
  const std::string q = shell_quote(l.tmp.path());
  const std::string verify = "openssl pkeyutl -verify -pubin -inkey " + shell_quote(w.key + ".pub.pem") + " -rawin -in " + q +
                             "/msg -sigfile " + q + "/sig >/dev/null 2>&1";
  CHECK(std::system(verify.c_str()) == 0);
  // Key ID = SHA-256(name || "\n" || 0x04 || raw public key)[0:4], with openssl computing the hash.
  const std::string key_id = "{ printf '%s\\n\\004' " + shell_quote(w.name) + "; openssl pkey -pubin -in " +
                             shell_quote(w.key + ".pub.pem") + " -outform DER | tail -c 32; } | openssl dgst -sha256 -binary | head -c 4 | cmp - " +
                             q + "/kid";
  CHECK(std::system(("bash -c " + shell_quote(key_id)).c_str()) == 0);
  // And a changed byte of the message does not verify.
  std::ofstream(l.tmp / "msg", std::ios::binary | std::ios::app) << "x";
  CHECK(std::system(verify.c_str()) != 0);
  // `witness vkey` prints the vkey the running witness announced.
  auto printed = run_cli(l.tmp, {"witness", "vkey", "--name", w.name, "--key", w.key + ".pub.pem"});
  CHECK(printed.out == w.vkey + "\n");
}

TEST_CASE("witness serve: bad flags are refused before anything is written", "[witness]") {
  LedgerFixture l;
  WitnessProcess w(l.tmp, "w1", {l.log_flag()});
  auto no_file = run_cli(l.tmp, {"witness", "serve", "--data", w.data, "--name", w.name, "--key", w.key + ".pem", "--log",
                                 "o=missing.pem", "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(no_file.exit_code == 2);
  CHECK(no_file.err.find("--log o=missing.pem") != std::string::npos);
  auto bad_name = run_cli(l.tmp, {"witness", "serve", "--data", w.data, "--name", "a b", "--key", w.key + ".pem", "--log",
                                  l.log_flag(), "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(bad_name.exit_code == 2);
  CHECK(bad_name.err.find("--name") != std::string::npos);
  auto public_http = run_cli(l.tmp, {"witness", "serve", "--data", w.data, "--name", w.name, "--key", w.key + ".pem", "--log",
                                     l.log_flag(), "--listen", "0.0.0.0:0", "--insecure-http"});
  CHECK(public_http.exit_code == 2);
  CHECK(public_http.err.find("--insecure-http") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(w.data));  // nothing was created
  // A second witness process on the same directory is refused.
  w.start();
  auto second = run_cli(l.tmp, {"witness", "serve", "--data", w.data, "--name", w.name, "--key", w.key + ".pem", "--log",
                                l.log_flag(), "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(second.exit_code == 2);
  CHECK(second.err.find("another witness process") != std::string::npos);
}

TEST_CASE("witness serve: a log given as ORIGIN=VKEY is witnessed, and a damaged state file stops the witness (exit 3)", "[witness]") {
  LedgerFixture l;
  auto log_key = PublicKey::load(l.dir + "/keys/log.pub.pem");
  REQUIRE(log_key);
  const std::string log_vkey = note_verifier_key(l.ledger->origin(), *log_key);
  WitnessProcess w(l.tmp, "w1", {l.ledger->origin() + "=" + log_vkey});
  w.start();
  check_cosigned(w.add(0, {}, l.note(l.s1)), l.note(l.s1), w.vkey);
  CHECK(w.stop().exit_code == 0);
  // The state of a log it cosigned is damaged: the witness refuses to start rather than forget.
  const std::string state = w.data + "/logs/" + witness::WitnessStore::origin_hash(l.ledger->origin());
  std::ofstream(state, std::ios::binary | std::ios::trunc) << "garbage";
  auto r = run_cli(l.tmp, {"witness", "serve", "--data", w.data, "--name", w.name, "--key", w.key + ".pem", "--log", l.log_flag(),
                           "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("not a signed note") != std::string::npos);
  CHECK(read_file(state) == "garbage");
}

TEST_CASE("witness: a clock stepped back never gives a later cosignature an earlier timestamp", "[witness]") {
  LedgerFixture l;
  auto log_key = PublicKey::load(l.dir + "/keys/log.pub.pem");
  REQUIRE(log_key);
  auto store = witness::WitnessStore::open(l.tmp / "wdir");
  REQUIRE(store);
  const witness::Cosigner cosigner{"clock.example/w", PrivateKey::generate()};
  witness::Witness w(cosigner, {{l.ledger->origin(), witness::make_verifier_key(l.ledger->origin(), witness::kSigTypeEd25519, *log_key)}},
                     std::move(store).value());
  auto first = w.add_checkpoint(witness::encode_add_checkpoint({0, {}, l.note(l.s1)}), 2000000000);
  REQUIRE(first.status == 200);
  auto second = w.add_checkpoint(witness::encode_add_checkpoint({l.s1, l.proof(l.s1, l.s2), l.note(l.s2)}), 1000000000);
  REQUIRE(second.status == 200);
  auto verified = witness::verify_cosignatures(l.note(l.s2) + second.body, {cosigner.verifier_key()});
  REQUIRE(verified);
  REQUIRE(verified->size() == 1);
  CHECK(verified->front().timestamp_s == 2000000000);
}

}  // namespace
}  // namespace grantledger::testing
