// Child processes for the benches that drive whole `grantledger` processes: start one with its
// output in files, wait for a server's "listening URL" line, reap it.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace grantledger::bench {

inline std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Starts `args` (args[0] the program's path) with stdout to `out` and stderr to `err`; -1 on failure.
inline pid_t spawn_child(std::vector<std::string> args, const std::string& out, const std::string& err) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// The URL of a server's "listening URL" line in file `out`, waiting up to `timeout_ms`; empty if none.
inline std::string wait_for_listening(const std::string& out, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    const std::string text = read_file(out);
    if (auto at = text.find("listening "); at != std::string::npos && text.find('\n', at) != std::string::npos)
      return text.substr(at + 10, text.find('\n', at) - at - 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

// Waits for `pid`; its exit code, or -1 if a signal ended it.
inline int reap_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace grantledger::bench
