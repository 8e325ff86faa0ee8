// Output files and directories named on the command line (spec/CLI.md, "Output files"): one
// check, run before any work, so every command answers a bad output path the same way.
#pragma once

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace grantledger::cli {

enum class OutputKind {
  kFile,       // a file the command creates or replaces (export --out, audit --report, ...)
  kDirectory,  // a directory the command creates, or fills when empty (export-bundle --out)
};

// invalid_argument (exit 2) naming `flag` when `path` cannot be an output of `kind`: empty, its
// containing directory missing or not a directory, a file path naming an existing directory, a
// directory path naming an existing file. Writes nothing. Whether the command may overwrite an
// existing output is its own rule (keygen and export-bundle refuse to). What this cannot see in
// advance (permissions, a full disk) stays the command's I/O error.
Status check_output_path(std::string_view flag, const std::string& path, OutputKind kind);

}  // namespace grantledger::cli
