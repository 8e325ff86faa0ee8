// How `serve` and `witness serve` run: SIGTERM and SIGINT are blocked in every thread and taken by
// one watcher thread, which calls `stop`; `run` serves until then (spec/SERVER.md, "Starting and
// stopping").
#pragma once

#include <functional>

#include "ledger/status.h"

namespace grantledger::cli {

// Blocks SIGTERM and SIGINT in the calling thread (threads started after inherit the mask). Call
// before starting any thread that must not take those signals.
void block_stop_signals();

// Runs `run` on this thread while a watcher thread waits for SIGTERM or SIGINT and then calls
// `stop` (which must make `run` return), again every 50 ms until `run` has returned (a stop before
// the server's accept loop began would be lost). REQUIRES: block_stop_signals() was called.
Status serve_until_signal(const std::function<Status()>& run, const std::function<void()>& stop);

}  // namespace grantledger::cli
