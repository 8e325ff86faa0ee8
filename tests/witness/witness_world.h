// A real `grantledger witness serve` on 127.0.0.1 (a random port, plain HTTP on loopback) that
// witnesses one ledger, and raw add-checkpoint requests to it.
#pragma once

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <thread>

#include "tests/cli_support.h"
#include "tests/robustness/child_process.h"
#include "tools/witness/add_checkpoint.h"

namespace grantledger::testing {

struct WitnessProcess {
  const TempDir& tmp;
  std::string name;       // the witness's key name
  std::string data, key;  // WDIR and its private key
  std::vector<std::string> logs;  // ORIGIN=LOG.pub.pem
  std::unique_ptr<ChildProcess> process;
  std::string url, vkey;
  int starts = 0;

  WitnessProcess(const TempDir& t, const std::string& label, std::vector<std::string> log_flags)
      : tmp(t), name(label + ".example.dk/witness"), data(t / (label + "-wdir")), key(t / (label + "-key")), logs(std::move(log_flags)) {
    auto made = run_cli(tmp, {"keygen", "--out", key});
    REQUIRE(made.exit_code == 0);
  }
  ~WitnessProcess() {
    if (process) stop();
  }

  void start() {
    std::vector<std::string> args = {"witness", "serve", "--data", data, "--name", name, "--key", key + ".pem",
                                     "--listen", "127.0.0.1:0", "--insecure-http"};
    for (const auto& l : logs) args.insert(args.end(), {"--log", l});
    const std::string n = data + "-" + std::to_string(++starts);
    process = std::make_unique<ChildProcess>(args, n + ".out", n + ".err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string out = read_file(n + ".out");
      const size_t v = out.find("vkey "), at = out.find("listening ");
      const size_t nl = out.find('\n', at);
      if (v != std::string::npos && at != std::string::npos && nl != std::string::npos) {
        vkey = out.substr(v + 5, out.find('\n', v) - v - 5);
        url = out.substr(at + 10, nl - at - 10);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("the witness did not start: " << read_file(n + ".err"));
  }
  ChildOutcome stop() {
    ::kill(process->pid(), SIGTERM);
    ChildOutcome o = process->wait();
    process.reset();
    return o;
  }

  // POST /add-checkpoint.
  httplib::Result add(const std::string& body) const {
    httplib::Client c(url);
    return c.Post("/add-checkpoint", body, "text/plain");
  }
  httplib::Result add(uint64_t old_size, const std::vector<Hash32>& proof, const std::string& note) const {
    return add(witness::encode_add_checkpoint({old_size, proof, note}));
  }
};

}  // namespace grantledger::testing
