// web_bench: how long the web page's views take to arrive (spec/WEB.md), measured from the
// client: request sent over a kept-alive TLS connection on loopback until the whole HTML is
// read. The pages are rendered on the server, so this is the page's load time but for the
// browser's own layout.
//
//   build/web_bench [--cli build/grantledger] [--repeat 30] [--course-payments N]
//
// It records the demo ledger (the whole scenario, or N course payments), starts the real server
// (a child process, TLS with a self-signed certificate), signs in with `grantledger login` as a
// programme administrator and as København's finance officer, then GETs every view --repeat
// times and prints p50, p99 and the largest time and the page's size.
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_child.h"


namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Server {
  pid_t pid = -1;
  ~Server() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status;
    ::waitpid(pid, &status, 0);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string cli = "build/grantledger", course_payments;
  int repeat = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--cli") cli = argv[i + 1];
    else if (a == "--repeat") repeat = std::stoi(argv[i + 1]);
    else if (a == "--course-payments") course_payments = argv[i + 1];
  }
  cli = fs::absolute(cli).string();
  const std::string tmp = fs::temp_directory_path() / ("web_bench." + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string dir = tmp + "/l", cert = tmp + "/cert.pem", cert_key = tmp + "/cert-key.pem";
  const std::string demo = cli + " demo --data " + dir + (course_payments.empty() ? "" : " --course-payments " + course_payments) + " >/dev/null";
  if (std::system(demo.c_str()) != 0) return 1;
  const std::string openssl = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                              "subjectAltName=IP:127.0.0.1 -keyout " + cert_key + " -out " + cert + " 2>/dev/null";
  if (std::system(openssl.c_str()) != 0) return 1;

  Server server;
  std::string url;
  {
    std::vector<std::string> args = {cli, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", cert_key};
    std::vector<char*> argv_c;
    for (auto& a : args) argv_c.push_back(a.data());
    argv_c.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (tmp + "/serve.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, (tmp + "/serve.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&server.pid, cli.c_str(), &fa, nullptr, argv_c.data(), environ) != 0) return 1;
    url = grantledger::bench::wait_for_listening(tmp + "/serve.out", 60000);
    if (url.empty()) return 1;
  }

  // Signs in as `key`: the session cookie.
  auto sign_in = [&](const std::string& key) -> std::string {
    std::string link = capture(cli + " login --server " + url + " --key " + dir + "/keys/" + key + ".pem --tls-ca " + cert);
    link = link.substr(0, link.find('\n'));
    httplib::Client c(url);
    c.set_ca_cert_path(cert.c_str());
    auto r = c.Get(link.substr(url.size()).c_str());
    if (!r || r->status != 200) return "";
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  };
  const std::string admin = sign_in("programme-admin"), officer = sign_in("finance-101");
  if (admin.empty() || officer.empty()) return 1;

  struct View {
    std::string path;
    const std::string* cookie;
  };
  const std::vector<View> views = {{"/ui/", &admin},
                                   {"/ui/programme/LEDER-2012", &admin},
                                   {"/ui/programme/LEDER-2012?as_of=2013-06-30", &admin},
                                   {"/ui/programme/LEDER-2012/recipients?sector=municipalities", &admin},
                                   {"/ui/programme/LEDER-2012/recipients.csv?sector=municipalities", &admin},
                                   {"/ui/entity/101", &officer},
                                   {"/ui/entity/101?as_of=2013-06-30", &officer},
                                   {"/ui/providers", &admin},
                                   {"/ui/audit", &admin},
                                   {"/ui/proof/235", &admin}};
  const std::string tree_size = capture(cli + " checkpoint --data " + dir + " | sed -n 2p");
  std::printf("web_bench: %s over TLS (kept-alive connection), %d GETs per view, demo ledger of %s events, machine cores %u\n",
              url.c_str(), repeat, tree_size.substr(0, tree_size.find('\n')).c_str(), std::thread::hardware_concurrency());
  std::printf("%-64s %8s %8s %8s %10s\n", "view", "p50 ms", "p99 ms", "max ms", "bytes");
  int failures = 0;
  for (const auto& v : views) {
    httplib::Client c(url);
    c.set_ca_cert_path(cert.c_str());
    c.set_keep_alive(true);
    httplib::Headers headers{{"Cookie", *v.cookie}};
    std::vector<double> ms;
    size_t bytes = 0;
    for (int i = 0; i <= repeat; ++i) {
      const auto t0 = Clock::now();
      auto r = c.Get(v.path.c_str(), headers);
      const double t = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (!r || r->status != 200) {
        ++failures;
        continue;
      }
      bytes = r->body.size();
      if (i > 0) ms.push_back(t);  // the first GET also opens the connection
    }
    std::printf("%-64s %8.1f %8.1f %8.1f %10zu\n", v.path.c_str(), percentile(ms, 0.5), percentile(ms, 0.99),
                ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()), bytes);
  }
  fs::remove_all(tmp);
  if (failures) std::printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
