// Running the real grantledger binary from tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
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

}  // namespace grantledger::testing
