// grantledger mirror --from URL --key AUDITOR.pem --log-key LOG.pub.pem --data DIR [--follow]
//   [--tls-ca CA.pem] [--interval S] [--batch N]
// A verifying mirror of a served ledger (spec/MIRROR.md): copies every commit after checking its
// signatures, leaf hashes, hash chain and rules and a consistency proof from the last checkpoint
// it verified. Without --follow it catches up and exits 0; with --follow it polls every --interval
// seconds until SIGTERM or SIGINT. A log that rewrote its history is refused: evidence kept in
// DIR/evidence/, nothing of it stored, exit 3.
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <iostream>
#include <mutex>

#include "tools/commands.h"
#include "tools/mirror/mirror.h"
#include "tools/serve_until_signal.h"
#include "tools/unsigned_flag.h"

namespace grantledger::cli {

namespace {

void print_round(const mirror::RoundResult& r) {
  std::cout << "mirrored " << r.commits_stored << " commits (" << r.events_stored << " events); copy holds "
            << r.head.commit_count << " commits, tree size " << r.head.tree_size << std::endl;
}

// Polls until `stop`: a transient failure (the log unreachable) is logged and retried; a refusal
// (corruption: a rewritten history, data that fails a check) ends the run.
Status follow(mirror::Mirror& m, int interval_seconds) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  auto run = [&]() -> Status {
    for (;;) {
      auto round = m.catch_up();
      if (round) {
        if (round->commits_stored > 0) print_round(*round);
      } else if (round.error().code() == StatusCode::kIOError) {
        spdlog::warn("mirror: {} (retrying in {} s)", round.error().to_string(), interval_seconds);
      } else {
        return round.error();
      }
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, std::chrono::seconds(interval_seconds), [&] { return stopping; })) return Status::ok();
    }
  };
  auto stop = [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    cv.notify_all();
  };
  return serve_until_signal(run, stop);
}

}  // namespace

void add_mirror(CLI::App& app, Action* action) {
  auto* cmd = app.add_subcommand("mirror", "Keep a verified copy of a served ledger (every signature, hash, rule and proof checked)");
  struct Opts {
    mirror::MirrorOptions m;
    std::string key, log_key;
    bool follow = false;
    int interval_seconds = 2;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--from", o->m.from, "the served ledger (https://HOST:PORT)")->required();
  cmd->add_option("--key", o->key, "a key the log registers that reads everything (auditor, admin), PEM")->required();
  cmd->add_option("--log-key", o->log_key, "the log's public key (PEM), obtained out of band")->required();
  cmd->add_option("--data", o->m.data, "the copy's data directory (created on first use)")->required();
  cmd->add_flag("--follow", o->follow, "keep following until SIGTERM or SIGINT");
  cmd->add_option("--tls-ca", o->m.tls_ca, "the CA certificate (PEM) to trust (default: the system's)");
  cmd->add_option("--interval", o->interval_seconds, "with --follow: seconds between polls")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--batch", o->m.batch_commits, "commits fetched, verified and stored per write")
      ->check(unsigned_number())
      ->check(CLI::Range(uint64_t{1}, uint64_t{kMaxReplicatedCommits}))
      ->capture_default_str();
  cmd->callback([action, o] {
    *action = [o]() -> Status {
      GL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::load(o->key));
      GL_ASSIGN_OR_RETURN(PublicKey log_key, PublicKey::load(o->log_key));
      if (o->follow) block_stop_signals();
      GL_ASSIGN_OR_RETURN(auto m, mirror::Mirror::create(o->m, std::make_shared<const PrivateKey>(std::move(key)), std::move(log_key)));
      if (o->follow) return follow(*m, o->interval_seconds);
      GL_ASSIGN_OR_RETURN(mirror::RoundResult round, m->catch_up());
      print_round(round);
      return Status::ok();
    };
  });
}

}  // namespace grantledger::cli
