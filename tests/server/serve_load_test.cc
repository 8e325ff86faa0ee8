// `grantledger serve` under load and faults: 16 concurrent clients submitting with retries
// (nothing lost, nothing duplicated), and kill -9 of the server under load (every receipt a client
// holds verifies against the restarted ledger). Real server, real TLS, real keys.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ledger/date.h"
#include "ledger/jsonl_input.h"
#include "tests/server/serve_world.h"
#include "tools/audit/proof_json.h"
#include "tools/server/client.h"

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// The municipal employers whose finance officers' keys the demo wrote, first `n` by code.
std::vector<std::string> officer_codes(const ServeWorld& w, size_t n) {
  std::vector<std::string> codes;
  for (const auto& f : std::filesystem::directory_iterator(w.dir + "/keys")) {
    std::string name = f.path().filename().string();
    if (name.rfind("finance-", 0) == 0 && name.size() > 12 && name.substr(name.size() - 4) == ".pem" &&
        name.find(".pub.") == std::string::npos)
      codes.push_back(name.substr(8, name.size() - 12));
  }
  std::sort(codes.begin(), codes.end());
  REQUIRE(codes.size() >= n);
  codes.resize(n);
  return codes;
}

// A submission file of one course payment by `employer`, signed by its officer.
std::string submission(const std::string& origin, const PrivateKey& key, const std::string& employer, const std::string& id) {
  nlohmann::json e{{"type", "course_payment_recorded"}, {"effective_date", "2013-01-05"}, {"payment_id", id},
                   {"employer_code", employer},      {"provider_code", "easv"},          {"participant", "deltager-" + id},
                   {"course_kind", "akademi"},       {"module", "modul 1"},              {"course_start_date", "2013-01-10"},
                   {"payment_date", "2013-01-05"},   {"amount_ore", 100000}};
  Bytes event = event_bytes_from_json_line(e.dump()).value();
  auto s = sign_submission(origin, {event}, key, id, now_utc_ns());
  REQUIRE(s.has_value());
  return encode_submission_file({*s});
}

std::unique_ptr<server::Client> client_for(const ServeWorld& w, const std::string& key_path) {
  auto key = std::make_shared<const PrivateKey>(PrivateKey::load(key_path).value());
  auto c = server::Client::create({w.url, w.cert, 10}, key);
  REQUIRE(c.has_value());
  return std::move(c).value();
}

uint64_t sequence_of(const std::string& receipt) {
  auto j = nlohmann::json::parse(receipt);
  return decode_commit(from_hex(j["commits"][0]["commit"].get<std::string>()).value())->info.sequence;
}

}  // namespace

TEST_CASE("serve: 16 concurrent clients x 100 submissions with retries: nothing lost, nothing duplicated", "[server][load]") {
  ServeWorld w;
  w.start();
  const std::string origin = w.origin();
  auto log_key = PublicKey::load(w.dir + "/keys/log.pub.pem").value();
  const auto codes = officer_codes(w, 16);
  constexpr int kPerClient = 100;
  std::mutex mu;
  std::vector<std::string> receipts;
  std::atomic<int> failures{0}, retries{0};
  std::vector<std::thread> threads;
  for (const auto& code : codes) {
    threads.emplace_back([&, code] {
      auto key = PrivateKey::load(w.key("finance-" + code)).value();
      auto client = client_for(w, w.key("finance-" + code));
      for (int i = 0; i < kPerClient; ++i) {
        const std::string file = submission(origin, key, code, "load-" + code + "-" + std::to_string(i));
        // Every submission is sent twice (a client that lost the first answer retries): the
        // second is an idempotent retry answered with the same commit.
        std::string first;
        for (int attempt = 0; attempt < 2; ++attempt) {
          auto r = client->post("/v1/submissions", file, "application/octet-stream");
          if (!r || !r->error().is_ok()) {
            retries++;
            if (attempt == 1) failures++;
            continue;
          }
          if (attempt == 0) {
            first = r->body;
          } else if (!first.empty() && sequence_of(r->body) != sequence_of(first)) {
            failures++;
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        receipts.push_back(first);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
  REQUIRE(receipts.size() == codes.size() * kPerClient);
  std::set<uint64_t> sequences;
  for (const auto& r : receipts) {
    REQUIRE_FALSE(r.empty());
    auto v = audit::verify_proof(r, log_key);
    INFO((v ? "" : v.error().to_string()));
    CHECK(v.has_value());
    sequences.insert(sequence_of(r));
  }
  CHECK(sequences.size() == receipts.size());  // one commit each: nothing duplicated
  CHECK(w.stop().exit_code == 0);
  // The log holds every one of them exactly once: the commits after the demo's are exactly these.
  auto ledger = Ledger::open(w.dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  auto head = (*ledger)->head().value();
  CHECK(head.commit_count == *sequences.rbegin() + 1);
  CHECK(*sequences.rbegin() - *sequences.begin() + 1 == receipts.size());
  auto audit = w.local({"audit"});
  INFO(audit.out);
  CHECK(audit.exit_code == 0);
}

TEST_CASE("serve: kill -9 or SIGTERM under load, restart: every receipt a client holds verifies against the restarted ledger",
          "[server][load]") {
  // SIGKILL: acknowledged means durable. SIGTERM: the service also finishes what is in flight and
  // exits 0.
  const int signal = GENERATE(SIGKILL, SIGTERM);
  INFO("signal " << signal);
  ServeWorld w;
  w.start();
  const std::string origin = w.origin();
  auto log_key = PublicKey::load(w.dir + "/keys/log.pub.pem").value();
  const auto codes = officer_codes(w, 8);
  std::mutex mu;
  std::vector<std::string> receipts;
  std::vector<std::pair<std::string, std::string>> unanswered;  // (code, file) without a receipt
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (const auto& code : codes) {
    threads.emplace_back([&, code] {
      auto key = PrivateKey::load(w.key("finance-" + code)).value();
      auto client = client_for(w, w.key("finance-" + code));
      for (int i = 0; !stop.load(); ++i) {
        const std::string file = submission(origin, key, code, "crash-" + code + "-" + std::to_string(i));
        auto r = client->post("/v1/submissions", file, "application/octet-stream");
        std::lock_guard<std::mutex> lock(mu);
        if (r && r->error().is_ok()) {
          receipts.push_back(r->body);
        } else {
          unanswered.emplace_back(code, file);
          return;  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  if (signal == SIGKILL) {
    w.kill9();
  } else {
    ChildOutcome stopped = w.stop();
    INFO(stopped.describe());
    CHECK(stopped.exit_code == 0);
  }
  stop = true;
  for (auto& t : threads) t.join();
  INFO("receipts before the kill: " << receipts.size());
  REQUIRE(receipts.size() > 0);

  w.start();
  auto ledger = Ledger::open(w.dir, {.read_only = true});
  REQUIRE(ledger.has_value());
  for (const auto& r : receipts) {
    auto v = audit::verify_proof(r, log_key);
    REQUIRE(v.has_value());
    // The restarted ledger holds exactly that commit.
    auto j = nlohmann::json::parse(r);
    auto held = decode_commit(from_hex(j["commits"][0]["commit"].get<std::string>()).value()).value();
    auto stored = (*ledger)->commit(held.info.sequence);
    REQUIRE(stored.has_value());
    CHECK(stored->info.commit_hash == held.info.commit_hash);
  }
  // What was in flight is either recorded or not, never half: sent again, each is recorded once.
  for (const auto& [code, file] : unanswered) {
    auto client = client_for(w, w.key("finance-" + code));
    auto r = client->post("/v1/submissions", file, "application/octet-stream");
    REQUIRE(r.has_value());
    INFO(r->body);
    CHECK(r->error().is_ok());
    CHECK(audit::verify_proof(r->body, log_key).has_value());
  }
  CHECK(w.stop().exit_code == 0);
  auto audit = w.local({"audit"});
  INFO(audit.out);
  CHECK(audit.exit_code == 0);
}
