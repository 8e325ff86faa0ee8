#include "tools/serve_until_signal.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

namespace grantledger::cli {

namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

void block_stop_signals() {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

Status serve_until_signal(const std::function<Status()>& run, const std::function<void()>& stop) {
  const sigset_t signals = stop_signals();
  std::atomic<bool> done{false};
  std::thread stopper([&stop, &done, signals] {
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done.load()) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig <= 0) continue;
      spdlog::info("signal {}: stopping (requests in flight finish)", sig);
      stop();
      return;
    }
  });
  Status s = run();  // also returns when listening fails
  done.store(true);
  stopper.join();
  return s;
}

}  // namespace grantledger::cli
