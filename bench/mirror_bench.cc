// mirror_bench: `grantledger mirror` catching up with a served demo ledger, whole processes: the
// events/s a new mirror copies, verifying everything (spec/MIRROR.md), not a test.
//
//   build/mirror_bench [--cli build/grantledger] [--course-payments K] [--runs R] [--batch N]
//
// It builds a demo ledger (`grantledger demo --course-payments K`, default 5000), serves it
// (`grantledger serve --insecure-http` on loopback, a child process), then R times (default 3)
// times one `grantledger mirror --from URL ... --data FRESH` into a new directory: fetching the raw
// log in batches of N commits (default 1000), checking the consistency proofs, every signature,
// leaf hash, chain link and rule, writing each batch with one fsync, and catching the copy's
// projections up. Wall time is steady_clock from before the process starts to after it is reaped.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_child.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace grantledger::bench;

int main(int argc, char** argv) {
  std::string cli = "build/grantledger", payments = "5000", batch = "1000";
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--cli") cli = argv[i + 1];
    else if (a == "--course-payments") payments = argv[i + 1];
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--batch") batch = argv[i + 1];
  }
  cli = fs::absolute(cli).string();
  const std::string tmp = fs::temp_directory_path() / ("mirror_bench." + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string src = tmp + "/src";
  if (reap_child(spawn_child({cli, "demo", "--data", src, "--seed", "7", "--course-payments", payments}, tmp + "/demo.out", tmp + "/demo.err")) != 0) {
    std::cerr << "demo failed: " << read_file(tmp + "/demo.err");
    return 1;
  }
  const pid_t server = spawn_child({cli, "serve", "--data", src, "--listen", "127.0.0.1:0", "--insecure-http"}, tmp + "/serve.out", "/dev/null");
  const std::string url = wait_for_listening(tmp + "/serve.out", 30000);
  if (server < 0 || url.empty()) return 1;

  std::vector<double> rates;
  std::string summary;
  int failed = 0;
  for (int r = 0; r < runs; ++r) {
    const std::string copy = tmp + "/copy-" + std::to_string(r);
    const auto t0 = Clock::now();
    const int rc = reap_child(spawn_child({cli, "mirror", "--from", url, "--key", src + "/keys/admin.pem", "--log-key", src + "/keys/log.pub.pem",
                               "--data", copy, "--batch", batch},
                              tmp + "/mirror.out", tmp + "/mirror.err"));
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (rc != 0) {
      std::cerr << "mirror failed: " << read_file(tmp + "/mirror.err");
      failed = 1;
      break;
    }
    summary = read_file(tmp + "/mirror.out");  // "mirrored C commits (E events); ..."
    const size_t open = summary.find('('), space = summary.find(' ', open);
    const double events = std::stod(summary.substr(open + 1, space - open - 1));
    rates.push_back(events / seconds);
    std::cout << "run " << r + 1 << ": " << events << " events in " << seconds << " s = " << static_cast<uint64_t>(events / seconds)
              << " events/s\n";
  }
  ::kill(server, SIGTERM);
  reap_child(server);
  if (!failed) {
    std::sort(rates.begin(), rates.end());
    std::cout << "mirror_bench: demo --course-payments " << payments << ", --batch " << batch << ": " << summary
              << "catch-up events/s median " << static_cast<uint64_t>(rates[rates.size() / 2]) << " (min "
              << static_cast<uint64_t>(rates.front()) << ", max " << static_cast<uint64_t>(rates.back()) << ")\n";
  }
  fs::remove_all(tmp);
  return failed;
}
