// A real `grantledger serve` on 127.0.0.1 (a random port, TLS with a self-signed certificate made
// by the openssl command line) over the demo ledger with 12 course payments, whose keys are in
// DIR/keys; and helpers to talk to it as the CLI and as a raw HTTP client.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "tests/cli_support.h"
#include "tests/robustness/child_process.h"

namespace grantledger::testing {

// A server that closes a connection must not kill the test process with SIGPIPE (TLS writes).
inline const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

struct ServeWorld {
  TempDir tmp;
  std::string dir = tmp / "l";
  std::string cert = tmp / "cert.pem", cert_key = tmp / "cert-key.pem";
  std::unique_ptr<ChildProcess> server;
  std::string url;
  int serves = 0;

  explicit ServeWorld(int course_payments = 12) {
    auto demo = run_cli(tmp, {"demo", "--data", dir, "--seed", "7", "--course-payments", std::to_string(course_payments)});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    const std::string openssl = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 "
                                "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                                shell_quote(cert_key) + " -out " + shell_quote(cert) + " 2>/dev/null";
    REQUIRE(std::system(openssl.c_str()) == 0);
  }

  std::string key(const std::string& name) const { return dir + "/keys/" + name + ".pem"; }

  // Starts the service (extra flags appended) and waits for its "listening URL" line.
  void start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"serve", "--data", dir, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", cert_key};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string n = std::to_string(++serves);
    server = std::make_unique<ChildProcess>(args, tmp / ("serve" + n + ".out"), tmp / ("serve" + n + ".err"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string out = read_file(tmp / ("serve" + n + ".out"));
      const size_t at = out.find("listening ");
      const size_t nl = out.find('\n', at);
      if (at != std::string::npos && nl != std::string::npos) {
        url = out.substr(at + 10, nl - at - 10);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the service did not start: " << read_file(tmp / ("serve" + n + ".err")));
  }
  // SIGTERM, then waits: the outcome (exit 0 expected).
  ChildOutcome stop() {
    ::kill(server_pid(), SIGTERM);
    ChildOutcome o = server->wait();
    server.reset();
    return o;
  }
  ChildOutcome kill9() {
    ChildOutcome o = server->kill_after(0);
    server.reset();
    return o;
  }
  pid_t server_pid() const { return server->pid(); }

  // The CLI against the service, signed with `key_name`'s key.
  CliResult remote(std::vector<std::string> args, const std::string& key_name) const {
    args.insert(args.end(), {"--server", url, "--key", key(key_name), "--tls-ca", cert});
    return run_cli(tmp, args);
  }
  CliResult local(std::vector<std::string> args) const {
    args.insert(args.end(), {"--data", dir});
    return run_cli(tmp, args);
  }
  std::string origin() const {
    auto r = run_cli(tmp, {"checkpoint", "--data", dir});
    return r.out.substr(0, r.out.find('\n'));
  }
};

}  // namespace grantledger::testing
