// `grantledger mirror` and `serve --read-only` as their users meet them: real `serve` processes on
// 127.0.0.1 over TLS, the real CLI, the demo ledger's keys (spec/MIRROR.md).
#include <catch2/catch.hpp>

#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/ed25519.h"
#include "tests/mirror/mirror_world.h"
#include "tools/server/client.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

namespace fs = std::filesystem;

// What a copy holds, as the CLI shows it: every commit, the latest checkpoint and every event.
std::string contents_of(const MirrorWorld& m, const std::string& dir) {
  std::string out;
  for (const std::vector<std::string>& q : std::vector<std::vector<std::string>>{
           {"log", "--format", "json"}, {"checkpoint"}, {"export", "--format", "ledger"}}) {
    std::vector<std::string> args = q;
    args.insert(args.end(), {"--data", dir});
    auto r = run_cli(m.w.tmp, args);
    REQUIRE(r.exit_code == 0);
    out += r.out;
  }
  return out;
}

// The CLI against a service at `url`, signed with the demo key `key_name`.
CliResult remote_at(const MirrorWorld& m, const std::string& url, std::vector<std::string> args, const std::string& key_name) {
  args.insert(args.end(), {"--server", url, "--key", m.keys + "/" + key_name + ".pem", "--tls-ca", m.w.cert});
  return run_cli(m.w.tmp, args);
}

}  // namespace

TEST_CASE("mirror: follows the demo ledger to the same figures and digests, then catches up after new submissions", "[mirror]") {
  MirrorWorld m;
  m.w.start();
  const std::string copy = m.w.tmp / "copy";
  auto first = m.mirror(copy);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("mirrored ") == 0);
  m.submit_payment("mirror-1");
  m.submit_payment("mirror-2");
  auto second = m.mirror(copy);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("mirrored 2 commits (2 events)") == 0);
  auto again = m.mirror(copy);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("mirrored 0 commits") == 0);
  REQUIRE(m.w.stop().exit_code == 0);
  m.check_same_figures(m.w.dir, copy);
  CHECK(m.audit_digests(m.w.dir) == m.audit_digests(copy));
  // The copy holds no key: it cannot sign, so it cannot be written to but by the mirror.
  CHECK_FALSE(fs::exists(copy + "/keys"));
  auto append = run_cli(m.w.tmp, {"append", "--data", copy, "--key", m.keys + "/finance-665.pem", "--input", m.w.tmp / "mirror-1.jsonl"});
  CHECK(append.exit_code != 0);
  CHECK(append.err.find("log.pem") != std::string::npos);
}

TEST_CASE("mirror: a key that may not read the whole log, or a wrong log key, makes no copy", "[mirror]") {
  MirrorWorld m;
  m.w.start();
  const std::string copy = m.w.tmp / "copy";
  auto officer = m.mirror(copy, {}, "finance-665");
  CHECK(officer.exit_code == 2);
  CHECK(officer.err.find("finance officer") != std::string::npos);
  CHECK_FALSE(fs::exists(copy));
  // The admin's public key is no log key: the served checkpoint does not verify with it.
  auto wrong = run_cli(m.w.tmp, {"mirror", "--from", m.w.url, "--key", m.keys + "/admin.pem", "--log-key", m.keys + "/admin.pub.pem",
                                 "--tls-ca", m.w.cert, "--data", copy});
  CHECK(wrong.exit_code == 3);
  CHECK(wrong.err.find("--log-key") != std::string::npos);
  CHECK_FALSE(fs::exists(copy));
  // The raw route is bounded.
  auto admin = std::make_shared<const PrivateKey>(PrivateKey::load(m.keys + "/admin.pem").value());
  auto client = server::Client::create({m.w.url, m.w.cert}, admin).value();
  auto over = client->get("/v1/log/raw?from=0&limit=1001");
  REQUIRE(over);
  CHECK(over->status == 400);
  auto two = client->get("/v1/log/raw?from=1&limit=2");
  REQUIRE(two);
  CHECK(two->status == 200);
  CHECK(std::count(two->body.begin(), two->body.end(), '\n') == 2);
  CHECK(m.w.stop().exit_code == 0);
}

TEST_CASE("mirror: killed with SIGKILL while following, a re-run converges with nothing doubled", "[mirror]") {
  MirrorWorld m;
  m.w.start();
  const std::string copy = m.w.tmp / "copy";
  // One commit per write, so each kill lands between or inside fsync'd batches.
  for (int64_t delay_us : {150000, 300000, 450000}) {
    ChildProcess follower({"mirror", "--from", m.w.url, "--key", m.keys + "/admin.pem", "--log-key", m.log_pub, "--tls-ca", m.w.cert,
                           "--data", copy, "--follow", "--batch", "1"},
                          m.w.tmp / "follow.out", m.w.tmp / "follow.err");
    follower.kill_after(delay_us);
  }
  auto rerun = m.mirror(copy);
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  REQUIRE(m.w.stop().exit_code == 0);
  m.check_same_figures(m.w.dir, copy);
  CHECK(m.audit_digests(m.w.dir) == m.audit_digests(copy));
}

TEST_CASE("mirror: --follow copies new commits as they come and stops on SIGTERM with exit 0", "[mirror]") {
  MirrorWorld m;
  m.w.start();
  const std::string copy = m.w.tmp / "copy";
  ChildProcess follower({"mirror", "--from", m.w.url, "--key", m.keys + "/admin.pem", "--log-key", m.log_pub, "--tls-ca", m.w.cert,
                         "--data", copy, "--follow", "--interval", "1"},
                        m.w.tmp / "follow.out", m.w.tmp / "follow.err");
  m.submit_payment("follow-1");
  const std::string source_checkpoint = m.w.local({"checkpoint"}).out;  // the source's latest, read beside its server
  // Waits (at most 20 s) until the copy reports the source's new tree size (382 demo events + 1).
  for (int i = 0; i < 400 && read_file(m.w.tmp / "follow.out").find("tree size 383") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(follower.pid(), SIGTERM);
  auto outcome = follower.wait();
  INFO(outcome.describe());
  CHECK(outcome.exit_code == 0);
  REQUIRE(m.w.stop().exit_code == 0);
  CHECK(run_cli(m.w.tmp, {"checkpoint", "--data", copy}).out == source_checkpoint);
  m.check_same_figures(m.w.dir, copy);
}

TEST_CASE("mirror: a served log whose history was truncated and re-grown is refused, evidence kept, the copy unchanged", "[mirror]") {
  MirrorWorld m;
  const std::string early = m.w.tmp / "early", source = m.w.dir, copy = m.w.tmp / "copy";
  fs::copy(source, early, fs::copy_options::recursive);  // the log as it was, before two more commits
  m.w.start();
  m.submit_payment("honest-1");
  m.submit_payment("honest-2");
  REQUIRE(m.mirror(copy).exit_code == 0);
  REQUIRE(m.w.stop().exit_code == 0);
  const std::string before = contents_of(m, copy);
  const std::string verified_checkpoint = run_cli(m.w.tmp, {"checkpoint", "--data", copy}).out;

  // The operator restores the earlier copy and grows it differently, with the same log key.
  const auto log_key = PublicKey::load(m.log_pub).value();
  for (int extra : {0, 3}) {
    DYNAMIC_SECTION("re-grown by " << extra << " commits") {
      for (int i = 0; i < extra; ++i) {
        const std::string id = "rewritten-" + std::to_string(i);
        std::ofstream(m.w.tmp / (id + ".jsonl")) << MirrorWorld::payment_jsonl(id, 990000);
        auto grown = run_cli(m.w.tmp, {"append", "--data", early, "--key", early + "/keys/finance-665.pem", "--input", m.w.tmp / (id + ".jsonl")});
        INFO(grown.err);
        REQUIRE(grown.exit_code == 0);
      }
      m.w.dir = early;
      m.w.start();
      auto refused = m.mirror(copy);
      INFO(refused.err);
      CHECK(refused.exit_code == 3);
      CHECK(refused.err.find("rewrote its history") != std::string::npos);
      CHECK(refused.err.find("evidence") != std::string::npos);
      // Both signed checkpoints are kept, each verifying with the log key, and they disagree.
      std::vector<fs::path> folders;
      for (const auto& e : fs::directory_iterator(copy + "/evidence")) folders.push_back(e.path());
      REQUIRE(folders.size() == 1);
      const std::string ours = read_file((folders[0] / "verified.checkpoint").string());
      const std::string theirs = read_file((folders[0] / "served.checkpoint").string());
      CHECK(ours == verified_checkpoint);
      auto ours_cp = verify_checkpoint(ours, log_key);
      auto theirs_cp = verify_checkpoint(theirs, log_key);
      REQUIRE(ours_cp);
      REQUIRE(theirs_cp);
      CHECK((ours_cp->tree_size != theirs_cp->tree_size || ours_cp->root != theirs_cp->root));
      CHECK_FALSE(read_file((folders[0] / "reason.txt").string()).empty());
      // Nothing of the rewritten log was stored, and the copy still audits clean.
      CHECK(contents_of(m, copy) == before);
      CHECK(m.w.stop().exit_code == 0);
      auto audit = run_cli(m.w.tmp, {"audit", "--data", copy});
      CHECK(audit.exit_code == 0);
      // ... and serves what it had verified.
      m.w.dir = copy;
      m.w.start({"--read-only"});
      CHECK(remote_at(m, m.w.url, {"checkpoint"}, "admin").out == verified_checkpoint);
      CHECK(m.w.stop().exit_code == 0);
    }
  }
}

TEST_CASE("serve --read-only on a mirror answers the read routes as the source does and refuses submissions with 403", "[mirror]") {
  MirrorWorld m;
  m.w.start();
  const std::string copy = m.w.tmp / "copy", source = m.w.dir;
  REQUIRE(m.mirror(copy).exit_code == 0);
  const std::string source_url = m.w.url;
  std::vector<std::vector<std::string>> queries = {{"balance", "--by", "region"},
                                                   {"history", "--entity", "665"},
                                                   {"claims", "--format", "json"},
                                                   {"log", "--from", "3", "--limit", "4", "--format", "json"},
                                                   {"prove", "inclusion", "--event", "5"},
                                                   {"prove", "consistency", "--from", "2"},
                                                   {"checkpoint"}};
  std::vector<CliResult> from_source;
  for (const auto& q : queries) from_source.push_back(remote_at(m, source_url, q, "programme-admin"));
  REQUIRE(m.w.stop().exit_code == 0);

  // A writer's serve needs the log key, which a copy does not have.
  auto writer = run_cli(m.w.tmp, {"serve", "--data", copy, "--listen", "127.0.0.1:0", "--tls-cert", m.w.cert, "--tls-key", m.w.cert_key});
  CHECK(writer.exit_code != 0);
  m.w.dir = copy;
  m.w.start({"--read-only"});
  for (size_t i = 0; i < queries.size(); ++i) {
    INFO(queries[i][0]);
    auto r = remote_at(m, m.w.url, queries[i], "programme-admin");
    INFO(r.err);
    CHECK(r.exit_code == from_source[i].exit_code);
    CHECK(r.out == from_source[i].out);
  }
  // A finance officer reads its own entity on the copy too.
  CHECK(remote_at(m, m.w.url, {"balance", "--by", "municipality", "--entity", "665"}, "finance-665").exit_code == 0);
  auto login = remote_at(m, m.w.url, {"login"}, "finance-665");
  CHECK(login.exit_code == 0);
  CHECK(login.out.find("/ui/") != std::string::npos);
  auto finance = std::make_shared<const PrivateKey>(PrivateKey::load(m.keys + "/finance-665.pem").value());
  auto client = server::Client::create({m.w.url, m.w.cert}, finance).value();
  const std::string log_before = run_cli(m.w.tmp, {"log", "--server", m.w.url, "--key", m.keys + "/admin.pem", "--tls-ca", m.w.cert,
                                                   "--format", "json"}).out;
  auto posted = client->post("/v1/submissions", "anything", "application/octet-stream");
  REQUIRE(posted);
  CHECK(posted->status == 403);
  CHECK(posted->body.find("read-only mirror") != std::string::npos);
  CHECK(run_cli(m.w.tmp, {"log", "--server", m.w.url, "--key", m.keys + "/admin.pem", "--tls-ca", m.w.cert, "--format", "json"}).out ==
        log_before);
  CHECK(m.w.stop().exit_code == 0);
}

TEST_CASE("mirror: bad flags and unreadable keys exit 2 and create nothing", "[mirror]") {
  TempDir tmp;
  const std::string copy = tmp / "copy";
  REQUIRE(run_cli(tmp, {"keygen", "--out", tmp / "k"}).exit_code == 0);
  auto with_keys = [&](const std::string& key, const std::string& log_key) {
    return std::vector<std::string>{"mirror", "--from", "http://127.0.0.1:9", "--key", key, "--log-key", log_key, "--data", copy};
  };
  const std::vector<std::string> base = with_keys(tmp / "k.pem", tmp / "k.pub.pem");
  for (const auto& [extra, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--batch", "0"}, "--batch"},
           {{"--batch", "1001"}, "--batch"},
           {{"--batch", "-1"}, "--batch"},
           {{"--interval", "0"}, "--interval"},
           {with_keys(tmp / "missing.pem", tmp / "k.pub.pem"), "missing.pem"},
           {with_keys(tmp / "k.pub.pem", tmp / "k.pub.pem"), "k.pub.pem"},
           {with_keys(tmp / "k.pem", tmp / "missing.pub.pem"), "missing.pub.pem"}}) {
    std::vector<std::string> args = extra.size() > 2 ? extra : base;
    if (extra.size() <= 2) args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(tmp, args);
    INFO(needle << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(needle) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(copy));
  }
  // A log that cannot be reached: exit 4, nothing created.
  auto unreachable = run_cli(tmp, base);
  CHECK(unreachable.exit_code == 4);
  CHECK_FALSE(std::filesystem::exists(copy));
}
