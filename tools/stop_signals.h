// SIGTERM and SIGINT for commands that run until told to stop (`sink postgres --follow`, and
// through tools/serve_until_signal.h `serve` and `witness serve`): no signal handler, but one
// thread that takes the signals with sigtimedwait and calls `on_stop`, so the work ends where it
// chooses (after a batch, after the requests in flight).
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace grantledger::cli {

class StopSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (threads it starts later inherit the mask) and
  // starts the waiting thread, which calls `on_stop(signal)` at most once.
  explicit StopSignals(std::function<void(int signal)> on_stop);
  // Stops waiting (within 100 ms) and joins the thread.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace grantledger::cli
