// `grantledger serve` as its users meet it: a real server on 127.0.0.1 over TLS, the real CLI as
// its client, real keys from the demo ledger (spec/SERVER.md, spec/AUTH.md).
#include <catch2/catch.hpp>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/ed25519.h"
#include "tests/server/serve_world.h"
#include "tools/server/http_signature.h"
#include "tools/server/service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <set>

using namespace grantledger;
using namespace grantledger::testing;

namespace {

// One course payment by Lemvig Kommune's employer side (665) at easv, as JSON lines.
std::string payment_line(const std::string& id, int64_t ore = 1250000) {
  return nlohmann::json{{"type", "course_payment_recorded"},
                        {"effective_date", "2013-01-05"},
                        {"payment_id", id},
                        {"employer_code", "665"},
                        {"provider_code", "easv"},
                        {"participant", "deltager-" + id},
                        {"course_kind", "akademi"},
                        {"module", "modul 1"},
                        {"course_start_date", "2013-01-10"},
                        {"payment_date", "2013-01-05"},
                        {"amount_ore", ore}}
             .dump() +
         "\n";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A raw HTTPS request, signed with `key` (when given) at `created`, with `body`; `tamper` may
// change the request after signing.
httplib::Result raw(const ServeWorld& w, const std::string& method, const std::string& target, const std::string& body,
                    const PrivateKey* key, int64_t created, const std::function<void(httplib::Headers&, std::string&)>& tamper = {}) {
  httplib::Client c(w.url);
  c.set_ca_cert_path(w.cert.c_str());
  c.enable_server_certificate_verification(true);
  httplib::Headers headers;
  if (key) {
    server::HttpRequest r;
    r.method = method;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q);
    auto signed_headers = server::sign_request(r, body, *key, created, created + 60, server::new_nonce().value());
    REQUIRE(signed_headers.has_value());
    headers.emplace("Content-Digest", signed_headers->content_digest);
    headers.emplace("Signature-Input", signed_headers->signature_input);
    headers.emplace("Signature", signed_headers->signature);
  }
  std::string sent = body;
  if (tamper) tamper(headers, sent);
  return method == "GET" ? c.Get(target.c_str(), headers)
                         : c.Post(target.c_str(), headers, sent.data(), sent.size(), "application/octet-stream");
}

// Each query, run against the service (as the programme administrator) and against the directory:
// the same output and exit code.
void check_same_as_cli(const ServeWorld& w, const std::vector<std::vector<std::string>>& queries) {
  for (const auto& q : queries) {
    std::string line;
    for (const auto& a : q) line += a + " ";
    INFO(line);
    auto local = w.local(q);
    auto remote = w.remote(q, "programme-admin");
    INFO(remote.err);
    CHECK(remote.exit_code == local.exit_code);
    CHECK(remote.out == local.out);
  }
}

std::string error_code(const httplib::Result& r) {
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"]["code"].get<std::string>() : "";
}

}  // namespace

TEST_CASE("serve: sign, submit, receive a receipt and verify it offline, and a retry is recorded once", "[server]") {
  ServeWorld w;
  w.start();
  write(w.tmp / "p.jsonl", payment_line("srv-1") + payment_line("srv-2"));
  auto signed_file = run_cli(w.tmp, {"sign", "--key", w.key("finance-665"), "--input", w.tmp / "p.jsonl", "--origin", w.origin(),
                                     "--idempotency-key", "lemvig-1", "--out", w.tmp / "p.gls"});
  INFO(signed_file.err);
  REQUIRE(signed_file.exit_code == 0);
  auto sent = w.remote({"submit", w.tmp / "p.gls", "--receipt", w.tmp / "receipt.json", "--log-key", w.dir + "/keys/log.pub.pem"},
                       "finance-665");
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  CHECK(sent.out.find("committed seq=") != std::string::npos);
  auto verified = run_cli(w.tmp, {"verify-proof", w.tmp / "receipt.json", "--log-key", w.dir + "/keys/log.pub.pem", "--submission",
                                  w.tmp / "p.gls"});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("verified receipt: commits ") != std::string::npos);
  CHECK(verified.out.find("2 events") != std::string::npos);

  // The same file again: the same commit, nothing new.
  auto again = w.remote({"submit", w.tmp / "p.gls"}, "finance-665");
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("already recorded seq=") != std::string::npos);

  // A receipt with one event byte changed does not verify (exit 1).
  std::string receipt = read_file(w.tmp / "receipt.json");
  const size_t at = receipt.find("\"event_bytes\":\"") + 20;
  receipt[at] = receipt[at] == '0' ? '1' : '0';
  write(w.tmp / "bad-receipt.json", receipt);
  auto bad = run_cli(w.tmp, {"verify-proof", w.tmp / "bad-receipt.json", "--log-key", w.dir + "/keys/log.pub.pem"});
  CHECK(bad.exit_code == 1);

  // A receipt checked against another submission file does not verify either.
  write(w.tmp / "q.jsonl", payment_line("srv-3"));
  REQUIRE(run_cli(w.tmp, {"sign", "--key", w.key("finance-665"), "--input", w.tmp / "q.jsonl", "--origin", w.origin(), "--out",
                          w.tmp / "q.gls"})
              .exit_code == 0);
  auto other = run_cli(w.tmp, {"verify-proof", w.tmp / "receipt.json", "--log-key", w.dir + "/keys/log.pub.pem", "--submission",
                               w.tmp / "q.gls"});
  CHECK(other.exit_code == 1);
  CHECK(w.stop().exit_code == 0);
  // The audit verifies the officer's signatures in the v2 commits.
  auto audit = w.local({"audit"});
  INFO(audit.out << audit.err);
  CHECK(audit.exit_code == 0);
}

TEST_CASE("serve: every query answers what the CLI prints for the same flags", "[server]") {
  ServeWorld w;
  w.start();
  const std::vector<std::vector<std::string>> queries = {
      {"balance", "--by", "municipality", "--format", "json"},
      {"balance", "--by", "programme", "--as-of", "2013-03-31"},
      {"balance", "--by", "region", "--known-at", "5", "--format", "csv"},
      {"history", "--entity", "101", "--format", "json"},
      {"log", "--from", "3", "--limit", "4", "--format", "json"},
      {"log", "--limit", "2"},
      {"checkpoint"},
      {"checkpoint", "--tree-size", "2"},
      {"projections", "status", "--format", "json"},
      {"prove", "inclusion", "--event", "5"},
      {"prove", "consistency", "--from", "2"},
      {"export", "--format", "csv"},
      {"reconcile", "history"},
      {"balance", "--by", "nonsense"},
      {"history", "--entity", "no-such-entity"},
  };
  check_same_as_cli(w, queries);
  // A finance officer reads its own entity, and nothing else (403: exit 2 with the reason).
  auto own = w.remote({"balance", "--by", "municipality", "--entity", "665", "--format", "json"}, "finance-665");
  CHECK(own.exit_code == 0);
  CHECK(own.out == w.local({"balance", "--by", "municipality", "--entity", "665", "--format", "json"}).out);
  auto other = w.remote({"balance", "--by", "municipality", "--entity", "851"}, "finance-665");
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("403") != std::string::npos);
  CHECK(other.err.find("entity 665 only") != std::string::npos);
  CHECK(w.remote({"log"}, "finance-665").exit_code == 2);
  CHECK(w.remote({"history", "--entity", "851"}, "finance-665").exit_code == 2);
  // An account (any entity's) is refused, however often it is given.
  auto officer = PrivateKey::load(w.key("finance-665")).value();
  for (const char* target : {"/v1/history?entity=665&account=employer%3A851%3Acourse_fees",
                             "/v1/history?entity=665&account=x&account=employer%3A851%3Acourse_fees"}) {
    auto r = raw(w, "GET", target, "", &officer, now_s());
    INFO(target);
    CHECK(r->status == 403);
  }
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: claims answers what the CLI prints, and a finance officer reads its own entity's claims only", "[server][claims]") {
  ServeWorld w;
  w.start();
  // Lemvig (665) records a course payment and claims on it, through the service.
  const std::string claim = nlohmann::json{{"type", "reimbursement_claimed"}, {"effective_date", "2013-02-01"}, {"claim_id", "KRAV-665-T1"},
                                           {"programme_code", "LEDER-2012"}, {"payment_id", "T1"}, {"amount_ore", 1000000}}
                                .dump();
  write(w.tmp / "c.jsonl", payment_line("T1") + claim + "\n");
  auto appended = w.remote({"append", "--input", w.tmp / "c.jsonl"}, "finance-665");
  INFO(appended.err);
  REQUIRE(appended.exit_code == 0);
  // The service's projections follow the log on their own thread: wait until they hold the claim.
  const std::vector<std::string> own_query = {"claims", "--entity", "665", "--format", "json"};
  for (int i = 0; i < 200 && w.local(own_query).out.find("KRAV-665-T1") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::vector<std::vector<std::string>> queries = {
      {"claims"},
      {"claims", "--format", "json"},
      {"claims", "--state", "paid", "--format", "csv"},
      {"claims", "--entity", "dsb", "--as-of", "2013-11-30", "--known-at", "40"},
      {"claims", "--state", "open"},
  };
  check_same_as_cli(w, queries);
  auto own = w.remote(own_query, "finance-665");
  INFO(own.err);
  REQUIRE(own.exit_code == 0);
  CHECK(own.out == w.local(own_query).out);
  auto rows = nlohmann::json::parse(own.out)["rows"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["claim"] == "KRAV-665-T1");
  CHECK(rows[0]["entity_name"] == "Lemvig Kommune");
  CHECK(rows[0]["state"] == "claimed");
  for (const std::vector<std::string>& other : {std::vector<std::string>{"claims", "--entity", "851"}, {"claims"}}) {
    auto refused = w.remote(other, "finance-665");
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("403") != std::string::npos);
    CHECK(refused.err.find("entity 665 only") != std::string::npos);
  }
  auto officer = PrivateKey::load(w.key("finance-665")).value();
  auto aalborg = raw(w, "GET", "/v1/claims?entity=851", "", &officer, now_s());
  REQUIRE(aalborg);
  CHECK(aalborg->status == 403);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: append --server signs, submits and reports like append --data, and rule rejections keep their text", "[server]") {
  ServeWorld w;
  w.start();
  write(w.tmp / "a.jsonl", payment_line("srv-a1"));
  auto appended = w.remote({"append", "--input", w.tmp / "a.jsonl", "--receipt", w.tmp / "a.receipt"}, "finance-665");
  INFO(appended.err);
  REQUIRE(appended.exit_code == 0);
  CHECK(appended.out.find("committed seq=") != std::string::npos);
  CHECK(run_cli(w.tmp, {"verify-proof", w.tmp / "a.receipt", "--log-key", w.dir + "/keys/log.pub.pem"}).exit_code == 0);
  // A payment for another entity by Lemvig's officer: refused by the rules, nothing written.
  std::string before = w.remote({"checkpoint"}, "programme-admin").out;
  std::string line = payment_line("srv-a2");
  line.replace(line.find("\"665\""), 5, "\"851\"");
  write(w.tmp / "b.jsonl", line);
  auto refused = w.remote({"append", "--input", w.tmp / "b.jsonl"}, "finance-665");
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("rule ") != std::string::npos);
  CHECK(w.remote({"checkpoint"}, "programme-admin").out == before);
  // Malformed JSON is refused by the client before anything is sent.
  write(w.tmp / "c.jsonl", "{not json\n");
  CHECK(w.remote({"append", "--input", w.tmp / "c.jsonl"}, "finance-665").exit_code == 2);
  CHECK(w.remote({"checkpoint"}, "programme-admin").out == before);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: unsigned, unknown, revoked, expired, replayed and altered requests are refused with 401", "[server]") {
  ServeWorld w;
  w.start();
  auto officer = PrivateKey::load(w.key("finance-665")).value();
  const int64_t now = now_s();
  // Public routes need no signature; every other route does.
  CHECK(raw(w, "GET", "/v1/health", "", nullptr, now)->status == 200);
  CHECK(raw(w, "GET", "/v1/checkpoint", "", nullptr, now)->status == 200);
  auto unsigned_read = raw(w, "GET", "/v1/balance?by=municipality&entity=665", "", nullptr, now);
  CHECK(unsigned_read->status == 401);
  CHECK(error_code(unsigned_read) == "missing");
  CHECK(raw(w, "GET", "/v1/balance?by=municipality&entity=665", "", &officer, now)->status == 200);
  // A key the log never registered.
  auto stranger = PrivateKey::generate();
  auto unknown = raw(w, "GET", "/v1/balance?by=municipality&entity=665", "", &stranger, now);
  CHECK(unknown->status == 401);
  CHECK(error_code(unknown) == "unknown_key");
  // Expired, and created in the future.
  CHECK(error_code(raw(w, "GET", "/v1/log", "", &officer, now - 600)) == "expired");
  CHECK(error_code(raw(w, "GET", "/v1/log", "", &officer, now + 600)) == "not_yet_valid");
  // A query parameter changed after signing.
  auto altered_query = raw(w, "GET", "/v1/balance?by=municipality&entity=665", "", &officer, now, [&](httplib::Headers&, std::string&) {});
  CHECK(altered_query->status == 200);
  {
    httplib::Client c(w.url);
    c.set_ca_cert_path(w.cert.c_str());
    server::HttpRequest r{"GET", "/v1/balance", "?by=municipality&entity=665", "", {}};
    auto h = server::sign_request(r, "", officer, now, now + 60, server::new_nonce().value()).value();
    httplib::Headers headers{{"Content-Digest", h.content_digest}, {"Signature-Input", h.signature_input}, {"Signature", h.signature}};
    auto first = c.Get("/v1/balance?by=municipality&entity=665", headers);
    CHECK(first->status == 200);
    auto replayed = c.Get("/v1/balance?by=municipality&entity=665", headers);
    CHECK(replayed->status == 401);
    CHECK(error_code(replayed) == "replayed");
    server::HttpRequest r2{"GET", "/v1/balance", "?by=municipality&entity=851", "", {}};
    auto h2 = server::sign_request(r, "", officer, now, now + 60, server::new_nonce().value()).value();
    httplib::Headers headers2{{"Content-Digest", h2.content_digest}, {"Signature-Input", h2.signature_input}, {"Signature", h2.signature}};
    auto other_query = c.Get("/v1/balance?by=municipality&entity=851", headers2);
    CHECK(other_query->status == 401);
    CHECK(error_code(other_query) == "bad_signature");
  }
  // A body changed after signing.
  auto altered_body = raw(w, "POST", "/v1/submissions", "abc", &officer, now, [](httplib::Headers&, std::string& body) { body = "abd"; });
  CHECK(altered_body->status == 401);
  CHECK(error_code(altered_body) == "digest_mismatch");
  // Parameters that name files on the service's machine, or smuggle one in, are refused.
  auto padmin = PrivateKey::load(w.key("programme-admin")).value();
  for (const char* target : {"/v1/export?format=csv&out=%2Ftmp%2Fgl-evil", "/v1/export?format=csv&out%3D%2Ftmp%2Fgl-evil=1",
                             "/v1/log?data=%2Ftmp", "/v1/log?Data=x", "/v1/log?--out=x"}) {
    auto r = raw(w, "GET", target, "", &padmin, now);
    INFO(target);
    CHECK(r->status == 400);
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/gl-evil"));
  // A malformed submission file: 400, nothing written.
  std::string before = raw(w, "GET", "/v1/checkpoint", "", nullptr, now)->body;
  auto garbage = raw(w, "POST", "/v1/submissions", std::string(64, 'x'), &officer, now);
  CHECK(garbage->status == 400);
  CHECK(raw(w, "GET", "/v1/checkpoint", "", nullptr, now)->body == before);
  // Revocation takes effect on the next request.
  write(w.tmp / "revoke.jsonl", nlohmann::json{{"type", "key_revoked"},
                                               {"effective_date", "2013-01-05"},
                                               {"key_id", to_hex(officer.key_id())},
                                               {"reason", "left the office"}}
                                    .dump() +
                                    "\n");
  auto revoked = w.remote({"append", "--input", w.tmp / "revoke.jsonl"}, "admin");
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  auto after = raw(w, "GET", "/v1/balance?by=municipality&entity=665", "", &officer, now_s());
  CHECK(after->status == 401);
  CHECK(error_code(after) == "revoked");
  auto cli_after = w.remote({"balance", "--by", "municipality", "--entity", "665"}, "finance-665");
  CHECK(cli_after.exit_code == 2);
  CHECK(cli_after.err.find("401") != std::string::npos);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: an oversized body is refused with 413, and a second serve on the directory is refused", "[server]") {
  ServeWorld w;
  w.start({"--max-body-bytes", "2048"});
  auto officer = PrivateKey::load(w.key("finance-665")).value();
  auto big = raw(w, "POST", "/v1/submissions", std::string(4096, 'x'), &officer, now_s());
  REQUIRE(big);
  CHECK(big->status == 413);
  auto second = run_cli(w.tmp, {"serve", "--data", w.dir, "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(second.exit_code == 2);
  CHECK(w.stop().exit_code == 0);
  // Plain HTTP only on loopback.
  auto exposed = run_cli(w.tmp, {"serve", "--data", w.dir, "--listen", "0.0.0.0:0", "--insecure-http"});
  CHECK(exposed.exit_code == 2);
  CHECK(exposed.err.find("loopback") != std::string::npos);
}

TEST_CASE("serve: spec/openapi.json lists exactly the routes the server has, and each answers", "[server]") {
  auto doc = nlohmann::json::parse(read_file(std::string(GL_TEST_DATA_DIR) + "/../../spec/openapi.json"));
  std::set<std::pair<std::string, std::string>> documented, served;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
      // A route that needs no signature says so (security: []), and only those.
      const bool is_public = op.contains("security") && op["security"].empty();
      bool served_public = false;
      for (const auto& r : server::service_routes())
        if (r.method == m && r.path == path) served_public = !r.signed_request;
      CHECK(is_public == served_public);
    }
  for (const auto& r : server::service_routes()) served.insert({r.method, r.path});
  CHECK(documented == served);

  // Every documented route exists on a running server: none answers "no route".
  ServeWorld w;
  w.start();
  auto admin = PrivateKey::load(w.key("programme-admin")).value();
  for (const auto& [method, path] : documented) {
    std::string target = path;
    for (const char* param : {"{tree_size}", "{sequence}", "{index}"})
      if (auto at = target.find(param); at != std::string::npos) target.replace(at, std::strlen(param), "2");
    auto r = raw(w, method, target, "", &admin, now_s());
    REQUIRE(r);
    INFO(method << " " << target << " -> " << r->status << " " << r->body);
    CHECK(r->body.find("no route") == std::string::npos);
  }
  auto none = raw(w, "GET", "/v1/no-such-route", "", &admin, now_s());
  CHECK(none->status == 404);
  CHECK(none->body.find("no route") != std::string::npos);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: export-bundle --server writes the bundle the directory gives, and it audits clean", "[server]") {
  ServeWorld w;
  w.start();
  auto remote = w.remote({"export-bundle", "--out", w.tmp / "remote-bundle"}, "programme-admin");
  INFO(remote.err);
  REQUIRE(remote.exit_code == 0);
  auto local = w.local({"export-bundle", "--out", w.tmp / "local-bundle"});
  REQUIRE(local.exit_code == 0);
  CHECK(remote.out.substr(remote.out.find(" events=")) == local.out.substr(local.out.find(" events=")));
  for (const char* f : {"events.bin", "commits.bin", "manifest.json", "keys/log.pub.pem"})
    CHECK(read_file(w.tmp / ("remote-bundle/" + std::string(f))) == read_file(w.tmp / ("local-bundle/" + std::string(f))));
  auto audit = run_cli(w.tmp, {"audit", "--bundle", w.tmp / "remote-bundle", "--log-key", w.dir + "/keys/log.pub.pem"});
  INFO(audit.out);
  CHECK(audit.exit_code == 0);
  // A finance officer may not take the whole log.
  CHECK(w.remote({"export-bundle", "--out", w.tmp / "officer-bundle"}, "finance-665").exit_code == 2);
  CHECK(w.stop().exit_code == 0);
}

TEST_CASE("serve: a slow client is cut off after --request-timeout and holds up no one", "[server]") {
  ServeWorld w;
  w.start({"--request-timeout", "1", "--connections", "2"});
  // A client that sends half a request and then nothing (plain TCP, not even the TLS handshake).
  const size_t colon = w.url.rfind(':');
  const int port = std::stoi(w.url.substr(colon + 1));
  int stalled = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(stalled >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(stalled, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(stalled, "\x16\x03\x01", 3, MSG_NOSIGNAL) == 3);
  // Meanwhile others are served, submissions included.
  write(w.tmp / "s.jsonl", payment_line("slow-1"));
  auto other = w.remote({"append", "--input", w.tmp / "s.jsonl"}, "finance-665");
  INFO(other.err);
  CHECK(other.exit_code == 0);
  // The stalled connection is closed by the service after the timeout.
  timeval limit{10, 0};
  ::setsockopt(stalled, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  char buf[256];
  const auto t0 = std::chrono::steady_clock::now();
  ssize_t got = 0;
  while ((got = ::recv(stalled, buf, sizeof buf, 0)) > 0) {
  }
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(stalled);
  CHECK(got == 0);  // closed by the peer, not our 10 s receive limit
  CHECK(waited < 8);
  CHECK(w.stop().exit_code == 0);
}
