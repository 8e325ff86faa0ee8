// witness_bench: `grantledger witness serve` (plain HTTP on loopback, a child process) cosigning a
// growing log: cosignatures/s and latency of add-checkpoint, one request at a time over one
// keep-alive connection, as a log's collector sends them.
//
//   build/witness_bench [--cli build/grantledger] [--count 2000] [--step 10]
//
// The bench builds a log of count x step leaves in memory (RFC 6962 tree), signs a checkpoint
// every `step` leaves with its own log key and prepares every request body (old size, consistency
// proof from the previous checkpoint, the signed note) before timing, so the figures are the
// witness's: parse, verify the log's signature, verify the proof, cosign, and write its state
// durably (fsync of the file and of its directory) before answering.
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "bench/bench_child.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "tools/witness/add_checkpoint.h"


using namespace grantledger;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

}  // namespace

int main(int argc, char** argv) {
  std::string cli = "build/grantledger";
  uint64_t count = 2000, step = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--cli") cli = argv[i + 1];
    else if (a == "--count") count = std::stoull(argv[i + 1]);
    else if (a == "--step") step = std::stoull(argv[i + 1]);
  }
  cli = fs::absolute(cli).string();
  const std::string tmp = fs::temp_directory_path() / ("witness_bench." + std::to_string(::getpid()));
  fs::create_directories(tmp);

  // The log: leaves, stored nodes, and a signed checkpoint every `step` leaves.
  const std::string origin = "bench.example/log";
  PrivateKey log_key = PrivateKey::generate();
  if (!log_key.save(tmp + "/log").is_ok()) return 1;
  std::map<MerkleNodeId, Hash32> nodes;
  MerkleFrontier frontier;
  Sha256 sha;
  MerkleReader reader([&nodes](MerkleNodeId id) -> Result<Hash32> {
    auto it = nodes.find(id);
    if (it == nodes.end()) return Status::not_found("node");
    return it->second;
  });
  std::vector<std::string> bodies;
  uint64_t previous = 0;
  for (uint64_t c = 1; c <= count; ++c) {
    for (uint64_t k = 0; k < step; ++k) {
      std::vector<std::pair<MerkleNodeId, Hash32>> completed;
      frontier.append(sha, merkle_leaf_hash(sha, "leaf " + std::to_string(frontier.size())), &completed);
      for (auto& [id, h] : completed) nodes[id] = h;
    }
    const uint64_t size = frontier.size();
    witness::AddCheckpointRequest request;
    request.old_size = previous;
    if (previous > 0) request.proof = reader.consistency_proof(previous, size).value();
    request.note = sign_checkpoint(Checkpoint{origin, size, frontier.root(sha)}, log_key);
    bodies.push_back(witness::encode_add_checkpoint(request));
    previous = size;
  }

  if (std::system((cli + " keygen --out " + tmp + "/witness >/dev/null").c_str()) != 0) return 1;
  std::vector<std::string> args = {cli, "witness", "serve", "--data", tmp + "/wdir", "--name", "bench.example/witness", "--key",
                                   tmp + "/witness.pem", "--log", origin + "=" + tmp + "/log.pub.pem", "--listen", "127.0.0.1:0",
                                   "--insecure-http"};
  std::vector<char*> argv_c;
  for (auto& a : args) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, (tmp + "/w.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, cli.c_str(), &fa, nullptr, argv_c.data(), environ) != 0) return 1;
  const std::string url = grantledger::bench::wait_for_listening(tmp + "/w.out", 15000);
  if (url.empty()) return 1;

  httplib::Client client(url);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::vector<double> latency_ms;
  uint64_t errors = 0;
  const auto start = Clock::now();
  for (const std::string& body : bodies) {
    const auto t0 = Clock::now();
    auto r = client.Post("/add-checkpoint", body, "text/plain");
    latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!r || r->status != 200) ++errors;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
  std::sort(latency_ms.begin(), latency_ms.end());
  auto pct = [&](double p) { return latency_ms[std::min(latency_ms.size() - 1, static_cast<size_t>(p * static_cast<double>(latency_ms.size())))]; };
  std::cout << "witness_bench: " << count << " checkpoints, " << step << " leaves apart (final tree size " << previous << "), "
            << "one keep-alive connection\n"
            << "cosignatures/s " << static_cast<uint64_t>(static_cast<double>(bodies.size() - errors) / seconds) << "  latency ms p50 "
            << pct(0.5) << " p99 " << pct(0.99) << "  errors " << errors << "\n";
  fs::remove_all(tmp);
  return errors == 0 ? 0 : 1;
}
