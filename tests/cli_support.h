// Running the real grantledger binary from tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace grantledger::testing {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs `program` (GL_CLI_PATH by default) with `args`; output captured through files in `tmp`.
inline CliResult run_cli(const TempDir& tmp, const std::vector<std::string>& args, const std::string& program = GL_CLI_PATH) {
  std::string cmd = shell_quote(program);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(tmp / "cli.out") + " 2>" + shell_quote(tmp / "cli.err") + " </dev/null";
  int raw = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(tmp / "cli.out");
  r.err = read_file(tmp / "cli.err");
  return r;
}

// Copies the ledger tests/data/upgrade/`name` (README.md there) to `dir`, its keys readable by
// their owner only as grantledger requires: tests open the copy, never the ledger in place.
inline void copy_upgrade_ledger(const std::string& name, const std::string& dir) {
  namespace fs = std::filesystem;
  fs::copy(std::string(GL_TEST_DATA_DIR) + "/upgrade/" + name, dir, fs::copy_options::recursive);
  for (const auto& f : fs::directory_iterator(fs::path(dir) / "keys"))
    fs::permissions(f.path(), fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace grantledger::testing
