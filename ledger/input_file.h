// Files a user names as input (events, keys, proofs, checkpoints, statements): one check and one
// reader, so every command answers a missing file, a directory or an oversized file the same way:
// invalid_argument (exit 2, bad input), never an I/O error or a crash.
#pragma once

#include <cstddef>
#include <string>

#include "ledger/status.h"

namespace grantledger {

// ok if `path` names something that can be read as a file (a regular file, a pipe, a device);
// invalid_argument naming `what` and the path if it is missing or a directory.
Status check_input_file(const std::string& path, const std::string& what);

// Reads the whole file. invalid_argument as above, or when it is larger than `limit_bytes`;
// io_error if reading fails part way.
Result<std::string> read_input_file(const std::string& path, const std::string& what, size_t limit_bytes);

}  // namespace grantledger
