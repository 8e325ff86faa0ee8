// Proofs verified with no database, bundles audited without RocksDB, and the CLI's exit codes
// and errors for every bad input.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/audit/audit_world.h"
#include "tools/audit/bundle.h"
#include "tools/audit/proof_json.h"

using namespace grantledger;
using namespace grantledger::testing;
using audit::FindingClass;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

struct Run {
  int exit_code;
  std::string out, err;
};

// Runs the CLI; stdout and stderr captured in files under `tmp`.
Run cli(const TempDir& tmp, const std::string& args) {
  std::string out = tmp / "stdout.txt", err = tmp / "stderr.txt";
  std::string cmd = std::string(GL_CLI_PATH) + " " + args + " >" + out + " 2>" + err;
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), slurp(out), slurp(err)};
}

}  // namespace

TEST_CASE("inclusion and consistency proofs verify with only the log key", "[audit][proof]") {
  AuditWorld w(false);
  Head head = w.ledger->head().value();
  const PublicKey& log_key = w.ledger->log_public_key();
  for (uint64_t index : {uint64_t{0}, w.payment_event, head.tree_size - 1}) {
    auto proof = audit::make_inclusion_proof(*w.ledger, index, std::nullopt);
    REQUIRE(proof.has_value());
    auto v = audit::verify_proof(proof->dump(), log_key);
    INFO((v ? v->summary : v.error().to_string()));
    CHECK(v.has_value());
  }
  // At an older checkpoint too.
  auto old = audit::make_inclusion_proof(*w.ledger, 0, w.payment_event);
  REQUIRE(old.has_value());
  CHECK(audit::verify_proof(old->dump(), log_key).has_value());
  CHECK(audit::make_inclusion_proof(*w.ledger, 0, w.payment_event + 1).error().code() == StatusCode::kInvalidArgument);
  CHECK(audit::make_inclusion_proof(*w.ledger, head.tree_size, std::nullopt).error().code() == StatusCode::kInvalidArgument);

  auto cons = audit::make_consistency_proof(*w.ledger, w.payment_event, std::nullopt);
  REQUIRE(cons.has_value());
  auto v = audit::verify_proof(cons->dump(), log_key);
  INFO((v ? v->summary : v.error().to_string()));
  CHECK(v.has_value());
  // An altered hash, an altered event, another key: findings (exit 1), never success.
  auto bad = *cons;
  bad["proof"][0] = to_hex(Hash32{});
  CHECK(audit::verify_proof(bad.dump(), log_key).error().code() == StatusCode::kFindings);
  auto inc = audit::make_inclusion_proof(*w.ledger, w.payment_event, std::nullopt).value();
  auto altered = inc;
  altered["leaf_hash"] = to_hex(Hash32{});
  altered.erase("event_bytes");
  CHECK(audit::verify_proof(altered.dump(), log_key).error().code() == StatusCode::kFindings);
  auto other = PrivateKey::generate();
  auto wrong = audit::verify_proof(inc.dump(), other.public_key());
  CHECK(wrong.error().code() == StatusCode::kFindings);
  CHECK(wrong.error().message().find("does not verify with the log key") != std::string::npos);
  // Not JSON: invalid_argument. A proof missing a field does not verify: findings naming it.
  CHECK(audit::verify_proof("{not json", log_key).error().code() == StatusCode::kInvalidArgument);
  auto missing = inc;
  missing.erase("audit_path");
  auto m = audit::verify_proof(missing.dump(), log_key);
  CHECK(m.error().code() == StatusCode::kFindings);
  CHECK(m.error().message().find("audit_path") != std::string::npos);
}

TEST_CASE("every field a proof presents is bound to what was verified", "[audit][proof]") {
  AuditWorld w(false);
  const PublicKey& log_key = w.ledger->log_public_key();
  const auto inc = audit::make_inclusion_proof(*w.ledger, w.payment_event, std::nullopt).value();
  REQUIRE(audit::verify_proof(inc.dump(), log_key).has_value());
  auto refused = [&](const nlohmann::json& doc, const std::string& needle) {
    auto v = audit::verify_proof(doc.dump(), log_key);
    INFO(doc.dump());
    REQUIRE(!v.has_value());
    CHECK(v.error().code() == StatusCode::kFindings);
    CHECK(v.error().message().find(needle) != std::string::npos);
  };
  {
    auto e = inc;  // the reproduction: jq '.event.amount_ore=99999999'
    e["event"]["amount_ore"] = 99999999;
    refused(e, "the event shown differs");
  }
  {
    auto e = inc;
    e.erase("event_bytes");
    refused(e, "event_bytes is missing");
  }
  {
    auto e = inc;
    e["commit_sequence"] = inc["commit_sequence"].get<uint64_t>() + 1;
    refused(e, "not commit_sequence");
  }
  {
    auto e = inc;
    e["commit"] = to_hex(w.ledger->commit(0).value().bytes);
    refused(e, "commit is commit 0");
  }
  {
    auto e = inc;
    e["note"] = "approved by the minister";
    refused(e, "field note is not part of");
  }
  {
    auto e = inc;
    e["event_index"] = inc["event_index"].get<uint64_t>() - 1;
    refused(e, "audit path");
  }
  {
    // A duplicate key would let a reader see another value than the verifier used.
    std::string doc = inc.dump();
    doc.insert(doc.size() - 1, ",\"event_index\":0");
    auto v = audit::verify_proof(doc, log_key);
    REQUIRE(!v.has_value());
    CHECK(v.error().code() == StatusCode::kFindings);
  }
  const auto cons = audit::make_consistency_proof(*w.ledger, w.payment_event, std::nullopt).value();
  REQUIRE(audit::verify_proof(cons.dump(), log_key).has_value());
  {
    auto e = cons;
    e["from_root"] = to_hex(Hash32{});
    refused(e, "from_root or to_root differs");
  }
  {
    auto e = cons;
    e["to_root"] = inc["leaf_hash"];
    refused(e, "from_root or to_root differs");
  }
}

TEST_CASE("a consistency proof of a rewritten history fails against the kept checkpoint", "[audit][proof]") {
  AuditWorld w(false);
  Head head = w.ledger->head().value();
  std::string kept = w.ledger->checkpoint().value();
  // Another ledger with the same keys could never produce the kept root: simulate the rewrite by
  // proving against a checkpoint of this ledger whose root the auditor never saw.
  w.ok(w.aalborg, {AuditWorld::payment("B4", "851", 1000)});
  auto proof = audit::make_consistency_proof(*w.ledger, head.tree_size, std::nullopt).value();
  CHECK(audit::verify_proof(proof.dump(), w.ledger->log_public_key(), kept).has_value());
  // A kept checkpoint at the same size with another root: the history was rewritten.
  std::string forged_kept = w.ledger->checkpoint(w.payment_event).value();
  auto tampered = proof;
  tampered["from_checkpoint"] = forged_kept;
  tampered["from_tree_size"] = w.payment_event;
  auto v = audit::verify_proof(tampered.dump(), w.ledger->log_public_key(), kept);
  CHECK(!v.has_value());
}

TEST_CASE("a bundle audits without RocksDB with the same checks", "[audit][bundle]") {
  AuditWorld w;
  TempDir out;
  std::string bundle = out / "bundle";
  auto info = audit::export_bundle(*w.ledger, bundle);
  REQUIRE(info.has_value());
  Head head = w.ledger->head().value();
  CHECK(info->events == head.tree_size);
  CHECK(info->commits == head.commit_count);
  CHECK(info->checkpoints == head.commit_count);
  // Refuses a non-empty directory.
  CHECK(audit::export_bundle(*w.ledger, bundle).error().code() == StatusCode::kInvalidArgument);
  w.close();

  auto source = audit::open_bundle_source(bundle);
  REQUIRE(source.has_value());
  auto r = audit::run_audit(**source, {});
  REQUIRE(r.has_value());
  INFO(audit::render_text(*r));
  CHECK(r->clean());
  CHECK(r->summary.events_checked == head.tree_size);
  CHECK(r->summary.checkpoints_checked == head.commit_count);
  CHECK_FALSE(r->summary.projections_checked);
  CHECK(audit::render_text(*r).find("projections: n/a") != std::string::npos);
  CHECK(audit::render_json(*r)["projections"] == "n/a");

  // The same ledger audited from RocksDB reaches the same root.
  auto direct = audit_dir(w.dir);
  CHECK(direct.summary.root == r->summary.root);

  // A flipped byte in events.bin: found at the event, and the file no longer matches the manifest.
  std::string events = slurp(bundle + "/events.bin");
  std::string bytes = events;
  // Event w.payment_event: skip the frames before it.
  size_t offset = 0;
  for (uint64_t i = 0; i < w.payment_event; ++i) {
    uint32_t words = 0;
    std::memcpy(&words, bytes.data() + offset + 4, 4);
    offset += 8 + words * 8ull;
  }
  uint32_t words = 0;
  std::memcpy(&words, bytes.data() + offset + 4, 4);
  bytes[offset + 8 + words * 8ull - 3] ^= 0x01;
  write(bundle + "/events.bin", bytes);
  auto tampered = audit::run_audit(*audit::open_bundle_source(bundle).value(), {});
  REQUIRE(tampered.has_value());
  INFO(audit::render_text(*tampered));
  REQUIRE(!tampered->clean());
  CHECK(tampered->findings.front().cls == FindingClass::kLeafHash);
  CHECK(tampered->findings.front().event_index == w.payment_event);
  REQUIRE(tampered->first(FindingClass::kBundle) != nullptr);
  CHECK(tampered->first(FindingClass::kBundle)->key == "events.bin");
  write(bundle + "/events.bin", events);

  // Bad bundles: clear errors.
  CHECK(audit::open_bundle_source(out / "absent").error().code() == StatusCode::kInvalidArgument);
  write(out / "notjson.json", "x");
  std::filesystem::create_directories(out / "broken");
  write(out / "broken/manifest.json", "{\"format\": \"something-else\"}");
  auto broken = audit::open_bundle_source(out / "broken");
  CHECK(broken.error().code() == StatusCode::kInvalidArgument);
  CHECK(broken.error().message().find("format") != std::string::npos);
}

TEST_CASE("the bundle's streams decode with the stock capnp tool", "[audit][bundle]") {
  if (std::system("command -v capnp >/dev/null 2>&1") != 0) {
    WARN("capnp tool not installed (Debian package capnproto): skipped");
    return;
  }
  AuditWorld w(false);
  TempDir out;
  REQUIRE(audit::export_bundle(*w.ledger, out / "bundle").has_value());
  std::string schema = std::string(GL_TEST_DATA_DIR) + "/../../spec/events.capnp";
  std::string cmd = "capnp decode " + schema + " Event < " + (out / "bundle/events.bin") + " > " + (out / "events.txt");
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string text = slurp(out / "events.txt");
  CHECK(text.find("keyRegistered") != std::string::npos);
  CHECK(text.find("paymentId = \"B1\"") != std::string::npos);
  cmd = "capnp decode " + schema + " Commit < " + (out / "bundle/commits.bin") + " > " + (out / "commits.txt");
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(slurp(out / "commits.txt").find("idempotencyKey = \"t1\"") != std::string::npos);
}

TEST_CASE("the audit CLI: exit 0 clean, 1 findings, 2 could not run", "[audit][cli]") {
  AuditWorld w;
  w.close();
  TempDir tmp;
  auto clean = cli(tmp, "audit --data " + w.dir);
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.find("result: clean") != std::string::npos);
  auto json_run = cli(tmp, "audit --data " + w.dir + " --format json --threads 1 --report " + (tmp / "report.json"));
  CHECK(json_run.exit_code == 0);
  auto report = nlohmann::json::parse(slurp(tmp / "report.json"));
  CHECK(report["result"] == "clean");
  CHECK(report["summary"]["threads"] == 1);

  auto missing = cli(tmp, "audit --data " + (tmp / "absent"));
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("is not a grantledger ledger") != std::string::npos);
  CHECK(cli(tmp, "audit").exit_code == 2);
  CHECK(cli(tmp, "audit --bundle " + (tmp / "absent")).exit_code == 2);
  CHECK(cli(tmp, "audit --data " + w.dir + " --log-key " + (tmp / "absent.pem")).exit_code == 2);

  // A pinned log key that is not the ledger's: a finding.
  REQUIRE(PrivateKey::generate().save(tmp / "other").is_ok());
  auto pinned = cli(tmp, "audit --data " + w.dir + " --log-key " + (tmp / "other.pub.pem"));
  CHECK(pinned.exit_code == 1);
  CHECK(pinned.out.find("FINDING checkpoint_signature") != std::string::npos);

  {
    auto s = raw_store(w.dir);
    Bytes e = get(*s, Cf::kEvents, u64_be(w.payment_event));
    e[e.size() - 3] ^= 0x01;
    put(*s, Cf::kEvents, u64_be(w.payment_event), e);
  }
  auto found = cli(tmp, "audit --data " + w.dir);
  CHECK(found.exit_code == 1);
  CHECK(found.out.find("FINDING leaf_hash commit=" + std::to_string(w.payment_commit) + " event=" +
                       std::to_string(w.payment_event)) != std::string::npos);
}

TEST_CASE("prove, verify-proof and export-bundle from the CLI, and their bad inputs", "[audit][cli]") {
  AuditWorld w(false);
  w.close();
  TempDir tmp;
  std::string key = w.dir + "/keys/log.pub.pem";
  auto inc = cli(tmp, "prove inclusion --data " + w.dir + " --event " + std::to_string(w.payment_event) + " --out " +
                          (tmp / "inc.json"));
  INFO(inc.err);
  REQUIRE(inc.exit_code == 0);
  auto ok = cli(tmp, "verify-proof " + (tmp / "inc.json") + " --log-key " + key);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("verified inclusion") != std::string::npos);
  auto cons = cli(tmp, "prove consistency --data " + w.dir + " --from 2 --out " + (tmp / "cons.json"));
  REQUIRE(cons.exit_code == 0);
  CHECK(cli(tmp, "verify-proof " + (tmp / "cons.json") + " --log-key " + key).exit_code == 0);

  // Bad inputs.
  CHECK(cli(tmp, "prove inclusion --data " + w.dir + " --event 100000").exit_code == 2);
  CHECK(cli(tmp, "prove consistency --data " + w.dir + " --from 3").exit_code == 2);  // not a commit boundary
  CHECK(cli(tmp, "prove inclusion --data " + (tmp / "absent") + " --event 0").exit_code == 2);
  write(tmp / "bad.json", "{\"format\": \"grantledger-proof-v1\", \"type\": \"inclusion\"");
  auto malformed = cli(tmp, "verify-proof " + (tmp / "bad.json") + " --log-key " + key);
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.err.find("not a JSON object") != std::string::npos);
  {
    // The hostile tester's edit: the amount shown changed, the bytes not.
    auto edited = nlohmann::json::parse(slurp(tmp / "inc.json"));
    edited["event"]["amount_ore"] = 99999999;
    write(tmp / "edited.json", edited.dump());
    auto r = cli(tmp, "verify-proof " + (tmp / "edited.json") + " --log-key " + key);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("verified") == std::string::npos);
  }
  CHECK(cli(tmp, "verify-proof " + (tmp / "absent.json") + " --log-key " + key).exit_code == 2);
  CHECK(cli(tmp, "verify-proof " + (tmp / "inc.json") + " --log-key " + (tmp / "absent.pem")).exit_code == 2);
  REQUIRE(PrivateKey::generate().save(tmp / "other").is_ok());
  auto wrong = cli(tmp, "verify-proof " + (tmp / "inc.json") + " --log-key " + (tmp / "other.pub.pem"));
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("does not verify with the log key") != std::string::npos);

  auto exported = cli(tmp, "export-bundle --data " + w.dir + " --out " + (tmp / "bundle"));
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  auto audited = cli(tmp, "audit --bundle " + (tmp / "bundle") + " --log-key " + key);
  INFO(audited.out << audited.err);
  CHECK(audited.exit_code == 0);
  CHECK(audited.out.find("projections: n/a") != std::string::npos);
  CHECK(cli(tmp, "export-bundle --data " + w.dir + " --out " + (tmp / "bundle")).exit_code == 2);
  CHECK(cli(tmp, "export-bundle --data " + (tmp / "absent") + " --out " + (tmp / "b2")).exit_code == 2);
}

TEST_CASE("a proof's checkpoint verifies with the plain openssl command line (README)", "[audit][proof]") {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    WARN("openssl not installed: skipped");
    return;
  }
  AuditWorld w(false);
  TempDir tmp;
  auto proof = audit::make_inclusion_proof(*w.ledger, w.payment_event, std::nullopt).value();
  write(tmp / "cp.txt", proof["checkpoint"].get<std::string>());
  std::string d = tmp.path();
  std::string cmd = "cd " + d + " && head -n 3 cp.txt > body.txt && tail -n 1 cp.txt | awk '{print $NF}' | base64 -d | tail -c 64 > sig.bin" +
                    " && openssl pkeyutl -verify -pubin -inkey " + w.dir + "/keys/log.pub.pem -rawin -in body.txt -sigfile sig.bin >/dev/null";
  CHECK(std::system(cmd.c_str()) == 0);
  // Another key refuses it.
  REQUIRE(PrivateKey::generate().save(tmp / "other").is_ok());
  cmd = "cd " + d + " && openssl pkeyutl -verify -pubin -inkey other.pub.pem -rawin -in body.txt -sigfile sig.bin >/dev/null 2>&1";
  CHECK(std::system(cmd.c_str()) != 0);
}
