// `serve --witness URL=VKEY` collects cosignatures from real witness processes and publishes them
// on GET /v1/checkpoint; `verify-proof` and `audit` with `--witness ... --quorum N` accept a
// checkpoint with N valid cosignatures and refuse one with fewer (spec/WITNESS.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/server/serve_world.h"
#include "tests/witness/witness_world.h"

namespace grantledger::testing {
namespace {

const std::string kDash = "\xE2\x80\x94 ";

std::string payment_line(const std::string& id) {
  return nlohmann::json{{"type", "course_payment_recorded"}, {"effective_date", "2013-01-05"}, {"payment_id", id},
                        {"employer_code", "665"},           {"provider_code", "easv"},         {"participant", "deltager-" + id},
                        {"course_kind", "akademi"},         {"module", "modul 1"},             {"course_start_date", "2013-01-10"},
                        {"payment_date", "2013-01-05"},     {"amount_ore", 1250000}}
             .dump() +
         "\n";
}

// GET /v1/checkpoint until it carries a cosignature line of every witness in `names` at a tree
// size of at least `min_size`.
std::string wait_for_cosigned(const ServeWorld& s, const std::vector<std::string>& names, uint64_t min_size) {
  httplib::Client c(s.url);
  c.set_ca_cert_path(s.cert.c_str());
  c.enable_server_certificate_verification(true);
  std::string last;
  for (int i = 0; i < 600; ++i) {
    auto r = c.Get("/v1/checkpoint");
    if (r && r->status == 200) {
      last = r->body;
      const size_t nl = last.find('\n');
      const uint64_t size = std::stoull(last.substr(nl + 1, last.find('\n', nl + 1) - nl - 1));
      bool all = size >= min_size;
      for (const auto& n : names) all &= last.find(kDash + n + " ") != std::string::npos;
      if (all) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the checkpoint never carried the cosignatures: " << last);
  return "";
}

uint64_t size_of(const std::string& note) {
  const size_t nl = note.find('\n');
  return std::stoull(note.substr(nl + 1, note.find('\n', nl + 1) - nl - 1));
}

// `note` without the signature line of witness `name`.
std::string without(const std::string& note, const std::string& name) {
  const size_t at = note.find(kDash + name + " ");
  REQUIRE(at != std::string::npos);
  return note.substr(0, at) + note.substr(note.find('\n', at) + 1);
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST_CASE("serve --witness: checkpoints carry two witnesses' cosignatures, a proof verifies with a quorum of two and is refused with one",
          "[witness][server]") {
  ServeWorld s;
  const std::string log_flag = s.origin() + "=" + s.dir + "/keys/log.pub.pem";
  WitnessProcess w1(s.tmp, "w1", {log_flag}), w2(s.tmp, "w2", {log_flag}), w3(s.tmp, "w3", {log_flag});
  w1.start();
  w2.start();
  w3.start();
  const std::string dead_vkey = w3.vkey;
  w3.stop();  // a dead witness: its cosignature never comes, and submissions must not care
  s.start({"--witness", w1.url + "=" + w1.vkey, "--witness", w2.url + "=" + w2.vkey, "--witness", "http://127.0.0.1:1=" + dead_vkey});

  const std::string first = wait_for_cosigned(s, {w1.name, w2.name}, 0);
  // A submission is acknowledged while a witness is dead; the new checkpoint is cosigned by the
  // live witnesses from the sizes they hold (consistency proofs from the first checkpoint).
  write(s.tmp / "a.jsonl", payment_line("wit-a1"));
  auto appended = s.remote({"append", "--input", s.tmp / "a.jsonl"}, "finance-665");
  INFO(appended.err);
  REQUIRE(appended.exit_code == 0);
  const std::string cosigned = wait_for_cosigned(s, {w1.name, w2.name}, size_of(first) + 1);
  CHECK(cosigned.find(kDash + s.origin() + " ") != std::string::npos);  // the log's own line stays
  REQUIRE(s.stop().exit_code == 0);

  write(s.tmp / "kept.txt", cosigned);
  write(s.tmp / "kept-one.txt", without(cosigned, w2.name));
  auto proof = s.local({"prove", "inclusion", "--event", "3", "--out", s.tmp / "proof.json"});
  INFO(proof.err);
  REQUIRE(proof.exit_code == 0);
  const std::vector<std::string> verify = {"verify-proof", s.tmp / "proof.json", "--log-key", s.dir + "/keys/log.pub.pem"};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(s.tmp, args);
  };
  const std::vector<std::string> two = {"--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "2"};

  auto ok = with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "2"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  // One cosignature where two are required: refused (exit 1), naming the count.
  auto one = with(verify, {"--checkpoint", s.tmp / "kept-one.txt", "--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "2"});
  CHECK(one.exit_code == 1);
  CHECK(one.err.find("1 valid cosignature from the given witnesses (" + w1.name + "), the quorum is 2") != std::string::npos);
  CHECK(with(verify, {"--checkpoint", s.tmp / "kept-one.txt", "--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "1"}).exit_code == 0);
  // Without the witnessed checkpoint the proof's own note has no cosignature.
  CHECK(with(verify, two).exit_code == 1);
  // The dead witness never cosigned: a quorum that needs it is refused; its line is unknown to a
  // verifier that is not given it, and ignored.
  CHECK(with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey, "--witness", dead_vkey, "--quorum", "2"}).exit_code == 1);
  CHECK(with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey}).exit_code == 0);
  // Bad flags: exit 2.
  CHECK(with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey, "--quorum", "2"}).exit_code == 2);
  CHECK(with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", "not-a-vkey"}).exit_code == 2);
  auto negative = with(verify, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey, "--quorum", "-1"});
  CHECK(negative.exit_code == 2);
  CHECK(negative.err.find("--quorum: expected a whole number") != std::string::npos);

  // audit: each kept checkpoint needs the quorum.
  const std::vector<std::string> audit = {"audit", "--data", s.dir, "--no-projections"};
  auto audited = with(audit, {"--checkpoint", s.tmp / "kept.txt", "--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "2"});
  INFO(audited.out << audited.err);
  CHECK(audited.exit_code == 0);
  auto refused = with(audit, {"--checkpoint", s.tmp / "kept-one.txt", "--witness", w1.vkey, "--witness", w2.vkey, "--quorum", "2"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("the quorum is 2") != std::string::npos);
  CHECK(with(audit, two).exit_code == 2);  // --quorum without --checkpoint
}

TEST_CASE("serve --witness: a malformed witness flag is refused before the ledger is opened", "[witness][server]") {
  ServeWorld s;
  const std::string before = fingerprint(s.dir);
  auto r = run_cli(s.tmp, {"serve", "--data", s.dir, "--listen", "127.0.0.1:0", "--insecure-http", "--witness", "http://127.0.0.1:1=nope"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--witness") != std::string::npos);
  auto no_url = run_cli(s.tmp, {"serve", "--data", s.dir, "--listen", "127.0.0.1:0", "--insecure-http", "--witness", "w.example/x+00000000+AA=="});
  CHECK(no_url.exit_code == 2);
  const std::string vkey = "w.example/x+" + std::string("00000000") + "+AA==";
  auto public_http = run_cli(s.tmp, {"serve", "--data", s.dir, "--listen", "127.0.0.1:0", "--insecure-http", "--witness",
                                     "http://witness.example.dk:80=" + vkey});
  CHECK(public_http.exit_code == 2);
  CHECK(public_http.err.find("http:// only to a loopback address") != std::string::npos);
  CHECK(fingerprint(s.dir) == before);
}

}  // namespace
}  // namespace grantledger::testing
