#include "tools/serve_until_signal.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tools/stop_signals.h"

namespace grantledger::cli {

void block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

Status serve_until_signal(const std::function<Status()>& run, const std::function<void()>& stop) {
  std::atomic<bool> returned{false};
  // A stop that comes between binding and the start of the accept loop is lost by the HTTP
  // server (it stops only a running loop), so after a signal `stop` is repeated until `run`
  // has returned.
  StopSignals signals([&stop, &returned](int sig) {
    spdlog::info("signal {}: stopping (requests in flight finish)", sig);
    while (!returned.load()) {
      stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  Status s = run();  // also returns when listening fails
  returned.store(true);
  return s;  // ~StopSignals then stops waiting and joins its thread
}

}  // namespace grantledger::cli
