// serve_bench: `grantledger serve` over TLS on loopback. Submissions/s and events/s with 1, 8 and
// 64 concurrent clients at 1 and 1,000 events per submission, and balance-query latency (p50,
// p99) measured by one more client while that write load runs.
//
//   build/serve_bench [--cli build/grantledger] [--seconds 5] [--clients 1,8,64] [--events 1,1000]
//
// It records the demo ledger (12 course payments) in a temporary directory, makes a self-signed
// certificate with the openssl command line, starts the real server (a child process) and drives
// it with the project's own client (signed requests, keep-alive connections). Every submission is
// a course payment by a municipal employer signed by that employer's finance officer.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_child.h"
#include "ledger/date.h"
#include "ledger/jsonl_input.h"
#include "ledger/submission.h"
#include "tools/server/client.h"


using namespace grantledger;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

struct Server {
  pid_t pid = -1;
  std::string url;
  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    pid = -1;
  }
  ~Server() { stop(); }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string cli = "build/grantledger";
  double seconds = 5;
  std::vector<int> client_counts = {1, 8, 64}, event_counts = {1, 1000};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--cli") cli = argv[i + 1];
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--clients") client_counts = parse_list(argv[i + 1]);
    else if (a == "--events") event_counts = parse_list(argv[i + 1]);
  }
  cli = fs::absolute(cli).string();
  const std::string tmp = fs::temp_directory_path() / ("serve_bench." + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string dir = tmp + "/l", cert = tmp + "/cert.pem", cert_key = tmp + "/cert-key.pem";
  if (run(cli + " demo --data " + dir + " --course-payments 12 >/dev/null") != 0) return 1;
  if (run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
          "subjectAltName=IP:127.0.0.1 -keyout " + cert_key + " -out " + cert + " 2>/dev/null") != 0)
    return 1;
  std::vector<std::string> codes;
  for (const auto& f : fs::directory_iterator(dir + "/keys")) {
    std::string n = f.path().filename().string();
    if (n.rfind("finance-", 0) == 0 && n.find(".pub.") == std::string::npos) codes.push_back(n.substr(8, n.size() - 12));
  }
  std::sort(codes.begin(), codes.end());

  Server server;
  server.pid = bench::spawn_child({cli, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", cert_key,
                                   "--connections", "96"},
                                  tmp + "/serve.out", tmp + "/serve.err");
  if (server.pid <= 0) return 1;
  server.url = bench::wait_for_listening(tmp + "/serve.out", 60000);
  if (server.url.empty()) return 1;
  auto origin_client = server::Client::create({server.url, cert}, nullptr).value();
  std::string note = origin_client->get("/v1/checkpoint")->body;
  const std::string origin = note.substr(0, note.find('\n'));

  std::cout << "serve_bench: " << server.url << " over TLS, " << seconds << " s per run, machine cores "
            << std::thread::hardware_concurrency() << "\n";
  std::cout << "clients events/sub  submissions/s   events/s   balance p50 ms  p99 ms  (queries)  errors\n";
  std::atomic<uint64_t> unique{0};
  for (int events_per : event_counts) {
    for (int clients : client_counts) {
      if (static_cast<size_t>(clients) > codes.size()) continue;
      std::atomic<bool> stop{false};
      std::atomic<uint64_t> submissions{0}, errors{0};
      std::vector<std::thread> threads;
      for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
          const std::string code = codes[static_cast<size_t>(c)];
          auto key = std::make_shared<const PrivateKey>(PrivateKey::load(dir + "/keys/finance-" + code + ".pem").value());
          auto client = server::Client::create({server.url, cert}, key).value();
          while (!stop.load()) {
            std::vector<Bytes> events;
            for (int e = 0; e < events_per; ++e) {
              const std::string id = "b" + std::to_string(unique.fetch_add(1));
              nlohmann::json j{{"type", "course_payment_recorded"}, {"effective_date", "2013-01-05"}, {"payment_id", id},
                               {"employer_code", code},         {"provider_code", "easv"},          {"participant", "p-" + id},
                               {"course_kind", "akademi"},       {"module", "m"},                    {"course_start_date", "2013-01-10"},
                               {"payment_date", "2013-01-05"},   {"amount_ore", 100}};
              events.push_back(event_bytes_from_json_line(j.dump()).value());
            }
            auto s = sign_submission(origin, std::move(events), *key, "", now_utc_ns()).value();
            auto r = client->post("/v1/submissions", encode_submission_file({s}), "application/octet-stream");
            if (r && r->error().is_ok()) submissions++;
            else errors++;
          }
        });
      }
      // Balance queries beside the writes, by the programme administrator.
      std::vector<double> latencies;
      std::thread reader([&] {
        auto key = std::make_shared<const PrivateKey>(PrivateKey::load(dir + "/keys/programme-admin.pem").value());
        auto client = server::Client::create({server.url, cert}, key).value();
        while (!stop.load()) {
          auto t0 = Clock::now();
          auto r = client->get("/v1/balance?by=municipality&entity=101&format=json");
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          if (r && r->error().is_ok()) latencies.push_back(ms);
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // 20 queries a second
        }
      });
      const auto t0 = Clock::now();
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop = true;
      for (auto& t : threads) t.join();
      reader.join();
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      const double subs = static_cast<double>(submissions.load()) / elapsed;
      std::printf("%7d %10d %14.1f %10.0f %15.2f %7.2f %10zu %7llu\n", clients, events_per, subs, subs * events_per,
                  percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.size(),
                  static_cast<unsigned long long>(errors.load()));
      std::fflush(stdout);
    }
  }
  server.stop();
  fs::remove_all(tmp);
  return 0;
}
