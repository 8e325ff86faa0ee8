#include "tools/stop_signals.h"

#include <signal.h>

namespace grantledger::cli {

StopSignals::StopSignals(std::function<void(int signal)> on_stop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  waiter_ = std::thread([this, signals, on_stop = std::move(on_stop)] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done_.load()) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig <= 0) continue;
      on_stop(sig);
      return;
    }
  });
}

StopSignals::~StopSignals() {
  done_.store(true);
  waiter_.join();
}

}  // namespace grantledger::cli
