#include "tools/serve_until_signal.h"

#include <signal.h>
#include <spdlog/spdlog.h>

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
  StopSignals signals([&stop](int sig) {
    spdlog::info("signal {}: stopping (requests in flight finish)", sig);
    stop();
  });
  return run();  // also returns when listening fails; ~StopSignals then stops waiting
}

}  // namespace grantledger::cli
