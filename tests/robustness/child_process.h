// The real grantledger CLI as a child process that the robustness tests can kill: started with
// posix_spawn (stdin /dev/null, stdout and stderr to files), then waited for, or sent SIGKILL
// after a delay. A child still running when its owner dies is killed and reaped, so a failed
// REQUIRE never leaves one behind holding the ledger's lock.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "tests/cli_support.h"

extern char** environ;

namespace grantledger::testing {

// How a child ended: on its own (exit_code) or by SIGKILL (killed). out / err are whatever it
// wrote to its stdout / stderr before that.
struct ChildOutcome {
  bool killed = false;
  int exit_code = -1;  // -1 when killed or ended by another signal
  int signal = 0;
  double elapsed_s = 0;
  std::string out, err;
  std::string describe() const {
    return (killed   ? std::string("killed by SIGKILL")
            : signal ? "died of signal " + std::to_string(signal)
                     : "exit " + std::to_string(exit_code)) +
           " after " + std::to_string(elapsed_s) + " s; stdout:\n" + out + "stderr:\n" + err;
  }
};

class ChildProcess {
 public:
  // Starts `program args...`; its output goes to `out_path` and `err_path` (truncated).
  ChildProcess(const std::vector<std::string>& args, std::string out_path, std::string err_path,
               const std::string& program = GL_CLI_PATH)
      : out_path_(std::move(out_path)), err_path_(std::move(err_path)) {
    std::vector<std::string> argv_s{program};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    start_ = std::chrono::steady_clock::now();
    int rc = posix_spawn(&pid_, program.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    INFO("posix_spawn " << program << ": " << std::strerror(rc));
    REQUIRE(rc == 0);
  }
  ~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sleeps until `delay_us` after the start, then sends SIGKILL (a child that already ended is
  // a zombie: the signal does nothing and its own exit status is reported).
  ChildOutcome kill_after(int64_t delay_us) {
    timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const int64_t spent_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - start_)
                                 .count();
    int64_t left_us = std::max<int64_t>(0, delay_us - spent_us);
    deadline.tv_sec += left_us / 1000000;
    deadline.tv_nsec += (left_us % 1000000) * 1000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec += 1, deadline.tv_nsec -= 1000000000;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
    ::kill(pid_, SIGKILL);
    return reap();
  }

  // Waits for the child to end on its own.
  ChildOutcome wait() { return reap(); }
  pid_t pid() const { return pid_; }

 private:
  ChildOutcome reap() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    ChildOutcome o;
    o.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
      o.signal = WTERMSIG(status);
      o.killed = o.signal == SIGKILL;
    }
    o.out = read_file(out_path_);
    o.err = read_file(err_path_);
    return o;
  }

  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace grantledger::testing
